"""The message command "Ask treatybot about this message": private answers about someone's
message, with their own cooldown, through the real discord.py client in SimCord."""

from __future__ import annotations

import pytest

from bot.discord_app import error_reporting as errors
from bot.discord_app.cogs.message_questions import MENU_NAME, NO_TEXT
from bot.discord_app.server_settings import ServerSettings
from bot.discord_app.settings import Cooldown, Visibility
from bot.discord_app.text import displayed
from bot.discord_app.vote_store import SqliteVoteStore
from tests.discord.test_commands import (
    DEFERRED_WITH_THINKING,
    World,
    assert_quotes_verbatim,
    custom_ids,
    embeds_of,
    messages_of,
)
from tests.discord.test_commands import world as world  # the fixture

pytestmark = pytest.mark.asyncio
CLAIM = "The treaty lets the police search stored electronic data without any safeguards."


@pytest.mark.discord_config(default_visibility=Visibility.PUBLIC)
async def test_answers_privately_about_the_selected_message(world: World, engine) -> None:
    claim = await world.bob.send(world.channel, CLAIM)
    since = len(world.env.http_requests)
    result = await world.alice.context_menu(world.channel, MENU_NAME, claim)
    callbacks = [e for e in world.env.http_requests[since:] if e.path.endswith("/callback")]
    assert callbacks[0].json["type"] == DEFERRED_WITH_THINKING, "deferred before any work"
    assert result.ephemeral, "private even where answers are public by default"
    assert_quotes_verbatim(embeds_of(result), engine.ask(CLAIM))
    assert CLAIM in displayed(result.response.content)
    assert [m.author.id for m in world.channel.history()] == [world.bob.id], "nothing posted in the channel"

    last = messages_of(result)[-1]
    await world.alice.click(last.message, custom_id=custom_ids(last)[0])
    (vote,) = SqliteVoteStore(world.bot.config.feedback_db).votes()
    assert (vote.command, vote.question, vote.vote) == ("context menu", CLAIM, 1)


async def test_mentions_in_the_message_are_asked_as_names(world: World, engine) -> None:
    claim = await world.bob.send(
        world.channel, f"{world.alice.mention} says article 41 sets up a 24/7 network"
    )
    result = await world.alice.context_menu(world.channel, MENU_NAME, claim)
    question = "@alice says article 41 sets up a 24/7 network"
    assert question in displayed(result.response.content) and "<@" not in result.response.content
    assert_quotes_verbatim(embeds_of(result), engine.ask(question))


TOO_LONG = "why " * 150


@pytest.mark.parametrize(
    ("text", "attachments", "expected"),
    [
        ("", [("map.png", b"\x89PNG")], NO_TEXT),
        (TOO_LONG, [], f"That message is {len(TOO_LONG.strip())} characters long; I can answer about "),
    ],
    ids=["attachment-only", "too-long"],
)
@pytest.mark.discord_config(context_menu_cooldown=Cooldown(rate=1, per_seconds=60))
async def test_a_message_without_a_usable_question_is_refused_without_costing_the_cooldown(
    world: World, text: str, attachments: list, expected: str
) -> None:
    unusable = await world.bob.send(world.channel, text, attachments=attachments)
    refused = await world.alice.context_menu(world.channel, MENU_NAME, unusable)
    assert refused.ephemeral and not refused.deferred
    assert displayed(refused.response.content).startswith(expected)
    claim = await world.bob.send(world.channel, CLAIM)
    assert embeds_of(await world.alice.context_menu(world.channel, MENU_NAME, claim)), (
        "the refusal cost nothing"
    )
    assert [type(errors.cause(e)) for e in world.env.errors] == [errors.MessageNotAskable]


@pytest.mark.discord_config(
    cooldown=Cooldown(rate=1, per_seconds=60), context_menu_cooldown=Cooldown(rate=1, per_seconds=30)
)
async def test_its_cooldown_is_its_own(world: World) -> None:
    claim = await world.bob.send(world.channel, CLAIM)
    assert embeds_of(await world.alice.context_menu(world.channel, MENU_NAME, claim))
    assert embeds_of(await world.alice.slash(world.channel, "ask", question=CLAIM)), "questions count apart"
    refused = await world.alice.context_menu(world.channel, MENU_NAME, claim)
    assert refused.ephemeral and refused.response.content == (
        "You're asking a little fast. Please try again in 30 seconds."
    )
    assert embeds_of(await world.bob.context_menu(world.channel, MENU_NAME, claim)), "per user"
    await world.env.advance_time(31)
    assert embeds_of(await world.alice.context_menu(world.channel, MENU_NAME, claim))
    assert [type(errors.cause(e)) for e in world.env.errors] == [errors.CooldownActive]


async def test_it_answers_only_in_the_servers_allowed_channels(world: World) -> None:
    allowed = world.guild.create_text_channel("questions")
    await world.bot.server_settings.save(world.guild.id, ServerSettings(allowed_channel_ids=(allowed.id,)))
    claim = await world.bob.send(world.channel, CLAIM)
    refused = await world.alice.context_menu(world.channel, MENU_NAME, claim)
    assert refused.response.content == f"I only answer in these channels: <#{allowed.id}>."
    assert [type(errors.cause(e)) for e in world.env.errors] == [errors.ChannelNotAllowed]
