"""/define: the verbatim definition of a defined term, with its citation and link."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import autocomplete, render
from bot.discord_app.client import TreatyBot
from bot.discord_app.errors import request_allowed
from bot.discord_app.logs import RequestLog
from bot.discord_app.respond import send_followups
from bot.discord_app.term_input import MAX_TERM_INPUT, picked, resolve_term
from bot.engine.engine import InvalidRequest, UnknownTerm

PICK_FROM_LIST = "Type a few letters and pick a term from the list."


class Terms(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(name="define", description="Quote the treaty's definition of a term")
    @app_commands.describe(
        term="A defined term, e.g. traffic data or service provider",
        treaty="Only this treaty's definitions (default: both)",
        public="Show the definition to the whole channel (default: set by the server's config)",
    )
    @app_commands.autocomplete(term=autocomplete.defined_term)
    @request_allowed()
    async def define(
        self,
        interaction: discord.Interaction,
        term: app_commands.Range[str, 1, MAX_TERM_INPUT],
        treaty: Literal["uncc", "budapest"] | None = None,
        public: bool | None = None,
    ) -> None:
        async with RequestLog("define", interaction.guild_id, term) as request:
            engine = self.bot.host.engine
            # A dictionary lookup, no embedding: done here, so that an unknown term is refused
            # privately before deferring (as /article refuses a bad number).
            wanted = resolve_term(term, engine.defined_terms())
            try:
                lookup = engine.define(wanted.term, treaty)
            except UnknownTerm as unknown:
                raise InvalidRequest(f"{unknown} {PICK_FROM_LIST}") from unknown
            lookup = replace(lookup, definitions=picked(lookup.definitions, wanted.citation))
            private = not self.bot.config.is_public(public)
            await interaction.response.defer(ephemeral=private, thinking=True)
            replies = render.definition_replies(lookup)
            await send_followups(interaction, replies, ephemeral=private)
            request.sent(replies)


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Terms(bot))
