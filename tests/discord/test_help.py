"""/help: the commands of the registered tree that a member is offered, each with its example."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot.discord_app.cogs.help import example_of, leaf_commands
from bot.discord_app.cogs.message_questions import MENU_NAME
from bot.discord_app.text import displayed
from tests.discord.test_commands import World
from tests.discord.test_commands import world as world  # the fixture

pytestmark = pytest.mark.asyncio
ADMIN_ONLY = {"/reload", "/settings show", "/settings visibility", "/settings channel"}


def shown(result) -> dict[str, str]:
    (embed,) = result.response.embeds
    return {displayed(f.name): displayed(f.value) for f in embed.fields}


async def test_every_command_has_an_example_that_runs_it(world: World) -> None:
    commands = leaf_commands(world.bot.tree)
    assert len(commands) >= 12
    for command in commands:
        example = example_of(command)
        if isinstance(command, app_commands.Command):
            assert example == f"/{command.qualified_name}" or example.startswith(
                f"/{command.qualified_name} "
            )
            options = [p.display_name for p in command.parameters]
            named = [word[:-1] for word in example.split() if word.endswith(":")]
            assert set(named) <= set(options), (command.qualified_name, named)
            assert all(p.display_name in named for p in command.parameters if p.required), command.name
        else:
            assert example.endswith(command.name)


async def test_help_lists_what_a_member_is_offered_with_examples(world: World) -> None:
    result = await world.alice.slash(world.channel, "help")
    assert result.ephemeral
    listed = shown(result)
    offered = {f"/{name}" for name in world.alice.available_commands(world.channel)}
    assert set(listed) - {MENU_NAME} == offered
    assert MENU_NAME in listed and not ADMIN_ONLY & set(listed)
    for command in leaf_commands(world.bot.tree):
        name = command.name if isinstance(command, app_commands.ContextMenu) else f"/{command.qualified_name}"
        if name in listed:
            assert listed[name].endswith(f"Example: `{example_of(command)}`")  # a code span
    assert listed["/ask"].startswith("Ask about the UN Convention against Cybercrime\n")


async def test_help_shows_admins_the_admin_commands(world: World) -> None:
    admins = world.guild.create_role("admins", permissions=discord.Permissions(administrator=True))
    admin = world.guild.add_member(world.env.create_user("root"), roles=[admins])
    listed = shown(await admin.slash(world.channel, "help"))
    assert set(listed) >= ADMIN_ONLY
    assert set(listed) - {MENU_NAME} == {f"/{name}" for name in admin.available_commands(world.channel)}
