"""Which model a card is about: its family and sibling variants, when it came out
(and from which source), when it was first rated, and the date its rated Arena
entry carries when that is not the release's."""
from __future__ import annotations

import re
from typing import Any

from bot.render.text import big, elo, params
from bot.store.variants import size_from_names

SOURCE_OF_RELEASE = {"epoch": "Epoch AI", "hub": "Epoch Benchmarking Hub", "moderator": "moderators"}


def released(m: dict[str, Any]) -> str:
    """A model's release date from its source. A model known only from LMArena has none
    of its own: its date is the first board that rates it, and says so."""
    if m["origin"] == "arena":
        return f"first rated {m['release_date']}" if m["release_date"] else "not known"
    return m["release_date"] or "not known"


def family_id(read: Any, model_id: int) -> int:
    return read.models[model_id].get("variant_of") or model_id


def family(read: Any, model_id: int) -> list[int]:
    """The family (its own model first) and every variant of it, in id order."""
    fid = family_id(read, model_id)
    return [fid] + sorted(i for i, m in read.models.items() if m.get("variant_of") == fid)


def _rating(read: Any, model_id: int, until: str | None):
    return read.latest_rating(model_id, until) or read.latest_any_rating(model_id, until)


def siblings_line(read: Any, model_id: int, until: str | None = None) -> tuple[str | None, list[dict]]:
    """The other rated members of this model's family with their scores ("GPT-5.1 (high)
    1,446 (2025-12-11)"), and what a card's data keeps of them."""
    members = family(read, model_id)
    if len(members) < 2:
        return None, []
    out = []
    for i in members:
        if i == model_id:
            continue
        r = _rating(read, i, until)
        if r is None:
            continue
        out.append({"name": read.models[i]["name"], "score": r.score, "date": r.date,
                    "family": i == members[0]})
    if not out:
        return None, []
    text = ", ".join(f"{o['name']}{' (the family)' if o['family'] else ''} {elo(o['score'])} ({o['date']})"
                     for o in sorted(out, key=lambda o: -o["score"]))
    return text, out


_STAMP = re.compile(r"(?<!\d)(20\d\d)-?(0[1-9]|1[0-2])-?([0-3]\d)(?!\d)")


def entry_date(arena_name: str) -> str | None:
    """The full date an Arena entry's name carries (o3-2025-04-16, claude-opus-4-20250514)."""
    m = _STAMP.search(arena_name)
    return f"{m[1]}-{m[2]}-{m[3]}" if m else None


def entry_note(m: dict[str, Any], arena_name: str | None) -> str | None:
    """When the rated entry is a build dated months after the release date shown (Epoch's
    o3 is its December 2024 announcement; the rated o3 is dated 2025-04-16), say so."""
    stamp = entry_date(arena_name or "")
    rel = m.get("release_date")
    if not stamp or not rel or m["origin"] == "arena":
        return None
    months = (int(stamp[:4]) - int(rel[:4])) * 12 + int(stamp[5:7]) - int(rel[5:7])
    if abs(months) < 2:
        return None
    return f"the rated Arena entry {arena_name} is dated {stamp}"


def size(m: dict[str, Any], *, missing: str = "size not disclosed", names: list[str] | None = None) -> str:
    """A model's parameter count as sure as its source is: "3T parameters (speculative)",
    "24B parameters (from its name)", "235B parameters (22B active)". An open model its source
    gives no size whose Arena `names` state one shows that, marked 'from its name'."""
    if not m.get("parameters"):
        found = size_from_names(names or []) if m.get("access") == "open weights" else None
        if found:
            return size({**m, "parameters": found[0], "active_parameters": found[1],
                         "parameters_note": "from its name"})
        return missing
    notes = [f"{big(m['active_parameters'])} active"] if m.get("active_parameters") else []
    if m.get("parameters_note"):
        notes.append(m["parameters_note"])
    elif m.get("parameters_url"):
        notes.append("model card")
    return params(m["parameters"]) + (f" ({', '.join(notes)})" if notes else "")
