"""Every command's reply, in every permission set, within every limit Discord enforces.

Each registered command runs its example (and variants with long, blank and
odd input) through the real engine, as a member and as a moderator; every
page of the reply is shaped the way the adapter sends it (`send_reply`:
fit.for_channel, ReplyView, render, fit.fit) for a DM or interaction (no
channel permissions) and for each combination of Embed Links and Attach
Files, and the resulting request body is checked by the simulator's own
validation, the one that answers 400 50035 / 413 40005 in the end-to-end
tests. No network: the sync commands point at a closed loopback port.
"""
from __future__ import annotations

import itertools
from types import SimpleNamespace

import discord
import pytest

from bot.adapters.discord import fit
from bot.adapters.discord.embeds import render
from bot.adapters.discord.views import ReplyView
from bot.caller import Caller
from bot.config import Settings
from bot.engine import Engine
from bot.reply import Attachment

try:
    from tests.discord_sim import DiscordSimulator
    from tests.discord_sim.models import SimAttachment
    from tests.discord_sim.server import _ApiError
except ImportError:  # tests/ itself on sys.path
    from discord_sim import DiscordSimulator
    from discord_sim.models import SimAttachment
    from discord_sim.server import _ApiError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MOD = Caller(user_id="1", name="mod", is_moderator=True, guild_id="10", channel_id="20", can_manage_guild=True,
             channels=(("20", "general"),))
MEMBER = Caller(user_id="2", name="member", guild_id="10", channel_id="20", channels=(("20", "general"),))
CLOSED = "http://127.0.0.1:9/none"  # nothing listens on the discard port: a fetch fails at once


def _perm_sets() -> list[discord.Permissions | None]:
    sets: list[discord.Permissions | None] = [None]
    for embeds, files in itertools.product((True, False), repeat=2):
        sets.append(discord.Permissions(view_channel=True, send_messages=True, read_message_history=True,
                                        embed_links=embeds, attach_files=files))
    return sets


@pytest.fixture
def engine(seed_copy, tmp_path) -> Engine:
    settings = Settings(epoch_csv_url=CLOSED, arena_catalog_url=CLOSED, fetch_allow_http=True,
                        allow_loopback_for_tests=True, sync_timeout=5.0, backup_dir=tmp_path / "backups")
    e = Engine.open(seed_copy(tmp_path / "fuzz.db"), settings=settings)
    yield e
    e.close()


def _lines(engine: Engine) -> list[tuple[str, Caller]]:
    out: list[tuple[str, Caller]] = [("help", MEMBER), ("help", MOD), ("", MEMBER), ("x" * 3000, MEMBER)]
    for info in engine.commands:
        who = MOD if info.admin else MEMBER
        example = info.example or info.name
        out += [(example, who), (info.name, who), (f"{info.name} {'ü' * 300} <@123> @everyone", who),
                (f"{example} {'9' * 1500}", who), (f"{info.name}    \t ", who)]
    return out


def _body(kw: dict, view: discord.ui.View | None) -> tuple[dict, dict[int, SimAttachment]]:
    body = {"content": kw["content"], "embeds": [e.to_dict() for e in kw["embeds"]],
            "components": view.to_components() if view is not None else []}
    files = {i: SimAttachment(id=0, filename=f.filename, data=f.fp.getvalue()) for i, f in enumerate(kw["files"])}
    return body, files


def _problems(kw: dict, view: discord.ui.View | None, perms: discord.Permissions | None,
              validator: DiscordSimulator) -> list[str]:
    out: list[str] = []
    body, files = _body(kw, view)
    try:
        validator._validate_message(body, files, partial=False)
    except _ApiError as exc:
        out.append(f"{exc.status} {exc.code} {exc.message}")
    if perms is not None and not perms.embed_links and kw["embeds"]:
        out.append("embeds without Embed Links (Discord drops them: the words would be lost)")
    if perms is not None and not perms.attach_files and kw["files"]:
        out.append("files without Attach Files (403)")
    names = {f.filename for f in kw["files"]}
    for e in kw["embeds"]:
        url = e.image.url if e.image else None
        if url and url.startswith("attachment://") and url[len("attachment://"):] not in names:
            out.append(f"embed image {url} without its file")
    return out


async def test_every_reply_fits_every_permission_set(engine: Engine) -> None:
    validator = DiscordSimulator()  # not started: only its validation of a message body
    checked = 0
    failures: list[str] = []
    for line, caller in _lines(engine):
        reply = engine.handle(line, caller)
        if reply.chart is not None:  # the chart the adapter would attach (drawn elsewhere; its size does not matter)
            reply.files = [*reply.files, Attachment("chart.png", PNG)]
        for perms in _perm_sets():
            shaped = fit.for_channel(reply, perms, fit.DEFAULT_UPLOAD_LIMIT)
            host = SimpleNamespace(settings=engine.settings, engine=engine)
            view = ReplyView(host, shaped, 1) if ReplyView.needed(shaped) else None  # type: ignore[arg-type]
            pages = [fit.fit(view.render_page() if view else render(shaped), perms)]  # as send_reply sends it
            if view is not None:
                for i in range(1, len(view.pages)):  # as a page button edits it (ReplyView._turn)
                    view.page = i
                    pages.append(view.render_page())
            for n, kw in enumerate(pages):
                checked += 1
                for problem in _problems(kw, view, perms, validator):
                    failures.append(f"{line[:60]!r} as {caller.name}, {perms and perms.value}, page {n + 1}: {problem}")
    assert not failures, "\n".join(failures[:20])
    assert checked > 5 * len(engine.commands) * 5
