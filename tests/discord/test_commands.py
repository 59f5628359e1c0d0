"""Slash commands, buttons and mentions driven through SimCord: the real discord.py client and
CommandTree, the real engine on the real corpus, a simulated Discord in memory."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

import discord
import pytest
import simcord

from bot.discord_app import error_reporting as errors
from bot.discord_app import render, transformers, views
from bot.discord_app.client import TreatyBot
from bot.discord_app.feedback_db import FeedbackError
from bot.discord_app.settings import Cooldown, Visibility
from bot.discord_app.text import CONTINUES, displayed, escape_markdown
from bot.discord_app.threads import ThreadConversations
from bot.discord_app.vote_store import SqliteVoteStore
from bot.engine.conversation import Conversation
from bot.engine.request_errors import InvalidRequest
from bot.engine.user_input import MAX_QUESTION_CHARS
from bot.presentation import ANALYSIS_SECTION, NOT_COVERED, TREATY_SECTION, draft_warning

pytestmark = pytest.mark.asyncio

SEIZURE_QUESTION = "Can the authorities search and seize stored electronic data?"
NETWORK_QUESTION = "What is the 24/7 network?"
DEFERRED_WITH_THINKING = 5
NO_MENTIONS = {"parse": []}


@dataclass
class World:
    env: simcord.Env
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    bob: simcord.MemberActor

    @property
    def bot(self) -> TreatyBot:
        return self.env.bot  # type: ignore[return-value]


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    guild = simcord_env.create_guild(name="Treaty readers")
    channel = guild.create_text_channel("treaty")
    alice = guild.add_member(simcord_env.create_user("alice"))
    bob = guild.add_member(simcord_env.create_user("bob"))
    return World(simcord_env, guild, channel, alice, bob)


def recorded_errors(world: World) -> list[type[BaseException]]:
    """What the command tree's error handler was given (reading acknowledges them), unwrapped
    from discord.py's CommandInvokeError and TransformerError."""
    return [type(errors.cause(error)) for error in world.env.errors]


def messages_of(result: simcord.InteractionResult) -> list[simcord.ResponseMessage]:
    return [m for m in [result.response, *result.followups] if m is not None]


def embeds_of(result: simcord.InteractionResult) -> list[discord.Embed]:
    return [embed for message in messages_of(result) for embed in message.embeds]


def custom_ids(message: simcord.ResponseMessage | discord.Message) -> list[str]:
    rows = message.components
    if rows and isinstance(rows[0], dict):
        return [c.get("custom_id", "") for row in rows for c in row["components"]]
    return [c.custom_id for row in rows for c in row.children]


def sent_payloads(env: simcord.Env, since: int) -> list[dict]:
    """Bodies of the messages the bot sent (responses, follow-ups, channel messages) since `since`."""
    bodies = []
    for entry in env.http_requests[since:]:
        body = entry.json or {}
        if entry.path.endswith("/callback"):
            body = body.get("data") or {}
        if "content" in body or "embeds" in body:
            bodies.append(body)
    return bodies


def assert_quotes_verbatim(embeds: list[discord.Embed], answer) -> None:
    """The short answer: the first passages the engine chose to show, each with its citation and
    its exact text (whole, or cut with "…" marking the cut), its answering sentence in bold; the
    passages it cut or left out are named under the last."""
    short = render.short_answer(answer)
    hits = [*answer.treaty_hits, *answer.analysis_hits]
    assert 0 < len(embeds) <= min(render.MAX_ANSWER_EMBEDS, len(hits))
    for embed, hit in zip(embeds, hits, strict=False):
        assert displayed(embed.title).startswith(hit.passage.citation)
        shown = displayed(embed.description)
        if hit in short.whole:
            assert shown.endswith(hit.passage.quote)
        else:
            assert shown.endswith(CONTINUES) and shown.removesuffix(CONTINUES)[-60:] in hit.passage.quote
        if hit.highlight and hit in short.whole:
            start, end = hit.highlight
            assert f"**{escape_markdown(hit.passage.quote[start:end])}**" in embed.description
        assert embed.url == hit.passage.link
    more = " ".join(displayed(f.value) for f in embeds[-1].fields if f.name == render.MORE)
    assert short.rest[0].passage.citation in more if short.rest else not more


def assert_notes(embed: discord.Embed, hit, listed=()) -> None:
    """Under a passage: the defined terms it uses, the articles it cites, its counterpart; under
    the last one, the passages the answer only lists."""
    fields = {displayed(f.name): displayed(f.value) for f in embed.fields}
    expected = [f"Defined term ({d.citation})" for d in hit.definitions]
    expected += ["See also"] * bool(hit.see_also) + ["Compare"] * bool(hit.compare) + ["More"] * bool(listed)
    assert list(fields) == expected
    for more in listed:
        assert more.passage.citation in fields["More"]
    for definition in hit.definitions:
        shown = fields[f"Defined term ({definition.citation})"].rstrip("…")
        assert " ".join(definition.text.split()).startswith(shown)
    if hit.compare:
        assert fields["Compare"] == "; ".join(f"{c.citation} ({c.title})" for c in hit.compare)


# --- /ask --------------------------------------------------------------------------------------


async def test_ask_defers_then_answers_with_verbatim_cited_quotes(world: World, engine) -> None:
    since = len(world.env.http_requests)
    result = await world.alice.slash(world.channel, "ask", question=SEIZURE_QUESTION)

    callbacks = [e for e in world.env.http_requests[since:] if e.path.endswith("/callback")]
    assert callbacks[0].json["type"] == DEFERRED_WITH_THINKING, "deferred before any work"
    expected = engine.ask(SEIZURE_QUESTION)
    embeds = embeds_of(result)
    assert_quotes_verbatim(embeds, expected)
    assert any(displayed(e.title).startswith("UNCC Art. 28") for e in embeds)
    assert embeds[0].author.name == TREATY_SECTION
    assert SEIZURE_QUESTION in result.response.content
    assert not result.ephemeral
    last = messages_of(result)[-1]
    buttons = [cid.rsplit(":", 1)[0] for cid in custom_ids(last)]
    assert buttons == ["treatybot:vote:up", "treatybot:vote:down"] + ["treatybot:more"] * bool(
        render.short_answer(expected).rest
    )
    assert all(body.get("allowed_mentions") == NO_MENTIONS for body in sent_payloads(world.env, since))


@pytest.mark.discord_config(default_visibility=Visibility.EPHEMERAL)
async def test_answers_are_private_by_default_unless_asked_public(world: World) -> None:
    private = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    public = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION, public=True)
    assert private.ephemeral and private.response.ephemeral
    assert not public.ephemeral and not public.response.ephemeral
    assert [m.content for m in world.channel.history(viewer=world.bob)] == [public.response.content]


async def test_ask_about_analysis_quotes_commentary_with_draft_warnings(world: World, engine) -> None:
    question = "Why does EFF oppose the treaty?"
    result = await world.alice.slash(world.channel, "ask", question=question, source="analysis")
    expected = engine.ask(question, source="analysis")
    embeds = embeds_of(result)
    assert expected.hits and all(hit.passage.kind == "analysis" for hit in expected.hits)
    assert embeds[0].author.name == ANALYSIS_SECTION
    whole = render.short_answer(expected).whole
    assert 0 < len(embeds) <= render.MAX_ANSWER_EMBEDS
    for embed, hit in zip(embeds, expected.hits, strict=False):
        assert hit not in whole or hit.passage.quote in displayed(embed.description)
        warned = draft_warning(expected.final_text_date) in displayed(embed.description)
        assert warned == hit.passage.draft_era


async def test_an_off_topic_question_gets_one_line_and_no_passages(world: World) -> None:
    question = "What is the recipe for chocolate cookies?"
    result = await world.alice.slash(world.channel, "ask", question=question)
    assert "treatybot answers questions about the UN Convention" in result.response.content
    assert "/help" in result.response.content and NOT_COVERED not in result.response.content
    assert not embeds_of(result)


async def test_user_text_can_never_ping_anyone(world: World) -> None:
    since = len(world.env.http_requests)
    question = "@everyone does <@&1> or @here *matter* in article 41?"
    result = await world.alice.slash(world.channel, "ask", question=question)
    assert displayed(result.response.content) == question  # escaped: shown as typed (in bold)
    assert result.response.content.startswith("**") and result.response.content.endswith("**")
    assert not result.response.message.mention_everyone
    assert all(body["allowed_mentions"] == NO_MENTIONS for body in sent_payloads(world.env, since))


# --- /search and /about ------------------------------------------------------------------------


async def test_search_lists_linked_citations_with_snippets(world: World, engine) -> None:
    result = await world.alice.slash(world.channel, "search", query="intimate images")
    (embed,) = embeds_of(result)
    expected = engine.search("intimate images", k=10)
    lines = displayed(embed.description).split("\n\n")
    assert len(lines) == len(expected.hits)
    for rank, (line, hit) in enumerate(zip(lines, expected.hits, strict=True), 1):
        assert line.startswith(f"{rank}. {hit.passage.citation}\n")  # the link's text
        assert f"]({hit.passage.link})" in embed.description
        snippet = line.split("\n", 1)[1].rstrip("…")
        assert " ".join(hit.passage.quote.split()).startswith(snippet)


async def test_about_names_documents_counts_build_and_model(world: World, engine) -> None:
    result = await world.alice.slash(world.channel, "about")
    (embed,) = embeds_of(result)
    about = engine.about()
    fields = {displayed(f.name).split(" — ")[0]: f.value for f in embed.fields}
    for treaty in about.treaties:
        if treaty.articles:
            assert fields[treaty.name].startswith(f"{treaty.articles} articles")
    assert about.built_at in fields["Index"] and about.model in displayed(fields["Index"])
    assert fields["Shard"] == "Asked on shard 0 of 1; this process runs shard 0"
    assert "<https://docs.un.org/en/A/RES/79/243>" in result.response.content  # no link preview


# --- /article ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "number", "paragraph", "treaty"),
    [
        ({"number": "28", "paragraph": "3"}, 28, "3", "uncc"),
        ({"number": "Art. 28(3)"}, 28, "3", "uncc"),
        ({"number": "search and seizure"}, 28, None, "uncc"),
        ({"number": "19", "treaty": "budapest"}, 19, None, "budapest"),
    ],
)
async def test_article_shows_the_exact_text(world: World, engine, options, number, paragraph, treaty) -> None:
    result = await world.alice.slash(world.channel, "article", **options)
    view = engine.article(number, paragraph, treaty)
    (embed,) = embeds_of(result)
    assert displayed(embed.title) == f"{view.citation} — {view.title}"
    assert displayed(embed.description) == "\n\n".join(p.quote for p in view.passages)
    assert embed.url == view.link
    fields = {displayed(f.name): displayed(f.value) for f in embed.fields}
    compare = "; ".join(f"{c.citation} ({c.title})" for c in view.counterparts)
    assert fields.get("Compare", "") == compare and ("Compare" in fields) == bool(view.counterparts)


async def test_article_autocomplete_matches_numbers_and_title_words(world: World, engine) -> None:
    by_words = await world.alice.autocomplete(world.channel, "article", "number", "search seiz")
    assert by_words == [{"name": "28 · Search and seizure of stored electronic data", "value": "28"}]
    by_number = await world.alice.autocomplete(world.channel, "article", "number", "2")
    assert by_number[0] == {"name": f"2 · {engine.article(2).title}", "value": "2"}
    assert all(choice["value"].startswith("2") for choice in by_number)
    everything = await world.alice.autocomplete(world.channel, "article", "number", "")
    assert len(everything) == 25 and all(len(c["name"]) <= 100 for c in everything)
    budapest = await world.alice.autocomplete(world.channel, "article", "number", "19", treaty="budapest")
    assert budapest[0]["name"] == f"19 · {engine.article(19, treaty='budapest').title}"


@pytest.mark.discord_config(page_timeout_seconds=120)
async def test_long_articles_page_only_for_the_asker_and_buttons_expire(world: World, engine) -> None:
    result = await world.alice.slash(world.channel, "article", number="40")
    message = result.response
    footer = message.embeds[0].footer.text
    pages = int(re.match(r"Page 1 of (\d+)", footer).group(1))
    assert pages > 1

    refused = await world.bob.click(message.message, label="Next")
    assert refused.ephemeral and displayed(refused.response.content) == views.NOT_YOURS
    assert world.channel.last_message.embeds[0].footer.text == footer, "bob did not turn the page"

    await world.alice.click(message.message, label="Next")
    assert world.channel.last_message.embeds[0].footer.text.startswith(f"Page 2 of {pages}")
    await world.alice.click(world.channel.last_message, label="Previous")
    shown = world.channel.last_message.embeds[0]
    assert shown.footer.text == footer and shown.description == message.embeds[0].description

    await world.env.advance_time(121)
    left = [cid.rsplit(":", 1)[0] for cid in custom_ids(world.channel.last_message)]
    assert left == ["treatybot:vote:up", "treatybot:vote:down"], "expired page buttons are removed"


async def test_page_buttons_left_by_a_restart_say_they_expired(world: World, host, discord_config) -> None:
    result = await world.alice.slash(world.channel, "article", number="40")
    await world.env.restart_bot(TreatyBot(host, discord_config, SqliteVoteStore(discord_config.feedback_db)))
    late = await world.alice.click(result.response.message, label="Next")
    assert late.ephemeral and displayed(late.response.content) == views.PAGES_EXPIRED
    assert world.channel.last_message.embeds[0].footer.text.startswith("Page 1 of ")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"number": "999"}, "has 68 articles (1 to 68); there is no Article 999"),
        ({"number": "69"}, "there is no Article 69"),
        ({"number": "28", "paragraph": "9"}, "has no paragraph 9 (it has paragraphs 1 to 4)"),
        ({"number": "data"}, "matches several articles: 9 · Interference with electronic data"),
        ({"number": "zzz"}, "is not an article number or title"),
    ],
)
async def test_article_input_errors_get_a_clear_private_message(world: World, options, expected) -> None:
    result = await world.alice.slash(world.channel, "article", **options)
    assert result.ephemeral and not result.deferred
    assert expected in displayed(result.response.content)
    assert recorded_errors(world) == [InvalidRequest]  # recorded by the tree's error handler, then answered


async def test_an_empty_question_is_refused_with_a_message(world: World) -> None:
    result = await world.alice.slash(world.channel, "ask", question="   ")
    assert result.ephemeral and "Please ask a question" in result.response.content
    assert recorded_errors(world) == [InvalidRequest]


async def test_an_over_long_question_cannot_be_sent(world: World) -> None:
    with pytest.raises(simcord.OptionError, match=f"at most {MAX_QUESTION_CHARS} characters"):
        await world.alice.slash(world.channel, "ask", question="x" * (MAX_QUESTION_CHARS + 1))


# --- cooldowns, channels, failures --------------------------------------------------------------


@pytest.mark.discord_config(cooldown=Cooldown(rate=2, per_seconds=60))
async def test_cooldown_per_server_and_user_with_a_friendly_retry_time(world: World) -> None:
    for _ in range(2):
        assert not (await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)).ephemeral
    await world.env.advance_time(15)
    refused = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    assert refused.ephemeral and not refused.deferred
    assert refused.response.content == "You're asking a little fast. Please try again in 45 seconds."
    await world.alice.send(world.channel, f"{world.bot.user.mention} {NETWORK_QUESTION}")
    reply = world.channel.last_message
    assert reply.author.id == world.bot.user.id and world.channel.threads == []
    assert displayed(reply.content) == "You're asking a little fast. Please try again in 45 seconds."
    assert not (await world.bob.slash(world.channel, "search", query="extradition")).ephemeral
    other_guild = world.env.create_guild(name="Elsewhere")
    alice_elsewhere = other_guild.add_member(world.env.create_user("alice2"))
    elsewhere = other_guild.create_text_channel("x")
    assert not (await alice_elsewhere.slash(elsewhere, "search", query="extradition")).ephemeral
    assert not (await world.alice.slash(world.channel, "about")).ephemeral, "/about is not rate-limited"
    await world.env.advance_time(46)
    assert not (await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)).ephemeral
    assert [type(e) for e in world.env.errors] == [errors.CooldownActive]


@pytest.mark.discord_config(cooldown=Cooldown(rate=2, per_seconds=60))
async def test_a_request_refused_for_what_was_typed_costs_no_cooldown(world: World) -> None:
    for _ in range(3):
        refused = await world.alice.slash(world.channel, "article", number="69")
        assert refused.ephemeral and "there is no Article 69" in displayed(refused.response.content)
    await world.alice.send(world.channel, f"{world.bot.user.mention}    ")  # an empty mention
    for _ in range(2):
        assert not (await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)).ephemeral
    refused = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    assert "Please try again in" in refused.response.content  # the two answers counted, nothing else
    assert recorded_errors(world) == [InvalidRequest] * 3 + [errors.CooldownActive]


async def test_commands_answer_only_in_allowed_channels(world: World) -> None:
    allowed = world.guild.create_text_channel("bot-questions")
    world.bot.config = replace(world.bot.config, allowed_channel_ids=(allowed.id,))
    refused = await world.alice.slash(world.channel, "about")
    assert refused.ephemeral
    assert refused.response.content == f"I only answer in these channels: <#{allowed.id}>."
    assert not (await world.alice.slash(allowed, "about")).ephemeral
    await world.alice.send(world.channel, f"{world.bot.user.mention} {NETWORK_QUESTION}")
    assert world.channel.threads == [] and world.channel.last_message.author.id == world.alice.id
    assert recorded_errors(world) == [errors.ChannelNotAllowed]


async def test_an_unexpected_failure_ends_in_an_apology_and_a_logged_traceback(world: World, caplog) -> None:
    world.env.inject_error("POST", "/webhooks/*", status=500, times=1)
    with caplog.at_level(logging.ERROR):
        result = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    assert displayed(messages_of(result)[-1].content) == errors.APOLOGY
    logged = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert logged and logged[0].exc_info and "500" in str(logged[0].exc_info[1])
    assert isinstance(world.env.errors[0].original, discord.HTTPException)


# --- feedback ------------------------------------------------------------------------------------


async def test_votes_are_stored_with_question_and_passages_but_no_user(world: World, discord_config) -> None:
    result = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    last = messages_of(result)[-1]
    up, down, *_more = custom_ids(last)
    thanks = await world.alice.click(last.message, custom_id=up)
    again = await world.alice.click(last.message, custom_id=up)
    other = await world.bob.click(last.message, custom_id=down)
    assert thanks.ephemeral and displayed(thanks.response.content) == views.THANKS
    assert displayed(again.response.content) == views.ALREADY_VOTED
    assert other.response.content == views.ASK_REASON  # a 👎 asks why (see test_votes)

    votes = SqliteVoteStore(discord_config.feedback_db).votes()
    shown = [e.title for e in embeds_of(result)]
    assert [v.vote for v in votes] == [1, -1]
    for vote in votes:
        assert vote.question == NETWORK_QUESTION and vote.command == "ask"
        assert len(vote.passage_ids) == len(shown) and vote.passage_ids[0].startswith("uncc:art41")
        stored = repr(vote)
        assert str(world.alice.id) not in stored and "alice" not in stored and str(world.bob.id) not in stored


async def test_a_vote_that_could_not_be_stored_can_be_given_again(world: World, monkeypatch) -> None:
    result = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    last = messages_of(result)[-1]
    up = custom_ids(last)[0]
    store = world.bot.feedback
    record = store.record

    def full_disk(*args, **kwargs):
        raise FeedbackError("disk full")

    monkeypatch.setattr(store, "record", full_disk)
    failed = await world.alice.click(last.message, custom_id=up)
    assert failed.ephemeral and displayed(failed.response.content) != views.THANKS
    monkeypatch.setattr(store, "record", record)
    retried = await world.alice.click(last.message, custom_id=up)
    assert displayed(retried.response.content) == views.THANKS
    assert recorded_errors(world) == []  # the button told the user itself


async def test_vote_buttons_still_answer_after_a_restart(world: World, host, discord_config) -> None:
    result = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    last = messages_of(result)[-1]
    await world.env.restart_bot(TreatyBot(host, discord_config, SqliteVoteStore(discord_config.feedback_db)))
    late = await world.alice.click(last.message, custom_id=custom_ids(last)[0])
    assert late.ephemeral and displayed(late.response.content) == views.FORGOTTEN
    fresh = await world.alice.slash(world.channel, "ask", question=NETWORK_QUESTION)
    assert embeds_of(fresh), "the restarted bot answers from the same engine host"


# --- mentions and threads --------------------------------------------------------------------------


async def test_a_mention_opens_a_thread_where_follow_ups_need_no_mention(world: World, engine) -> None:
    await world.alice.send(world.channel, f"{world.bot.user.mention} {NETWORK_QUESTION}")
    (thread,) = world.channel.threads
    assert thread.name == NETWORK_QUESTION
    answer = [m for m in thread.history() if m.author.id == world.bot.user.id]
    assert_quotes_verbatim([e for m in answer for e in m.embeds], engine.ask(NETWORK_QUESTION))
    assert custom_ids(answer[-1])[0].startswith("treatybot:vote:up:")

    follow_up = "Which article covers extradition?"
    await world.bob.send(thread, follow_up)
    replies = [m for m in thread.history() if m.author.id == world.bot.user.id][len(answer) :]
    assert follow_up in displayed(replies[0].content)
    first = engine.ask(NETWORK_QUESTION)
    expected = engine.ask(follow_up, conversation=Conversation().then(first.turn))
    assert_quotes_verbatim([e for m in replies for e in m.embeds], expected)

    before = len(world.channel.history())
    await world.alice.send(world.channel, "Just chatting, no mention.")
    assert len(world.channel.history()) == before + 1 and len(world.channel.threads) == 1


def bot_replies(thread) -> list:
    return [m for m in thread.history() if m.author.bot]


@pytest.mark.parametrize("restart", [False, True], ids=["remembered", "rebuilt-from-history"])
async def test_follow_ups_in_a_thread_are_read_with_the_questions_before(world: World, restart: bool) -> None:
    """'paragraph 4' is of the article just shown, 'the Budapest one' is its counterpart; a bot
    that restarted (no conversation in memory) reads the thread's earlier questions back."""
    await world.alice.send(
        world.channel, f"{world.bot.user.mention} can the police search my laptop under the UN treaty?"
    )
    (thread,) = world.channel.threads
    titles = [displayed(e.title) for m in bot_replies(thread) for e in m.embeds]
    assert titles[0].startswith("UNCC Art. 28")
    for follow_up, expected in (
        ("what does paragraph 4 say", "UNCC Art. 28(4)"),
        ("and the budapest one?", "Budapest Convention Art. 19"),
    ):
        if restart:
            world.bot.conversations = ThreadConversations()
        before = len(bot_replies(thread))
        await world.alice.send(thread, follow_up)
        reply = bot_replies(thread)[before]
        assert displayed(reply.embeds[0].title).startswith(expected), (follow_up, reply.embeds[0].title)


async def test_show_more_shows_the_listed_passages_in_full_to_whoever_asks(world: World, engine) -> None:
    questions = ["When does the convention enter into force?", "What does article 28 say?", "extradition"]
    question = next((q for q in questions if render.short_answer(engine.ask(q)).rest), None)
    assert question is not None, "one of these answers cuts or lists passages it does not quote whole"
    expected = render.short_answer(engine.ask(question)).rest
    result = await world.alice.slash(world.channel, "ask", question=question)
    last = messages_of(result)[-1]
    more = next(cid for cid in custom_ids(last) if cid.startswith("treatybot:more:"))
    shown = await world.bob.click(last.message, custom_id=more)
    embeds = [e for e in embeds_of(shown) if not displayed(e.title).endswith(render.CONTINUED_TITLE)]
    assert shown.ephemeral
    assert [displayed(e.title).split(" — ")[0] for e in embeds] == [h.passage.citation for h in expected]


async def test_an_answer_that_lists_nothing_has_no_show_more_button(world: World, engine) -> None:
    question = next(
        q
        for q in ("What is article 2 (h)?", "What does art. 6 require?")
        if not render.short_answer(engine.ask(q)).rest
    )
    result = await world.alice.slash(world.channel, "ask", question=question)
    assert not any(cid.startswith("treatybot:more:") for cid in custom_ids(messages_of(result)[-1]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "Please ask a question: the text is empty."), ("why " * 150, "the limit is 500")],
)
async def test_a_mention_without_a_usable_question_gets_a_reply(world: World, text: str, expected: str):
    await world.alice.send(world.channel, f"{world.bot.user.mention} {text}")
    reply = world.channel.last_message
    assert reply.author.id == world.bot.user.id and expected in displayed(reply.content)
    assert world.channel.threads == []


# --- logs ------------------------------------------------------------------------------------------


async def test_each_request_is_logged_once_with_latency_and_size_but_no_content(world: World, caplog) -> None:
    question = "Which article covers extradition?"
    with caplog.at_level(logging.INFO, logger="treatybot"):
        result = await world.alice.slash(world.channel, "ask", question=question)
    lines = [r for r in caplog.records if getattr(r, "fields", {}).get("event") == "request"]
    assert len(lines) == 1
    fields = lines[0].fields
    assert fields["command"] == "ask" and fields["outcome"] == "ok" and fields["latency_ms"] > 0
    size = sum(len(m.content) + sum(len(e) for e in m.embeds) for m in messages_of(result))
    assert fields["result_chars"] == size and fields["messages"] == len(messages_of(result))
    info = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert not any("extradition" in f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in info)


# --- /define -----------------------------------------------------------------------------------


def assert_definitions_verbatim(embeds: list[discord.Embed], definitions) -> None:
    """Each definition: titled with its citation and term, its exact text, linked to the treaty."""
    assert len(embeds) == len(definitions)
    for embed, definition in zip(embeds, definitions, strict=True):
        assert displayed(embed.title) == f"{definition.citation} — {definition.term}"
        assert displayed(embed.description) == definition.text
        assert embed.url == definition.link


async def test_define_defers_then_quotes_every_definition_verbatim(world: World, engine) -> None:
    since = len(world.env.http_requests)
    result = await world.alice.slash(world.channel, "define", term="traffic data")

    callbacks = [e for e in world.env.http_requests[since:] if e.path.endswith("/callback")]
    assert callbacks[0].json["type"] == DEFERRED_WITH_THINKING, "deferred before any work"
    definitions = engine.define("traffic data").definitions
    assert [d.citation for d in definitions] == ["UNCC Art. 2(c)", "Budapest Convention Art. 1(d)"]
    assert_definitions_verbatim(embeds_of(result), definitions)
    assert embeds_of(result)[0].author.name == "Defined term"
    assert not result.ephemeral
    buttons = [cid.rsplit(":", 1)[0] for cid in custom_ids(messages_of(result)[-1])]
    assert buttons == ["treatybot:vote:up", "treatybot:vote:down"], "votes, and nothing more to show"
    assert all(body.get("allowed_mentions") == NO_MENTIONS for body in sent_payloads(world.env, since))


@pytest.mark.parametrize(
    ("options", "citations"),
    [
        ({"term": "UNCC Art. 2(c)"}, ["UNCC Art. 2(c)"]),  # the value of a choice picked from the list
        ({"term": "traffic data · Budapest Convention Art. 1(d)"}, ["Budapest Convention Art. 1(d)"]),
        ({"term": "Traffic data", "treaty": "budapest"}, ["Budapest Convention Art. 1(d)"]),
        ({"term": "Freezing or seizure"}, ["UNCC Art. 2(k)"]),  # as the choice names it
        ({"term": "Service Providers"}, ["UNCC Art. 2(e)", "Budapest Convention Art. 1(c)"]),
        ({"term": "intimate image"}, ["UNCC Art. 16(2)"]),  # defined for one article
    ],
)
async def test_define_finds_the_definition_picked_or_typed(world: World, engine, options, citations) -> None:
    result = await world.alice.slash(world.channel, "define", **options)
    by_citation = {d.citation: d for d in engine.defined_terms()}
    assert_definitions_verbatim(embeds_of(result), [by_citation[c] for c in citations])


async def test_define_autocomplete_offers_matching_terms_with_their_citations(world: World, engine) -> None:
    typed = await world.alice.autocomplete(world.channel, "define", "term", "traf")
    assert typed == [
        {"name": "Traffic data · UNCC Art. 2(c)", "value": "UNCC Art. 2(c)"},
        {"name": "traffic data · Budapest Convention Art. 1(d)", "value": "Budapest Convention Art. 1(d)"},
    ]
    everything = await world.alice.autocomplete(world.channel, "define", "term", "")
    assert len(everything) == min(25, len(engine.defined_terms()))
    assert all(0 < len(c["name"]) <= 100 and 0 < len(c["value"]) <= 100 for c in everything)
    budapest = await world.alice.autocomplete(world.channel, "define", "term", "data", treaty="budapest")
    assert [c["value"] for c in budapest] == [
        "Budapest Convention Art. 1(b)",
        "Budapest Convention Art. 1(d)",
    ]
    by_citation = await world.alice.autocomplete(world.channel, "define", "term", "2(k)")
    assert by_citation[0] == {"name": "Freezing or seizure · UNCC Art. 2(k)", "value": "UNCC Art. 2(k)"}
    misspelt = await world.alice.autocomplete(world.channel, "define", "term", "trafic dat")
    assert [c["value"] for c in misspelt[:2]] == ["UNCC Art. 2(c)", "Budapest Convention Art. 1(d)"]
    plural = await world.alice.autocomplete(world.channel, "define", "term", "service providers")
    assert [c["value"] for c in plural] == ["UNCC Art. 2(e)", "Budapest Convention Art. 1(c)"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("trafic dta", "is not a defined term of either treaty. Closest: Traffic data (UNCC Art. 2(c))"),
        ("zzz", "Defined terms: Information and communications technology system, Electronic data"),
    ],
)
async def test_an_unknown_term_gets_the_closest_defined_terms_privately(world: World, term, expected) -> None:
    result = await world.alice.slash(world.channel, "define", term=term)
    assert result.ephemeral and not result.deferred
    text = displayed(result.response.content)
    assert f"'{term}'" in text and expected in text and text.endswith(transformers.PICK_FROM_LIST)
    assert recorded_errors(world) == [InvalidRequest]


# --- /compare ----------------------------------------------------------------------------------


def field_texts(embed: discord.Embed) -> tuple[tuple[str, str], tuple[str, str]]:
    """((left name, left text), (right name, right text)) of a comparison page, as displayed."""
    left, right = embed.fields
    assert left.inline and right.inline, "side by side"
    return (displayed(left.name), displayed(left.value)), (displayed(right.name), displayed(right.value))


async def all_pages(world: World, result: simcord.InteractionResult) -> list[discord.Embed]:
    """Every page of a paged reply, turned by its asker."""
    pages = [result.response.embeds[0]]
    message = result.response.message
    while custom_ids(message) and not message.components[0].children[1].disabled:
        await world.alice.click(message, label="Next")
        message = world.channel.last_message
        pages.append(message.embeds[0])
    return pages


def column_text(pieces: list[str]) -> str:
    return "\n\n".join(piece for piece in pieces if piece != render.END_OF_TEXT)


async def test_compare_shows_both_articles_side_by_side_verbatim(world: World, engine) -> None:
    since = len(world.env.http_requests)
    result = await world.alice.slash(world.channel, "compare", article="28")
    callbacks = [e for e in world.env.http_requests[since:] if e.path.endswith("/callback")]
    assert callbacks[0].json["type"] == DEFERRED_WITH_THINKING
    comparison = engine.compare(28)
    (other,) = comparison.counterparts
    assert other.view.citation == "Budapest Convention Art. 19"

    pages = await all_pages(world, result)
    assert len(pages) > 1
    left, right = [], []
    for number, page in enumerate(pages, 1):
        assert displayed(page.title) == "UNCC Art. 28 ↔ Budapest Convention Art. 19"
        assert page.url == comparison.article.link
        assert page.footer.text.startswith(f"Page {number} of {len(pages)} · UNCC Art. 28")
        description = displayed(page.description)
        assert f"Basis of the pairing (Budapest Convention Art. 19): {other.basis}" in description
        assert f"[Budapest Convention]({other.view.link})" in page.description
        (left_name, left_text), (right_name, right_text) = field_texts(page)
        assert left_name == f"UNCC Art. 28 — {comparison.article.title}"
        assert right_name == f"Budapest Convention Art. 19 — {other.view.title}"
        left.append(left_text)
        right.append(right_text)
    assert column_text(left) == "\n\n".join(p.quote for p in comparison.article.passages)
    assert column_text(right) == "\n\n".join(p.quote for p in other.view.passages)
    assert all(body.get("allowed_mentions") == NO_MENTIONS for body in sent_payloads(world.env, since))


async def test_compare_pages_turn_only_for_the_asker(world: World) -> None:
    result = await world.alice.slash(world.channel, "compare", article="search and seizure")
    footer = result.response.embeds[0].footer.text
    refused = await world.bob.click(result.response.message, label="Next")
    assert refused.ephemeral and displayed(refused.response.content) == views.NOT_YOURS
    assert world.channel.last_message.embeds[0].footer.text == footer


async def test_compare_with_several_counterparts_names_each_with_its_basis(world: World, engine) -> None:
    comparison = engine.compare(64)
    result = await world.alice.slash(world.channel, "compare", article="64")
    pages = await all_pages(world, result)
    by_citation = {c.view.citation: c for c in comparison.counterparts}
    shown: dict[str, list[str]] = {}
    for page in pages:
        _left, (right_name, right_text) = field_texts(page)
        citation = right_name.split(" — ")[0]
        shown.setdefault(citation, []).append(right_text)
        assert f"(Budapest Convention Art. {citation.rsplit(' ', 1)[1]}): " in displayed(page.description)
        assert by_citation[citation].basis in displayed(page.description)
    assert list(shown) == list(by_citation) == ["Budapest Convention Art. 36", "Budapest Convention Art. 37"]
    for citation, pieces in shown.items():
        assert column_text(pieces) == "\n\n".join(p.quote for p in by_citation[citation].view.passages)


async def test_compare_from_the_budapest_convention(world: World, engine) -> None:
    result = await world.alice.slash(world.channel, "compare", article="19", treaty="budapest")
    (left_name, _), (right_name, _) = field_texts(result.response.embeds[0])
    assert left_name.startswith("Budapest Convention Art. 19 — ")
    assert right_name == f"UNCC Art. 28 — {engine.article(28).title}"


async def test_compare_autocomplete_is_the_article_autocomplete(world: World, engine) -> None:
    by_words = await world.alice.autocomplete(world.channel, "compare", "article", "search seiz")
    assert by_words == [{"name": "28 · Search and seizure of stored electronic data", "value": "28"}]
    budapest = await world.alice.autocomplete(world.channel, "compare", "article", "19", treaty="budapest")
    assert budapest[0]["name"] == f"19 · {engine.article(19, treaty='budapest').title}"


async def test_an_article_without_counterpart_says_so_and_shows_its_text(world: World, engine) -> None:
    result = await world.alice.slash(world.channel, "compare", article="1")
    comparison = engine.compare(1)
    (notice,) = comparison.notices
    assert displayed(result.response.content) == notice
    assert "has no counterpart in the Budapest Convention" in notice
    (embed,) = embeds_of(result)
    assert displayed(embed.title) == f"UNCC Art. 1 — {comparison.article.title}"
    assert displayed(embed.description) == "\n\n".join(p.quote for p in comparison.article.passages)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"article": "69"}, "The UNCC has 68 articles (1 to 68); there is no Article 69."),
        ({"article": "49", "treaty": "budapest"}, "has 48 articles (1 to 48); there is no Article 49."),
        ({"article": "zzz"}, "is not an article number or title"),
        ({"article": "28(3)"}, "Comparisons work on whole articles: try 28"),
    ],
)
async def test_compare_input_errors_get_a_clear_private_message(world: World, options, expected) -> None:
    result = await world.alice.slash(world.channel, "compare", **options)
    assert result.ephemeral and not result.deferred
    assert expected in displayed(result.response.content)
    assert recorded_errors(world) == [InvalidRequest]


@pytest.mark.discord_config(cooldown=Cooldown(rate=2, per_seconds=60))
async def test_define_and_compare_share_the_question_cooldown(world: World, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="treatybot"):
        assert not (await world.alice.slash(world.channel, "define", term="emergency")).ephemeral
        assert not (await world.alice.slash(world.channel, "compare", article="41")).ephemeral
        refused = await world.alice.slash(world.channel, "define", term="emergency")
    assert refused.ephemeral and "Please try again in" in refused.response.content
    lines = [r.fields for r in caplog.records if getattr(r, "fields", {}).get("event") == "request"]
    assert [(f["command"], f["outcome"]) for f in lines] == [
        ("define", "ok"),
        ("compare", "ok"),
        ("define", "cooldown"),
    ]
    assert [type(e) for e in world.env.errors] == [errors.CooldownActive]
