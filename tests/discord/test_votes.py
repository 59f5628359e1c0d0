"""👍 / 👎 under every kind of answer, and the reason a 👎 is asked for, stored with the vote."""

from __future__ import annotations

import pytest

from bot.discord_app import views
from bot.discord_app.text import displayed
from bot.discord_app.vote_store import REASON_LABELS, SqliteVoteStore, VoteReason
from tests.discord.test_commands import World, custom_ids, messages_of
from tests.discord.test_commands import world as world  # the fixture

pytestmark = pytest.mark.asyncio
NETWORK_QUESTION = "What is the 24/7 network?"
PAGE_TIMEOUT_SECONDS = 120


def vote_ids(message) -> tuple[str, str]:
    up, down = [cid for cid in custom_ids(message) if cid.startswith(views.VOTE_PREFIX)]
    assert up.startswith(f"{views.VOTE_PREFIX}:up:") and down.startswith(f"{views.VOTE_PREFIX}:down:")
    return up, down


def stored(world: World) -> list[tuple[str, str, int, str]]:
    votes = SqliteVoteStore(world.bot.config.feedback_db).votes()
    return [(v.command, v.question, v.vote, v.reason) for v in votes]


@pytest.mark.parametrize(
    ("command", "options", "asked"),
    [
        ("ask", {"question": NETWORK_QUESTION}, NETWORK_QUESTION),
        ("search", {"query": "intimate images"}, "intimate images"),
        ("article", {"number": "28", "paragraph": "3"}, "UNCC Art. 28(3)"),
        ("article", {"number": "40"}, "UNCC Art. 40"),  # paged
        ("compare", {"article": "28"}, "UNCC Art. 28"),  # paged
        ("compare", {"article": "1"}, "UNCC Art. 1"),  # one page, no counterpart
        ("define", {"term": "traffic data"}, "Traffic data"),  # as the treaty writes it
    ],
)
async def test_every_command_answer_takes_votes_and_a_down_vote_asks_why(
    world: World, command: str, options: dict, asked: str
) -> None:
    result = await world.alice.slash(world.channel, command, **options)
    last = messages_of(result)[-1]
    up, down = vote_ids(last)

    thanks = await world.bob.click(last.message, custom_id=up)  # anyone may vote, not only the asker
    assert thanks.ephemeral and displayed(thanks.response.content) == views.THANKS
    why = await world.alice.click(last.message, custom_id=down)
    assert why.ephemeral and why.response.content == views.ASK_REASON
    (select,) = why.response.message.components[0].children
    assert [option.label for option in select.options] == list(REASON_LABELS.values())

    noted = await world.alice.select(why.response.message, [VoteReason.TOO_LONG.value])
    assert noted.response.content == views.REASON_NOTED.format(reason="Too long")
    assert noted.response.message.components == [], "the select goes once answered"
    assert stored(world) == [(command, asked, 1, ""), (command, asked, -1, "too_long")]
    assert world.env.errors == []


async def test_a_down_vote_without_a_reason_is_still_counted(world: World) -> None:
    result = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    _up, down = vote_ids(messages_of(result)[-1])
    await world.alice.click(messages_of(result)[-1].message, custom_id=down)
    assert stored(world) == [("ask", NETWORK_QUESTION, -1, "")]


async def test_mentions_and_thread_follow_ups_take_votes_as_such(world: World) -> None:
    await world.alice.send(world.channel, f"{world.bot.user.mention} {NETWORK_QUESTION}")
    (thread,) = world.channel.threads
    await world.bob.send(thread, "Which article covers extradition?")
    answers = [m for m in thread.history() if m.author.id == world.bot.user.id and custom_ids(m)]
    assert len(answers) == 2
    for answer in answers:
        await world.alice.click(answer, custom_id=vote_ids(answer)[0])
    assert [(command, vote) for command, _q, vote, _r in stored(world)] == [("mention", 1), ("thread", 1)]


@pytest.mark.discord_config(page_timeout_seconds=PAGE_TIMEOUT_SECONDS)
async def test_votes_outlive_the_page_buttons_and_every_other_answer_keeps_its_votes(world: World) -> None:
    paged = await world.alice.slash(world.channel, "article", number="40")
    ask = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    await world.env.advance_time(PAGE_TIMEOUT_SECONDS + 1)

    message = paged.response.message
    refreshed = next(m for m in world.channel.history() if m.id == message.id)
    assert [cid.rsplit(":", 1)[0] for cid in custom_ids(refreshed)] == [
        "treatybot:vote:up",
        "treatybot:vote:down",
    ], "the page buttons went, the votes stayed"
    on_page = await world.bob.click(refreshed, custom_id=vote_ids(refreshed)[0])
    on_answer = await world.bob.click(
        messages_of(ask)[-1].message, custom_id=vote_ids(messages_of(ask)[-1])[0]
    )
    assert displayed(on_page.response.content) == displayed(on_answer.response.content) == views.THANKS


async def test_the_asker_alone_turns_pages_but_anyone_votes_on_them(world: World) -> None:
    result = await world.alice.slash(world.channel, "article", number="40")
    message = result.response.message
    refused = await world.bob.click(message, label="Next")
    assert displayed(refused.response.content) == views.NOT_YOURS
    voted = await world.bob.click(message, custom_id=vote_ids(result.response)[0])
    assert displayed(voted.response.content) == views.THANKS
