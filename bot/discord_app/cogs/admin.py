"""/reload (the bot owner only; offered to server administrators) and the watcher that reloads
the index when its manifest changes."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.discord_app.client import TreatyBot
from bot.discord_app.error_reporting import owner_only, send_private
from bot.discord_app.logs import RequestLog

log = logging.getLogger(__name__)


class Admin(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot
        self.interval = bot.config.reload_check_seconds

    async def cog_load(self) -> None:
        if self.interval > 0:
            self.watch_index.change_interval(seconds=self.interval)
            self.watch_index.start()

    async def cog_unload(self) -> None:
        self.watch_index.cancel()

    @tasks.loop(seconds=30)
    async def watch_index(self) -> None:
        outcome = await self.bot.host.reload_if_changed()
        if outcome is not None:
            level = logging.INFO if outcome.loaded else logging.WARNING
            fields = {"event": "auto_reload", "loaded": outcome.loaded}
            log.log(level, outcome.message, extra={"fields": fields})

    @watch_index.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    @app_commands.command(
        name="reload",
        description="Load a newly built index now (bot owner only)",
        extras={"example": "/reload"},
    )
    @app_commands.default_permissions(administrator=True)  # hidden from members; the owner check decides
    @owner_only()
    async def reload(self, interaction: discord.Interaction) -> None:
        async with RequestLog.of("reload", interaction) as request:
            await interaction.response.defer(ephemeral=True, thinking=True)
            outcome = await self.bot.host.reload()
            request.outcome = "ok" if outcome.loaded else "reload_failed"
            await send_private(interaction, outcome.message)


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Admin(bot))
