"""The `discord:` config section and the bot token: every mistake gets one clear message."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.discord_app.settings import (
    Cooldown,
    DiscordSettings,
    LogFormat,
    Visibility,
    discord_settings,
    resolve_token,
)
from index_contract.config import PROJECT_ROOT, ConfigError, load_settings

EXAMPLE = PROJECT_ROOT / "treatybot.example.yaml"


def settings_from(tmp_path: Path, discord: object) -> DiscordSettings:
    config = tmp_path / "treatybot.yaml"
    config.write_text(yaml.safe_dump({"discord": discord}), encoding="utf-8")
    return discord_settings(load_settings(config))


def test_no_section_means_defaults(tmp_path: Path) -> None:
    config = tmp_path / "treatybot.yaml"
    config.write_text("index: index\n", encoding="utf-8")
    assert discord_settings(load_settings(config)) == DiscordSettings()


def test_the_example_file_documents_every_key_and_parses(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)["discord"]
    assert set(raw) == {f.name for f in DiscordSettings.__dataclass_fields__.values()}
    for key in raw:
        assert f"\n  {key}:" in text or f"\n  # {key}:" in text
    parsed = discord_settings(load_settings(EXAMPLE))
    assert parsed.token_file == Path(raw["token_file"]).expanduser()
    assert replace(parsed, token_file=None) == DiscordSettings(), "the documented values are the defaults"
    assert "token:" not in text.replace("token_file:", "")


def test_every_setting_is_read(tmp_path: Path) -> None:
    parsed = settings_from(
        tmp_path,
        {
            "guild_ids": [123456789012345678, "223456789012345678"],
            "sync_commands": False,
            "default_visibility": "public",
            "allowed_channel_ids": [1],
            "owner_ids": 42,
            "cooldown": {"rate": 3, "per_seconds": 10},
            "context_menu_cooldown": {"rate": 1, "per_seconds": 30},
            "reload_check_seconds": 0,
            "page_timeout_seconds": 60,
            "workers": 4,
            "feedback_db": "data/votes.sqlite3",
            "token_file": "~/token",
            "log_level": "debug",
            "log_format": "text",
        },
    )
    assert parsed.guild_ids == (123456789012345678, 223456789012345678)
    assert parsed.default_visibility is Visibility.PUBLIC and parsed.is_public(None)
    assert not parsed.is_public(False) and parsed.owner_ids == (42,)
    assert parsed.cooldown == Cooldown(3, 10.0) and parsed.workers == 4
    assert parsed.context_menu_cooldown == Cooldown(1, 30.0)
    assert parsed.feedback_db == tmp_path / "data" / "votes.sqlite3", "relative to the config file"
    assert parsed.token_file == Path("~/token").expanduser()
    assert parsed.log_level == "DEBUG" and parsed.log_format is LogFormat.TEXT
    assert parsed.channel_allowed(1) and parsed.channel_allowed(99, parent_id=1)
    assert not parsed.channel_allowed(99)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"guild_id": [1]}, "Unknown setting discord.guild_id"),
        ({"token": "abc"}, "Do not put the bot token in the config file"),
        ({"guild_ids": ["my server"]}, "discord.guild_ids in the config file .*'my server' is not a Disc"),
        ({"default_visibility": "secret"}, "expected one of ephemeral, public, got 'secret'"),
        ({"cooldown": {"rate": -1}}, "discord.cooldown .*must be at least 0"),
        ({"cooldown": {"rate": 2, "per_seconds": 0}}, "per_seconds must be more than 0"),
        ({"cooldown": 5}, "expected 'rate'"),
        ({"page_timeout_seconds": 3600}, "at most 840"),
        ({"workers": 0}, "must be at least 1"),
        ({"reload_check_seconds": float("inf")}, "expected a number, got 'inf'"),
        ({"page_timeout_seconds": float("nan")}, "expected a number, got 'nan'"),
        ({"sync_commands": "yes"}, "expected true or false"),
        ({"log_level": "loud"}, "expected one of DEBUG, INFO, WARNING, ERROR"),
        ("not a mapping", "must be a mapping"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, section: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from(tmp_path, section)


def test_token_from_environment_first_then_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("  file-token\n", encoding="utf-8")
    config = DiscordSettings(token_file=token_file)
    assert resolve_token(config, {"DISCORD_TOKEN": "env-token"}) == "env-token"
    assert resolve_token(config, {}) == "file-token"


@pytest.mark.parametrize(
    ("token_file", "message"),
    [
        (None, "No Discord bot token: set DISCORD_TOKEN, or name a file"),
        ("missing", "The token file .*missing does not exist"),
        ("empty", "The token file .*empty is empty"),
    ],
)
def test_a_missing_token_is_named(tmp_path: Path, token_file: str | None, message: str) -> None:
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    config = DiscordSettings(token_file=tmp_path / token_file if token_file else None)
    with pytest.raises(ConfigError, match=message):
        resolve_token(config, {"DISCORD_TOKEN": "  "})


def test_a_token_file_with_more_than_the_token_is_named(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("first-token\nsecond-token\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"The token file {token_file} must hold only the bot token"):
        resolve_token(DiscordSettings(token_file=token_file), {})
