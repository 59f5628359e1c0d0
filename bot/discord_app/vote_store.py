"""Where votes are kept: a SQLite file for one machine, or PostgreSQL shared by every process.

`discord.feedback_db` is a path (SQLite) or a `postgresql://` URL. Both stores create or
migrate their table when first used, and turn every database failure into a `FeedbackError`
with one line naming the store (never the password), so that a vote that cannot be stored
is said to be so and nothing else is affected.

SQLite runs in WAL mode with a busy timeout, so several processes on one machine can share
one file. PostgreSQL is reached with psycopg 3, one short connection per vote (votes are
rare; nothing to keep open, nothing to reconnect when the server comes back).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote

from index_build.config import ConfigError

if TYPE_CHECKING:
    from bot.discord_app.feedback import ShownAnswer

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
BUSY_TIMEOUT_SECONDS = 10  # SQLite: how long a writer waits for another process's write
CONNECT_TIMEOUT_SECONDS = 5  # PostgreSQL: a server that is down is reported after this long
SCHEMA_LOCK_KEY = 0x7472_6561_7479  # "treaty": the advisory lock held while creating the table
COLUMNS = ("id", "created_at", "command", "question", "passage_ids", "vote", "index_built_at")
# Columns added after the first release, with their definition: added to an older table at start.
LATER_COLUMNS = {"index_built_at": "TEXT NOT NULL DEFAULT ''"}
REDACTED = "***"
# Where a database URL holds a password: user:PASSWORD@host, and ?password= (or sslpassword=).
URL_PASSWORD = re.compile(r"(://[^/?#@\s]*?:)([^/?#@\s]*)(@)")
QUERY_PASSWORD = re.compile(r"([?&](?:ssl)?password=)([^&#\s]*)", re.IGNORECASE)
MAX_PORT = 65535

_SQLITE_TABLE = """
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    command TEXT NOT NULL,
    question TEXT NOT NULL,
    passage_ids TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    index_built_at TEXT NOT NULL DEFAULT ''
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
    index_built_at TEXT NOT NULL DEFAULT ''
)
"""
_INSERT = "INSERT INTO votes (created_at, command, question, passage_ids, vote, index_built_at) VALUES "
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM votes ORDER BY id"


class Vote(IntEnum):
    DOWN = -1
    UP = 1


class FeedbackError(Exception):
    """The vote store cannot be read or written; the message names it."""


class DatabaseUrlError(ConfigError, ValueError):
    """`discord.feedback_db` (or `--db`) is not a PostgreSQL URL that can be used."""


@dataclass(frozen=True)
class VoteRecord:
    id: int
    created_at: str
    command: str
    question: str
    passage_ids: list[str]
    vote: int
    index_built_at: str


class VoteStore(Protocol):
    where: str  # the store as an operator names it (a path, or a URL without its password)

    def record(self, answer: ShownAnswer, vote: Vote, when: datetime | None = None) -> int: ...

    def votes(self) -> list[VoteRecord]: ...

    def exists(self) -> bool: ...


def open_vote_store(target: str | Path) -> VoteStore:
    """The store `discord.feedback_db` names: a PostgreSQL URL or a SQLite path."""
    if isinstance(target, str) and is_postgres_url(target):
        return PostgresVoteStore(check_postgres_url(target))
    return SqliteVoteStore(Path(target).expanduser().resolve())


def is_postgres_url(text: str) -> bool:
    return text.startswith(POSTGRES_SCHEMES)


def url_secrets(url: str) -> list[str]:
    """The passwords in a database URL, as written and percent-decoded, longest first."""
    found = [m.group(2) for m in URL_PASSWORD.finditer(url)] + [
        m.group(2) for m in QUERY_PASSWORD.finditer(url)
    ]
    return sorted({s for s in [*found, *map(unquote, found)] if s}, key=len, reverse=True)


def redact(text: str, url: str) -> str:
    """`text` (the URL itself, an error message, a log line) without any password `url` holds."""
    text = QUERY_PASSWORD.sub(rf"\g<1>{REDACTED}", URL_PASSWORD.sub(rf"\g<1>{REDACTED}\g<3>", text))
    for secret in url_secrets(url):
        text = text.replace(secret, REDACTED)
    return text


def check_postgres_url(url: str) -> str:
    """`url` if libpq can use it (several hosts are fine); DatabaseUrlError, redacted, if not."""
    from psycopg import Error
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(url)
    except Error as exc:
        raise DatabaseUrlError(
            f"Not a usable PostgreSQL URL ({redact(_first_line(exc), url)}): {redact(url, url)}"
        ) from None
    for port in str(params.get("port") or "").split(","):
        if port and not (port.isdigit() and 0 < int(port) <= MAX_PORT):
            raise DatabaseUrlError(
                f"PostgreSQL port {port[:20]!r} is not a number from 1 to {MAX_PORT}: {redact(url, url)}"
            )
    return url


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def _row(answer: ShownAnswer, vote: Vote, when: datetime | None) -> tuple:
    created = (when or datetime.now(UTC)).isoformat(timespec="seconds")
    passages = json.dumps(list(answer.passage_ids))
    return (created, answer.command, answer.question, passages, int(vote), answer.index_built_at)


def _record(row: tuple) -> VoteRecord:
    return VoteRecord(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6])


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
                    self._ready = True
                yield db
        except psycopg.Error as exc:
            # No chained exception: the driver's message may quote the URL, password and all.
            raise FeedbackError(
                f"Feedback database {self.where}: {redact(_first_line(exc), self.url)}"
            ) from None
