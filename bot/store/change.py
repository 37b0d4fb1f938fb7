"""One audited change to the data (:class:`Change`): every row it writes is logged
with its values before and after, which is what makes an undo exact.

A change is opened by :meth:`bot.store.db.Store.change` (one transaction).
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

from bot.store.schema import PRIMARY_KEYS


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _models_of(table: str, key: dict, before: dict | None, after: dict | None) -> tuple[int | None, int | None]:
    """The model an audited row concerns after the change, and before it when
    that differs (the audit's model_id and was_model_id columns)."""
    if table == "models":
        return key.get("id"), None
    now = (after or {}).get("model_id", key.get("model_id", (before or {}).get("model_id")))
    was = (before or {}).get("model_id")
    return now, (was if was is not None and was != now else None)


class Change:
    """One audited change (a batch): everything in it commits or nothing does."""

    def __init__(self, db: sqlite3.Connection, actor: str, action: str, audit: bool):
        self.db = db
        self.actor = actor
        self.action = action
        self.audit = audit
        self.batch: int | None = None
        self.count = 0

    # -- audited primitives -------------------------------------------------
    def _key(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        return {k: row[k] for k in PRIMARY_KEYS[table]}

    def get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        where = " AND ".join(f"[{k}] = ?" for k in key)
        cur = self.db.execute(f"SELECT * FROM [{table}] WHERE {where}", list(key.values()))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row))

    def _log(self, table: str, key: dict[str, Any], before: dict | None, after: dict | None) -> None:
        self.count += 1
        if not self.audit:
            return
        if self.batch is None:
            prev = self.db.execute("SELECT COALESCE(MAX(batch), 0) FROM audit").fetchone()[0]
            self.batch = prev + 1
        model_id, was_model_id = _models_of(table, key, before, after)
        self.db.execute(
            "INSERT INTO audit (ts, actor, action, batch, tbl, row_key, before, after, model_id, was_model_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                _now(), self.actor, self.action, self.batch, table,
                json.dumps(key, sort_keys=True),
                None if before is None else json.dumps(before, sort_keys=True),
                None if after is None else json.dumps(after, sort_keys=True),
                model_id, was_model_id,
            ],
        )

    def upsert(self, table: str, row: dict[str, Any]) -> str:
        """Insert or update one row by its primary key.

        Returns ``added``, ``updated`` or ``unchanged``. Columns missing from
        ``row`` keep their values."""
        key = self._key(table, row)
        before = self.get(table, key)
        if before is None:
            cols = list(row)
            self.db.execute(
                f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
                [row[c] for c in cols],
            )
            self._log(table, key, None, self.get(table, key) if self.audit else None)
            return "added"
        changed = {c: v for c, v in row.items() if c not in key and before.get(c) != v}
        if not changed:
            return "unchanged"
        sets = ", ".join(f"[{c}] = ?" for c in changed)
        where = " AND ".join(f"[{k}] = ?" for k in key)
        self.db.execute(f"UPDATE [{table}] SET {sets} WHERE {where}", [*changed.values(), *key.values()])
        after = {**before, **changed}
        self._log(table, key, before, after)
        return "updated"

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert a row whose primary key the database assigns; returns it."""
        cols = list(row)
        cur = self.db.execute(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )
        rowid = cur.lastrowid
        assert rowid is not None  # an INSERT always sets it
        pk = PRIMARY_KEYS[table]
        if pk == ("id",):
            key = {"id": rowid}
        else:
            key = self._key(table, row)
        self._log(table, key, None, self.get(table, key) if self.audit else None)
        return rowid

    def delete(self, table: str, key: dict[str, Any]) -> bool:
        before = self.get(table, key)
        if before is None:
            return False
        where = " AND ".join(f"[{k}] = ?" for k in key)
        self.db.execute(f"DELETE FROM [{table}] WHERE {where}", list(key.values()))
        self._log(table, key, before, None)
        return True
