"""Autocomplete callbacks, kept apart from the command bodies."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.discord_app.article_input import article_choices
from bot.discord_app.engine_host import EngineUnavailable
from bot.engine.engine import InvalidRequest

if TYPE_CHECKING:
    from bot.discord_app.client import TreatyBot

log = logging.getLogger(__name__)
DEFAULT_TREATY = "uncc"


async def article_number(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Articles of the chosen treaty by number or title words: '28 · Search and seizure of …'."""
    bot: TreatyBot = interaction.client  # type: ignore[assignment]
    treaty = getattr(interaction.namespace, "treaty", None) or DEFAULT_TREATY
    try:
        titles = bot.host.engine.article_titles(treaty)
    except (EngineUnavailable, InvalidRequest):
        return []  # the command itself explains the problem when it is run
    return [app_commands.Choice(name=name, value=value) for name, value in article_choices(titles, current)]
