"""Arena categories in commands: `top coding`, `gap us china coding`, `race chinese`.

LMArena's catalog releases rate models per category (``coding``, ``math``,
``creative_writing``, ``chinese`` for prompts in Chinese ...); ``full`` is the
overall board. A category word at the end of a command (or anywhere in
`top`) picks that category's boards; the reply names it. Only the catalog
has categories, so their boards start with its first release (2025-03-07).
"""
from __future__ import annotations

from typing import Any

from bot.domain.normalize import fold

OVERALL = "full"

# words people type -> the catalog's category (kept only when that category exists)
ALIASES = {
    "overall": "full", "code": "coding", "programming": "coding", "maths": "math", "mathematics": "math",
    "creative": "creative_writing", "writing": "creative_writing", "hard": "hard_6", "hard prompts": "hard_6",
    "instruction following": "if", "instructions": "if", "instruction": "if", "multi turn": "multiturn",
    "multi-turn": "multiturn", "long": "long_user", "longer query": "long_user", "long query": "long_user",
    "no refusal": "no_refusal", "expert prompts": "expert",
}


def category_words(read: Any) -> dict[str, str]:
    """{folded spelling: category} for every category that has boards (once per read model)."""
    view = getattr(read, "view", None)
    return view(("category words",), lambda: _category_words(read)) if view else _category_words(read)


def _category_words(read: Any) -> dict[str, str]:
    cats = set(read.categories())
    out = {}
    for c in cats:
        out[fold(c)] = c
        out[fold(c.replace("_", " "))] = c
        if c.startswith("industry_"):  # industry_software_and_it_services -> "software"
            out[fold(c.split("_")[1])] = c
        if "_" not in c and c not in ("full", "coding", "math", "expert", "if", "multiturn"):
            # a language: "chinese prompts", "in chinese" (bare "chinese" may mean the country's models)
            out[fold(f"{c} prompts")] = c
            out[fold(f"in {c}")] = c
            out[fold(f"{c} language")] = c
    for a, c in ALIASES.items():
        if c in cats:
            out.setdefault(fold(a), c)
    return out


def find_category(read: Any, text: str) -> str | None:
    return category_words(read).get(fold(text))


def take_category(read: Any, ws: list[str], *, at_end: bool = True) -> tuple[list[str], str]:
    """Split a category off the end of `ws` (one to three words);
    ('full' when there is none)."""
    table = category_words(read)
    for k in (3, 2, 1):
        if len(ws) >= k:
            part = ws[-k:] if at_end else ws[:k]
            c = table.get(fold(" ".join(part)))
            if c:
                return (ws[:-k] if at_end else ws[k:]), c
    return ws, OVERALL


def label(category: str) -> str:
    """' (coding)' for a category, '' for the overall board."""
    return "" if category == OVERALL else f" ({category.replace('_', ' ')} category)"


def spelling(category: str) -> str:
    """How a command line names a category so that it parses back to it:
    'coding', 'creative writing', 'chinese prompts', 'software' (industry_software_...)."""
    if category.startswith("industry_"):
        return category.split("_")[1]
    if "_" not in category and category not in ("full", "coding", "math", "expert", "if", "multiturn"):
        return f"{category} prompts"
    return "overall" if category == OVERALL else category.replace("_", " ")


def category_choices(read: Any, current: str = "", limit: int = 25) -> list[str]:
    """Autocomplete: every category's spelling, those starting with what was typed first."""
    names = [spelling(c) for c in read.categories()]
    cur = fold(current)
    starts = [n for n in names if fold(n).startswith(cur)]
    inside = [n for n in names if cur and cur in fold(n) and n not in starts]
    return (starts + inside)[:limit]


def since(rest: list[str], args: Any) -> tuple[list[str], str | None, str | None]:
    """`... since 2024` (the grammar reads the year as a trailing date):
    (words without `since`, the first day to show, the last day)."""
    if rest and fold(rest[-1]) in ("since", "from") and args.when:
        return rest[:-1], args.when.start, None
    return rest, None, args.until
