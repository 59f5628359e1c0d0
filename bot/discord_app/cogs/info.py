"""/about: what the bot covers."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.error_reporting import request_allowed
from bot.discord_app.respond import deferred, send_followups


class Info(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="about",
        description="What this bot covers: documents, index and model",
        extras={"example": "/about"},
    )
    @request_allowed(rate_limited=False)
    async def about(self, interaction: discord.Interaction) -> None:
        async with deferred(interaction, "about", None) as request:
            bot = self.bot
            shards = render.shards_text(bot.shard_of(interaction.guild_id), bot.shard_count or 1, bot.shards)
            reply = render.about_reply(bot.host.engine.about(), shards)
            await send_followups(interaction, [reply], ephemeral=request.private)
            request.sent([reply])


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Info(bot))
