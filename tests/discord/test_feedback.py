"""The feedback store, its export, and `treatybot feedback`."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import yaml

from bot.cli import EXIT_FAILURE, EXIT_OK, main
from bot.discord_app.cooldowns import Cooldowns, retry_message
from bot.discord_app.feedback import AnswerLedger, export
from bot.discord_app.settings import Cooldown
from bot.discord_app.vote_store import ShownAnswer, SqliteVoteStore, Vote, VoteReason

ANSWER = ShownAnswer("ask", "What is the 24/7 network?", ("uncc:art41:p1", "uncc:art41:p3"), "2026-01-01")


def test_votes_hold_question_passages_vote_and_time_only(tmp_path: Path) -> None:
    store = SqliteVoteStore(tmp_path / "votes" / "feedback.sqlite3")
    store.record(ANSWER, Vote.UP)
    store.record(ANSWER, Vote.DOWN)
    votes = store.votes()
    assert [(v.question, v.passage_ids, v.vote) for v in votes] == [
        (ANSWER.question, list(ANSWER.passage_ids), 1),
        (ANSWER.question, list(ANSWER.passage_ids), -1),
    ]
    with sqlite3.connect(store.path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(votes)")]
    assert columns == [
        "id",
        "created_at",
        "command",
        "question",
        "passage_ids",
        "vote",
        "index_built_at",
        "reason",
    ]


def test_export_formats(tmp_path: Path) -> None:
    store = SqliteVoteStore(tmp_path / "feedback.sqlite3")
    store.record(ANSWER, Vote.UP)
    store.set_reason(store.record(ANSWER, Vote.DOWN), VoteReason.TOO_LONG)
    records = store.votes()
    rows = list(csv.DictReader(io.StringIO(export(records, "csv"))))
    assert rows[0]["question"] == ANSWER.question and rows[0]["vote"] == "+1"
    assert rows[0]["passage_ids"] == "uncc:art41:p1 uncc:art41:p3"
    assert [row["reason"] for row in rows] == ["", "too_long"]
    exported = json.loads(export(records, "json"))
    assert exported[0]["passage_ids"] == list(ANSWER.passage_ids)
    assert [vote["reason"] for vote in exported] == ["", "too_long"]
    table = export(records, "table")
    assert table.startswith("2 votes: 1 👍, 1 👎") and ANSWER.question in table
    assert table.count("why:") == 1 and "    why: Too long\n" in table


def test_the_feedback_command_prints_and_exports(tmp_path: Path, capsys) -> None:
    db = tmp_path / "feedback.sqlite3"
    SqliteVoteStore(db).record(ANSWER, Vote.DOWN)
    config = tmp_path / "treatybot.yaml"
    config.write_text(yaml.safe_dump({"discord": {"feedback_db": "feedback.sqlite3"}}), encoding="utf-8")

    assert main(["--config", str(config), "feedback"]) == EXIT_OK
    assert "👎  [ask] What is the 24/7 network?" in capsys.readouterr().out
    out = tmp_path / "votes.csv"
    assert main(["--config", str(config), "feedback", "--format", "csv", "--output", str(out)]) == EXIT_OK
    assert out.read_text(encoding="utf-8").splitlines()[1].endswith(",2026-01-01,")
    assert capsys.readouterr().err.strip() == f"Wrote {out}."
    missing = tmp_path / "nothing.sqlite3"
    assert main(["feedback", "--db", str(missing)]) == EXIT_FAILURE
    assert capsys.readouterr().err.strip() == f"treatybot: No feedback file at {missing}."


def test_ledger_remembers_recent_answers_and_first_votes() -> None:
    ledger = AnswerLedger(size=2)
    first = ledger.remember(ANSWER)
    assert ledger.get(first) == ANSWER
    assert ledger.first_vote(first, 1) and not ledger.first_vote(first, 1) and ledger.first_vote(first, 2)
    ledger.remember(ANSWER)
    ledger.remember(ANSWER)
    assert ledger.get(first) is None, "the oldest answer is forgotten"


def test_cooldowns_count_per_server_and_user() -> None:
    now = [0.0]
    cooldowns = Cooldowns(Cooldown(rate=2, per_seconds=10), clock=lambda: now[0])
    assert cooldowns.hit(1, 7) == 0 and cooldowns.hit(1, 7) == 0
    now[0] = 4.0
    assert cooldowns.hit(1, 7) == 6.0
    assert cooldowns.hit(2, 7) == 0 and cooldowns.hit(1, 8) == 0 and cooldowns.hit(None, 7) == 0
    now[0] = 10.0
    assert cooldowns.hit(1, 7) == 0
    assert retry_message(0.2) == "You're asking a little fast. Please try again in 1 second."
    assert Cooldowns(Cooldown(rate=0)).hit(1, 7) == 0


HOSTILE = ShownAnswer("ask", '=HYPERLINK("http://evil.example","x") \x1b]0;pwned\x07\x1b[2J', ("@cmd",), "+1")


def test_csv_export_neutralises_spreadsheet_formulas(tmp_path: Path) -> None:
    store = SqliteVoteStore(tmp_path / "feedback.sqlite3")
    store.record(HOSTILE, Vote.UP)
    store.record(ShownAnswer("ask", "-1+1", ("uncc:art41:p1",)), Vote.DOWN)
    rows = list(csv.DictReader(io.StringIO(export(store.votes(), "csv"))))
    assert rows[0]["question"].startswith("'=HYPERLINK(")
    assert rows[0]["passage_ids"] == "'@cmd" and rows[0]["index_built_at"] == "'+1"
    assert rows[1]["question"] == "'-1+1"
    assert [row["vote"] for row in rows] == ["+1", "-1"]  # our own numbers stay numbers
    text_cells = [v for row in rows for k, v in row.items() if k not in ("id", "vote")]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in text_cells)


def test_table_export_shows_control_characters_instead_of_sending_them(tmp_path: Path) -> None:
    store = SqliteVoteStore(tmp_path / "feedback.sqlite3")
    store.record(HOSTILE, Vote.UP)
    table = export(store.votes(), "table")
    assert "\x1b" not in table and "\x07" not in table
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in table
