"""`treatybot serve --check` and the structured log format, in process (no Discord contacted)."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot.cli import EXIT_FAILURE, EXIT_OK, main
from bot.discord_app.logs import REDACTED, StructuredFormatter

SECRET = "MTIz.fake-secret-token.for-this-test"


@pytest.fixture
def no_discord_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> pytest.MonkeyPatch:
    """No Discord variables, and an empty config file (not a developer's treatybot.yaml)."""
    for name in ("DISCORD_TOKEN", "DISCORD_API_BASE", "DISCORD_GATEWAY_URL"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "treatybot.yaml"
    config.write_text("{}\n", encoding="utf-8")
    monkeypatch.setenv("TREATYBOT_CONFIG", str(config))
    return monkeypatch


def test_serve_check_says_where_the_token_comes_from_without_showing_it(no_discord_env, capsys) -> None:
    no_discord_env.setenv("DISCORD_TOKEN", SECRET)
    assert main(["serve", "--check"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Ready to serve: the bot token comes from DISCORD_TOKEN" in out and SECRET not in out


def test_serve_check_without_a_token_or_with_a_bad_endpoint_fails_in_one_line(no_discord_env, capsys) -> None:
    assert main(["serve", "--check"]) == EXIT_FAILURE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("treatybot: No Discord bot token: set DISCORD_TOKEN")

    no_discord_env.setenv("DISCORD_TOKEN", SECRET)
    no_discord_env.setenv("DISCORD_API_BASE", "discord.example/api")
    assert main(["serve", "--check"]) == EXIT_FAILURE
    assert capsys.readouterr().err.strip() == (
        "treatybot: DISCORD_API_BASE must be an http(s) URL such as http://127.0.0.1:8080/api/v10"
    )


def _record(message: str, fields: dict, exc_info=None) -> logging.LogRecord:
    record = logging.LogRecord("treatybot.requests", logging.INFO, __file__, 1, message, (), exc_info)
    record.fields = fields
    return record


def test_log_lines_are_structured_and_never_hold_the_token() -> None:
    try:
        raise RuntimeError(f"login failed for {SECRET}")
    except RuntimeError:
        failure = sys.exc_info()
    fields = {"event": "request", "command": "ask", "latency_ms": 12.5, "result_chars": 900}
    line = StructuredFormatter(json_lines=True, secrets=[SECRET]).format(_record("request", fields))
    entry = json.loads(line)
    assert entry["command"] == "ask" and entry["latency_ms"] == 12.5 and entry["level"] == "INFO"

    for json_lines in (True, False):
        formatter = StructuredFormatter(json_lines=json_lines, secrets=[SECRET])
        text = formatter.format(_record(f"token {SECRET}", {"token": SECRET}, failure))
        assert SECRET not in text and REDACTED in text and "RuntimeError" in text
    plain = StructuredFormatter(json_lines=False).format(_record("request", fields))
    assert "command=ask" in plain and "latency_ms=12.5" in plain
