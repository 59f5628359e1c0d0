"""/article: the exact text of an article, paginated when it is long."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.error_reporting import request_allowed
from bot.discord_app.respond import deferred, send_pages
from bot.discord_app.transformers import ArticleOption, TreatyOption
from bot.discord_app.views import remember_shown
from bot.engine.answer import ArticleView

MAX_PARAGRAPH_INPUT = 10


class Articles(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="article",
        description="Show the exact text of an article",
        extras={"example": "/article number: 28 paragraph: 3"},
    )
    @app_commands.rename(article="number")
    @app_commands.describe(
        article="Article number or words of its title, e.g. 28 or search and seizure",
        paragraph="Only this paragraph, e.g. 3",
        treaty="UNCC (default) or the Budapest Convention",
        public="Show the text to the whole channel (default: set by the server's config)",
    )
    @request_allowed()
    async def article(
        self,
        interaction: discord.Interaction,
        article: app_commands.Transform[ArticleView, ArticleOption],
        paragraph: app_commands.Range[str, 1, MAX_PARAGRAPH_INPUT] | None = None,
        treaty: app_commands.Transform[str, TreatyOption] | None = None,
        public: bool | None = None,
    ) -> None:
        # `article` is resolved by its transformer, with the paragraph and treaty options.
        async with deferred(interaction, "article", public) as request:
            pages = render.article_pages(article)
            shown = [passage.id for passage in article.passages]
            votes = remember_shown(self.bot, "article", article.citation, shown)
            request.sent([render.Reply(embeds=(page,)) for page in pages])
            await send_pages(interaction, pages, ephemeral=request.private, vote_key=votes)


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Articles(bot))
