"""Autocomplete callbacks, kept apart from the command bodies."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.discord_app.article_input import article_choices
from bot.discord_app.engine_host import EngineUnavailable
from bot.discord_app.term_input import MAX_TERM_INPUT, matching_terms, term_choices
from bot.engine.engine import Engine, InvalidRequest, UnknownTerm
from bot.engine.notes import DefinedTerm

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


async def defined_term(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Defined terms matching the typed text, of the chosen treaty or both: 'Traffic data · UNCC Art. 2(c)'.

    When no term contains the typed words, the engine's closest terms are offered (it knows
    plurals and misspellings: 'service providers', 'trafic data').
    """
    bot: TreatyBot = interaction.client  # type: ignore[assignment]
    treaty = getattr(interaction.namespace, "treaty", None)
    try:
        engine = bot.host.engine
        found = matching_terms(engine.defined_terms(treaty), current)
        if not found and current.strip():
            found = _closest_terms(engine, current[:MAX_TERM_INPUT], treaty)
    except (EngineUnavailable, InvalidRequest):
        return []  # the command itself explains the problem when it is run
    return [app_commands.Choice(name=name, value=value) for name, value in term_choices(found)]


def _closest_terms(engine: Engine, typed: str, treaty: str | None) -> list[DefinedTerm]:
    try:
        return list(engine.define(typed, treaty).definitions)
    except UnknownTerm as unknown:
        return list(unknown.suggestions)
