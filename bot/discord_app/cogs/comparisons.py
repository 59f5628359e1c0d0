"""/compare: a UNCC article beside its Budapest Convention counterpart(s), paginated."""

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


class Comparisons(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="compare",
        description="Show an article beside its Budapest Convention counterpart",
        extras={"example": "/compare article: search and seizure"},
    )
    @app_commands.describe(
        article="Article number or words of its title, e.g. 28 or search and seizure",
        treaty="Start from the UNCC (default) or from the Budapest Convention",
        public="Show the comparison to the whole channel (default: set by the server's config)",
    )
    @request_allowed()
    async def compare(
        self,
        interaction: discord.Interaction,
        article: app_commands.Transform[ArticleView, ArticleOption(whole=True)],
        treaty: app_commands.Transform[str, TreatyOption] | None = None,
        public: bool | None = None,
    ) -> None:
        async with deferred(interaction, "compare", public) as request:
            comparison = await self.bot.host.run(lambda engine: engine.compare(article.number, article.doc))
            pages = render.comparison_pages(comparison)
            content = render.comparison_notice(comparison)
            request.sent(
                [render.Reply(content if index == 0 else "", (page,)) for index, page in enumerate(pages)]
            )
            views = [comparison.article, *(other.view for other in comparison.counterparts)]
            shown = [passage.id for view in views for passage in view.passages]
            votes = remember_shown(self.bot, "compare", comparison.article.citation, shown)
            await send_pages(interaction, pages, ephemeral=request.private, content=content, vote_key=votes)


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Comparisons(bot))
