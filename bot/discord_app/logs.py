"""Structured logs: one line per handled request (command, outcome, latency, result size).

No message content is logged at INFO: questions appear only at DEBUG. Secrets handed to
`setup_logging` (the bot token) are replaced by `[redacted]` in every line, tracebacks included.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import IO, Any

import discord

from bot.discord_app import metrics
from bot.discord_app.error_reporting import cause
from bot.discord_app.render import Reply

LOGGER_NAME = "treatybot"
log = logging.getLogger(f"{LOGGER_NAME}.requests")
REDACTED = "[redacted]"
MS_PER_SECOND = 1000


class StructuredFormatter(logging.Formatter):
    """JSON lines (or `key=value` text) with the fields passed as `extra={"fields": {...}}`."""

    def __init__(self, json_lines: bool = True, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.json_lines = json_lines
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if self.json_lines:
            line = json.dumps(entry, ensure_ascii=False, default=str)
        else:
            traceback = entry.pop("traceback", "")
            head = " ".join(f"{key}={value}" for key, value in entry.items() if key != "message")
            line = f"{head} {entry['message']}" + (f"\n{traceback}" if traceback else "")
        for secret in self.secrets:
            line = line.replace(secret, REDACTED).replace(json.dumps(secret)[1:-1], REDACTED)
        return line


def setup_logging(
    level: str = "INFO", json_lines: bool = True, secrets: Iterable[str] = (), stream: IO[str] | None = None
) -> logging.Handler:
    """Send treatybot's and discord.py's logs to `stream` (stderr) through the structured formatter."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(StructuredFormatter(json_lines, secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_treatybot", False)]:
        root.removeHandler(old)
    handler._treatybot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # discord.py's DEBUG lines include request bodies (message content): never below INFO.
    logging.getLogger("discord").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("discord.client").addFilter(_not_about_voice)
    return handler


def _not_about_voice(record: logging.LogRecord) -> bool:
    """The bot never joins voice channels: drop discord.py's warnings about voice libraries."""
    return "voice will NOT be supported" not in record.getMessage()


class RequestLog:
    """Times one request and logs it when the block ends, with the outcome and result size."""

    def __init__(
        self,
        command: str,
        guild_id: int | None = None,
        text: str = "",
        *,
        interaction_id: int | None = None,
        shard_id: int | None = None,
    ) -> None:
        self.command = command
        self.guild_id = guild_id
        self.interaction_id = interaction_id
        self.shard_id = shard_id
        self.text = text  # the user's question: logged at DEBUG only
        self.outcome = "ok"
        self.private = True  # whether the answer is shown to the asker only
        self.chars = 0
        self.messages = 0
        self.started = time.perf_counter()

    @classmethod
    def of(cls, command: str, interaction: discord.Interaction, text: str = "") -> RequestLog:
        """The request an interaction makes, with its id and the shard it came on."""
        shard_of = getattr(interaction.client, "shard_of", None)
        shard = shard_of(interaction.guild_id) if shard_of else None
        return cls(command, interaction.guild_id, text, interaction_id=interaction.id, shard_id=shard)

    def deferred(self) -> None:
        """The request was acknowledged (Discord's 3-second limit)."""
        metrics.DEFERRAL_SECONDS.labels(self.command).observe(time.perf_counter() - self.started)

    def sent(self, replies: Sequence[Reply], outcome: str | None = None) -> None:
        self.chars += sum(reply.size for reply in replies)
        self.messages += len(replies)
        if outcome:
            self.outcome = outcome

    async def __aenter__(self) -> RequestLog:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _tb: TracebackType | None
    ) -> None:
        if error is not None and self.outcome == "ok":
            self.outcome = outcome_of(error)
        self.finish()

    def finish(self) -> None:
        seconds = time.perf_counter() - self.started
        metrics.request_done(self.command, self.outcome, seconds)
        fields = {
            "event": "request",
            "command": self.command,
            "outcome": self.outcome,
            "latency_ms": round(seconds * MS_PER_SECOND, 1),
            "result_chars": self.chars,
            "messages": self.messages,
            "guild_id": self.guild_id,
            "shard_id": self.shard_id,
            "interaction_id": self.interaction_id,
        }
        log.info("request", extra={"fields": fields})
        if self.text:
            log.debug("request text", extra={"fields": {"event": "request_text", "text": self.text}})


def outcome_of(error: BaseException) -> str:
    """A short outcome label for an error (its class name in snake case, without 'Error')."""
    original = cause(error)
    name = getattr(original, "outcome", None) or original.__class__.__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).strip("_").removesuffix("_error")
