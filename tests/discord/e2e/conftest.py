"""Fixtures for end-to-end tests: a real `treatybot serve` process talking to a fake Discord
server over loopback (DISCORD_API_BASE / DISCORD_GATEWAY_URL)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.discord.e2e.fake_discord import FakeDiscord

PROJECT_ROOT = Path(__file__).resolve().parents[3]


BOT_TOKEN = "fake-token.for-tests.only-NOT-A-REAL-TOKEN"
READY_TIMEOUT = 120.0
POLL_SECONDS = 0.5
OPERATOR_ID = 4242


@dataclasses.dataclass
class LiveBot:
    server: FakeDiscord
    process: subprocess.Popen
    log_file: Path
    feedback_db: Path

    def log_text(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")


def serve_command(config_file: Path) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "--config", str(config_file), "serve"]


def serve_environment(server: FakeDiscord | None, token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TREATYBOT_", "DISCORD_"))}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    if server is not None:
        env["DISCORD_API_BASE"] = server.api_base
        env["DISCORD_GATEWAY_URL"] = server.gateway_url
    if token is not None:
        env["DISCORD_TOKEN"] = token
    return env


def write_config(path: Path, settings, index_dir: Path, discord: dict) -> Path:
    config = {"corpus": str(settings.corpus), "index": str(index_dir), "discord": discord}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def wait_until_connected(bot: LiveBot, timeout: float = READY_TIMEOUT) -> None:
    """Until the bot has synced its commands and identified; fails at once if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.process.poll() is not None:
            raise RuntimeError(f"the bot exited with status {bot.process.returncode}:\n{bot.log_text()}")
        try:
            bot.server.wait_until_ready(POLL_SECONDS)
            return
        except TimeoutError:
            continue
    raise RuntimeError(f"the bot did not connect within {timeout} s:\n{bot.log_text()}")


@pytest.fixture(scope="session")
def live_bot(settings, index_dir, tmp_path_factory) -> Iterator[LiveBot]:
    """`treatybot serve` in a subprocess, connected to a fake Discord on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("live-bot")
    server = FakeDiscord(BOT_TOKEN).start()
    feedback_db = folder / "feedback.sqlite3"
    config = write_config(
        folder / "treatybot.yaml",
        settings,
        index_dir,
        {
            "guild_ids": [server.guild_id],
            "default_visibility": "public",
            "cooldown": {"rate": 0},
            "reload_check_seconds": 0,
            "feedback_db": str(feedback_db),
            "owner_ids": [OPERATOR_ID],
        },
    )
    log_file = folder / "bot.log"
    with log_file.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            serve_command(config),
            cwd=PROJECT_ROOT,
            env=serve_environment(server, BOT_TOKEN),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    bot = LiveBot(server, process, log_file, feedback_db)
    try:
        wait_until_connected(bot)
        yield bot
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        server.stop()
