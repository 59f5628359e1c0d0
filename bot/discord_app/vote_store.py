"""Where votes and each server's settings are kept: a SQLite file for one machine, or
PostgreSQL shared by every process.

`discord.feedback_db` is a path (SQLite) or a `postgresql://` URL. Both stores create or
migrate their tables when first used, and turn every database failure into a `FeedbackError`
with one line naming the store (never the password), so that a vote that cannot be stored
is said to be so and nothing else is affected.

SQLite runs in WAL mode with a busy timeout, so several processes on one machine can share
one file. PostgreSQL is reached with psycopg 3, one short connection per vote (votes are
rare; nothing to keep open, nothing to reconnect when the server comes back).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Protocol

from bot.discord_app.feedback_db import (
    FeedbackError,
    check_postgres_url,
    first_line,
    is_postgres_url,
    redact,
)
from bot.discord_app.server_settings import ServerSettings
from bot.discord_app.settings import Cooldown, Visibility

BUSY_TIMEOUT_SECONDS = 10  # SQLite: how long a writer waits for another process's write
CONNECT_TIMEOUT_SECONDS = 5  # PostgreSQL: a server that is down is reported after this long
SCHEMA_LOCK_KEY = 0x7472_6561_7479  # "treaty": the advisory lock held while creating the table
COLUMNS = ("id", "created_at", "command", "question", "passage_ids", "vote", "index_built_at", "reason")
# Columns added after the first release, with their definition: added to an older table at start.
LATER_COLUMNS = {"index_built_at": "TEXT NOT NULL DEFAULT ''", "reason": "TEXT NOT NULL DEFAULT ''"}

_SQLITE_TABLE = """
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    command TEXT NOT NULL,
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    index_built_at TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT ''
)
"""
_POSTGRES_TABLE = """
CREATE TABLE IF NOT EXISTS votes (
    id BIGSERIAL PRIMARY KEY,
    created_at TEXT NOT NULL,
    command TEXT NOT NULL,
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    vote SMALLINT NOT NULL CHECK (vote IN (-1, 1)),
    index_built_at TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT ''
)
"""
_INSERT = "INSERT INTO votes (created_at, command, question, passage_ids, vote, index_built_at) VALUES "
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM votes ORDER BY id"
# A reason is given once, to a 👎 only.
_SET_REASON = "UPDATE votes SET reason = {p} WHERE id = {p} AND vote = -1 AND reason = ''"

# Each server's own settings; a NULL column means "as in the config file".
_SETTINGS_TABLE = """
CREATE TABLE IF NOT EXISTS server_settings (
    guild_id {id_type} PRIMARY KEY,
    visibility TEXT,
    allowed_channel_ids TEXT,
    cooldown_rate INTEGER,
    cooldown_per_seconds {real_type},
    updated_at TEXT NOT NULL
)
"""
_SQLITE_SETTINGS_TABLE = _SETTINGS_TABLE.format(id_type="INTEGER", real_type="REAL")
_POSTGRES_SETTINGS_TABLE = _SETTINGS_TABLE.format(id_type="BIGINT", real_type="DOUBLE PRECISION")
_SETTINGS_COLUMNS = "visibility, allowed_channel_ids, cooldown_rate, cooldown_per_seconds"
_SELECT_SETTINGS = f"SELECT {_SETTINGS_COLUMNS} FROM server_settings WHERE guild_id = {{p}}"
_SAVE_SETTINGS = f"""
INSERT INTO server_settings (guild_id, {_SETTINGS_COLUMNS}, updated_at)
VALUES ({{p}}, {{p}}, {{p}}, {{p}}, {{p}}, {{p}})
ON CONFLICT (guild_id) DO UPDATE SET visibility = excluded.visibility,
    allowed_channel_ids = excluded.allowed_channel_ids, cooldown_rate = excluded.cooldown_rate,
    cooldown_per_seconds = excluded.cooldown_per_seconds, updated_at = excluded.updated_at
"""


@dataclass(frozen=True)
class ShownAnswer:
    """What a set of vote buttons refers to."""

    command: str
    question: str
    passage_ids: tuple[str, ...]  # the passages shown (what a vote is about)
    index_built_at: str = ""
    listed_ids: tuple[str, ...] = ()  # the relevant passages only listed ("More"), for its button


class Vote(IntEnum):
    DOWN = -1
    UP = 1


class VoteReason(StrEnum):
    """Why an answer got a 👎 (asked after the vote; stored with it)."""

    WRONG_PASSAGE = "wrong_passage"
    NOT_ANSWERED = "not_answered"
    TOO_LONG = "too_long"
    OTHER = "other"


# What the 👎 select offers and the export shows, in this order.
REASON_LABELS = {
    VoteReason.WRONG_PASSAGE: "Wrong passage",
    VoteReason.NOT_ANSWERED: "Did not answer the question",
    VoteReason.TOO_LONG: "Too long",
    VoteReason.OTHER: "Something else",
}


@dataclass(frozen=True)
class VoteRecord:
    id: int
    created_at: str
    command: str
    question: str
    passage_ids: list[str]
    vote: int
    index_built_at: str
    reason: str = ""  # a VoteReason value, or empty


class VoteStore(Protocol):
    where: str  # the store as an operator names it (a path, or a URL without its password)

    def record(self, answer: ShownAnswer, vote: Vote, when: datetime | None = None) -> int: ...

    def set_reason(self, vote_id: int, reason: VoteReason) -> bool: ...

    def votes(self) -> list[VoteRecord]: ...

    def server_settings(self, guild_id: int) -> ServerSettings: ...

    def save_server_settings(
        self, guild_id: int, settings: ServerSettings, when: datetime | None = None
    ) -> None: ...

    def exists(self) -> bool: ...


def open_vote_store(target: str | Path) -> VoteStore:
    """The store `discord.feedback_db` names: a PostgreSQL URL or a SQLite path."""
    if isinstance(target, str) and is_postgres_url(target):
        return PostgresVoteStore(check_postgres_url(target))
    return SqliteVoteStore(Path(target).expanduser().resolve())


def _row(answer: ShownAnswer, vote: Vote, when: datetime | None) -> tuple:
    created = (when or datetime.now(UTC)).isoformat(timespec="seconds")
    passages = json.dumps(list(answer.passage_ids))
    return (created, answer.command, answer.question, passages, int(vote), answer.index_built_at)


def _record(row: tuple) -> VoteRecord:
    return VoteRecord(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6], row[7])


def _settings_row(guild_id: int, settings: ServerSettings, when: datetime | None) -> tuple:
    channels = settings.allowed_channel_ids
    cooldown = settings.cooldown
    return (
        guild_id,
        settings.visibility.value if settings.visibility else None,
        json.dumps(list(channels)) if channels is not None else None,
        cooldown.rate if cooldown else None,
        cooldown.per_seconds if cooldown else None,
        (when or datetime.now(UTC)).isoformat(timespec="seconds"),
    )


def _server_settings(row: tuple | None) -> ServerSettings:
    if row is None:
        return ServerSettings()
    visibility, channels, rate, per_seconds = row
    return ServerSettings(
        visibility=Visibility(visibility) if visibility else None,
        allowed_channel_ids=tuple(json.loads(channels)) if channels is not None else None,
        cooldown=Cooldown(int(rate), float(per_seconds)) if rate is not None else None,
    )


class SqliteVoteStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self._lock = threading.Lock()
        self._ready = False

    def exists(self) -> bool:
        return self.path.is_file()

    def record(self, answer: ShownAnswer, vote: Vote, when: datetime | None = None) -> int:
        with self._connect() as db:
            cursor = db.execute(_INSERT + "(?, ?, ?, ?, ?, ?)", _row(answer, vote, when))
            return int(cursor.lastrowid or 0)

    def set_reason(self, vote_id: int, reason: VoteReason) -> bool:
        with self._connect() as db:
            return db.execute(_SET_REASON.format(p="?"), (reason.value, vote_id)).rowcount == 1

    def server_settings(self, guild_id: int) -> ServerSettings:
        if not self.path.exists():
            return ServerSettings()
        with self._connect() as db:
            return _server_settings(db.execute(_SELECT_SETTINGS.format(p="?"), (guild_id,)).fetchone())

    def save_server_settings(
        self, guild_id: int, settings: ServerSettings, when: datetime | None = None
    ) -> None:
        with self._connect() as db:
            db.execute(_SAVE_SETTINGS.format(p="?"), _settings_row(guild_id, settings, when))

    def votes(self) -> list[VoteRecord]:
        if not self.path.exists():
            return []
        with self._connect() as db:
            return [_record(row) for row in db.execute(_SELECT).fetchall()]

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)) as db, db:
                    if not self._ready:
                        db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
                        db.execute(_SQLITE_TABLE)
                        have = {row[1] for row in db.execute("PRAGMA table_info(votes)")}
                        for name, definition in LATER_COLUMNS.items():
                            if name not in have:
                                db.execute(f"ALTER TABLE votes ADD COLUMN {name} {definition}")
                        db.execute(_SQLITE_SETTINGS_TABLE)
                        self._ready = True
                    yield db
            except (sqlite3.Error, OSError) as exc:
                raise FeedbackError(f"Feedback file {self.path}: {exc}") from exc


class PostgresVoteStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.where = redact(url, url)
        self._ready = False

    def exists(self) -> bool:
        return True  # a server: whether it answers is for votes() to say

    def record(self, answer: ShownAnswer, vote: Vote, when: datetime | None = None) -> int:
        with self._connect() as db:
            cursor = db.execute(_INSERT + "(%s, %s, %s, %s, %s, %s) RETURNING id", _row(answer, vote, when))
            (row_id,) = cursor.fetchone()
            return int(row_id)

    def set_reason(self, vote_id: int, reason: VoteReason) -> bool:
        with self._connect() as db:
            return db.execute(_SET_REASON.format(p="%s"), (reason.value, vote_id)).rowcount == 1

    def server_settings(self, guild_id: int) -> ServerSettings:
        with self._connect() as db:
            return _server_settings(db.execute(_SELECT_SETTINGS.format(p="%s"), (guild_id,)).fetchone())

    def save_server_settings(
        self, guild_id: int, settings: ServerSettings, when: datetime | None = None
    ) -> None:
        with self._connect() as db:
            db.execute(_SAVE_SETTINGS.format(p="%s"), _settings_row(guild_id, settings, when))

    def votes(self) -> list[VoteRecord]:
        with self._connect() as db:
            return [_record(row) for row in db.execute(_SELECT).fetchall()]

    @contextmanager
    def _connect(self) -> Iterator:
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_SECONDS) as db:
                if not self._ready:
                    # Two processes starting together must not both create the table.
                    db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
                    db.execute(_POSTGRES_TABLE)
                    for name, definition in LATER_COLUMNS.items():
                        db.execute(f"ALTER TABLE votes ADD COLUMN IF NOT EXISTS {name} {definition}")
                    db.execute(_POSTGRES_SETTINGS_TABLE)
                    self._ready = True
                yield db
        except psycopg.Error as exc:
            # No chained exception: the driver's message may quote the URL, password and all.
            raise FeedbackError(
                f"Feedback database {self.where}: {redact(first_line(exc), self.url)}"
            ) from None
