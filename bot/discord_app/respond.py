"""Answering a command: the request log, the deferral, and sending rendered replies (every
message with mentions disabled, the view on the last one)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import discord

from bot.discord_app.logs import RequestLog
from bot.discord_app.render import Reply
from bot.discord_app.views import Pager, answer_view

if TYPE_CHECKING:
    from bot.discord_app.client import TreatyBot

NO_MENTIONS = discord.AllowedMentions.none()


@asynccontextmanager
async def deferred(
    interaction: discord.Interaction, command: str, public: bool | None, text: str = ""
) -> AsyncIterator[RequestLog]:
    """Log the request and acknowledge it at once ("thinking…"), privately unless the answer
    is public (the `public` option, else the server's default); the block then sends the
    answer as follow-ups with `ephemeral=request.private`. Options are already checked by the
    transformers, so everything a user can fix was refused before this point."""
    bot: TreatyBot = interaction.client  # type: ignore[assignment]
    async with RequestLog.of(command, interaction, text) as request:
        here = await bot.server_settings.effective(interaction.guild_id, bot.config)
        request.private = not here.is_public(public)
        await interaction.response.defer(ephemeral=request.private, thinking=True)
        request.deferred()
        yield request


async def send_followups(
    interaction: discord.Interaction,
    replies: Sequence[Reply],
    *,
    ephemeral: bool,
    view: discord.ui.View | None = None,
) -> list[discord.WebhookMessage]:
    """Follow-ups after a deferral: the first replaces the 'thinking…' message."""
    sent = []
    for position, reply in enumerate(replies):
        extra = {"view": view} if view is not None and position == len(replies) - 1 else {}
        message = await interaction.followup.send(
            content=reply.content or None,
            embeds=list(reply.embeds),
            ephemeral=ephemeral,
            allowed_mentions=NO_MENTIONS,
            wait=True,
            **extra,
        )
        sent.append(message)
    return sent


async def send_to_channel(
    channel: discord.abc.Messageable,
    replies: Sequence[Reply],
    *,
    view: discord.ui.View | None = None,
    reference: discord.Message | None = None,
) -> list[discord.Message]:
    """Plain messages in a channel or thread; the first may reply to `reference` (without a ping)."""
    sent = []
    for position, reply in enumerate(replies):
        extra: dict = {"view": view} if view is not None and position == len(replies) - 1 else {}
        if reference is not None and position == 0:
            extra["reference"] = reference
            extra["mention_author"] = False
        message = await channel.send(
            content=reply.content or None,
            embeds=list(reply.embeds),
            allowed_mentions=NO_MENTIONS,
            **extra,
        )
        sent.append(message)
    return sent


async def send_pages(
    interaction: discord.Interaction,
    pages: Sequence[discord.Embed],
    *,
    ephemeral: bool,
    content: str = "",
    vote_key: str | None = None,
) -> None:
    """A follow-up showing the first page, with ◀ ▶ buttons (only the asker's) when there are more;
    they work for the bot's `page_timeout_seconds`. `vote_key`: 👍 / 👎 too (see `remember_shown`)."""
    bot: TreatyBot = interaction.client  # type: ignore[assignment]
    send = interaction.followup.send
    if len(pages) == 1:
        extra = {"view": answer_view(vote_key, more=False)} if vote_key is not None else {}
        await send(
            content or None, embed=pages[0], ephemeral=ephemeral, allowed_mentions=NO_MENTIONS, **extra
        )
        return
    timeout = bot.config.page_timeout_seconds
    pager = Pager(pages, interaction.user.id, timeout, bot.live_pagers, vote_key)
    pager.message = await send(
        content or None,
        embed=pager.current,
        view=pager,
        ephemeral=ephemeral,
        allowed_mentions=NO_MENTIONS,
        wait=True,
    )
