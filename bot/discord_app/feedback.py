"""Votes on answers (👍 / 👎) in a SQLite file: question, passage ids shown, vote, time. No user data.

The answer a button belongs to is remembered in memory (`AnswerLedger`) until someone votes;
only votes are written.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import sqlite3
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path

LEDGER_SIZE = 10_000  # answers whose buttons still record votes (per process)
# A CSV cell starting with one of these is a formula to a spreadsheet: it gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ANSWER_KEY_BYTES = 6  # 12 hex characters in each button's custom id
EXPORT_FORMATS = ("table", "csv", "json")

_SCHEMA = """
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


class Vote(IntEnum):
    DOWN = -1
    UP = 1


class FeedbackError(Exception):
    """The feedback file cannot be read or written; the message names it."""


@dataclass(frozen=True)
class ShownAnswer:
    """What a set of vote buttons refers to."""

    command: str
    question: str
    passage_ids: tuple[str, ...]  # the passages shown (what a vote is about)
    index_built_at: str = ""
    listed_ids: tuple[str, ...] = ()  # the relevant passages only listed ("More"), for its button


@dataclass(frozen=True)
class VoteRecord:
    id: int
    created_at: str
    command: str
    question: str
    passage_ids: list[str]
    vote: int
    index_built_at: str


class AnswerLedger:
    """The most recent answers by key, and who has voted on each (in memory only)."""

    def __init__(self, size: int = LEDGER_SIZE) -> None:
        self.size = size
        self._answers: OrderedDict[str, ShownAnswer] = OrderedDict()
        self._voters: dict[str, set[int]] = {}
        self._lock = threading.Lock()

    def remember(self, answer: ShownAnswer) -> str:
        key = secrets.token_hex(ANSWER_KEY_BYTES)
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self.size:
                old, _ = self._answers.popitem(last=False)
                self._voters.pop(old, None)
        return key

    def get(self, key: str) -> ShownAnswer | None:
        with self._lock:
            return self._answers.get(key)

    def first_vote(self, key: str, user_id: int) -> bool:
        """True the first time this user votes on this answer."""
        with self._lock:
            voters = self._voters.setdefault(key, set())
            if user_id in voters:
                return False
            voters.add(user_id)
            return True

    def forget_vote(self, key: str, user_id: int) -> None:
        """Undo `first_vote` when the vote could not be stored, so the user can try again."""
        with self._lock:
            self._voters.get(key, set()).discard(user_id)


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._ready = False

    def record(self, answer: ShownAnswer, vote: Vote, when: datetime | None = None) -> int:
        created = (when or datetime.now(UTC)).isoformat(timespec="seconds")
        row = (created, answer.command, answer.question, json.dumps(list(answer.passage_ids)), int(vote))
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO votes (created_at, command, question, passage_ids, vote, index_built_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (*row, answer.index_built_at),
            )
            return int(cursor.lastrowid or 0)

    def votes(self) -> list[VoteRecord]:
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, created_at, command, question, passage_ids, vote, index_built_at "
                "FROM votes ORDER BY id"
            ).fetchall()
        return [VoteRecord(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
                    if not self._ready:
                        db.execute(_SCHEMA)
                        self._ready = True
                    yield db
            except sqlite3.Error as exc:
                raise FeedbackError(f"Feedback file {self.path}: {exc}") from exc


def export(records: Sequence[VoteRecord], fmt: str) -> str:
    """Votes as an aligned table, CSV or JSON."""
    if fmt == "json":
        return json.dumps([asdict(r) for r in records], ensure_ascii=False, indent=2) + "\n"
    columns = ["id", "created_at", "command", "vote", "question", "passage_ids", "index_built_at"]
    rows = [_row(r) for r in records]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue()
    up = sum(1 for r in records if r.vote > 0)
    lines = [f"{len(records)} votes: {up} 👍, {len(records) - up} 👎"]
    for r in records:
        vote = "👍" if r.vote > 0 else "👎"
        lines.append(f"{visible(r.created_at)}  {vote}  [{visible(r.command)}] {visible(r.question)}")
        lines.append(f"    passages: {visible(', '.join(r.passage_ids)) or '(none)'}")
    return "\n".join(lines) + "\n"


def _row(r: VoteRecord) -> list[object]:
    """One CSV row: our own numbers as they are, every text cell defused for spreadsheets."""
    vote = "+1" if r.vote > 0 else "-1"
    texts = [r.created_at, r.command, r.question, " ".join(r.passage_ids), r.index_built_at]
    created, command, question, passages, built = (_no_formula(text) for text in texts)
    return [r.id, created, command, vote, question, passages, built]


def _no_formula(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading formula character gets a quote before it."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def visible(text: str) -> str:
    """`text` safe to print to a terminal: control characters (escape codes) shown as \\xNN."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in ("Cc", "Cs") else ch
        for ch in text
    )
