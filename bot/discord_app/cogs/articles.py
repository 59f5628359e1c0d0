"""/article: the exact text of an article, paginated when it is long."""

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

MAX_PARAGRAPH_INPUT = 10


class Articles(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(name="article", description="Show the exact text of an article")
    @app_commands.describe(
        number="Article number or words of its title, e.g. 28 or search and seizure",
        paragraph="Only this paragraph, e.g. 3",
        treaty="UNCC (default) or the Budapest Convention",
        public="Show the text to the whole channel (default: set by the server's config)",
    )
    @app_commands.autocomplete(number=autocomplete.article_number)
    @request_allowed()
    async def article(
        self,
        interaction: discord.Interaction,
        number: app_commands.Range[str, 1, MAX_ARTICLE_INPUT],
        paragraph: app_commands.Range[str, 1, MAX_PARAGRAPH_INPUT] | None = None,
        treaty: Literal["uncc", "budapest"] = "uncc",
        public: bool | None = None,
    ) -> None:
        async with RequestLog("article", interaction.guild_id) as request:
            engine = self.bot.host.engine
            # A dictionary lookup, no embedding: done here, so a bad number is refused before deferring.
            article, typed_paragraph = parse_article(number, engine.article_titles(treaty))
            view = engine.article(article, paragraph or typed_paragraph, treaty)
            private = not self.bot.config.is_public(public)
            await interaction.response.defer(ephemeral=private, thinking=True)
            pages = render.article_pages(view)
            request.sent([render.Reply(embeds=(page,)) for page in pages])
            timeout = self.bot.config.page_timeout_seconds
            await send_pages(
                interaction, pages, ephemeral=private, timeout=timeout, live=self.bot.live_pagers
            )


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Articles(bot))
