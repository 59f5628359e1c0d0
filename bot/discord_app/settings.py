"""The `discord:` section of the YAML config, checked key by key with clear messages.

Every key is optional; `treatybot.example.yaml` documents each one. The bot token is never
read from the config itself: it comes from DISCORD_TOKEN or from the file `token_file` names.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.discord_app.feedback_db import check_postgres_url, is_postgres_url
from bot.discord_app.limits import INTERACTION_TOKEN_SECONDS
from index_contract.config import PROJECT_ROOT, ConfigError, Settings
from index_contract.safe_yaml import short_text

TOKEN_ENV = "DISCORD_TOKEN"
API_BASE_ENV = "DISCORD_API_BASE"
GATEWAY_ENV = "DISCORD_GATEWAY_URL"
SECTION = "discord"
DEFAULT_FEEDBACK_DB = "feedback.sqlite3"
DEFAULT_COOLDOWN_RATE = 5
DEFAULT_COOLDOWN_SECONDS = 60.0
DEFAULT_CONTEXT_MENU_RATE = 3
DEFAULT_RELOAD_CHECK_SECONDS = 30.0
DEFAULT_PAGE_TIMEOUT_SECONDS = 300.0
# Follow-ups are sent with the interaction token, so a page turner cannot outlive it.
MAX_PAGE_TIMEOUT_SECONDS = INTERACTION_TOKEN_SECONDS - 60
DEFAULT_WORKERS = 2
MAX_WORKERS = 32
MAX_SETTING_NUMBER = 10**12  # far above any count or number of seconds a setting takes
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Visibility(StrEnum):
    EPHEMERAL = "ephemeral"  # only the person who asked sees the answer
    PUBLIC = "public"  # everyone in the channel sees it


class LogFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


@dataclass(frozen=True)
class Cooldown:
    """At most `rate` requests per `per_seconds`, per (server, user); rate 0 turns it off."""

    rate: int = DEFAULT_COOLDOWN_RATE
    per_seconds: float = DEFAULT_COOLDOWN_SECONDS


@dataclass(frozen=True)
class DiscordSettings:
    guild_ids: tuple[int, ...] = ()
    sync_commands: bool = True
    default_visibility: Visibility = Visibility.EPHEMERAL
    allowed_channel_ids: tuple[int, ...] = ()
    owner_ids: tuple[int, ...] = ()
    cooldown: Cooldown = field(default_factory=Cooldown)
    context_menu_cooldown: Cooldown = field(default_factory=lambda: Cooldown(DEFAULT_CONTEXT_MENU_RATE))
    reload_check_seconds: float = DEFAULT_RELOAD_CHECK_SECONDS
    page_timeout_seconds: float = DEFAULT_PAGE_TIMEOUT_SECONDS
    workers: int = DEFAULT_WORKERS
    feedback_db: Path | str = PROJECT_ROOT / DEFAULT_FEEDBACK_DB  # a SQLite path or a postgresql:// URL
    token_file: Path | None = None
    log_level: str = "INFO"
    log_format: LogFormat = LogFormat.JSON
    shard_count: int | None = None  # None: as many as Discord recommends (GET /gateway/bot)
    shard_ids: tuple[int, ...] | None = None  # the shards this process runs; None: all of them
    metrics_address: str = ""  # HOST:PORT of /metrics and /health; empty: off

    def __post_init__(self) -> None:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ConfigError("discord.shard_ids needs discord.shard_count (the total number of shards)")
            wrong = [i for i in self.shard_ids if i >= self.shard_count]
            if wrong:
                raise ConfigError(
                    f"discord.shard_ids: shard {wrong[0]} does not exist with {self.shard_count} shards "
                    f"(they are numbered 0 to {self.shard_count - 1})"
                )
            if len(set(self.shard_ids)) != len(self.shard_ids) or not self.shard_ids:
                raise ConfigError("discord.shard_ids: list each shard once, at least one")

    @property
    def runs_shard_zero(self) -> bool:
        """Whether this process holds shard 0: it syncs the commands and receives the DMs."""
        return self.shard_ids is None or 0 in self.shard_ids

    def is_public(self, requested: bool | None) -> bool:
        """Whether an answer is visible to the channel: the user's choice, else the default."""
        return self.default_visibility is Visibility.PUBLIC if requested is None else requested

    def channel_allowed(self, channel_id: int | None, parent_id: int | None = None) -> bool:
        """No list means everywhere; a thread counts as its parent channel."""
        if not self.allowed_channel_ids:
            return True
        return channel_id in self.allowed_channel_ids or parent_id in self.allowed_channel_ids


def discord_settings(settings: Settings) -> DiscordSettings:
    """Parse and check the `discord:` section of the config (an absent section means defaults)."""
    raw = settings.sections.get(SECTION) or {}
    where = f"config file {settings.config_file}" if settings.config_file else "config"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"'{SECTION}' in the {where} must be a mapping of settings (key: value lines)")
    if "token" in raw:
        raise ConfigError(
            f"Do not put the bot token in the {where}: set {TOKEN_ENV} or name a file holding it "
            f"as {SECTION}.token_file."
        )
    unknown = sorted((str(key) for key in raw if key not in _PARSERS), key=str)
    if unknown:
        raise ConfigError(
            f"Unknown setting {SECTION}.{short_text(unknown[0])}"
            + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
            + f" in the {where}; "
            f"known settings: {', '.join(sorted(_PARSERS))}."
        )
    base = settings.config_file.parent if settings.config_file else PROJECT_ROOT
    values: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            values[key] = _PARSERS[key](value, base)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{SECTION}.{key} in the {where}: {exc}") from None
    return DiscordSettings(**values)


def resolve_token(config: DiscordSettings, environ: Mapping[str, str] = os.environ) -> str:
    """The bot token from DISCORD_TOKEN, else from the token file; a ConfigError names what is missing."""
    token = environ.get(TOKEN_ENV, "").strip()
    if token:
        return token
    if config.token_file is None:
        raise ConfigError(
            f"No Discord bot token: set {TOKEN_ENV}, or name a file holding it as "
            f"{SECTION}.token_file in the config (see treatybot.example.yaml)."
        )
    try:
        token = config.token_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"The token file {config.token_file} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.__class__.__name__
        raise ConfigError(f"Cannot read the token file {config.token_file}: {reason}") from None
    if not token:
        raise ConfigError(f"The token file {config.token_file} is empty.")
    if len(token.split()) > 1:
        raise ConfigError(
            f"The token file {config.token_file} must hold only the bot token, on one line "
            f"(it holds {len(token.split())} words or lines)."
        )
    return token


# --- value parsers: each raises ValueError with a message fit for the user -----------------


def _ids(value: Any, _base: Path) -> tuple[int, ...]:
    items = [value] if isinstance(value, (int, str)) else value
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ValueError("expected a list of Discord IDs (numbers)")
    ids = []
    for item in items:
        text = str(item).strip()
        if isinstance(item, bool) or not text.isdigit():
            example = "a number such as 123456789012345678"
            raise ValueError(f"'{short_text(item)}' is not a Discord ID ({example})")
        ids.append(int(text))
    return tuple(ids)


def _bool(value: Any, _base: Path) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got '{short_text(value)}'")
    return value


def _number(minimum: float, maximum: float | None = None) -> Callable[[Any, Path], float]:
    def parse(value: Any, _base: Path) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
            raise ValueError(f"expected a number, got '{short_text(value)}'")
        if value < minimum or (maximum is not None and value > maximum) or value > MAX_SETTING_NUMBER:
            upper = f" and at most {min(maximum or MAX_SETTING_NUMBER, MAX_SETTING_NUMBER):g}"
            raise ValueError(f"must be at least {minimum:g}{upper}, got {short_text(value)}")
        return float(value)

    return parse


def _finite(value: int | float) -> bool:
    return isinstance(value, int) or math.isfinite(value)


def _workers(value: Any, base: Path) -> int:
    number = _number(1, MAX_WORKERS)(value, base)
    if number != int(number):
        raise ValueError(f"expected a whole number, got {value}")
    return int(number)


def _choice(kind: type[StrEnum]) -> Callable[[Any, Path], Any]:
    def parse(value: Any, _base: Path) -> Any:
        try:
            return kind(str(value).lower())
        except ValueError:
            raise ValueError(f"expected one of {', '.join(kind)}, got '{short_text(value)}'") from None

    return parse


def _log_level(value: Any, _base: Path) -> str:
    level = str(value).upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got '{short_text(value)}'")
    return level


def _whole(minimum: int) -> Callable[[Any, Path], int]:
    def parse(value: Any, base: Path) -> int:
        number = _number(minimum)(value, base)
        if number != int(number):
            raise ValueError(f"expected a whole number, got {value}")
        return int(number)

    return parse


def parse_shard_ids(value: Any, _base: Path = PROJECT_ROOT) -> tuple[int, ...]:
    """Shard numbers as a list or as text such as `0,1` or `2 3`."""
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise ValueError(f"expected shard numbers such as 0,1, got '{short_text(value)}'")
    ids = []
    for item in items:
        text = str(item).strip()
        if isinstance(item, bool) or not text.isdigit():
            raise ValueError(f"'{short_text(item)}' is not a shard number (0, 1, 2, ...)")
        ids.append(int(text))
    return tuple(ids)


def _address(value: Any, _base: Path) -> str:
    from bot.discord_app.metrics import parse_address

    if value is None or not str(value).strip():
        return ""  # off
    parse_address(str(value))
    return str(value).strip()


def _unset_or(parse: Callable[[Any, Path], Any]) -> Callable[[Any, Path], Any]:
    """A setting that may be left empty (None: decided at run time)."""

    def parse_or_none(value: Any, base: Path) -> Any:
        return None if value is None else parse(value, base)

    return parse_or_none


def _store(value: Any, base: Path) -> Path | str:
    """A SQLite file path, or a PostgreSQL URL kept as it is."""
    if isinstance(value, str) and is_postgres_url(value.strip()):
        return check_postgres_url(value.strip())
    return _path(value, base)


def _path(value: Any, base: Path) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a file path")
    return (base / Path(value).expanduser()).resolve()


def _cooldown(value: Any, base: Path) -> Cooldown:
    if not isinstance(value, Mapping) or set(value) - {"rate", "per_seconds"}:
        raise ValueError("expected 'rate' (requests) and 'per_seconds' (window length)")
    rate = _number(0)(value.get("rate", DEFAULT_COOLDOWN_RATE), base)
    per = _number(0)(value.get("per_seconds", DEFAULT_COOLDOWN_SECONDS), base)
    if rate != int(rate):
        raise ValueError(f"rate must be a whole number, got {rate:g}")
    if rate and not per:
        raise ValueError("per_seconds must be more than 0 when rate is set")
    return Cooldown(int(rate), per)


_PARSERS: dict[str, Callable[[Any, Path], Any]] = {
    "guild_ids": _ids,
    "sync_commands": _bool,
    "default_visibility": _choice(Visibility),
    "allowed_channel_ids": _ids,
    "owner_ids": _ids,
    "cooldown": _cooldown,
    "context_menu_cooldown": _cooldown,
    "reload_check_seconds": _number(0),
    "page_timeout_seconds": _number(1, MAX_PAGE_TIMEOUT_SECONDS),
    "workers": _workers,
    "feedback_db": _store,
    "token_file": _path,
    "log_level": _log_level,
    "log_format": _choice(LogFormat),
    "shard_count": _unset_or(_whole(1)),
    "shard_ids": _unset_or(parse_shard_ids),
    "metrics_address": _address,
}
