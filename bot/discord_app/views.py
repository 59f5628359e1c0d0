"""Buttons: 👍 / 👎 under every answer (a 👎 then asks why), and page turners for long articles.

Vote buttons are dynamic items: their custom id names the answer, so they keep working for
as long as the answer is remembered, even on messages sent before the view object was lost.
The "why?" select names the stored vote, so it works as long as the message is there.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app import error_reporting as errors
from bot.discord_app import render
from bot.discord_app.logs import RequestLog, outcome_of
from bot.discord_app.vote_store import REASON_LABELS, ShownAnswer, Vote, VoteReason

if TYPE_CHECKING:
    from bot.discord_app.state import BotState
    from bot.engine.answer import Answer

log = logging.getLogger(__name__)
VOTE_PREFIX = "treatybot:vote"
PAGE_PREFIX = "treatybot:page"
PAGE_TEMPLATE = rf"{PAGE_PREFIX}:(?P<step>prev|next):(?P<nonce>[0-9a-f]{{12}})"
PAGER_NONCE_BYTES = 6
VOTE_TEMPLATE = rf"{VOTE_PREFIX}:(?P<vote>up|down):(?P<key>[0-9a-f]{{12}})"
MORE_PREFIX = "treatybot:more"
MORE_TEMPLATE = rf"{MORE_PREFIX}:(?P<key>[0-9a-f]{{12}})"
MORE_LABEL = "Show more"
REASON_PREFIX = "treatybot:why"
REASON_TEMPLATE = rf"{REASON_PREFIX}:(?P<vote_id>[0-9]{{1,19}})"
ASK_REASON = "Thanks for the feedback! What was wrong with this answer?"
REASON_PLACEHOLDER = "Choose what was wrong"
REASON_NOTED = "Thanks, noted: {reason}."
REASON_ALREADY = "A reason is already noted for this vote. Thanks!"
VOTE_EMOJI = {Vote.UP: "👍", Vote.DOWN: "👎"}
VOTE_NAMES = {Vote.UP: "up", Vote.DOWN: "down"}
THANKS = "Thanks for the feedback!"
ALREADY_VOTED = "You have already rated this answer. Thanks!"
FORGOTTEN = "I no longer have that answer (it is too old, or I restarted). Ask again to rate a fresh answer."
NOT_YOURS = "Only the person who asked can turn these pages. Run the command yourself to browse."
PAGES_EXPIRED = "These page buttons have expired. Run the command again to browse the pages."


def vote_button(vote: Vote, key: str) -> discord.ui.Button:
    return discord.ui.Button(
        style=discord.ButtonStyle.secondary,
        emoji=VOTE_EMOJI[vote],
        custom_id=f"{VOTE_PREFIX}:{VOTE_NAMES[vote]}:{key}",
    )


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=VOTE_TEMPLATE):
    def __init__(self, vote: Vote, key: str) -> None:
        super().__init__(vote_button(vote, key))
        self.vote = vote
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> VoteButton:
        return cls(Vote.UP if match["vote"] == "up" else Vote.DOWN, match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: BotState = interaction.client  # type: ignore[assignment]
        async with RequestLog.of("vote", interaction) as request:
            try:
                answer = bot.ledger.get(self.key)
                if answer is None:
                    request.outcome = "forgotten"
                    text = FORGOTTEN
                elif not bot.ledger.first_vote(self.key, interaction.user.id):
                    request.outcome = "repeat"
                    text = ALREADY_VOTED
                else:
                    try:
                        vote_id = await asyncio.to_thread(bot.feedback.record, answer, self.vote)
                    except BaseException:
                        bot.ledger.forget_vote(self.key, interaction.user.id)
                        raise
                    if self.vote is Vote.DOWN:
                        await interaction.response.send_message(
                            ASK_REASON, view=reason_view(vote_id), ephemeral=True
                        )
                        return
                    text = THANKS
            except Exception as exc:  # a button must never fail silently
                request.outcome = outcome_of(exc)
                await errors.report(interaction, exc)
                return
            await errors.send_private(interaction, text)


class ReasonSelect(discord.ui.DynamicItem[discord.ui.Select], template=REASON_TEMPLATE):
    """Why a 👎: offered privately to the voter, stored with their vote (once)."""

    def __init__(self, vote_id: int) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"{REASON_PREFIX}:{vote_id}",
                placeholder=REASON_PLACEHOLDER,
                options=[
                    discord.SelectOption(label=label, value=reason.value)
                    for reason, label in REASON_LABELS.items()
                ],
            )
        )
        self.vote_id = vote_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReasonSelect:
        return cls(int(match["vote_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: BotState = interaction.client  # type: ignore[assignment]
        async with RequestLog.of("vote reason", interaction) as request:
            try:
                reason = VoteReason(self.item.values[0])
                noted = await asyncio.to_thread(bot.feedback.set_reason, self.vote_id, reason)
            except Exception as exc:  # a select must never fail silently
                request.outcome = outcome_of(exc)
                await errors.report(interaction, exc)
                return
            if not noted:
                request.outcome = "repeat"
            text = REASON_NOTED.format(reason=REASON_LABELS[reason]) if noted else REASON_ALREADY
            await interaction.response.edit_message(content=text, view=None)


def reason_view(vote_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReasonSelect(vote_id))
    return view


class MoreButton(discord.ui.DynamicItem[discord.ui.Button], template=MORE_TEMPLATE):
    """Shows, to whoever clicks, the passages a short answer cut or only cited ("More: ..."), in full."""

    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary, label=MORE_LABEL, custom_id=f"{MORE_PREFIX}:{key}"
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> MoreButton:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: BotState = interaction.client  # type: ignore[assignment]
        async with RequestLog.of("more", interaction) as request:
            try:
                answer = bot.ledger.get(self.key)
                hits = bot.host.engine.show(answer.listed_ids) if answer else ()
                if not hits:
                    request.outcome = "forgotten"
                    await errors.send_private(interaction, FORGOTTEN)
                    return
                await interaction.response.defer(ephemeral=True, thinking=True)
                dated = bot.host.engine.final_text_date
                replies = render.pack("", [embed for hit in hits for embed in render.hit_embeds(hit, dated)])
                for reply in replies:
                    await interaction.followup.send(
                        content=reply.content or None,
                        embeds=list(reply.embeds),
                        ephemeral=True,
                        allowed_mentions=discord.AllowedMentions.none(),
                    )
                request.sent(replies)
            except Exception as exc:  # a button must never fail silently
                request.outcome = outcome_of(exc)
                await errors.report(interaction, exc)


def answer_view(key: str, more: bool) -> discord.ui.View:
    """👍 / 👎 under an answer, and "Show more" when it lists passages it did not quote."""
    view = discord.ui.View(timeout=None)
    for vote in (Vote.UP, Vote.DOWN):
        view.add_item(VoteButton(vote, key))
    if more:
        view.add_item(MoreButton(key))
    return view


def remember(bot: BotState, command: str, answer: Answer) -> discord.ui.View:
    """Note what an answer quoted whole and what it cut or only cited (the short answer of
    `render.short_answer`: "Show more" quotes those in full), and return its buttons."""
    short = render.short_answer(answer)
    shown = tuple(hit.passage.id for hit in short.whole)
    listed = tuple(hit.passage.id for hit in short.rest)
    record = ShownAnswer(command, answer.question, shown, bot.host.engine.built_at, listed)
    return answer_view(bot.ledger.remember(record), more=bool(listed))


def remember_shown(bot: BotState, command: str, asked: str, shown: Sequence[str]) -> str:
    """Note what a lookup (/article, /compare, /define, /search) showed; the key of its votes."""
    return bot.ledger.remember(ShownAnswer(command, asked, tuple(shown), bot.host.engine.built_at))


class Pager(discord.ui.View):
    """◀ / ▶ over embeds; only `owner_id` may turn pages; the buttons go away on timeout.

    While it lives, the pager's nonce is in `live`; a click on a pager that is gone (the bot
    restarted) is answered by `ExpiredPageButton` instead of failing silently.
    """

    def __init__(
        self,
        pages: Sequence[discord.Embed],
        owner_id: int,
        timeout: float,
        live: set[str],
        vote_key: str | None = None,
    ) -> None:
        super().__init__(timeout=timeout)
        # Plain buttons with the vote buttons' ids: the `VoteButton` dynamic item answers their
        # clicks (a view holding dynamic items would unregister them when it times out).
        self.vote_key = vote_key
        if vote_key is not None:
            for vote in (Vote.UP, Vote.DOWN):
                self.add_item(vote_button(vote, vote_key))
        self.pages = list(pages)
        self.owner_id = owner_id
        self.page = 0
        self.message: discord.WebhookMessage | discord.Message | None = None
        self.nonce = secrets.token_hex(PAGER_NONCE_BYTES)
        self.previous.custom_id = f"{PAGE_PREFIX}:prev:{self.nonce}"
        self.next.custom_id = f"{PAGE_PREFIX}:next:{self.nonce}"
        self._live = live
        live.add(self.nonce)
        self._sync_buttons()

    @property
    def current(self) -> discord.Embed:
        return self.pages[self.page]

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page == len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if custom_id.startswith(VOTE_PREFIX):
            return False  # anyone may vote: `VoteButton` answers, not this view
        if interaction.user.id != self.owner_id:
            await errors.send_private(interaction, NOT_YOURS)
            return False
        return True

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await self._turn(interaction, +1)

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = min(max(self.page + step, 0), len(self.pages) - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.current, view=self)

    async def on_timeout(self) -> None:
        """Remove the page buttons, so nobody clicks a dead one; the page shown and the votes stay."""
        self._live.discard(self.nonce)
        if self.message is None:
            return
        votes = answer_view(self.vote_key, more=False) if self.vote_key is not None else None
        try:
            await self.message.edit(view=votes)
        except discord.HTTPException:
            log.info("could not remove expired page buttons", exc_info=True)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, _item: discord.ui.Item[Any]
    ) -> None:
        await errors.report(interaction, error)


class ExpiredPageButton(discord.ui.DynamicItem[discord.ui.Button], template=PAGE_TEMPLATE):
    """Answers clicks on page buttons whose pager no longer exists; a live pager answers its own."""

    def __init__(self, step: str, nonce: str) -> None:
        super().__init__(discord.ui.Button(label=step, custom_id=f"{PAGE_PREFIX}:{step}:{nonce}"))
        self.nonce = nonce

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ExpiredPageButton:
        return cls(match["step"], match["nonce"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: BotState = interaction.client  # type: ignore[assignment]
        if self.nonce not in bot.live_pagers:
            await errors.send_private(interaction, PAGES_EXPIRED)
