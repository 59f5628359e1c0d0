"""Hot reload: /reload (owner only) and the manifest watcher, on a private copy of the real index."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest
import simcord

from bot.discord_app import error_reporting as errors
from bot.discord_app.engine_host import EngineHost
from bot.discord_app.text import displayed
from index_contract.folder import MANIFEST

pytestmark = pytest.mark.asyncio
WATCH_SECONDS = 30
QUESTION = "What is a production order?"


@pytest.fixture
def index_copy(index_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    return copy


@pytest.fixture
def host(engine, index_copy: Path) -> Iterator[EngineHost]:
    """Serves the session's engine, watching a copy of its index folder that tests may change."""
    host = EngineHost(index_copy, engine)
    yield host
    host.close()


def rebuild_stamp(index: Path, built_at: str) -> None:
    """What a rebuild does to the manifest (same files, a new build time)."""
    manifest = json.loads((index / MANIFEST).read_text("utf-8"))
    manifest["built_at"] = built_at
    (index / MANIFEST).write_text(json.dumps(manifest), "utf-8")


def damage(index: Path, built_at: str) -> None:
    """A new manifest over a dense index that cannot be read."""
    (index / "dense.faiss").write_bytes(b"not a faiss index")
    rebuild_stamp(index, built_at)


@pytest.fixture
def actors(simcord_env: simcord.Env):
    """A channel, the bot's owner and another member, both server administrators (/reload is
    offered to administrators only: `default_member_permissions`)."""
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("ops")
    admins = guild.create_role("admins", permissions=discord.Permissions(administrator=True))
    owner = guild.add_member(simcord_env.create_user("owner"), roles=[admins])
    other = guild.add_member(simcord_env.create_user("other"), roles=[admins])
    simcord_env.bot.owner_ids = {owner.id}
    return channel, owner, other


async def test_reload_is_refused_politely_to_anyone_but_the_owner(simcord_env, actors, host, engine) -> None:
    channel, _owner, other = actors
    result = await other.slash(channel, "reload")
    assert result.ephemeral and displayed(result.response.content) == errors.NOT_OWNER
    assert host.engine is engine
    assert [type(e) for e in simcord_env.errors] == [errors.NotOwner]


async def test_reload_is_not_offered_to_members_who_are_not_administrators(simcord_env, actors) -> None:
    channel, _owner, _other = actors
    member = channel.guild.add_member(simcord_env.create_user("member"))
    assert "ask" in member.available_commands(channel) and "reload" not in member.available_commands(channel)
    with pytest.raises(simcord.SetupError, match="default-member-permissions"):
        await member.slash(channel, "reload")


async def test_owner_reload_loads_a_newly_built_index(actors, host, engine, index_copy) -> None:
    channel, owner, _other = actors
    rebuild_stamp(index_copy, "2030-01-01T00:00:00+00:00")
    result = await owner.slash(channel, "reload")
    assert result.ephemeral
    assert displayed(result.response.content).startswith("Loaded the index built 2030-01-01T00:00:00+00:00")
    assert host.engine is not engine and host.engine.about().built_at == "2030-01-01T00:00:00+00:00"
    answer = await owner.slash(channel, "ask", question=QUESTION)
    assert displayed(answer.response.embeds[0].title).startswith("UNCC Art. 27")


async def test_a_failed_reload_keeps_the_old_index_and_says_why(actors, host, engine, index_copy) -> None:
    channel, owner, _other = actors
    damage(index_copy, "2030-01-01T00:00:00+00:00")
    result = await owner.slash(channel, "reload")
    text = displayed(result.response.content)
    assert f"Could not load the index at {index_copy}" in text and "damaged" in text
    assert f"Still serving the index built {engine.about().built_at}" in text
    assert host.engine is engine
    answer = await owner.slash(channel, "ask", question=QUESTION)
    assert displayed(answer.response.embeds[0].title).startswith("UNCC Art. 27")


@pytest.mark.discord_config(reload_check_seconds=WATCH_SECONDS)
async def test_a_changed_manifest_is_noticed_and_loaded(simcord_env, host, engine, index_copy, caplog):
    await simcord_env.advance_time(WATCH_SECONDS + 1)
    assert host.engine is engine, "nothing changed, nothing reloaded"

    rebuild_stamp(index_copy, "2031-05-05T00:00:00+00:00")
    await simcord_env.advance_time(WATCH_SECONDS + 1)
    reloaded = host.engine
    assert reloaded is not engine and reloaded.about().built_at == "2031-05-05T00:00:00+00:00"

    with caplog.at_level(logging.WARNING):
        damage(index_copy, "2032-01-01T00:00:00+00:00")
        for _ in range(3):
            await simcord_env.advance_time(WATCH_SECONDS + 1)
    assert host.engine is reloaded, "the broken index did not replace the working one"
    failures = [r for r in caplog.records if r.getMessage().startswith("Could not load the index")]
    assert len(failures) == 1, "a broken build is reported once, not retried every check"
    assert "Still serving the index built 2031-05-05" in failures[0].getMessage()
