"""The Discord adapter: discord.py on the outside, the engine on the inside.

Every command in ``engine.commands`` becomes a hybrid command (``!name ...``
and ``/name ...``) at start, so a command added to the core needs no change
here. The adapter only translates: a message or an interaction becomes a
command line and a :class:`~bot.engine.Caller`; a :class:`~bot.reply.Reply`
becomes an embed, a chart attachment, content and buttons.

Safety: no mentions ever (``AllowedMentions.none()`` on the bot and on every
send), a per-user cooldown, a semaphore bounding engine/chart work, friendly
replies instead of tracebacks, and the token redacted from every log line.
"""
from __future__ import annotations

import asyncio
import io
import keyword
import logging
import re
import signal
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, Sequence

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import DEFAULT_API_BASE, Settings

if TYPE_CHECKING:  # the engine is imported lazily: the adapter must import without it
    from bot.engine import Caller, Engine
    from bot.reply import Reply

log = logging.getLogger("racebot.discord")

NO_MENTIONS = discord.AllowedMentions.none()
AUTOCOMPLETE_KINDS = {"model", "models", "org", "country", "benchmark", "command"}
AUTOCOMPLETE_TIMEOUT = 2.0  # Discord drops autocomplete answers after 3 s
VIEW_TIMEOUT = 300.0
MAX_UPLOAD_BYTES = 25 * 2**20  # the engine's import limit
OUR_BUTTON_PREFIXES = ("page:", "suggest:", "confirm:")
EXPIRED_BUTTON_GRACE = 1.5  # seconds; Discord wants an answer within 3

# ---------------------------------------------------------------------------- colours
# A fixed palette: known countries and organisations get their own colour, the
# rest a stable pick from PALETTE (crc32, not hash(): the same across runs).
KNOWN_COLOURS: dict[str, int] = {
    "us": 0x3C6E9F, "usa": 0x3C6E9F, "united states": 0x3C6E9F,
    "cn": 0xC8102E, "china": 0xC8102E,
    "uk": 0x6A1B9A, "united kingdom": 0x6A1B9A, "gb": 0x6A1B9A,
    "fr": 0x1E88E5, "france": 0x1E88E5,
    "eu": 0x003399,
    "openai": 0x10A37F, "anthropic": 0xD97757, "google": 0x4285F4, "google deepmind": 0x4285F4,
    "deepmind": 0x4285F4, "meta": 0x0866FF, "deepseek": 0x4D6BFE, "mistral": 0xFA520F,
    "mistral ai": 0xFA520F, "xai": 0x111111, "alibaba": 0xFF6A00, "qwen": 0xFF6A00,
    "microsoft": 0x00A4EF, "nvidia": 0x76B900, "amazon": 0xFF9900,
}
PALETTE = [0x5865F2, 0x57F287, 0xFEE75C, 0xEB459E, 0xED4245, 0x3BA55C, 0xFAA61A, 0x9B59B6, 0x1ABC9C, 0xE67E22]
STATUS_COLOURS = {
    "ok": 0x5865F2, "not_found": 0xFAA61A, "usage": 0xFAA61A, "unknown_command": 0xFAA61A,
    "refused": 0xED4245, "error": 0xED4245, "confirm": 0xFEE75C,
}


def colour_for(key: str | None, status: str = "ok") -> discord.Colour:
    if key:
        k = key.strip().lower()
        if k in KNOWN_COLOURS:
            return discord.Colour(KNOWN_COLOURS[k])
        return discord.Colour(PALETTE[zlib.crc32(k.encode()) % len(PALETTE)])
    return discord.Colour(STATUS_COLOURS.get(status, PALETTE[0]))


# ---------------------------------------------------------------------------- logging
class RedactFilter(logging.Filter):
    """Replaces secrets (the bot token) in log records, including tracebacks."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__("racebot-redact")
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def _clean(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "[REDACTED]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def install_redaction(token: str, handlers: Iterable[logging.Handler] | None = None) -> RedactFilter:
    """Attach a :class:`RedactFilter` for ``token`` to ``handlers`` (default: the root logger's)."""
    filt = RedactFilter([token])
    for h in handlers if handlers is not None else logging.getLogger().handlers:
        if not any(isinstance(f, RedactFilter) and token in f.secrets for f in h.filters):
            h.addFilter(filt)
    return filt


# ---------------------------------------------------------------------------- reply -> discord
def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(reply: "Reply", *, page: int | None = None, pages: int | None = None) -> dict[str, Any]:
    """``Reply`` -> keyword arguments for ``send``/``edit``: content, embeds, files."""
    files = [discord.File(io.BytesIO(a.data), filename=a.filename) for a in reply.files[:10]]
    image = next((a.filename for a in reply.files if (a.content_type or "").startswith("image/")), None)
    embeds: list[discord.Embed] = []
    if reply.title or reply.description or reply.fields or image:
        e = discord.Embed(
            title=_clip(reply.title, 256),
            description=_clip(reply.description, 4096),
            colour=colour_for(reply.color_key, reply.status),
        )
        for f in reply.fields[:25]:
            e.add_field(name=_clip(f.name, 256) or "\u200b", value=_clip(f.value, 1024) or "\u200b", inline=f.inline)
        footer = reply.footer or ""
        if pages and pages > 1:
            footer = f"{footer} · page {(page or 0) + 1}/{pages}" if footer else f"page {(page or 0) + 1}/{pages}"
        if footer:
            e.set_footer(text=_clip(footer, 2048))
        if image:
            e.set_image(url=f"attachment://{image}")
        embeds.append(e)
    content = _clip(reply.text, 2000) or None
    if not content and not embeds and not files:
        content = "I have no answer to that."
    return {"content": content, "embeds": embeds, "files": files}


# ---------------------------------------------------------------------------- callers
def make_caller(user: discord.abc.User, guild: discord.Guild | None, settings: Settings) -> "Caller":
    from bot.engine import Caller

    role_ids = frozenset(str(r.id) for r in getattr(user, "roles", []) if guild is not None and r.id != guild.id)
    is_mod = user.id in settings.admin_user_ids
    if guild is not None and not is_mod:
        is_mod = any(int(r) in settings.admin_role_ids for r in role_ids)
    return Caller(
        user_id=str(user.id),
        name=getattr(user, "display_name", None) or user.name,
        role_ids=role_ids,
        in_dm=guild is None,
        is_moderator=is_mod,
    )


# ---------------------------------------------------------------------------- views
class ReplyView(discord.ui.View):
    """Buttons under an answer: paging, "did you mean" suggestions, Confirm/Cancel.

    Only the user who asked may press them; others get a private note.
    """

    def __init__(self, bot: "RaceBot", reply: "Reply", owner_id: int, *, timeout: float = VIEW_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.bot = bot
        self.owner_id = owner_id
        self.message: discord.Message | discord.InteractionMessage | None = None
        self.set_reply(reply)

    @staticmethod
    def needed(reply: "Reply") -> bool:
        return bool(reply.pages or reply.suggestions or (reply.status == "confirm" and reply.confirm_token))

    def set_reply(self, reply: "Reply") -> None:
        self.reply = reply
        self.pages: list["Reply"] = [reply, *reply.pages]
        self.page = 0
        self.clear_items()
        if len(self.pages) > 1:
            self.prev_btn = discord.ui.Button(label="◀ Prev", style=discord.ButtonStyle.secondary, custom_id="page:prev", row=0)
            self.count_btn = discord.ui.Button(label="", style=discord.ButtonStyle.secondary, custom_id="page:count", disabled=True, row=0)
            self.next_btn = discord.ui.Button(label="Next ▶", style=discord.ButtonStyle.secondary, custom_id="page:next", row=0)
            self.prev_btn.callback = self._prev  # type: ignore[method-assign]
            self.next_btn.callback = self._next  # type: ignore[method-assign]
            for b in (self.prev_btn, self.count_btn, self.next_btn):
                self.add_item(b)
            self._sync_paging()
        for i, line in enumerate(reply.suggestions[:5]):
            b = discord.ui.Button(label=_clip(line, 80) or "?", style=discord.ButtonStyle.primary, custom_id=f"suggest:{i}", row=1)
            b.callback = self._make_suggestion_cb(line)  # type: ignore[method-assign]
            self.add_item(b)
        if reply.status == "confirm" and reply.confirm_token:
            ok = discord.ui.Button(label="Confirm", style=discord.ButtonStyle.danger, custom_id="confirm:yes", row=2)
            no = discord.ui.Button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id="confirm:no", row=2)
            ok.callback = self._confirm  # type: ignore[method-assign]
            no.callback = self._cancel  # type: ignore[method-assign]
            self.add_item(ok)
            self.add_item(no)

    def _sync_paging(self) -> None:
        self.prev_btn.disabled = self.page == 0
        self.next_btn.disabled = self.page >= len(self.pages) - 1
        self.count_btn.label = f"{self.page + 1}/{len(self.pages)}"

    def render_page(self) -> dict[str, Any]:
        return render(self.pages[self.page], page=self.page, pages=len(self.pages))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "These buttons belong to whoever asked — run the command yourself to get your own.",
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )
        return False

    async def _turn(self, interaction: discord.Interaction, delta: int) -> None:
        self.page = max(0, min(len(self.pages) - 1, self.page + delta))
        self._sync_paging()
        kw = self.render_page()
        await interaction.response.edit_message(
            content=kw["content"], embeds=kw["embeds"], attachments=kw["files"], view=self, allowed_mentions=NO_MENTIONS,
        )

    async def _prev(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, -1)

    async def _next(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, +1)

    async def _lock(self, interaction: discord.Interaction) -> None:
        """Acknowledge a click by greying the buttons out, so nothing runs twice
        while the engine works (it may take a moment: charts, imports)."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        await interaction.response.edit_message(view=self)

    def _make_suggestion_cb(self, line: str) -> Callable[[discord.Interaction], Awaitable[None]]:
        async def run_suggestion(interaction: discord.Interaction) -> None:
            await self._lock(interaction)
            caller = make_caller(interaction.user, interaction.guild, self.bot.settings)
            reply = await self.bot.run_engine(lambda: self.bot.engine.ahandle(line, caller), line)
            await self._show(interaction, reply)

        return run_suggestion

    async def _show(self, interaction: discord.Interaction, reply: "Reply") -> None:
        """Replace the message with ``reply`` (and its own buttons, if any)."""
        view: ReplyView | None = None
        if ReplyView.needed(reply):
            self.set_reply(reply)
            view = self
        else:
            self.stop()
        kw = render(reply, page=0, pages=len(reply.pages) + 1)
        await interaction.edit_original_response(
            content=kw["content"], embeds=kw["embeds"], attachments=kw["files"], view=view, allowed_mentions=NO_MENTIONS,
        )
        await self.bot.announce(reply)

    async def _confirm(self, interaction: discord.Interaction) -> None:
        await self._lock(interaction)
        caller = make_caller(interaction.user, interaction.guild, self.bot.settings)
        token = self.reply.confirm_token
        engine = self.bot.engine

        async def do_confirm() -> "Reply":
            return await asyncio.to_thread(engine.confirm, token, caller)

        reply = await self.bot.run_engine(do_confirm, "confirm")
        await self._show(interaction, reply)

    async def _cancel(self, interaction: discord.Interaction) -> None:
        self.stop()
        token = self.reply.confirm_token
        if token and hasattr(self.bot.engine, "cancel"):  # drop the pending import at once
            caller = make_caller(interaction.user, interaction.guild, self.bot.settings)
            await asyncio.to_thread(self.bot.engine.cancel, token, caller)
        await interaction.response.edit_message(content="Cancelled — nothing was changed.", embeds=[], attachments=[], view=None)

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        try:
            await self.message.edit(view=self)
        except discord.HTTPException:
            pass

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        log.error("button %s failed: %s", getattr(item, "custom_id", item), error, exc_info=error)
        await self.bot.send_friendly_interaction(interaction)


# ---------------------------------------------------------------------------- commands
_NAME_RX = re.compile(r"[^a-z0-9_-]")


def slash_name(name: str) -> str:
    n = _NAME_RX.sub("_", name.strip().lower().replace(" ", "_"))[:32]
    return n or "cmd"


def _py_name(name: str) -> str:
    n = re.sub(r"\W", "_", name)
    if not n or n[0].isdigit():
        n = "p_" + n
    if keyword.iskeyword(n) or n in ("ctx", "run"):
        n += "_"
    return n


_KIND_TYPES: dict[str, Any] = {"int": int, "attachment": discord.Attachment}


_USAGE_TOKEN = re.compile(r"<[^<>]*>|\[[^\[\]]*\]|\S+")


def connectors(info: Any) -> dict[str, str]:
    """Literal words the usage puts before a parameter, between two placeholders:
    ``rename <model> to <new name>`` -> ``{"new": "to"}``; ``merge <duplicate>
    into <model>`` -> ``{"model": "into"}``. Placeholders match a parameter by
    their whole text or first word."""
    names = {p.name for p in info.params}
    out: dict[str, str] = {}
    pending: list[str] = []
    seen = False
    for tok in _USAGE_TOKEN.findall(getattr(info, "usage", "") or "")[1:]:
        if tok[0] in "<[":
            inner = tok[1:-1].strip()
            first = inner.split()[0] if inner else ""
            name = inner if inner in names else (first if first in names else None)
            if name and pending and seen:
                out[name] = " ".join(pending)
            pending, seen = [], True
        else:
            pending.append(tok)
    return out


def build_line(info: Any, values: dict[str, Any]) -> str:
    """Join a slash command's options into the command line the engine parses:
    the command name, then the given values in the command's parameter order
    (``/gap x:us y:china date:2025`` -> ``gap us china 2025``), with the
    usage's connecting words kept (``/rename model:a new:b`` -> ``rename a to b``)."""
    joins = connectors(info)
    parts = [info.name]
    for p in info.params:
        v = values.get(p.name)
        text = "" if v is None else str(v).strip()
        if not text:
            continue
        word = joins.get(p.name)
        if word and len(parts) > 1 and not text.lower().startswith(word.lower() + " "):
            parts.append(word)
        parts.append(text)
    return " ".join(parts)


class EngineCommand(commands.HybridCommand):
    """A hybrid command whose prefix form hands the raw message to the engine.

    discord.py would split ``!compare gpt-4o vs deepseek r1`` into parameters;
    the engine has its own parser, so the prefix path parses nothing and the
    callback reads the rest of the message. The slash path keeps its typed,
    autocompleted options.
    """

    async def _parse_arguments(self, ctx: commands.Context) -> None:
        if ctx.interaction is not None:
            return await super()._parse_arguments(ctx)
        ctx.args = [ctx] if self.cog is None else [self.cog, ctx]
        ctx.kwargs = {name: None for name in self.params}


def make_command(bot: "RaceBot", info: Any) -> EngineCommand:
    """One hybrid command for one ``CommandInfo``, with a generated callback signature."""
    params = list(info.params)
    # Discord wants required options first.
    ordered = [p for p in params if p.required] + [p for p in params if not p.required]
    names: dict[str, str] = {}  # python name -> engine param name
    parts, ns = [], {"__run": None}
    for i, p in enumerate(ordered):
        py = _py_name(slash_name(p.name))
        names[py] = p.name
        ann = f"__T{i}"
        ns[ann] = _KIND_TYPES.get(p.kind, str)
        parts.append(f"{py}: {ann}" + ("" if p.required else " = None"))
    fname = _py_name(slash_name(info.name)) + "_command"
    src = (
        f"async def {fname}(ctx{', ' if parts else ''}{', '.join(parts)}):\n"
        f"    return await __run(ctx, {{{', '.join(f'{py!r}: {py}' for py in names)}}})\n"
    )

    async def run(ctx: commands.Context, values: dict[str, Any]) -> None:
        if ctx.interaction is None:
            line = ctx.message.content[len(ctx.prefix or ""):].strip()
            files = list(ctx.message.attachments)
        else:
            given = {names[k]: v for k, v in values.items()}
            files = [v for v in given.values() if isinstance(v, discord.Attachment)]
            line = build_line(info, {k: v for k, v in given.items() if not isinstance(v, discord.Attachment)})
        await bot.run_command(ctx, line, files)

    ns["__run"] = run
    exec(compile(src, f"<racebot command {info.name}>", "exec"), ns)  # noqa: S102 - generated signature only
    func = ns[fname]
    func.__doc__ = info.summary
    descriptions = {py: _clip(p.description or p.name, 100) for py, p in zip(names, ordered)}
    renames = {py: slash_name(names[py]) for py in names if py != slash_name(names[py])}
    if descriptions:
        func = app_commands.describe(**descriptions)(func)
    if renames:
        func = app_commands.rename(**renames)(func)
    if info.admin:
        func = app_commands.default_permissions(manage_guild=True)(func)
    help_text = (info.summary or info.name) + (f"\nUsage: {bot.settings.command_prefix}{info.usage}" if info.usage else "") + (
        f"\nExample: {bot.settings.command_prefix}{info.example}" if getattr(info, "example", "") else "")
    cmd = EngineCommand(
        func,
        name=slash_name(info.name),
        aliases=[a for a in info.aliases if a != info.name],
        description=_clip(info.summary or info.name, 100),
        help=help_text,
    )
    for py, p in zip(names, ordered):
        if p.kind in AUTOCOMPLETE_KINDS:
            cmd.autocomplete(py)(bot.make_autocomplete(p.kind))
    return cmd


# ---------------------------------------------------------------------------- the bot
class RaceCog(commands.Cog, name="AI Race"):
    """Error handling and lifecycle listeners; the commands come from the engine."""

    def __init__(self, bot: "RaceBot") -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self.bot.ready_seconds is None:
            self.bot.ready_seconds = time.monotonic() - self.bot.started_at
            log.info(
                "ready in %.2f s as %s (%d guilds, %d shard(s))", self.bot.ready_seconds, self.bot.user,
                len(self.bot.guilds), self.bot.shard_count or 1,
            )
            if self.bot.application_id:
                log.info("invite link: %s", invite_url(self.bot.application_id))

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        log.info("gateway session resumed")

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Buttons whose view is gone (timed out, or the bot restarted) would
        show Discord's "This interaction failed"; say what happened instead."""
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if not custom_id.startswith(OUR_BUTTON_PREFIXES):
            return
        await asyncio.sleep(EXPIRED_BUTTON_GRACE)  # a live view answers (or defers) well within this
        if interaction.response.is_done():
            return
        try:
            await interaction.response.send_message(
                "These buttons have expired — run the command again.", ephemeral=True, allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException:
            pass

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context, error: commands.CommandError) -> None:
        if isinstance(error, commands.CommandNotFound):
            # Let the engine answer: it knows the command list and suggests close matches.
            # Only for something that looks like a command word, not "!!!" or "! lol".
            line = ctx.message.content[len(ctx.prefix or ""):].strip()
            if ctx.interaction is None and re.match(r"[^\W\d_][\w-]*(\s|$)", line):
                await self.bot.run_command(ctx, line)
            return
        if isinstance(error, commands.CommandOnCooldown):
            await self.bot.safe_send(ctx, f"Easy there — try again in {error.retry_after:.0f} s.", ephemeral=True)
            return
        if isinstance(error, (commands.CheckFailure, commands.DisabledCommand)):
            await self.bot.safe_send(ctx, "You can't use that command here.", ephemeral=True)
            return
        if isinstance(error, (commands.UserInputError, app_commands.TransformerError)):
            await self.bot.safe_send(ctx, f"I couldn't read that: {error}"[:300], ephemeral=True)
            return
        original = getattr(error, "original", error)
        log.error("command %s failed: %s", ctx.command, original, exc_info=original)
        await self.bot.safe_send(ctx, self.bot.FRIENDLY_ERROR, ephemeral=True)


class RaceBot(commands.Bot):
    """The bot. Built by :func:`create_bot`; :class:`ShardedRaceBot` when SHARD_COUNT > 1."""

    FRIENDLY_ERROR = "Sorry — something went wrong on my side. Please try again in a moment."

    def __init__(self, settings: Settings, engine: "Engine", **kwargs: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # prefix commands read message text (enable it in the Developer Portal)
        sharding: dict[str, Any] = {}
        if settings.shard_count > 1:
            sharding = {"shard_count": settings.shard_count}
        super().__init__(
            command_prefix=commands.when_mentioned_or(settings.command_prefix),
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            help_command=None if _engine_has(engine, "help") else commands.DefaultHelpCommand(),
            case_insensitive=True,
            strip_after_prefix=True,
            max_messages=200,
            chunk_guilds_at_startup=False,
            **sharding,
            **kwargs,
        )
        self._connection.guild_ready_timeout = settings.guild_ready_timeout
        self.settings = settings
        self.engine = engine
        self.started_at = time.monotonic()
        self.ready_seconds: float | None = None
        self.work = asyncio.Semaphore(settings.max_concurrency)
        self.cooldown = commands.CooldownMapping.from_cooldown(
            settings.cooldown_rate, settings.cooldown_per, commands.BucketType.user
        )
        self.complete_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="racebot-complete")
        self._last_identify: dict[int, float] = {}
        self._max_concurrency = 1
        self.warm_up: asyncio.Future[None] | None = None

    async def setup_hook(self) -> None:
        # The read model and the chart workers start while the gateway connects, so neither the
        # first answer nor the first chart pays for them.
        self.warm_up = asyncio.get_running_loop().run_in_executor(None, self.warm_engine)
        # The gateway URL and IDENTIFY concurrency come from GET /gateway/bot, as Discord recommends.
        try:
            _shards, url, limit = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
            self._max_concurrency = max(1, int(limit.get("max_concurrency", 1)))
        except discord.DiscordException as exc:  # pragma: no cover - Discord itself down
            log.warning("GET /gateway/bot failed (%s); using the default gateway", exc)
        await self.add_cog(RaceCog(self))
        for info in self.engine.commands:
            try:
                self.add_command(make_command(self, info))
            except (commands.CommandRegistrationError, TypeError, ValueError) as exc:
                log.warning("command %s not registered: %s", info.name, exc)
        if self.settings.sync_commands:
            await self.sync_commands()

    def warm_engine(self) -> None:
        """Build the engine's read model and start its chart workers (in a
        thread: both take a while, neither needs the event loop)."""
        try:
            facts = getattr(self.engine, "facts", None)
            if callable(facts):
                facts()
            charts = getattr(self.engine, "charts", None)
            if charts is not None and hasattr(charts, "warm"):
                charts.warm()
        except Exception:  # a failed warm-up costs speed, not answers: the first command retries
            log.warning("warming the engine up failed", exc_info=True)

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Register the slash commands with Discord, only when they changed.

        Discord rate-limits command registration (and a crash loop would hit
        it), so the registered set is fetched first (one GET) and the bulk
        overwrite (PUT) happens only on a difference. Returns whether it synced.
        """
        gid = self.settings.dev_guild_id
        guild = discord.Object(id=gid) if gid else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        local = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        where = f"dev guild {gid}" if gid else "global"
        if not force:
            try:
                app_id = self.application_id
                remote = await (self.http.get_guild_commands(app_id, gid) if gid else self.http.get_global_commands(app_id))
                if _command_shape(remote) == _command_shape(local):
                    log.info("%d %s slash commands already up to date", len(local), where)
                    return False
            except discord.HTTPException as exc:
                log.warning("could not read the registered slash commands (%s); syncing", exc)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d %s slash commands", len(synced), where)
        return True

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord allows `max_concurrency` IDENTIFYs per 5 s, bucketed by shard_id % max_concurrency.
        key = (shard_id or 0) % self._max_concurrency
        last = self._last_identify.get(key)
        if last is not None:
            wait = 5.0 - (time.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)
        self._last_identify[key] = time.monotonic()

    async def close(self) -> None:
        await super().close()
        self.complete_pool.shutdown(wait=False, cancel_futures=True)

    # ----- work
    def make_autocomplete(self, kind: str) -> Callable[..., Awaitable[list[app_commands.Choice[str]]]]:
        async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            loop = asyncio.get_running_loop()
            try:
                found = await asyncio.wait_for(
                    loop.run_in_executor(self.complete_pool, self.engine.complete, kind, current or "", 25),
                    AUTOCOMPLETE_TIMEOUT,
                )
            except Exception as exc:
                log.warning("autocomplete %s %r failed: %s", kind, current, exc)
                return []
            out: list[app_commands.Choice[str]] = []
            for item in found:
                value = str(item)[:100]
                if value and value not in (c.value for c in out):
                    out.append(app_commands.Choice(name=value, value=value))
            return out[:25]

        return complete

    async def run_engine(self, job: Callable[[], Awaitable["Reply"]], what: str) -> "Reply":
        """Run an engine call under the work semaphore and a timeout; never raises."""
        from bot.reply import Reply

        try:
            async with self.work:
                return await asyncio.wait_for(job(), self.settings.command_timeout)
        except asyncio.TimeoutError:
            log.warning("command %r timed out after %.0f s", what, self.settings.command_timeout)
            return Reply(text="That took too long — please try again with a narrower question.", status="error")
        except Exception as exc:
            log.error("command %r failed: %s", what, exc, exc_info=exc)
            return Reply(text=self.FRIENDLY_ERROR, status="error")

    def retry_after(self, ctx: commands.Context) -> float | None:
        bucket = self.cooldown.get_bucket(ctx.message)
        return bucket.update_rate_limit() if bucket is not None else None

    async def read_attachments(self, files: Sequence[discord.Attachment]) -> list[tuple[str, bytes]] | None:
        """The bytes of uploaded files (for admin imports); too big -> None."""
        out = []
        for a in files[:5]:
            if a.size > MAX_UPLOAD_BYTES:
                return None
            out.append((a.filename, await a.read()))
        return out

    async def run_command(self, ctx: commands.Context, line: str, files: Sequence[discord.Attachment] = ()) -> None:
        """The whole life of one command: cooldown, typing/defer, engine, reply."""
        wait = self.retry_after(ctx)
        if wait:
            await self.safe_send(ctx, f"Easy there — you can ask again in {wait:.0f} s.", ephemeral=True)
            return
        caller = make_caller(ctx.author, ctx.guild, self.settings)

        async def job() -> "Reply":
            uploads = await self.read_attachments(files) if files else None
            if files and uploads is None:
                from bot.reply import Reply

                return Reply(text=f"That file is too big (the limit is {MAX_UPLOAD_BYTES // 2**20} MB).", status="usage")
            if uploads:
                return await self.engine.ahandle(line, caller, attachments=uploads)
            return await self.engine.ahandle(line, caller)

        if ctx.interaction is not None:
            await ctx.defer()
            reply = await self.run_engine(job, line)
        else:
            async with ctx.typing():
                reply = await self.run_engine(job, line)
        await self.send_reply(ctx, reply)
        await self.announce(reply)

    async def send_reply(self, ctx: commands.Context, reply: "Reply") -> None:
        view = ReplyView(self, reply, ctx.author.id) if ReplyView.needed(reply) else None
        kw = view.render_page() if view else render(reply)
        extra: dict[str, Any] = {"ephemeral": reply.ephemeral} if ctx.interaction is not None else {}
        try:
            msg = await ctx.send(
                content=kw["content"], embeds=kw["embeds"], files=kw["files"], view=view,  # type: ignore[arg-type]
                allowed_mentions=NO_MENTIONS, **extra,
            )
        except discord.HTTPException as exc:
            log.error("sending the reply failed: %s", exc)
            await self.safe_send(ctx, self.FRIENDLY_ERROR, ephemeral=True)
            return
        if view is not None:
            view.message = msg

    async def announce(self, reply: "Reply") -> None:
        cid = self.settings.announce_channel_id
        if not cid or not reply.announcements:
            return
        channel = self.get_channel(cid)
        if channel is None or not hasattr(channel, "send"):
            log.warning("ANNOUNCE_CHANNEL_ID %s is not a channel I can see", cid)
            return
        for text in reply.announcements:
            try:
                await channel.send(_clip(text, 2000), allowed_mentions=NO_MENTIONS)  # type: ignore[union-attr]
            except discord.HTTPException as exc:
                log.warning("announcement failed: %s", exc)

    async def safe_send(self, ctx: commands.Context, text: str, *, ephemeral: bool = False) -> None:
        try:
            if ctx.interaction is not None:
                await ctx.send(text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
            else:
                await ctx.send(text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not send a reply: %s", exc)

    async def send_friendly_interaction(self, interaction: discord.Interaction) -> None:
        try:
            if interaction.response.is_done():
                await interaction.followup.send(self.FRIENDLY_ERROR, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(self.FRIENDLY_ERROR, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            pass

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("unhandled error in %s", event_method)


class ShardedRaceBot(RaceBot, commands.AutoShardedBot):
    """The same bot over several gateway shards (SHARD_COUNT > 1)."""


_SHAPE_KEYS = ("name", "description", "type", "required", "autocomplete", "choices", "min_value", "max_value",
               "min_length", "max_length", "channel_types", "default_member_permissions", "nsfw", "options")


def _command_shape(commands_payload: Iterable[dict[str, Any]]) -> list[Any]:
    """What matters when comparing registered and local commands: names,
    descriptions, options and permissions; defaults (False/None/[]) dropped,
    permissions as strings (Discord answers strings, discord.py sends ints)."""
    def norm(obj: Any) -> Any:
        if isinstance(obj, dict):
            out = {}
            for k in _SHAPE_KEYS:
                v = obj.get(k)
                if v in (None, False, [], ""):
                    continue
                if k == "default_member_permissions":
                    v = str(v)
                out[k] = norm(v)
            return out
        if isinstance(obj, list):
            return [norm(x) for x in obj]
        return obj

    return sorted((norm(c) for c in commands_payload), key=lambda c: str(c.get("name")))


BOT_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True, embed_links=True,
    attach_files=True, read_message_history=True,
)


def invite_url(application_id: int) -> str:
    """The link that adds the bot to a server with the permissions it needs."""
    return discord.utils.oauth_url(application_id, permissions=BOT_PERMISSIONS,
                                   scopes=("bot", "applications.commands"))


def _engine_has(engine: Any, name: str) -> bool:
    try:
        return any(c.name == name or name in c.aliases for c in engine.commands)
    except Exception:
        return False


def configure_api_base(api_base: str) -> None:
    """Point discord.py's REST at ``api_base`` (the gateway then comes from /gateway/bot)."""
    Route.BASE = api_base.rstrip("/") if api_base else DEFAULT_API_BASE


def create_bot(settings: Settings, engine: "Engine", **kwargs: Any) -> RaceBot:
    """A ready-to-start bot: ``await bot.start(settings.discord_token)``."""
    configure_api_base(settings.discord_api_base)
    install_redaction(settings.discord_token)
    cls = ShardedRaceBot if settings.shard_count > 1 else RaceBot
    return cls(settings, engine, **kwargs)


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    logging.getLogger("discord").setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))
    install_redaction(settings.discord_token, [handler])


async def run_bot(settings: Settings, engine: "Engine | None" = None) -> None:
    """Run until SIGINT/SIGTERM, then close the gateway and HTTP session cleanly."""
    if not settings.discord_token:
        raise SystemExit("DISCORD_TOKEN is not set (see .env.example)")
    own_engine = engine is None
    if engine is None:
        from bot.engine import Engine

        engine = Engine.open(settings.database_path, settings=settings)
    bot = create_bot(settings, engine)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            pass
    runner = asyncio.create_task(bot.start(settings.discord_token))
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()  # re-raise a login/connection failure
        else:
            log.info("shutting down")
    finally:
        await bot.close()
        stopper.cancel()
        if not runner.done():
            try:
                await asyncio.wait_for(runner, 10)
            except (asyncio.TimeoutError, asyncio.CancelledError, Exception):
                pass
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):  # pragma: no cover
                pass
        if own_engine:
            engine.close()
        log.info("bye")


def main(settings: Settings | None = None) -> int:
    settings = settings or Settings.from_env()
    setup_logging(settings)
    try:
        asyncio.run(run_bot(settings))
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN)")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error("enable the Message Content intent for the bot in the Discord Developer Portal")
        return 1
    return 0
