"""Votes on answers (👍 / 👎): what a vote refers to, and the export of the votes stored.

The answer a button belongs to is remembered in memory (`AnswerLedger`) until someone votes;
only votes are written, to the store of `bot.discord_app.vote_store` (question, passage ids
shown, vote, time; no user data).
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict

from bot.discord_app.vote_store import REASON_LABELS, ShownAnswer, VoteReason, VoteRecord

LEDGER_SIZE = 10_000  # answers whose buttons still record votes (per process)
# A CSV cell starting with one of these is a formula to a spreadsheet: it gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ANSWER_KEY_BYTES = 6  # 12 hex characters in each button's custom id
EXPORT_FORMATS = ("table", "csv", "json")


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


def export(records: Sequence[VoteRecord], fmt: str) -> str:
    """Votes as an aligned table, CSV or JSON."""
    if fmt == "json":
        return json.dumps([asdict(r) for r in records], ensure_ascii=False, indent=2) + "\n"
    columns = ["id", "created_at", "command", "vote", "question", "passage_ids", "index_built_at", "reason"]
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
        if r.reason:
            lines.append(f"    why: {reason_label(r.reason)}")
    return "\n".join(lines) + "\n"


def _row(r: VoteRecord) -> list[object]:
    """One CSV row: our own numbers as they are, every text cell defused for spreadsheets."""
    vote = "+1" if r.vote > 0 else "-1"
    texts = [r.created_at, r.command, r.question, " ".join(r.passage_ids), r.index_built_at, r.reason]
    created, command, question, passages, built, reason = (_no_formula(text) for text in texts)
    return [r.id, created, command, vote, question, passages, built, reason]


def reason_label(reason: str) -> str:
    """How a stored reason reads ('Too long'); one this version does not know, as stored."""
    try:
        return REASON_LABELS[VoteReason(reason)]
    except ValueError:
        return visible(reason)


def _no_formula(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading formula character gets a quote before it."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def visible(text: str) -> str:
    """`text` safe to print to a terminal: control characters (escape codes) shown as \\xNN."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in ("Cc", "Cs") else ch
        for ch in text
    )
