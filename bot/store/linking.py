"""Entity resolution: which Arena leaderboard name is which Epoch AI model.

Names differ between sources (``GPT-4o-2024-05-13`` vs ``GPT-4o (May 2024)``,
``Meta-Llama-3.1-405B-Instruct-bf16`` vs ``Llama 3.1-405B``). We reduce both
to a *base key* (folded, serving-variant words and dates removed) and link
only when the keys agree, using the date to pick among dated versions. When
it is ambiguous we do not link: a wrong link is worse than a missing one.
Reviewed decisions live in ``data/curation/links.csv`` and win over this.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.domain.normalize import fold

# Words that name how a model is served, not which model it is.
SERVING_WORDS = {
    "instruct", "chat", "it", "hf", "bf16", "fp8", "fp16", "int4", "int8", "api", "latest",
    "online", "sft",
}
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH_WORD = re.compile(r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*$")


@dataclass(frozen=True)
class Parsed:
    key: str            # base key: folded words joined, no dots
    alt_key: str        # the same without a leading organisation word
    month: str | None   # YYYY-MM the name carries, if any
    checkpoint: str | None = None  # MMDD of a checkpoint suffix (-0514, -08-13)


def _date_from_tokens(tokens: list[str]) -> tuple[list[str], str | None]:
    """Remove date tokens; return the rest and the YYYY-MM they name."""
    out: list[str] = []
    month = None
    i = 0
    while i < len(tokens):
        t = tokens[i]
        # 2024 05 13 (from 2024-05-13)
        if re.fullmatch(r"20\d\d", t) and i + 1 < len(tokens) and re.fullmatch(r"\d\d", tokens[i + 1]):
            month = f"{t}-{tokens[i + 1]}"
            i += 2
            if i < len(tokens) and re.fullmatch(r"\d\d", tokens[i]):
                i += 1
            continue
        if re.fullmatch(r"20\d{6}", t):  # 20240620
            month = f"{t[:4]}-{t[4:6]}"
            i += 1
            continue
        if _MONTH_WORD.match(t) and i + 1 < len(tokens) and re.fullmatch(r"20\d\d", tokens[i + 1]):
            month = f"{tokens[i + 1]}-{MONTHS[t[:3]]:02d}"
            i += 2
            continue
        out.append(t)
        i += 1
    return out, month


@lru_cache(maxsize=65536)
def parse_name(name: str, org_words: frozenset[str] = frozenset()) -> Parsed:
    """A name's base key, the month it names and its checkpoint suffix. Pure
    and memoised: every index rebuild parses the same names again."""
    text = fold(name.replace("(", " ").replace(")", " "))
    tokens = text.split()
    tokens, month = _date_from_tokens(tokens)
    tokens = [t for t in tokens if t not in SERVING_WORDS]
    checkpoint = None
    # a checkpoint suffix: -0514 / -1106 or -08-13 (month and day)
    if len(tokens) > 2 and re.fullmatch(r"(0[1-9]|1[0-2])", tokens[-2]) and re.fullmatch(r"[0-3]\d", tokens[-1]):
        checkpoint = tokens[-2] + tokens[-1]
        tokens = tokens[:-2]
    elif len(tokens) > 1 and re.fullmatch(r"(0[1-9]|1[0-2])[0-3]\d", tokens[-1]):
        checkpoint = tokens[-1]
        tokens = tokens[:-1]
    elif len(tokens) > 1 and not month and re.fullmatch(r"2[2-9](0[1-9]|1[0-2])", tokens[-1]):
        month = f"20{tokens[-1][:2]}-{tokens[-1][2:]}"  # -2507: a YYMM release
        tokens = tokens[:-1]
    # "2.0" and "2" are the same version
    tokens = [re.sub(r"^(\d+)\.0$", r"\1", t) for t in tokens]
    key = "".join(tokens).replace(".", "")
    alt = key
    if len(tokens) > 1 and tokens[0] in org_words:
        alt = "".join(tokens[1:]).replace(".", "")
    return Parsed(key=key, alt_key=alt, month=month, checkpoint=checkpoint)


# Words that name a mode, stage or effort of the same model (tried away only when the
# full name finds nothing): "grok-3-preview-02-24", "claude-opus-4-5-...-thinking-32k", "gpt-5-high".
VARIANT_WORDS = {
    "preview", "exp", "experimental", "early", "thinking", "high", "low", "medium", "minimal", "beta",
    "new", "old", "reasoning", "nothinking", "non", "default",
}
_CONTEXT = re.compile(r"^\d+k$")                  # 32k, 128k (context or budget)
_EXPERTS = re.compile(r"^(\d+e|a\d+(\.\d+)?b)$")  # 128e (experts), a22b (active parameters)
_SIZE = re.compile(r"^\d+(\.\d+)?[bm]$")
_VERSION = re.compile(r"^v\d+(\.\d+)*$")
WINDOW_MONTHS = 1  # a dated name is that version: its month within a month of the model's release


def _variant_tokens(name: str) -> list[str]:
    text = fold(name.replace("(", " ").replace(")", " "))
    return text.split()


def name_variants(name: str) -> list[str]:
    """The name, then without mode words, then also without expert and
    version tokens: the spellings to try, most specific first."""
    tokens = _variant_tokens(name)
    out = [" ".join(tokens)]
    t1 = [t for t in tokens if t not in VARIANT_WORDS and not _CONTEXT.match(t)]
    if t1 and t1[0] == "chatgpt":
        t1 = ["gpt", *t1[1:]]
    out.append(" ".join(t1))
    has_experts = any(_EXPERTS.match(t) and not t.startswith("a") for t in t1)
    t2 = [t for t in t1 if not _VERSION.match(t) and not (_EXPERTS.match(t) and not t.startswith("a"))
          and not (has_experts and _SIZE.match(t))]
    out.append(" ".join(t2))
    seen, res = set(), []
    for v in out:
        if v and v not in seen:
            seen.add(v)
            res.append(v)
    return res


def _months(ym: str) -> int:
    return int(ym[:4]) * 12 + int(ym[5:7])


def name_month(p: Parsed, seen_on: str | None) -> str | None:
    """The YYYY-MM a name's date or checkpoint means (a checkpoint's year is
    the one before `seen_on` when its month-day is later in the year)."""
    if p.month:
        return p.month
    if p.checkpoint and seen_on:
        y = int(seen_on[:4])
        if p.checkpoint > seen_on[5:7] + seen_on[8:10]:
            y -= 1
        return f"{y}-{p.checkpoint[:2]}"
    return None


class Linker:
    """Links names from one source to models of another by base key.

    A name is tried as written, then without mode words (preview, thinking,
    high ...), then also without expert and version tokens; the first
    spelling with candidates decides. A dated name (``-20241022``, ``-0324``,
    ``(Nov 2024)``) links only to that version: a model whose name carries
    the same month, or an undated model released within a month of it -
    never to an earlier version (it is then a model of its own).
    """

    def __init__(self, models: list[dict], org_words: frozenset[str] = frozenset()):
        self.org_words = org_words
        self.by_key: dict[str, list[tuple[dict, Parsed]]] = {}
        for m in models:
            p = parse_name(m["name"], org_words)
            for k in {p.key, p.alt_key}:
                self.by_key.setdefault(k, []).append((m, p))

    @staticmethod
    def _model_month(m: dict, mp: Parsed) -> str | None:
        return mp.month or ((m.get("release_date") or "")[:7] or None)

    def link(self, name: str, seen_on: str | None = None) -> dict | None:
        """The one model `name` is, or None. `seen_on` (YYYY-MM-DD) is when the
        name was first seen: an undated name among dated versions is the
        newest version out by then."""
        for variant in name_variants(name):
            p = parse_name(variant, self.org_words)
            cands = None
            for k in (p.key, p.alt_key):
                if self.by_key.get(k):
                    cands = self.by_key[k]
                    break
            if not cands:
                continue
            return self._choose(p, list({c[0]["id"]: c for c in cands}.values()), seen_on)
        return None

    def _choose(self, p: Parsed, cands: list[tuple[dict, Parsed]], seen_on: str | None) -> dict | None:
        month = name_month(p, seen_on)
        if month:
            same = [c for c in cands if c[1].month == month]
            if len(same) == 1:
                return same[0][0]
            if same:
                return None
            if p.checkpoint:
                same = [c for c in cands if c[1].checkpoint == p.checkpoint]
                if len(same) == 1:
                    return same[0][0]
            near = [c for c in cands if c[1].month is None and (released := self._model_month(*c))
                    and abs(_months(released) - _months(month)) <= WINDOW_MONTHS]
            if len(near) == 1:
                return near[0][0]
            return None
        if len(cands) == 1:
            return cands[0][0]
        undated = [c for c in cands if c[1].month is None and c[1].checkpoint is None]
        if len(undated) == 1:
            return undated[0][0]
        if seen_on and not undated:
            out_by_then = sorted((c for c in cands if c[1].month and c[1].month <= seen_on[:7]),
                                 key=lambda c: c[1].month or "")
            if out_by_then:
                return out_by_then[-1][0]
        return None
