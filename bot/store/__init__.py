"""The store: schema, queries, importers and audit over one SQLite file."""
from bot.store.db import Change, ReadOnlyError, Store, StoreError

__all__ = ["Change", "ReadOnlyError", "Store", "StoreError"]
