"""/settings: a server's own answer visibility, allowed channels and cooldown (Manage Server).

Each subcommand shows the settings or changes one of them, and answers privately with the
settings now in force. What a server sets takes precedence over the config file; `reset`
goes back to the config file's value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.error_reporting import SettingRefused, server_manager_only
from bot.discord_app.logs import RequestLog
from bot.discord_app.respond import NO_MENTIONS
from bot.discord_app.server_settings import ServerSettings, Setting
from bot.discord_app.settings import Cooldown, Visibility

MAX_ALLOWED_CHANNELS = 25  # channels a server may list
MAX_COOLDOWN_QUESTIONS = 100
MAX_COOLDOWN_SECONDS = 3600
RESET_ALL = "all"
VISIBILITY_CHOICES = [
    app_commands.Choice(name=name, value=visibility.value)
    for visibility, name in render.VISIBILITY_NAMES.items()
]
RESET_CHOICES = [app_commands.Choice(name=setting.value, value=setting.value) for setting in Setting] + [
    app_commands.Choice(name=RESET_ALL, value=RESET_ALL)
]
Channel = discord.TextChannel | discord.ForumChannel
Change = Callable[[ServerSettings], ServerSettings]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ServerAdmin(commands.GroupCog, group_name="settings", group_description="This server's settings"):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return server_manager_only(interaction)

    @app_commands.command(
        name="show", description="Show this server's settings", extras={"example": "/settings show"}
    )
    async def show(self, interaction: discord.Interaction) -> None:
        async with RequestLog.of("settings show", interaction):
            await self._reply(interaction, "Settings of this server")

    @app_commands.command(
        name="visibility",
        description="Answers public or private by default",
        extras={"example": "/settings visibility answers: Private"},
    )
    @app_commands.describe(answers="Who sees an answer when the asker does not choose")
    @app_commands.choices(answers=VISIBILITY_CHOICES)
    async def visibility(self, interaction: discord.Interaction, answers: str) -> None:
        async with RequestLog.of("settings visibility", interaction):
            await self._change(interaction, lambda own: _with(own, visibility=Visibility(answers)))

    @app_commands.command(
        name="channel",
        description="Answer in a channel, or stop answering there",
        extras={"example": "/settings channel channel: #treaty-questions allowed: True"},
    )
    @app_commands.describe(
        channel="A text or forum channel (its threads count too)",
        allowed="True: answer there; False: stop answering there",
    )
    async def channel(self, interaction: discord.Interaction, channel: Channel, allowed: bool) -> None:
        async with RequestLog.of("settings channel", interaction):
            here = await self.bot.server_settings.effective(interaction.guild_id, self.bot.config)
            listed = list(here.allowed_channel_ids)
            if allowed and channel.id not in listed:
                if len(listed) >= MAX_ALLOWED_CHANNELS:
                    raise SettingRefused(
                        f"A server can list at most {MAX_ALLOWED_CHANNELS} channels. Remove one first, "
                        "or reset the channels to answer everywhere."
                    )
                if not listed:
                    listed = [channel.id]  # from every channel to this one only
                else:
                    listed.append(channel.id)
            elif not allowed:
                if not listed:
                    raise SettingRefused(
                        f"I answer in every channel, so I cannot leave out {channel.mention} alone. "
                        "Allow the channels I should answer in instead."
                    )
                if channel.id not in listed:
                    raise SettingRefused(f"{channel.mention} is not one of the channels I answer in.")
                listed.remove(channel.id)
            await self._change(interaction, lambda own: _with(own, allowed_channel_ids=tuple(listed)))

    @app_commands.command(
        name="cooldown",
        description="How many questions a member may ask, and how often",
        extras={"example": "/settings cooldown questions: 5 seconds: 60"},
    )
    @app_commands.describe(
        questions="Questions a member may ask per period; 0 turns the cooldown off",
        seconds="Length of the period in seconds",
    )
    async def cooldown(
        self,
        interaction: discord.Interaction,
        questions: app_commands.Range[int, 0, MAX_COOLDOWN_QUESTIONS],
        seconds: app_commands.Range[int, 1, MAX_COOLDOWN_SECONDS] = 60,
    ) -> None:
        async with RequestLog.of("settings cooldown", interaction):
            limit = Cooldown(questions, float(seconds))
            await self._change(interaction, lambda own: _with(own, cooldown=limit))

    @app_commands.command(
        name="reset",
        description="Go back to the bot's config file for a setting",
        extras={"example": "/settings reset setting: all"},
    )
    @app_commands.describe(setting="The setting to reset, or all of them")
    @app_commands.choices(setting=RESET_CHOICES)
    async def reset(self, interaction: discord.Interaction, setting: str) -> None:
        async with RequestLog.of("settings reset", interaction):
            if setting == RESET_ALL:
                await self._change(interaction, lambda _own: ServerSettings())
            else:
                await self._change(interaction, lambda own: own.without(Setting(setting)))

    async def _change(self, interaction: discord.Interaction, change: Change) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None  # guild_only
        own = await self.bot.server_settings.get(guild_id)
        await self.bot.server_settings.save(guild_id, change(own))
        await self._reply(interaction, "Saved. Settings of this server now")

    async def _reply(self, interaction: discord.Interaction, title: str) -> None:
        here = await self.bot.server_settings.effective(interaction.guild_id, self.bot.config)
        reply = render.server_settings_reply(here, title)
        await interaction.response.send_message(
            reply.content or None, embeds=list(reply.embeds), ephemeral=True, allowed_mentions=NO_MENTIONS
        )


def _with(own: ServerSettings, **changed: object) -> ServerSettings:
    return replace(own, **changed)  # type: ignore[arg-type]


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(ServerAdmin(bot))
