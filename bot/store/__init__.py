"""The store: schema, queries, importers and audit over one SQLite file."""
from bot.store.change import Change
from bot.store.errors import ReadOnlyError, StoreError
from bot.store.db import Store

__all__ = ["Change", "ReadOnlyError", "Store", "StoreError"]
