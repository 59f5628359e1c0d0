"""/compare: a UNCC article beside its Budapest Convention counterpart(s), paginated."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import autocomplete, render
from bot.discord_app.article_input import MAX_ARTICLE_INPUT, parse_article
from bot.discord_app.client import TreatyBot
from bot.discord_app.errors import request_allowed
from bot.discord_app.logs import RequestLog
from bot.discord_app.respond import send_pages
from bot.engine.engine import InvalidRequest


class Comparisons(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="compare", description="Show an article beside its Budapest Convention counterpart"
    )
    @app_commands.describe(
        article="Article number or words of its title, e.g. 28 or search and seizure",
        treaty="Start from the UNCC (default) or from the Budapest Convention",
        public="Show the comparison to the whole channel (default: set by the server's config)",
    )
    @app_commands.autocomplete(article=autocomplete.article_number)
    @request_allowed()
    async def compare(
        self,
        interaction: discord.Interaction,
        article: app_commands.Range[str, 1, MAX_ARTICLE_INPUT],
        treaty: Literal["uncc", "budapest"] = "uncc",
        public: bool | None = None,
    ) -> None:
        async with RequestLog("compare", interaction.guild_id) as request:
            engine = self.bot.host.engine
            # Dictionary lookups, no embedding: done here, so that a bad number is refused
            # privately before deferring (as /article does). Whole articles are compared.
            number, paragraph = parse_article(article, engine.article_titles(treaty))
            if paragraph:
                raise InvalidRequest(f"/compare works on whole articles: try {number} instead of {article}.")
            engine.article(number, treaty=treaty)  # the engine's message for a number out of range
            private = not self.bot.config.is_public(public)
            await interaction.response.defer(ephemeral=private, thinking=True)
            comparison = await self.bot.host.run(lambda current: current.compare(number, treaty))
            pages = render.comparison_pages(comparison)
            content = render.comparison_notice(comparison)
            request.sent(
                [render.Reply(content if index == 0 else "", (page,)) for index, page in enumerate(pages)]
            )
            timeout = self.bot.config.page_timeout_seconds
            await send_pages(
                interaction,
                pages,
                ephemeral=private,
                timeout=timeout,
                live=self.bot.live_pagers,
                content=content,
            )


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Comparisons(bot))
