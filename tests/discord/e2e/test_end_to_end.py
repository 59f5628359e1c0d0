"""End to end over loopback: `treatybot serve` in its own process, a fake Discord on 127.0.0.1.

The bot is pointed at the fake server with DISCORD_API_BASE and DISCORD_GATEWAY_URL; the
test plays Discord, sends interactions through the gateway and asserts on what came back.
"""

from __future__ import annotations

import json
import subprocess
import time

from bot.discord_app import render
from bot.discord_app.text import displayed
from bot.engine.engine import Engine
from tests.discord.e2e.conftest import (
    BOT_TOKEN,
    LiveBot,
    serve_command,
    serve_environment,
    write_config,
)
from tests.discord.e2e.fake_discord import AUTOCOMPLETE, FakeDiscord

ANSWER_TIMEOUT = 30.0
POLL_SECONDS = 0.05
QUICK_EXIT_TIMEOUT = 60.0
DEFERRED_WITH_THINKING, MESSAGE_RESPONSE, AUTOCOMPLETE_RESULT = 5, 4, 8
EPHEMERAL = 1 << 6
QUESTION = "Can the authorities search and seize stored electronic data?"
USER = 1001


def request_lines(bot: LiveBot) -> list[dict]:
    lines = [json.loads(line) for line in bot.log_text().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "request"]


def wait_for_followup(bot: LiveBot, sent) -> dict:
    server = bot.server
    server.wait_for_requests(lambda r: r in server.followups(sent), 1, ANSWER_TIMEOUT)
    return server.followups(sent)[0].body


def button_names(message: dict) -> list[str]:
    """Each button's label, or its emoji when it has none (the votes)."""
    buttons = [c for row in message["components"] for c in row["components"]]
    return [c.get("label") or (c.get("emoji") or {}).get("name") for c in buttons]


def test_ask_is_deferred_then_answered_with_verbatim_cited_quotes(live_bot: LiveBot, engine: Engine) -> None:
    sent = live_bot.server.slash("ask", USER, question=QUESTION)
    followup = wait_for_followup(live_bot, sent)
    (defer,) = live_bot.server.callbacks(sent)
    assert defer.body["type"] == DEFERRED_WITH_THINKING
    assert defer.at < live_bot.server.followups(sent)[0].at

    expected = engine.ask(QUESTION)
    short = render.short_answer(expected)
    embeds = followup["embeds"]
    assert len(embeds) == len(short.reply.embeds) <= render.MAX_ANSWER_EMBEDS
    for embed, sent in zip(embeds, short.reply.embeds, strict=True):
        assert embed["title"] == sent.title and embed["description"] == sent.description
    for embed, hit in zip(embeds, [*expected.treaty_hits, *expected.analysis_hits], strict=False):
        assert displayed(embed["title"]).startswith(hit.passage.citation)
        assert hit not in short.whole or displayed(embed["description"]).endswith(hit.passage.quote)
    assert followup["allowed_mentions"] == {"parse": []}
    buttons = [c["custom_id"] for row in followup["components"] for c in row["components"]]
    more = ["treatybot:more"] * bool(short.rest)
    assert [b.rsplit(":", 1)[0] for b in buttons] == ["treatybot:vote:up", "treatybot:vote:down", *more]


def test_article_is_answered_with_the_exact_text_and_page_buttons(live_bot: LiveBot, engine: Engine) -> None:
    paragraph = live_bot.server.slash("article", USER, number="28", paragraph="3")
    embed = wait_for_followup(live_bot, paragraph)["embeds"][0]
    view = engine.article(28, "3")
    assert displayed(embed["title"]) == f"{view.citation} — {view.title}"
    assert displayed(embed["description"]) == view.passages[0].quote

    long = live_bot.server.slash("article", USER, number="40")
    followup = wait_for_followup(live_bot, long)
    assert followup["embeds"][0]["footer"]["text"].startswith("Page 1 of ")
    assert button_names(followup) == ["Previous", "Next", "👍", "👎"]


def test_autocomplete_and_bad_input_over_the_wire(live_bot: LiveBot) -> None:
    server = live_bot.server
    typed = server.interaction(AUTOCOMPLETE, "article", USER, {"number": "seizure"}, focused="number")
    server.wait_for_requests(lambda r: r in server.callbacks(typed), 1, ANSWER_TIMEOUT)
    (choices,) = server.callbacks(typed)
    assert choices.body["type"] == AUTOCOMPLETE_RESULT
    assert choices.body["data"]["choices"][0] == {
        "name": "28 · Search and seizure of stored electronic data",
        "value": "28",
    }

    wrong = server.slash("article", USER, number="999")
    server.wait_for_requests(lambda r: r in server.callbacks(wrong), 1, ANSWER_TIMEOUT)
    (reply,) = server.callbacks(wrong)
    assert reply.body["type"] == MESSAGE_RESPONSE and reply.body["data"]["flags"] == EPHEMERAL
    assert "there is no Article 999" in reply.body["data"]["content"]


def test_logs_have_one_line_per_request_and_never_the_token_or_question(live_bot: LiveBot) -> None:
    question = "Which article is about extradition?"
    before = len(request_lines(live_bot))
    sent = live_bot.server.slash("ask", USER, question=question)
    wait_for_followup(live_bot, sent)
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while len(request_lines(live_bot)) == before and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)  # the line is written just after the answer is sent
    requests = request_lines(live_bot)
    assert requests[before:] and requests[before]["command"] == "ask"
    for line in requests:
        assert line["latency_ms"] >= 0 and line["result_chars"] >= 0 and line["outcome"]
    assert BOT_TOKEN not in live_bot.log_text() and question not in live_bot.log_text()


def _serve_once(settings, index_dir, tmp_path, server: FakeDiscord | None, token: str | None, discord: dict):
    config = write_config(tmp_path / "treatybot.yaml", settings, index_dir, discord)
    return subprocess.run(
        serve_command(config),
        env=serve_environment(server, token),
        capture_output=True,
        text=True,
        timeout=QUICK_EXIT_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def test_a_rejected_token_ends_in_one_clear_line(settings, index_dir, tmp_path) -> None:
    server = FakeDiscord(BOT_TOKEN).start()
    wrong = "this-token-is-wrong.and.must-never-be-printed"
    try:
        done = _serve_once(settings, index_dir, tmp_path, server, wrong, {"guild_ids": [server.guild_id]})
    finally:
        server.stop()
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "treatybot: Discord rejected the bot token (401 Unauthorized). Check DISCORD_TOKEN."
    )
    assert "Traceback" not in done.stderr and wrong not in done.stderr + done.stdout


def test_a_missing_token_ends_in_one_clear_line(settings, index_dir, tmp_path) -> None:
    done = _serve_once(settings, index_dir, tmp_path, None, None, {"token_file": "no-such-file"})
    assert done.returncode == 1
    assert done.stderr.strip() == f"treatybot: The token file {tmp_path / 'no-such-file'} does not exist."


def test_a_missing_index_ends_in_one_clear_line_before_logging_in(settings, tmp_path) -> None:
    server = FakeDiscord(BOT_TOKEN).start()
    try:
        done = _serve_once(settings, tmp_path / "no-index", tmp_path, server, BOT_TOKEN, {})
        assert server.requests() == [], "nothing is sent to Discord"
    finally:
        server.stop()
    assert done.returncode == 1
    missing = tmp_path / "no-index"
    assert done.stderr.strip() == f"treatybot: No index at {missing}. Build it first with: treatybot build"


def test_define_and_compare_over_the_wire(live_bot: LiveBot, engine: Engine) -> None:
    server = live_bot.server
    typed = server.interaction(AUTOCOMPLETE, "define", USER, {"term": "traf"}, focused="term")
    server.wait_for_requests(lambda r: r in server.callbacks(typed), 1, ANSWER_TIMEOUT)
    (choices,) = server.callbacks(typed)
    assert choices.body["data"]["choices"][0] == {
        "name": "Traffic data · UNCC Art. 2(c)",
        "value": "UNCC Art. 2(c)",
    }

    defined = server.slash("define", USER, term="UNCC Art. 2(c)")
    (embed,) = wait_for_followup(live_bot, defined)["embeds"]
    assert server.callbacks(defined)[0].body["type"] == DEFERRED_WITH_THINKING
    (definition,) = [d for d in engine.defined_terms() if d.citation == "UNCC Art. 2(c)"]
    assert displayed(embed["title"]) == "UNCC Art. 2(c) — Traffic data"
    assert displayed(embed["description"]) == definition.text

    compared = server.slash("compare", USER, article="28")
    followup = wait_for_followup(live_bot, compared)
    left, right = followup["embeds"][0]["fields"]
    assert displayed(left["name"]).startswith("UNCC Art. 28 — ") and left["inline"]
    assert displayed(right["name"]).startswith("Budapest Convention Art. 19 — ") and right["inline"]
    assert button_names(followup) == ["Previous", "Next", "👍", "👎"]
    assert followup["allowed_mentions"] == {"parse": []}


def test_a_mention_opens_a_thread_where_a_follow_up_needs_no_mention(live_bot: LiveBot) -> None:
    server = live_bot.server
    server.say(f"<@{server.application_id}> {QUESTION}", USER)
    server.wait_for(lambda state: bool(state.threads), ANSWER_TIMEOUT, "a thread")
    thread = server.threads()[-1]
    assert thread["name"] == QUESTION and thread["owner_id"] == str(server.application_id)

    def in_thread(r) -> bool:
        return r.method == "POST" and r.path == f"/channels/{thread['id']}/messages"

    server.wait_for_requests(in_thread, 1, ANSWER_TIMEOUT)
    first = len(server.requests(in_thread))
    server.say("What safeguards apply?", USER, int(thread["id"]), mention_bot=False)
    server.wait_for_requests(in_thread, first + 1, ANSWER_TIMEOUT)
    follow_up = server.requests(in_thread)[first].body
    assert displayed(follow_up["content"]).startswith("What safeguards apply?")
    assert any(displayed(e["title"]).startswith("UNCC Art. 24") for e in follow_up["embeds"])
