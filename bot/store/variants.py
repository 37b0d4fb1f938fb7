"""One Arena entry, one model variant.

An Arena *entry* is one model as LMArena lists it: a model key of the
history file and the catalog (``claude-opus-4-20250514-thinking-16k``) and
the display names of the CSV snapshots that spell the same entry
(``Claude Opus 4 (thinking-16k)``: the same letters and digits, or the key's
reviewed display name). Thinking, high, preview, dated, experimental and
style builds are entries of their own, so each is a model variant of its
own, linked to its family (``models.variant_of``): the model the linker (or
the reviewed curation) matched, which keeps its plainest entry.

Two entries are one variant only by a reviewed curation row that says why
(``data/curation/merges.csv``: a key renamed between sources or over time).
:func:`split_variants` applies that rule to a built database; the seed build
runs it after every importer, and :func:`entries_of` is what the tests check
every rated key against.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from bot.store.change import Change
from bot.store.linking import VARIANT_WORDS
from bot.domain.normalize import fold

# words that name how the same weights are run (effort, thinking budget, a mode): a variant made
# only of these shares its family's release, size and licence
MODE_WORDS = {"thinking", "high", "low", "medium", "minimal", "reasoning", "nothinking", "no", "non", "chat",
              "instant", "default"}
_BUDGET = re.compile(r"^\d+k$")
# how far a word takes a build from the released model (other variant words count 1)
UNPLAIN = {"early": 2, "exp": 2, "experimental": 2, "old": 2}
_NAME_KINDS = ("arena", "arena-key")


def letters(name: str) -> str:
    """An Arena name's letters, digits and pluses, lower-cased: the spellings of one entry
    share them (``claude-opus-4-20250514`` / ``Claude Opus 4 (20250514)``; Command R+ is not Command R)."""
    return re.sub(r"[^a-z0-9+]", "", name.lower())


@dataclass(frozen=True)
class Merge:
    """A reviewed decision that two Arena names are one entry."""
    name: str
    same_as: str
    why: str


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def entries_of(names: Iterable[str], display: dict[str, str], merges: Iterable[Merge] = ()) -> list[list[str]]:
    """The entries `names` (Arena keys, the keys of `display`, and CSV display names) make:
    CSV names of the same letters, a key and the CSV names spelling it or its display name,
    and the reviewed merges, are one entry. Two keys are one entry only by a merge."""
    names = sorted(set(names))
    u = _Union()
    by_letters: dict[str, str] = {}  # a CSV name's letters -> the first CSV name
    for n in names:
        u.find(n)
        if n not in display:
            u.join(by_letters.setdefault(letters(n), n), n)
    for n in names:
        if n in display:
            for spelling in {letters(n), letters(display[n])}:
                if spelling in by_letters:
                    u.join(by_letters[spelling], n)
    present = set(names)
    for m in merges:
        if m.name in present and m.same_as in present:
            u.join(m.name, m.same_as)
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(u.find(n), []).append(n)
    return sorted(groups.values())


def _tokens(name: str) -> list[str]:
    return fold(name.replace("(", " ").replace(")", " ")).split()


def extra_words(name: str, family: str) -> list[str]:
    """The words of an entry's name that its family's name lacks (dates and digits kept)."""
    fam = set(_tokens(family)) | {"gpt" if t == "chatgpt" else t for t in _tokens(family)}
    return [t for t in _tokens(name) if t not in fam]


def is_mode_variant(names: Iterable[str], plain: Iterable[str]) -> bool:
    """A name of the entry differs from a name of the family's plain entry only by mode
    words (thinking, high, a thinking budget, no-thinking): the same weights, run another way."""
    plain = list(plain)
    for n in names:
        for p in plain:
            extra = extra_words(n, p)
            if extra and all(t in MODE_WORDS or _BUDGET.match(t) for t in extra):
                return True
    return False


def _plainness(entry: list[str], family: str, first: str) -> tuple:
    """How plainly an entry is its family (smaller is plainer): fewest variant words, most
    words shared with the family's name, then the first rated."""
    best: tuple = ()
    fam = set(_tokens(family))
    for n in entry:
        toks = [t for t in _tokens(n) if not re.fullmatch(r"\d\d|\d{6,8}", t)]  # (date stamps)
        variant = sum(UNPLAIN.get(t, 1) for t in toks if t in VARIANT_WORDS or _BUDGET.match(t))
        shared = sum(1 for t in toks if t in fam) / max(1, len(toks))
        score = (variant, -shared)
        best = score if not best or score < best else best
    return (*best, first)


def read_merges(rows: Iterable[dict[str, str]]) -> list[Merge]:
    out = []
    for r in rows:
        if not (r.get("name") and r.get("same_as") and (r.get("why") or "").strip()):
            raise ValueError(f"merges.csv: every row names two Arena names and says why ({r})")
        out.append(Merge(r["name"], r["same_as"], r["why"].strip()))
    return out


def _names_by_model(ch: Change) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for alias, mid in ch.db.execute(
            f"SELECT alias, model_id FROM aliases WHERE kind IN ({','.join('?' * len(_NAME_KINDS))})", _NAME_KINDS):
        out.setdefault(mid, set()).add(alias)
    for name, mid in ch.db.execute("SELECT DISTINCT arena_name, model_id FROM arena_ratings"):
        out.setdefault(mid, set()).add(name)
    for name, mid in ch.db.execute("SELECT DISTINCT arena_name, model_id FROM prices"):
        out.setdefault(mid, set()).add(name)
    return out


def _move(ch: Change, names: list[str], to: int) -> None:
    marks = ",".join("?" * len(names))
    ch.db.execute(f"UPDATE aliases SET model_id = ? WHERE alias IN ({marks})", [to, *names])
    ch.db.execute(f"UPDATE arena_ratings SET model_id = ? WHERE arena_name IN ({marks})", [to, *names])
    ch.db.execute(f"UPDATE prices SET model_id = ? WHERE arena_name IN ({marks})", [to, *names])
    # the Hub names the version it ran by the Arena key (claude-3-7-sonnet-20250219-thinking-32k)
    folded = {letters(n) for n in names}
    rows = ch.db.execute("SELECT rowid, version FROM benchmark_scores WHERE version != ''").fetchall()
    for rowid, version in rows:
        if letters(version) in folded:
            ch.db.execute("UPDATE OR IGNORE benchmark_scores SET model_id = ? WHERE rowid = ?", [to, rowid])


def apply_merges(ch: Change, merges: list[Merge]) -> int:
    """Bring each reviewed pair of names onto one model (the `same_as` name's)."""
    alias = {a: m for a, m in ch.db.execute("SELECT alias, model_id FROM aliases")}
    done = 0
    for m in merges:
        a, b = alias.get(m.name), alias.get(m.same_as)
        if a is None or b is None:
            raise ValueError(f"merges.csv: {m.name!r} or {m.same_as!r} is not an Arena name of the data")
        if a != b:
            names = [n for n, mid in alias.items() if mid == a and n == m.name]
            _move(ch, names, b)
            alias[m.name] = b
            done += 1
    return done


def unify_entries(ch: Change, display: dict[str, str], merges: list[Merge]) -> int:
    """One entry on one model: an entry whose names landed on several models (the CSV
    name linked to the family, the key made a model of its own) moves to the model where
    it is the only entry, else to the one holding most of its names."""
    by_model = _names_by_model(ch)
    model_of = {n: mid for mid, ns in by_model.items() for n in ns}
    origin, name_of = {}, {}
    for mid, name, org in ch.db.execute("SELECT id, name, origin FROM models"):
        origin[mid], name_of[mid] = org, name
    moved = 0
    for entry in entries_of(model_of, display, merges):
        mids = sorted({model_of[n] for n in entry})
        if len(mids) < 2:
            continue
        alone = [m for m in mids if by_model[m] <= set(entry)]
        target = min(alone or mids, key=lambda m: (origin[m] not in ("epoch", "hub"), name_of[m] in display,
                                                    -len(by_model[m] & set(entry)), m))
        names = [n for n in entry if model_of[n] != target]
        _move(ch, names, target)
        for n in names:
            by_model[model_of[n]].discard(n)
            by_model[target].add(n)
            model_of[n] = target
        moved += 1
    # a model of Arena's own left with no name, rating, price or score was one of these
    ch.db.execute("""DELETE FROM models WHERE origin = 'arena'
        AND NOT EXISTS (SELECT 1 FROM aliases a WHERE a.model_id = models.id)
        AND NOT EXISTS (SELECT 1 FROM arena_ratings r WHERE r.model_id = models.id)
        AND NOT EXISTS (SELECT 1 FROM prices p WHERE p.model_id = models.id)
        AND NOT EXISTS (SELECT 1 FROM benchmark_scores s WHERE s.model_id = models.id)""")
    return moved


def split_variants(ch: Change, display: dict[str, str], merges: list[Merge],
                   keys: dict[str, dict[str, Any]] | None = None) -> list[tuple[str, str]]:
    """Give every Arena entry on a model that has several its own model variant, linked
    to the family; the plainest entry stays on the family. Returns (variant, family) names."""
    keys = keys or {}
    first = {n: d for n, d in ch.db.execute(
        "SELECT arena_name, MIN(snapshot_date) FROM arena_ratings GROUP BY arena_name")}
    taken = {letters(n) for (n,) in ch.db.execute("SELECT name FROM models")}  # (a name must read apart)
    made: list[tuple[str, str]] = []
    for mid, names in sorted(_names_by_model(ch).items()):
        groups = entries_of(names, display, merges)
        if len(groups) < 2:
            continue
        fam = ch.get("models", {"id": mid})
        assert fam is not None
        groups.sort(key=lambda g: _plainness(g, fam["name"], min((first.get(n) or "9") for n in g)))
        for g in groups[1:]:
            label = _label(g, display, first)
            key = min((n for n in g if n in display), key=len, default=min(g, key=len))
            name = next((x for x in (label, key, f"{label} ({key})") if letters(x) not in taken), f"{label} #{mid}")
            taken.add(letters(name))
            mode = is_mode_variant(g, groups[0])
            info = next((keys[n] for n in g if n in keys), None)
            open_ = info.get("open") if info else None
            row: dict[str, Any] = {
                "name": name, "organization": fam["organization"], "org_id": fam["org_id"],
                "country": fam["country"], "countries": fam["countries"], "sector": fam["sector"],
                "domain": fam["domain"] or "Language", "origin": "arena", "hidden": fam["hidden"],
                "source_id": fam["source_id"] if fam["origin"] == "arena" else "curation",
                "variant_of": fam["variant_of"] or mid,
                "release_date": None,  # (its first board: first_rated_dates)
                "access": ("open weights" if open_ else "API") if open_ is not None else (
                    fam["access"] if mode else None),
                "licence": (info.get("licence") if info else None) or (fam["licence"] if mode else None),
            }
            if mode:
                row.update(parameters=fam["parameters"], active_parameters=fam["active_parameters"],
                           parameters_url=fam["parameters_url"], parameters_disclosed=fam["parameters_disclosed"])
            vid = ch.insert("models", row)
            _move(ch, g, vid)
            made.append((name, fam["name"]))
    return made


def _label(entry: list[str], display: dict[str, str], first: dict[str, str]) -> str:
    """A variant's name: its keys' most specific display name (ChatGPT-4o-latest (2024-08-08), not the
    rolling ChatGPT-4o-latest a merged key showed), else its latest-spelled CSV name."""
    shown = [display[n] for n in entry if n in display]
    if shown:
        return max(shown, key=lambda d: (len(d), d))
    return max(entry, key=lambda n: (first.get(n) or "", n))


def apply_key_access(ch: Change, keys: dict[str, dict[str, Any]]) -> int:
    """Open or closed per variant from the reviewed key curation (which wins over a
    snapshot's or the price list's licence, and over Epoch's access level)."""
    done = 0
    for key, info in sorted(keys.items()):
        if info.get("open") is None:
            continue
        row = ch.db.execute("SELECT m.id, m.access, m.licence, m.origin FROM aliases a JOIN models m "
                            "ON m.id = a.model_id WHERE a.alias = ?", [key]).fetchone()
        if row is None or (row[1] is not None and (row[1] == "open weights") == bool(info["open"])):
            continue  # (agrees: an Epoch access level such as "hosted" stays as Epoch wrote it)
        if row[3] == "epoch":
            print(f"note: {key}: Epoch AI says {row[1]}, the reviewed key says "
                  f"{'open' if info['open'] else 'closed'}; Epoch's stays")
            continue
        access = "open weights" if info["open"] else "API"
        licence = info.get("licence") or row[2]
        if (row[1], row[2]) != (access, licence):
            ch.db.execute("UPDATE models SET access = ?, licence = ? WHERE id = ?", [access, licence, row[0]])
            done += 1
    return done


def first_rated_dates(ch: Change) -> int:
    """A model known only from LMArena has no release date of its own: its date is the
    first board that rates it (what the answers call "first rated"), never the date of
    the price list that named it; a model no board rates has none."""
    cur = ch.db.execute("""UPDATE models SET release_date =
            (SELECT MIN(r.snapshot_date) FROM arena_ratings r WHERE r.model_id = models.id)
        WHERE origin = 'arena' AND release_date IS NOT
            (SELECT MIN(r.snapshot_date) FROM arena_ratings r WHERE r.model_id = models.id)""")
    return cur.rowcount


_SIZE = re.compile(r"^(\d+(?:\.\d+)?)b$")       # 24b, 1.7b: the total
_ACTIVE = re.compile(r"^a(\d+(?:\.\d+)?)b$")    # a22b: active per token (a mixture of experts)


def name_sizes(ch: Change) -> int:
    """An open-weights model without a parameter count whose Arena names state its size
    (mistral-small-3.1-24b-instruct-2503, qwen3-30b-a3b) gets it, marked 'from its name'."""
    done = 0
    rows = ch.db.execute("""SELECT m.id, group_concat(a.alias, '|') FROM models m JOIN aliases a ON a.model_id = m.id
        WHERE m.access = 'open weights' AND m.parameters IS NULL AND COALESCE(m.parameters_disclosed, 1) != 0
          AND m.origin != 'epoch'
          AND a.kind IN ('arena', 'arena-key') GROUP BY m.id""").fetchall()
    for mid, names in rows:
        found = size_from_names(names.split("|"))
        if found:
            ch.db.execute("UPDATE models SET parameters = ?, active_parameters = COALESCE(active_parameters, ?), "
                          "parameters_note = 'from its name' WHERE id = ?", [*found, mid])
            done += 1
    return done


def size_from_names(names: Iterable[str]) -> tuple[float, float | None] | None:
    """(total, active or None) parameters the names agree on (24b; 30b-a3b), else None."""
    totals, actives = set(), set()
    for n in names:
        toks = fold(n).split()
        if any(re.fullmatch(r"\d+x\d+b", t) for t in toks):
            continue  # 8x7b: experts times size, not the total
        totals |= {float(m[1]) * 1e9 for t in toks if (m := _SIZE.match(t))}
        actives |= {float(m[1]) * 1e9 for t in toks if (m := _ACTIVE.match(t))}
    if len(totals) != 1:
        return None
    return totals.pop(), (actives.pop() if len(actives) == 1 else None)
