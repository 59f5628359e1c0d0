"""/help: every command this member may use, each with one example.

The list is read from the registered command tree, and each example from the `extras` of its
command, where the command is declared: nothing to keep in step by hand.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.error_reporting import request_allowed
from bot.discord_app.logs import RequestLog
from bot.discord_app.respond import NO_MENTIONS

EXAMPLE = "example"  # the key of a command's example in its `extras`
DESCRIPTION = "description"  # a message command has none of its own: it is in its `extras`
AnyCommand = app_commands.Command | app_commands.ContextMenu


def example_of(command: AnyCommand) -> str:
    return str(command.extras.get(EXAMPLE, ""))


def leaf_commands(tree: app_commands.CommandTree) -> list[AnyCommand]:
    """Every command a user can run (subcommands, not their groups), then the message commands."""
    slash = [c for c in tree.walk_commands() if isinstance(c, app_commands.Command)]
    menus = [c for c in tree.get_commands(type=discord.AppCommandType.message)]
    return [*slash, *menus]  # type: ignore[list-item]


def offered_to(command: AnyCommand, permissions: discord.Permissions) -> bool:
    """Whether Discord offers the command to a member with these permissions."""
    root = command.root_parent if isinstance(command, app_commands.Command) else None
    needed = (root or command).default_permissions
    return needed is None or permissions >= needed


def help_entries(tree: app_commands.CommandTree, permissions: discord.Permissions) -> list[render.HelpEntry]:
    return [
        render.HelpEntry(
            f"/{command.qualified_name}" if isinstance(command, app_commands.Command) else command.name,
            command.description
            if isinstance(command, app_commands.Command)
            else str(command.extras.get(DESCRIPTION, "")),
            example_of(command),
        )
        for command in leaf_commands(tree)
        if offered_to(command, permissions)
    ]


class Help(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="help", description="Show what each command does, with an example", extras={EXAMPLE: "/help"}
    )
    @request_allowed(rate_limited=False)
    async def help(self, interaction: discord.Interaction) -> None:
        async with RequestLog.of("help", interaction) as request:
            reply = render.help_reply(help_entries(self.bot.tree, interaction.permissions))
            await interaction.response.send_message(
                embeds=list(reply.embeds), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            request.sent([reply])


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Help(bot))
