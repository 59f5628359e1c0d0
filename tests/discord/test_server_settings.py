"""/settings: a server's own visibility, channels and cooldown, stored in the vote store's
database, taking precedence over the config file, for members who may manage the server."""

from __future__ import annotations

from dataclasses import dataclass, replace

import discord
import pytest
import simcord

from bot.discord_app import error_reporting as errors
from bot.discord_app.client import TreatyBot
from bot.discord_app.cogs.server_admin import MAX_ALLOWED_CHANNELS
from bot.discord_app.server_settings import ServerSettings, SettingsNotSaved
from bot.discord_app.settings import Cooldown, Visibility
from bot.discord_app.text import displayed
from bot.discord_app.vote_store import SqliteVoteStore

pytestmark = pytest.mark.asyncio
QUESTION = "What is the 24/7 network?"


@dataclass
class Server:
    env: simcord.Env
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    admin: simcord.MemberActor  # has Manage Server
    member: simcord.MemberActor

    @property
    def bot(self) -> TreatyBot:
        return self.env.bot  # type: ignore[return-value]


@pytest.fixture
def server(simcord_env: simcord.Env) -> Server:
    guild = simcord_env.create_guild(name="Treaty readers")
    channel = guild.create_text_channel("treaty")
    managers = guild.create_role("managers", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[managers])
    member = guild.add_member(simcord_env.create_user("member"))
    return Server(simcord_env, guild, channel, admin, member)


def fields(result: simcord.InteractionResult) -> dict[str, str]:
    (embed,) = result.response.embeds
    return {displayed(f.name): f.value for f in embed.fields}


async def test_settings_are_offered_to_server_managers_only(server: Server) -> None:
    assert "settings show" in server.admin.available_commands(server.channel)
    offered = server.member.available_commands(server.channel)
    assert "ask" in offered and not any(name.startswith("settings") for name in offered)
    with pytest.raises(simcord.SetupError, match="default-member-permissions"):
        await server.member.slash(server.channel, "settings show")


async def test_a_member_granted_the_command_without_manage_server_is_refused(server: Server) -> None:
    """A server may grant /settings to anyone in its integration settings; the check still refuses."""
    command = server.env.backend.find_command("settings", server.guild.id)
    server.guild.set_command_permissions(int(command["id"]), {server.member: True})
    result = await server.member.slash(server.channel, "settings visibility", answers="ephemeral")
    assert result.ephemeral and displayed(result.response.content) == errors.NOT_SERVER_MANAGER
    assert [type(e) for e in server.env.errors] == [errors.NotServerManager]
    assert server.bot.feedback.server_settings(server.guild.id) == ServerSettings()


async def test_show_names_each_setting_and_where_it_comes_from(server: Server) -> None:
    result = await server.admin.slash(server.channel, "settings show")
    assert result.ephemeral
    assert fields(result) == {
        "Answers (from the bot's config file)": "Public: the whole channel sees an answer",
        "Channels I answer in (from the bot's config file)": "Every channel",
        "Cooldown (from the bot's config file)": "Off",
    }


async def test_visibility_set_here_beats_the_config_file_and_reset_restores_it(server: Server) -> None:
    changed = await server.admin.slash(server.channel, "settings visibility", answers="ephemeral")
    private = "Private: only the person who asked sees an answer"
    assert fields(changed)["Answers (set in this server)"] == private
    assert (await server.member.slash(server.channel, "ask", question=QUESTION)).ephemeral
    assert not (await server.member.slash(server.channel, "ask", question=QUESTION, public=True)).ephemeral
    elsewhere = server.env.create_guild(name="Elsewhere")
    stranger = elsewhere.add_member(server.env.create_user("stranger"))
    assert not (await stranger.slash(elsewhere.create_text_channel("x"), "ask", question=QUESTION)).ephemeral

    reset = await server.admin.slash(server.channel, "settings reset", setting="visibility")
    assert "Answers (from the bot's config file)" in fields(reset)
    assert not (await server.member.slash(server.channel, "ask", question=QUESTION)).ephemeral


async def test_channels_one_at_a_time_kept_in_the_database_across_a_restart(
    server: Server, host, discord_config
) -> None:
    questions = server.guild.create_text_channel("questions")
    allowed = await server.admin.slash(server.channel, "settings channel", channel=questions, allowed=True)
    assert fields(allowed)["Channels I answer in (set in this server)"] == f"<#{questions.id}>"
    stored = SqliteVoteStore(discord_config.feedback_db).server_settings(server.guild.id)
    assert stored == ServerSettings(allowed_channel_ids=(questions.id,))

    await server.env.restart_bot(TreatyBot(host, discord_config, SqliteVoteStore(discord_config.feedback_db)))
    refused = await server.member.slash(server.channel, "ask", question=QUESTION)
    assert refused.ephemeral
    assert refused.response.content == f"I only answer in these channels: <#{questions.id}>."
    await server.member.send(server.channel, f"{server.bot.user.mention} {QUESTION}")
    assert server.channel.threads == [], "a mention outside the allowed channels is not answered"
    assert not (await server.member.slash(questions, "ask", question=QUESTION)).ephemeral
    settings = await server.admin.slash(server.channel, "settings show")
    assert settings.ephemeral, "settings work in every channel, so admins can undo a mistake"

    removed = await server.admin.slash(questions, "settings channel", channel=questions, allowed=False)
    assert fields(removed)["Channels I answer in (set in this server)"] == "Every channel"
    assert not (await server.member.slash(server.channel, "ask", question=QUESTION)).ephemeral
    assert [type(e) for e in server.env.errors] == [errors.ChannelNotAllowed]


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [
        (False, "I answer in every channel, so I cannot leave out <#{channel}> alone."),
        (True, f"A server can list at most {MAX_ALLOWED_CHANNELS} channels."),
    ],
)
async def test_a_channel_change_that_cannot_be_made_says_why(server: Server, allowed: bool, expected: str):
    if allowed:
        listed = tuple(range(1, MAX_ALLOWED_CHANNELS + 1))
        await server.bot.server_settings.save(server.guild.id, ServerSettings(allowed_channel_ids=listed))
    options = {"channel": server.channel, "allowed": allowed}
    result = await server.admin.slash(server.channel, "settings channel", **options)
    assert result.ephemeral
    assert expected.format(channel=server.channel.id) in result.response.content
    assert [type(errors.cause(e)) for e in server.env.errors] == [errors.SettingRefused]


@pytest.mark.discord_config(cooldown=Cooldown(rate=0))
async def test_a_cooldown_set_here_applies_to_questions_and_mentions(server: Server) -> None:
    changed = await server.admin.slash(server.channel, "settings cooldown", questions=1, seconds=30)
    assert fields(changed)["Cooldown (set in this server)"] == "1 question per member every 30 seconds"
    assert not (await server.member.slash(server.channel, "ask", question=QUESTION)).ephemeral
    refused = await server.member.slash(server.channel, "search", query="extradition")
    assert refused.response.content == "You're asking a little fast. Please try again in 30 seconds."
    await server.env.advance_time(31)
    assert not (await server.member.slash(server.channel, "ask", question=QUESTION)).ephemeral

    await server.admin.slash(server.channel, "settings cooldown", questions=0)
    for _ in range(3):
        assert not (await server.member.slash(server.channel, "search", query="extradition")).ephemeral
    assert [type(e) for e in server.env.errors] == [errors.CooldownActive]


async def test_out_of_range_cooldowns_cannot_be_sent(server: Server) -> None:
    with pytest.raises(simcord.OptionError):
        await server.admin.slash(server.channel, "settings cooldown", questions=-1)
    with pytest.raises(simcord.OptionError):
        await server.admin.slash(server.channel, "settings cooldown", questions=1, seconds=0)


async def test_a_settings_store_that_fails_is_said_and_answers_follow_the_config(server: Server) -> None:
    server.bot.config = replace(server.bot.config, default_visibility=Visibility.PUBLIC)
    server.bot.feedback.path.mkdir()  # the SQLite file cannot be opened: it is a folder
    result = await server.admin.slash(server.channel, "settings visibility", answers="ephemeral")
    assert result.ephemeral and displayed(result.response.content) == errors.SETTINGS_FAILED
    assert not (await server.member.slash(server.channel, "ask", question=QUESTION)).ephemeral
    assert [type(errors.cause(e)) for e in server.env.errors] == [SettingsNotSaved]
