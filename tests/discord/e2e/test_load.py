"""Load: 100 /ask interactions at once through the fake Discord server, to a real bot process.

Every interaction must be deferred within Discord's 3 seconds and every one answered. The
latency distribution is printed (run with -s to see it).
"""

from __future__ import annotations

import statistics

from tests.discord.e2e.conftest import LiveBot

CONCURRENT_ASKS = 100
DEFERRAL_DEADLINE = 3.0  # Discord's limit for the first response to an interaction
ANSWER_TIMEOUT = 120.0
QUESTIONS = (
    "Can the authorities search and seize stored electronic data?",
    "What is the 24/7 network?",
    "Why does EFF oppose the treaty?",
    "What safeguards protect human rights?",
    "Which offences must States criminalise?",
    "How does extradition work under the convention?",
    "What is a production order?",
    "Does the treaty cover intimate images shared without consent?",
    "What is article 2 (h)?",
    "How is the Conference of the States Parties organised?",
)
PERCENTILES = (50, 95)


def distribution(seconds: list[float]) -> str:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    parts = [f"p{p} {cuts[p - 1] * 1000:.0f} ms" for p in PERCENTILES]
    return ", ".join([*parts, f"max {max(seconds) * 1000:.0f} ms"])


def test_a_hundred_concurrent_asks_are_all_deferred_in_time_and_answered(live_bot: LiveBot) -> None:
    server = live_bot.server
    first_user = 50_000
    calls = [(first_user + n, {"question": QUESTIONS[n % len(QUESTIONS)]}) for n in range(CONCURRENT_ASKS)]
    sent = server.burst("ask", calls)
    tokens = {s.token for s in sent}
    server.wait_for_requests(
        lambda r: r.method == "POST" and r.path.rsplit("/", 1)[-1] in tokens, CONCURRENT_ASKS, ANSWER_TIMEOUT
    )

    deferrals, answers = [], []
    for interaction in sent:
        (defer,) = server.callbacks(interaction)
        followups = server.followups(interaction)
        assert defer.body["type"] == 5 and followups and followups[0].body["embeds"]
        deferrals.append(defer.at - interaction.sent_at)
        answers.append(followups[0].at - interaction.sent_at)
    print(f"\n{CONCURRENT_ASKS} concurrent /ask: deferral {distribution(deferrals)}")
    print(f"{CONCURRENT_ASKS} concurrent /ask: answer   {distribution(answers)}")
    assert max(deferrals) < DEFERRAL_DEADLINE
