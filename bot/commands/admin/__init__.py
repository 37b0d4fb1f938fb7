"""Moderators keep the data right: every change audited, undoable, announced.

Every handler here is registered with ``admin=True``: the engine refuses
them for anyone who is not a moderator before they run. Each change is one
transaction (``store.change``) that writes an audit entry per row with its
values before and after, so ``undo`` reverts it exactly.
"""
from bot.commands.admin import audit, edit, imports, operations  # noqa: F401  (registers the handlers)
from bot.commands.admin.imports import MAX_UPLOAD, DownloadError, download

__all__ = ["MAX_UPLOAD", "DownloadError", "download"]
