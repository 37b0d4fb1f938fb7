"""The audit log read back: history, and undo and redo of a whole change.

:class:`AuditTrail` is part of :class:`bot.store.db.Store` (the store's
methods ``history``, ``own_batches``, ``own_undone``, ``undo_batch`` and
``redo_batch``); an undo or redo is itself an audited change.
"""
from __future__ import annotations

import json
import re
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from bot.store.change import Change
from bot.store.errors import UndoRefused

_UNDO_OF = re.compile(r"^(undo|redo) #(\d+)$")


def _conflict_text(verb: str, batch: int, action: str, conflicts: list[dict[str, Any]]) -> str:
    shown = "; ".join(f"#{c['batch']} {c['action']} by {c['actor']}" for c in conflicts[:5])
    more = f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else ""
    return (f"Change #{batch} ({action}) was not {verb}ne: later changes touched the same rows ({shown}{more}). "
            f"`{verb} {batch} force` {verb}es it anyway and overwrites them; nothing was changed.")


class AuditTrail:
    """History, undo and redo over the audit log (mixed into the Store)."""

    if TYPE_CHECKING:  # pragma: no cover - provided by Store
        def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]: ...

        def scalar(self, sql: str, params: Any = ()) -> Any: ...

        def change(self, actor: str = "system", action: str = "change", *,
                   audit: bool = True) -> AbstractContextManager[Change]: ...

    # -- audit: history and undo --------------------------------------------
    def history(self, *, model_id: int | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The newest audit entries, or those about one model: its own row, and
        rows whose key or values name it. Matched on the JSON value itself
        (model 10 is not model 100)."""
        if model_id is None:
            return self.query("SELECT * FROM audit WHERE scope = 'data' ORDER BY id DESC LIMIT ?", [limit])
        return self.query(
            # by index: the audit log's model columns (schema step 5), no scan of its JSON
            "SELECT * FROM audit WHERE id IN (SELECT id FROM audit WHERE model_id = :m "
            "UNION SELECT id FROM audit WHERE was_model_id = :m) AND scope = 'data' ORDER BY id DESC LIMIT :n",
            {"m": model_id, "n": limit},
        )

    # -- undo and redo: audited changes themselves -----------------------------
    def own_batches(self, user_id: str, *, limit: int = 1) -> list[int]:
        """The caller's newest live changes (not undone, not an undo), newest first.
        Actors are written ``name (user id)``; the id is what identifies them."""
        return [r["batch"] for r in self.query(
            "SELECT batch, MIN(actor) AS actor, MIN(action) AS action FROM audit WHERE undone = 0 AND scope = 'data' "
            "GROUP BY batch HAVING substr(actor, -length(:tail)) = :tail AND action NOT LIKE 'undo #%' "
            "ORDER BY batch DESC LIMIT :n", {"tail": f"({user_id})", "n": limit})]

    def own_undone(self, user_id: str) -> int | None:
        """The change the caller undid most recently and has not redone."""
        for r in self.query(
                "SELECT batch, MIN(action) AS action FROM audit WHERE undone = 0 AND scope = 'data' "
                "AND action LIKE 'undo #%' "
                "GROUP BY batch HAVING substr(MIN(actor), -length(:tail)) = :tail ORDER BY batch DESC",
                {"tail": f"({user_id})"}):
            m = _UNDO_OF.match(r["action"])
            if m and self.scalar("SELECT MAX(undone) FROM audit WHERE batch = ?", [int(m.group(2))]):
                return int(m.group(2))
        return None

    def _later_conflicts(self, db: Any, batch: int, since: int) -> list[dict[str, Any]]:
        """Live changes after batch `since` that touched a row `batch` touched
        (an undo of a later change that is itself undone cancels out)."""
        rows = db.execute(
            "SELECT batch, MIN(action), MIN(actor) FROM audit WHERE batch > ? AND undone = 0 AND scope = 'data' AND EXISTS "
            "(SELECT 1 FROM audit a WHERE a.batch = ? AND a.tbl = audit.tbl AND a.row_key = audit.row_key) "
            "GROUP BY batch ORDER BY batch", [since, batch]).fetchall()
        out = []
        for b, action, who in rows:
            m = _UNDO_OF.match(action or "")
            if m and m.group(1) == "undo" and int(m.group(2)) > batch:
                continue
            out.append({"batch": b, "action": action, "actor": who})
        return out

    def _apply_values(self, ch: "Change", entries: list, use: str) -> None:
        """Put every row of a batch back to its `before` (undo) or `after` (redo) values."""
        for _id, tbl, row_key, before, after in entries:
            key = json.loads(row_key)
            values = before if use == "before" else after
            if values is None:
                ch.delete(tbl, key)
            else:
                ch.upsert(tbl, json.loads(values))

    @staticmethod
    def _batch(db: Any, batch: int, *, newest_first: bool) -> tuple[list, str, str, int]:
        """The audited data rows of change `batch` (in the order to apply them),
        its action, its actor and whether it is undone; refused when there is no such change."""
        entries = db.execute("SELECT id, tbl, row_key, before, after FROM audit WHERE batch = ? AND scope = 'data' "
                             f"ORDER BY id {'DESC' if newest_first else 'ASC'}", [batch]).fetchall()
        if not entries:
            raise UndoRefused(f"There is no change #{batch} (`history` lists them).")
        action, who, undone = db.execute("SELECT MIN(action), MIN(actor), MAX(undone) FROM audit WHERE batch = ? "
                                         "AND scope = 'data'", [batch]).fetchone()
        return entries, action, who, undone

    def undo_batch(self, batch: int, actor: str = "system", *, force: bool = False) -> dict[str, Any]:
        """Revert change `batch` exactly, as a new audited change (``undo #batch``)
        that `redo` can reverse. Refused (:class:`UndoRefused`, naming the
        conflict) when a later live change touched the same rows, unless `force`."""
        with self.change(actor, f"undo #{batch}") as ch:
            entries, action, who, undone = self._batch(ch.db, batch, newest_first=True)
            if undone:
                raise UndoRefused(f"Change #{batch} ({action}) is already undone; `redo {batch}` applies it again.")
            m = _UNDO_OF.match(action or "")
            if m and m.group(1) == "undo":
                raise UndoRefused(f"Change #{batch} is itself an undo of #{m.group(2)}: `redo {m.group(2)}` "
                                  "applies that change again.")
            conflicts = self._later_conflicts(ch.db, batch, batch)
            if conflicts and not force:
                raise UndoRefused(_conflict_text("undo", batch, action, conflicts))
            self._apply_values(ch, entries, "before")
            ch.db.execute("UPDATE audit SET undone = 1 WHERE batch = ?", [batch])
            ch.count += 1
        return {"batch": batch, "action": action, "actor": who, "rows": len(entries), "undo_batch": ch.batch,
                "forced_over": [c["batch"] for c in conflicts]}

    def redo_batch(self, batch: int, actor: str = "system", *, force: bool = False) -> dict[str, Any]:
        """Apply undone change `batch` again (its `after` values), as a new
        audited change (``redo #batch``); refused when a later live change
        touched the same rows since it was undone, unless `force`."""
        with self.change(actor, f"redo #{batch}") as ch:
            entries, action, who, undone = self._batch(ch.db, batch, newest_first=False)
            if not undone:
                raise UndoRefused(f"Change #{batch} ({action}) is not undone; there is nothing to redo.")
            undo_of = ch.db.execute("SELECT MAX(batch) FROM audit WHERE action = ? AND undone = 0",
                                    [f"undo #{batch}"]).fetchone()[0] or batch
            conflicts = [c for c in self._later_conflicts(ch.db, batch, undo_of) if c["batch"] != undo_of]
            if conflicts and not force:
                raise UndoRefused(_conflict_text("redo", batch, action, conflicts))
            self._apply_values(ch, entries, "after")
            ch.db.execute("UPDATE audit SET undone = 0 WHERE batch = ?", [batch])
            ch.db.execute("UPDATE audit SET undone = 1 WHERE batch = ?", [undo_of])
            ch.count += 1
        return {"batch": batch, "action": action, "actor": who, "rows": len(entries), "redo_batch": ch.batch}
