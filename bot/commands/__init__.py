"""Commands: the grammar, the registry and one module of handlers per area.

Importing this package registers every handler. To add a command, write a
handler with ``@command(...)`` in the module of its area (or a new module
imported below) and a test in ``tests/``.
"""
from bot.commands import admin, ask, depth, digest, info, models, prices, race, records, server, trends  # noqa: F401
