"""Buttons under a reply: pages, "did you mean" suggestions, Confirm/Cancel, "How is this measured?"."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, Awaitable, Callable

import discord

from bot.adapters.discord import fit
from bot.adapters.discord.callers import make_caller
from bot.adapters.discord.embeds import NO_MENTIONS, render
from bot.adapters.discord.host import Host
from bot.render.text import clip
from bot.reply import Reply
from bot.tickets import Ticket

log = logging.getLogger("racebot.discord")


VIEW_TIMEOUT = 300.0


METHOD_LABEL = "How is this measured?"
METHOD_ID = "method:how"  # the method lives in the live view: after it, the click is told to ask again
METHOD_EXPIRED = "That answer's buttons have expired — run the command again, or see `help method`."
EXPIRED_BUTTONS = "These buttons have expired — run the command again."
SUGGEST_PREFIX = "rb:suggest:"  # + the command line: a suggestion that still works after a restart
TOKEN_LIFETIME = 15 * 60.0  # an interaction token works for 15 minutes
TOKEN_MARGIN = 60.0  # ... and we stop using it a minute before


# ---------------------------------------------------------------------------- views
class ReplyView(discord.ui.View):
    """Buttons under an answer: paging, "did you mean" suggestions, Confirm/Cancel.

    Only the user who asked may press them; others get a private note.
    """

    def __init__(self, bot: Host, reply: "Reply", owner_id: int, *, timeout: float = VIEW_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.bot = bot
        self.owner_id = owner_id
        self.message: discord.Message | discord.InteractionMessage | None = None
        self.token_expires: float | None = None  # monotonic time the message's interaction token dies
        self.set_reply(reply)

    @staticmethod
    def needed(reply: "Reply") -> bool:
        return bool(reply.pages or reply.suggestions or (reply.status == "confirm" and reply.confirm_token)
                    or (reply.status == "ok" and reply.method))

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
            # the line itself in the id when it fits (Discord: 100 characters): the button then works
            # after a restart too (SuggestionButton); else an index only this live view understands
            custom_id = SUGGEST_PREFIX + line if len(SUGGEST_PREFIX + line) <= 100 else f"suggest:{i}"
            b = discord.ui.Button(label=clip(line, 80) or "?", style=discord.ButtonStyle.primary, custom_id=custom_id, row=1)
            b.callback = self._make_suggestion_cb(line)  # type: ignore[method-assign]
            self.add_item(b)
        if reply.status == "ok" and reply.method:  # the answer's rules and legends, privately, to anyone
            how = discord.ui.Button(label=METHOD_LABEL, style=discord.ButtonStyle.secondary, custom_id=METHOD_ID,
                                    row=0 if len(self.pages) == 1 else 2)
            how.callback = self._method  # type: ignore[method-assign]
            self.add_item(how)
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
        return fit.guard(render(self.pages[self.page], page=self.page, pages=len(self.pages)))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        if (interaction.data or {}).get("custom_id") == METHOD_ID:
            return True  # reading how an answer was measured changes nothing: anyone may
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

    async def _method(self, interaction: discord.Interaction) -> None:
        """The reply's method, privately (ephemeral), within one message."""
        await interaction.response.send_message(clip(self.reply.method or METHOD_EXPIRED, 2000),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

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
            wait = self.bot.retry_after_click(interaction.user)
            if wait:  # the cooldown counts buttons too: a click is a command
                await interaction.response.send_message(f"Easy there — you can ask again in {wait:.0f} s.",
                                                        ephemeral=True, allowed_mentions=NO_MENTIONS)
                return
            await self._lock(interaction)
            caller = make_caller(interaction.user, interaction.guild, self.bot.settings, interaction.channel)
            reply = await self.bot.run_engine(lambda: self.bot.engine.ahandle(line, caller), line)
            await self._show(interaction, reply)

        return run_suggestion

    async def _show(self, interaction: discord.Interaction, reply: "Reply") -> None:
        """Replace the message with ``reply`` (and its own buttons, if any)."""
        view: ReplyView | None = None
        limit = int(getattr(interaction, "filesize_limit", 0) or fit.DEFAULT_UPLOAD_LIMIT)
        if any(len(a.data) > limit for a in reply.files):
            reply = await asyncio.to_thread(fit.for_channel, reply, None, limit)
        else:
            reply = fit.for_channel(reply, None, limit)
        if ReplyView.needed(reply):
            self.set_reply(reply)
            view = self
        else:
            self.stop()
        kw = fit.guard(render(reply, page=0, pages=len(reply.pages) + 1))
        await interaction.edit_original_response(
            content=kw["content"], embeds=kw["embeds"], attachments=kw["files"], view=view, allowed_mentions=NO_MENTIONS,
        )
        await self.bot.announce(reply)

    async def _confirm(self, interaction: discord.Interaction) -> None:
        await self._lock(interaction)
        caller = make_caller(interaction.user, interaction.guild, self.bot.settings)
        token = self.reply.confirm_token
        engine = self.bot.engine

        ticket = Ticket()

        async def do_confirm() -> "Reply":
            return await asyncio.to_thread(engine.confirm, token, caller, ticket=ticket)

        async def interim(text: str) -> None:
            with contextlib.suppress(discord.HTTPException):
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

        reply = await self.bot.run_engine(do_confirm, "confirm", ticket=ticket, long=True, interim=interim)
        await self._show(interaction, reply)

    async def _cancel(self, interaction: discord.Interaction) -> None:
        await self._lock(interaction)  # acknowledge first: Discord wants an answer within 3 s
        self.stop()
        token = self.reply.confirm_token
        if token and hasattr(self.bot.engine, "cancel"):  # drop the pending import at once
            caller = make_caller(interaction.user, interaction.guild, self.bot.settings)
            await asyncio.to_thread(self.bot.engine.cancel, token, caller)
        await interaction.edit_original_response(
            content="Cancelled — nothing was changed.", embeds=[], attachments=[], view=None,
        )

    def remember(self, message: Any) -> None:
        """The message the view lives on: its clicks are this view's until it stops."""
        self.message = message
        live = getattr(self.bot, "live_views", None)
        if live is not None and message is not None:
            live[message.id] = self

    def stop(self) -> None:
        super().stop()
        self._forget()

    def _forget(self) -> None:
        live = getattr(self.bot, "live_views", None)
        if live is not None and self.message is not None and live.get(self.message.id) is self:
            del live[self.message.id]

    async def on_timeout(self) -> None:
        """Grey the buttons out. A message sent through an interaction is edited
        with its token while the token lives (15 minutes); after that through the
        channel with the bot's own token, and an ephemeral one is left alone."""
        if self.message is None:
            return
        self._forget()
        if all(getattr(item, "custom_id", None) == METHOD_ID for item in self.children):
            return  # only the method button: it stays (a click after this is told to ask again); no edit
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        target: Any = self.message
        if self.token_expires is not None and time.monotonic() > self.token_expires - TOKEN_MARGIN:
            flags = getattr(self.message, "flags", None)
            channel = getattr(self.message, "channel", None)
            if (flags is not None and flags.ephemeral) or not hasattr(channel, "get_partial_message"):
                log.debug("view of message %s timed out after its token expired; left as is", self.message.id)
                return
            target = channel.get_partial_message(self.message.id)  # type: ignore[union-attr]
        try:
            await target.edit(view=self)
        except discord.HTTPException as exc:
            log.debug("could not grey out the buttons of message %s: %s", self.message.id, exc)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        log.error("button %s failed: %s", getattr(item, "custom_id", item), error, exc_info=error)
        await self.bot.send_friendly_interaction(interaction)


# ---------------------------------------------------------------------------- buttons without a live view
def _live(interaction: discord.Interaction) -> bool:
    """Whether a live view of this bot answers this click (``RaceBot.live_views``, kept by the views)."""
    live = getattr(interaction.client, "live_views", {})
    return interaction.message is not None and interaction.message.id in live


class SuggestionButton(discord.ui.DynamicItem[discord.ui.Button], template=r"rb:suggest:(?P<line>.+)"):
    """A "did you mean" button whose view is gone (a restart, a timeout): its id holds the
    command line, so the click still runs it, for whoever clicked, answered privately."""

    def __init__(self, line: str, label: str | None = None) -> None:
        super().__init__(discord.ui.Button(label=clip(label or line, 80) or "?", style=discord.ButtonStyle.primary,
                                           custom_id=SUGGEST_PREFIX + line))
        self.line = line

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,  # type: ignore[override]
                             match: Any) -> "SuggestionButton":
        return cls(match["line"], item.label)

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        if _live(interaction):
            return  # the live view answers (and checks who may press it)
        bot: Any = interaction.client
        await interaction.response.defer(ephemeral=True, thinking=True)
        caller = make_caller(interaction.user, interaction.guild, bot.settings, interaction.channel)
        reply = await bot.run_engine(lambda: bot.engine.ahandle(self.line, caller), self.line)
        limit = int(getattr(interaction, "filesize_limit", 0) or fit.DEFAULT_UPLOAD_LIMIT)
        shaped = await asyncio.to_thread(fit.for_channel, reply, None, limit)
        kw = fit.guard(render(shaped))
        await interaction.followup.send(content=kw["content"], embeds=kw["embeds"], files=kw["files"],
                                        ephemeral=True, allowed_mentions=NO_MENTIONS)


class ExpiredButton(discord.ui.DynamicItem[discord.ui.Button], template=r"(?:page|suggest|confirm|method):[\w:]*"):
    """Page, suggestion-by-number and Confirm buttons whose view is gone (their state lived
    in it): say so privately instead of Discord's "This interaction failed"."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="expired", custom_id=custom_id))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,  # type: ignore[override]
                             match: Any) -> "ExpiredButton":
        return cls(str(item.custom_id))

    async def callback(self, interaction: discord.Interaction) -> None:  # type: ignore[override]
        if _live(interaction):
            return
        try:
            said = METHOD_EXPIRED if str(self.item.custom_id) == METHOD_ID else EXPIRED_BUTTONS
            await interaction.response.send_message(said, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.debug("could not say the buttons expired: %s", exc)


PERSISTENT_BUTTONS = (SuggestionButton, ExpiredButton)  # RaceBot.setup_hook registers them
