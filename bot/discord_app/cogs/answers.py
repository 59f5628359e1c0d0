"""/ask and /search."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.error_reporting import request_allowed
from bot.discord_app.respond import deferred, send_followups
from bot.discord_app.transformers import QuestionOption
from bot.discord_app.views import answer_view, remember, remember_shown
from bot.engine.retrieval import Source

RESULTS = 10  # passages /search lists
SourceChoice = Literal["all", "treaty", "analysis"]
Question = app_commands.Transform[str, QuestionOption]


class Answers(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="ask",
        description="Ask about the UN Convention against Cybercrime",
        extras={"example": "/ask question: Can the authorities search stored electronic data?"},
    )
    @app_commands.describe(
        question="Your question, e.g. Can the authorities search stored electronic data?",
        source="Quote the treaty, the analysis, or both (default: both)",
        public="Show the answer to the whole channel (default: set by the server's config)",
    )
    @request_allowed()
    async def ask(
        self,
        interaction: discord.Interaction,
        question: Question,
        source: SourceChoice = "all",
        public: bool | None = None,
    ) -> None:
        async with deferred(interaction, "ask", public, question) as request:
            answer = await self.bot.host.run(lambda engine: engine.ask(question, Source(source)))
            replies = render.answer_replies(answer)
            view = remember(self.bot, "ask", answer)
            await send_followups(interaction, replies, ephemeral=request.private, view=view)
            request.sent(replies, "abstained" if answer.abstained else None)

    @app_commands.command(
        name="search",
        description="List the passages that best match a query",
        extras={"example": "/search query: intimate images"},
    )
    @app_commands.describe(
        query="Words to look for, e.g. intimate images",
        source="Search the treaty, the analysis, or both (default: both)",
        public="Show the results to the whole channel (default: set by the server's config)",
    )
    @request_allowed()
    async def search(
        self,
        interaction: discord.Interaction,
        query: Question,
        source: SourceChoice = "all",
        public: bool | None = None,
    ) -> None:
        async with deferred(interaction, "search", public, query) as request:
            answer = await self.bot.host.run(lambda engine: engine.search(query, Source(source), RESULTS))
            reply = render.search_reply(answer)
            shown = [hit.passage.id for hit in answer.hits]
            votes = answer_view(remember_shown(self.bot, "search", query, shown), more=False)
            await send_followups(interaction, [reply], ephemeral=request.private, view=votes)
            request.sent([reply], "abstained" if answer.abstained else None)


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Answers(bot))
