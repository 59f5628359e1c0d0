"""Sending rendered replies: every message with mentions disabled, the view on the last one."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.discord_app.render import Reply
from bot.discord_app.views import Pager

NO_MENTIONS = discord.AllowedMentions.none()


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
    timeout: float,
    live: set[str],
    content: str = "",
) -> None:
    """A follow-up showing the first page, with ◀ ▶ buttons (only the asker's) when there are more."""
    send = interaction.followup.send
    if len(pages) == 1:
        await send(content or None, embed=pages[0], ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
        return
    pager = Pager(pages, interaction.user.id, timeout, live)
    pager.message = await send(
        content or None,
        embed=pager.current,
        view=pager,
        ephemeral=ephemeral,
        allowed_mentions=NO_MENTIONS,
        wait=True,
    )
