"""/about: what the bot covers."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.errors import request_allowed
from bot.discord_app.logs import RequestLog
from bot.discord_app.respond import send_followups


class Info(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="What this bot covers: documents, index and model")
    @request_allowed(rate_limited=False)
    async def about(self, interaction: discord.Interaction) -> None:
        async with RequestLog("about", interaction.guild_id) as request:
            private = not self.bot.config.is_public(None)
            await interaction.response.defer(ephemeral=private, thinking=True)
            reply = render.about_reply(self.bot.host.engine.about())
            await send_followups(interaction, [reply], ephemeral=private)
            request.sent([reply])


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Info(bot))
