"""Replies members read: the answer and one source line; the method on request (Reply.method,
`help method`, the console's `method`); help by role, each page one Discord message; a watch's
preview that saves nothing."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import bot.commands  # noqa: F401  (registers every handler)
from bot.adapters.console import show
from bot.caller import Caller
from bot.commands.methods import METHODS, RANKS
from bot.commands.registry import REGISTRY
from bot.engine import Engine
from bot.reply import CONTENT_LIMIT
from bot.domain.counted_boards import RULE

MEMBER = Caller(user_id="42", name="member", guild_id="7", channel_id="8")
MOD = Caller(user_id="1", name="mod", is_moderator=True, guild_id="7", channel_id="8")
MANAGER = Caller(user_id="5", name="manager", guild_id="7", channel_id="8", can_manage_guild=True)

# every member command's own example (help and sources are about methods and sources themselves), and the lines the issue counted the boilerplate in
LINES = sorted({i.example for i in REGISTRY.values() if i.group == "community" and i.name not in ("help", "sources")}
               | {"top 5 coding", "top 20 all", "depth 20", "frontier", "gap openai deepseek 2025-08-06",
                  "cheapest 1400", "small 1300 arena", "race all", "gap closed open"})


def visible(reply) -> str:
    """What one message shows: text, the embed's title, description, fields and footer."""
    return "\n".join(x for x in [reply.text, reply.title or "", reply.description or "",
                                 *(f"{f.name}: {f.value}" for f in reply.fields), reply.footer or ""] if x)


@pytest.mark.parametrize("line", LINES)
def test_rules_and_legends_are_said_on_request_not_in_the_answer(engine: Engine, line: str) -> None:
    r = engine.handle(line, MEMBER)
    assert r.status == "ok", (line, r.text[:200])
    for said in (RULE, RANKS, "gap = (x − y) ÷ y", "Compared by the blended price"):
        assert said not in visible(r), (line, said)
    if r.footer:  # the one source line: each source by its short name (full titles ran to 358 characters)
        assert len(r.footer) <= 220, r.footer
        assert r.footer.startswith("Source: "), r.footer
    if r.data.get("rule"):  # an answer read from the counted boards: its rule is one click away
        assert r.method and r.data["rule"] in r.method


@pytest.mark.parametrize("line,numbers", [("gap us china", ("1,487", "1,446")), ("race", ("1,487", "1,446")),
                                          ("compare gpt-4o vs deepseek r1", ("1,427", "1,373"))])
def test_the_embed_never_repeats_the_texts_figures(engine: Engine, line: str, numbers: tuple[str, ...]) -> None:
    r = engine.handle(line, MEMBER)
    embed = "\n".join([r.title or "", *(f"{f.name} {f.value}" for f in r.fields)])
    for n in numbers:
        assert n in r.text, (line, n)
        assert n not in embed, (line, n, embed)


def test_a_tie_keeps_its_word_in_the_answer(engine: Engine) -> None:
    r = engine.handle("top 5", MEMBER)
    shared = [row["rank"] for row in r.data["rows"] if row["shared_rank"]]
    if shared:
        assert f"={shared[0]}" in r.text and "statistically tied" in r.text
    assert "`#` is Arena's rank" in r.method


@pytest.mark.parametrize("caller", [MEMBER, MOD, MANAGER], ids=["member", "moderator", "manager"])
@pytest.mark.parametrize("page", ["", "moderators", "server", "method", "gap"])
def test_every_help_page_fits_one_message(engine: Engine, caller: Caller, page: str) -> None:
    r = engine.handle(f"help {page}".strip(), caller)
    assert r.status == "ok" and not r.pages
    assert len(visible(r)) <= CONTENT_LIMIT, (page, len(visible(r)))  # one message even without Embed Links


def test_help_by_role(engine: Engine) -> None:
    member = engine.handle("help", MEMBER)
    listed = set(member.data["commands"])
    assert listed == {n for n, i in REGISTRY.items() if i.group == "community"}
    assert not listed & {n for n, i in REGISTRY.items() if i.permission in ("moderator", "manage_server")}
    assert "help server" in member.text and "help moderators" not in member.text
    assert "help moderators" in engine.handle("help", MOD).text
    mods = engine.handle("help moderators", MOD)
    assert set(mods.data["commands"]) == {n for n, i in REGISTRY.items() if i.admin}
    assert all(f"`!{n}`" in visible(mods) for n in mods.data["commands"])
    refused = engine.handle("help moderators", MEMBER)
    assert refused.data["commands"] == [] and "`!set`" not in visible(refused)
    server = engine.handle("help server", MEMBER)
    assert {"settings", "watch", "unwatch", "watches"} <= set(server.data["commands"])
    assert "12:00 UTC" in server.text and "preview" in server.text and "new Arena data" in server.text
    method = engine.handle("help method", MEMBER)
    assert [t for t, _m in METHODS] == method.data["topics"]
    assert all(m in method.text for _t, m in METHODS)


def test_the_console_shows_the_last_answers_method(engine: Engine, tmp_path: Path) -> None:
    out: list[str] = []
    last: dict = {}
    show(engine, "depth 20", tmp_path, write=out.append, last=last)
    assert "retired models left out" not in "\n".join(out) and any("`method`" in x for x in out)
    out.clear()
    show(engine, "method", tmp_path, write=out.append, last=last)
    assert out == [engine.handle("depth 20").method]
    out.clear()
    show(engine, "help", tmp_path, write=out.append, last=last)  # an answer without a method
    out.clear()
    show(engine, "method", tmp_path, write=out.append, last=last)  # ... then `method` is `help method`
    assert "How the figures are measured" in "\n".join(out)


def _watch_rows(engine: Engine) -> tuple[int, int]:
    db = engine.store.db
    return (db.execute("SELECT count(*) FROM watches").fetchone()[0],
            db.execute("SELECT count(*) FROM audit").fetchone()[0])


@pytest.mark.parametrize("what", ["gap us china", "gap us china below 2%", "top", "top coding",
                                  "model deepseek r1 by 3", "country france"])
def test_watch_preview_shows_what_it_would_post_and_saves_nothing(fresh_engine: Engine, what: str) -> None:
    from types import SimpleNamespace

    from bot.commands.server import parse_watch
    from bot.commands.watching import evaluate, race_view

    before_rows = _watch_rows(fresh_engine)
    r = fresh_engine.handle(f"watch {what} preview", MANAGER)
    assert r.status == "ok" and r.data["preview"] and "nothing saved" in r.text
    assert _watch_rows(fresh_engine) == before_rows
    assert "No watches" in fresh_engine.handle("watches", MANAGER).text
    # what it says is what the evaluator posts for the latest board against the one before
    ctx = fresh_engine.context(MANAGER)
    kind, spec, label = parse_watch(ctx, what)
    read = ctx.read
    alert = evaluate(SimpleNamespace(id=0, kind=kind, spec=spec, label=label),
                     race_view(read, read.dates[-2], back=1), race_view(read))
    assert r.data["fires"] == (alert is not None)
    if alert is not None:
        assert alert.text in r.text
    else:
        assert "would post nothing now" in r.text and re.search(r"Now: ", r.text)
    assert r.footer and read.latest in r.footer


def test_watch_preview_needs_manage_server_and_reads_bad_input(fresh_engine: Engine) -> None:
    assert fresh_engine.handle("watch top preview", MEMBER).status == "refused"
    bad = fresh_engine.handle("watch banana preview", MANAGER)
    assert bad.status == "usage" and "gap, top, model and country" in bad.text
    assert _watch_rows(fresh_engine)[0] == 0
