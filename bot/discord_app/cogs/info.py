"""/about: what the bot covers."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.errors import request_allowed
from bot.discord_app.respond import deferred, send_followups


class Info(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="What this bot covers: documents, index and model")
    @request_allowed(rate_limited=False)
    async def about(self, interaction: discord.Interaction) -> None:
        async with deferred(interaction, "about", None) as request:
            reply = render.about_reply(self.bot.host.engine.about())
            await send_followups(interaction, [reply], ephemeral=request.private)
            request.sent([reply])


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Info(bot))
