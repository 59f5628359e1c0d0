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
from bot.discord_app.vote_store import (
    FeedbackError,
    PostgresVoteStore,
    ShownAnswer,
    SqliteVoteStore,
    Vote,
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
    store.record(ANSWER, Vote.DOWN)
    assert [(v.question, v.index_built_at) for v in store.votes()] == [
        ("old", ""),
        (ANSWER.question, "2026-01-01"),
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
    store.record(ANSWER, Vote.UP)
    assert [v.index_built_at for v in store.votes()] == ["", "2026-01-01"]


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
