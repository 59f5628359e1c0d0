"""/define: the verbatim definition of a defined term, with its citation and link."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.error_reporting import request_allowed
from bot.discord_app.respond import deferred, send_followups
from bot.discord_app.transformers import TermOption, TreatyOption
from bot.discord_app.views import answer_view, remember_shown
from bot.engine.answer import TermLookup


class Terms(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="define",
        description="Quote the treaty's definition of a term",
        extras={"example": "/define term: traffic data"},
    )
    @app_commands.describe(
        term="A defined term, e.g. traffic data or service provider",
        treaty="Only this treaty's definitions (default: both)",
        public="Show the definition to the whole channel (default: set by the server's config)",
    )
    @request_allowed()
    async def define(
        self,
        interaction: discord.Interaction,
        term: app_commands.Transform[TermLookup, TermOption],
        treaty: app_commands.Transform[str, TreatyOption] | None = None,
        public: bool | None = None,
    ) -> None:
        # `term` is already the definitions: its transformer looked the term up (an unknown one
        # was refused privately, with the closest terms, before deferring).
        async with deferred(interaction, "define", public, term.query) as request:
            replies = render.definition_replies(term)
            shown = [definition.citation for definition in term.definitions]  # a definition's id
            votes = answer_view(remember_shown(self.bot, "define", term.query, shown), more=False)
            await send_followups(interaction, replies, ephemeral=request.private, view=votes)
            request.sent(replies)


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Terms(bot))
