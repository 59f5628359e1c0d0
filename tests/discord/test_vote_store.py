"""Vote stores: SQLite shared by processes on one machine, PostgreSQL shared by machines."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot.cli import EXIT_FAILURE, EXIT_OK, main
from bot.discord_app.feedback_db import FeedbackError
from bot.discord_app.server_settings import ServerSettings
from bot.discord_app.settings import Cooldown, Visibility
from bot.discord_app.vote_store import (
    PostgresVoteStore,
    ShownAnswer,
    SqliteVoteStore,
    Vote,
    VoteReason,
    VoteStore,
    open_vote_store,
)
from tests.postgres import Cluster

PROJECT = Path(__file__).resolve().parents[2]
ANSWER = ShownAnswer("ask", "What is the 24/7 network?", ("uncc:art41:p1",), "2026-01-01")
VOTES_PER_WRITER = 150
OLD_TABLE = """CREATE TABLE votes (id {key}, created_at TEXT NOT NULL, command TEXT NOT NULL,
question TEXT NOT NULL, passage_ids TEXT NOT NULL, vote INTEGER NOT NULL)"""
WRITER = """
import sys
from bot.discord_app.vote_store import ShownAnswer
from bot.discord_app.vote_store import Vote, open_vote_store
store = open_vote_store(sys.argv[1])
answer = ShownAnswer("ask", "writer " + sys.argv[2], ("uncc:art41:p1",))
for _ in range(int(sys.argv[3])):
    store.record(answer, Vote.UP)
"""


def write_at_once(target: str) -> None:
    """Two processes record votes into the same store at the same time."""
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, target, name, str(VOTES_PER_WRITER)], cwd=PROJECT)
        for name in ("a", "b")
    ]
    assert [w.wait(timeout=300) for w in writers] == [0, 0]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Cluster]:
    cluster = Cluster().start()
    yield cluster
    cluster.remove()


@pytest.fixture
def database(postgres: Cluster) -> str:
    with psycopg.connect(postgres.url, autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS votes")
        db.execute("DROP TABLE IF EXISTS server_settings")
    return postgres.url


def test_the_store_follows_the_setting(tmp_path: Path) -> None:
    assert isinstance(open_vote_store(tmp_path / "votes.sqlite3"), SqliteVoteStore)
    store = open_vote_store("postgresql://bot:s3cret@db.example.org:5433/votes")
    assert isinstance(store, PostgresVoteStore)
    assert store.where == "postgresql://bot:***@db.example.org:5433/votes"


def test_sqlite_runs_in_wal_mode_and_two_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "votes.sqlite3"
    SqliteVoteStore(path).record(ANSWER, Vote.UP)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    write_at_once(str(path))
    votes = SqliteVoteStore(path).votes()
    assert len(votes) == 1 + 2 * VOTES_PER_WRITER and len({v.id for v in votes}) == len(votes)


def test_sqlite_adds_columns_to_an_older_table(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(OLD_TABLE.format(key="INTEGER PRIMARY KEY"))
        db.execute("INSERT INTO votes VALUES (1, '2025-01-01T00:00:00', 'ask', 'old', '[]', 1)")
    store = SqliteVoteStore(path)
    down = store.record(ANSWER, Vote.DOWN)
    assert store.set_reason(down, VoteReason.TOO_LONG)
    assert [(v.question, v.index_built_at, v.reason) for v in store.votes()] == [
        ("old", "", ""),
        (ANSWER.question, "2026-01-01", "too_long"),
    ]


def test_postgres_keeps_votes_from_two_processes(database: str) -> None:
    store = PostgresVoteStore(database)
    assert store.record(ANSWER, Vote.UP) == 1
    write_at_once(database)
    votes = store.votes()
    assert len(votes) == 1 + 2 * VOTES_PER_WRITER
    assert votes[0].passage_ids == ["uncc:art41:p1"] and votes[0].index_built_at == "2026-01-01"


def test_postgres_adds_columns_to_an_older_table(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as db:
        db.execute(OLD_TABLE.format(key="BIGSERIAL PRIMARY KEY"))
        db.execute(
            "INSERT INTO votes (created_at, command, question, passage_ids, vote) VALUES "
            "('2025-01-01T00:00:00', 'ask', 'old', '[]', 1)"
        )
    store = PostgresVoteStore(database)
    down = store.record(ANSWER, Vote.DOWN)
    assert store.set_reason(down, VoteReason.WRONG_PASSAGE)
    stored = [(v.index_built_at, v.reason) for v in store.votes()]
    assert stored == [("", ""), ("2026-01-01", "wrong_passage")]


def test_a_database_that_is_down_is_one_line_and_comes_back(postgres: Cluster, database: str, capsys) -> None:
    store = PostgresVoteStore(database)
    store.record(ANSWER, Vote.UP)
    postgres.stop()
    try:
        with pytest.raises(
            FeedbackError, match=r"^Feedback database postgresql://treatybot@127\.0\.0\.1:\d+/postgres: "
        ):
            store.record(ANSWER, Vote.UP)
        assert main(["feedback", "--db", database]) == EXIT_FAILURE
        assert capsys.readouterr().err.count("\n") == 1
    finally:
        postgres.start()
    store.record(ANSWER, Vote.DOWN)
    assert main(["feedback", "--db", database, "--format", "json"]) == EXIT_OK
    assert [v["vote"] for v in json.loads(capsys.readouterr().out)] == [1, -1]


def check_reasons_and_server_settings(store: VoteStore) -> None:
    """A reason goes to a 👎 once; each server's settings are kept apart, changed in place."""
    up, down = store.record(ANSWER, Vote.UP), store.record(ANSWER, Vote.DOWN)
    assert not store.set_reason(up, VoteReason.OTHER), "a 👍 has no reason"
    assert store.set_reason(down, VoteReason.NOT_ANSWERED)
    assert not store.set_reason(down, VoteReason.OTHER), "the first reason stays"
    assert [v.reason for v in store.votes()] == ["", "not_answered"]

    assert store.server_settings(1) == ServerSettings()
    first = ServerSettings(visibility=Visibility.EPHEMERAL, allowed_channel_ids=(10, 11))
    store.save_server_settings(1, first)
    store.save_server_settings(2, ServerSettings(allowed_channel_ids=(), cooldown=Cooldown(0, 60.0)))
    assert store.server_settings(1) == first
    changed = ServerSettings(cooldown=Cooldown(3, 30.0))
    store.save_server_settings(1, changed)
    assert store.server_settings(1) == changed
    assert store.server_settings(2) == ServerSettings(allowed_channel_ids=(), cooldown=Cooldown(0, 60.0))


def test_sqlite_keeps_reasons_and_server_settings(tmp_path: Path) -> None:
    check_reasons_and_server_settings(SqliteVoteStore(tmp_path / "votes.sqlite3"))


def test_postgres_keeps_reasons_and_server_settings(database: str) -> None:
    check_reasons_and_server_settings(PostgresVoteStore(database))
