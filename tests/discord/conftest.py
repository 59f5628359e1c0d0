"""Fixtures for the Discord tests: the real bot over the real engine, in SimCord's simulated Discord."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from bot.discord_app.client import TreatyBot
from bot.discord_app.engine_host import EngineHost
from bot.discord_app.settings import Cooldown, DiscordSettings, Visibility
from bot.discord_app.vote_store import SqliteVoteStore

QUERY_WORKERS = 2


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "discord_config(**fields): DiscordSettings for this test's bot")


@pytest.fixture
def discord_config(request: pytest.FixtureRequest, tmp_path) -> DiscordSettings:
    """Test settings: public answers, no manifest watcher, a private feedback file; a
    `discord_config` marker overrides any field."""
    config = DiscordSettings(
        default_visibility=Visibility.PUBLIC,
        reload_check_seconds=0,
        cooldown=Cooldown(rate=0),
        context_menu_cooldown=Cooldown(rate=0),
        feedback_db=tmp_path / "feedback.sqlite3",
        shard_count=1,  # the in-memory Discord runs one shard
    )
    marker = request.node.get_closest_marker("discord_config")
    return dataclasses.replace(config, **marker.kwargs) if marker else config


@pytest.fixture
def host(engine, index_dir) -> Iterator[EngineHost]:
    host = EngineHost(index_dir, engine, workers=QUERY_WORKERS)
    yield host
    host.close()


@pytest.fixture
def simcord_bot(host, discord_config) -> TreatyBot:
    return TreatyBot(host, discord_config, SqliteVoteStore(discord_config.feedback_db))
