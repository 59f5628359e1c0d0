"""Each server's own settings (/settings): answer visibility, allowed channels and cooldown.

A server's admins may set each of them; what they set takes precedence over the config file,
and what they have not set (or reset) follows it. They are kept in the vote store's database
and in memory per server: a server lives on one shard and a shard in one process, so the
process that changes a server's settings is the one that reads them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from bot.discord_app.feedback_db import FeedbackError
from bot.discord_app.settings import Cooldown, DiscordSettings, Visibility

log = logging.getLogger(__name__)
RETRY_AFTER_FAILURE_SECONDS = 60.0  # a store that failed is asked again after this long


class SettingsNotSaved(Exception):
    """The store failed to save a server's settings (the message names the store)."""


class Setting(StrEnum):
    VISIBILITY = "visibility"
    CHANNELS = "channels"
    COOLDOWN = "cooldown"


@dataclass(frozen=True)
class ServerSettings:
    """What a server has set; None: as in the config file. An empty channel list: every channel."""

    visibility: Visibility | None = None
    allowed_channel_ids: tuple[int, ...] | None = None
    cooldown: Cooldown | None = None

    def without(self, setting: Setting) -> ServerSettings:
        """These settings with `setting` back to the config file's."""
        field = {
            Setting.VISIBILITY: "visibility",
            Setting.CHANNELS: "allowed_channel_ids",
            Setting.COOLDOWN: "cooldown",
        }[setting]
        return replace(self, **{field: None})


@dataclass(frozen=True)
class EffectiveSettings:
    """The settings that apply in one server: its own where it set them, else the config file's."""

    visibility: Visibility
    allowed_channel_ids: tuple[int, ...]
    cooldown: Cooldown
    from_server: frozenset[Setting] = frozenset()

    def is_public(self, requested: bool | None) -> bool:
        """Whether an answer is visible to the channel: the user's choice, else the default."""
        return self.visibility is Visibility.PUBLIC if requested is None else requested

    def channel_allowed(self, channel_id: int | None, parent_id: int | None = None) -> bool:
        """No list means everywhere; a thread counts as its parent channel."""
        if not self.allowed_channel_ids:
            return True
        return channel_id in self.allowed_channel_ids or parent_id in self.allowed_channel_ids


def effective(config: DiscordSettings, server: ServerSettings) -> EffectiveSettings:
    own = {
        Setting.VISIBILITY: server.visibility is not None,
        Setting.CHANNELS: server.allowed_channel_ids is not None,
        Setting.COOLDOWN: server.cooldown is not None,
    }
    return EffectiveSettings(
        visibility=server.visibility or config.default_visibility,
        allowed_channel_ids=(
            server.allowed_channel_ids
            if server.allowed_channel_ids is not None
            else config.allowed_channel_ids
        ),
        cooldown=server.cooldown or config.cooldown,
        from_server=frozenset(setting for setting, is_own in own.items() if is_own),
    )


class SettingsStore(Protocol):
    """Where servers' settings are kept: the vote store (SQLite or PostgreSQL)."""

    def server_settings(self, guild_id: int) -> ServerSettings: ...

    def save_server_settings(self, guild_id: int, settings: ServerSettings) -> None: ...


class ServerSettingsCache:
    """Each server's settings, read from the store once and kept; changed through `save`.

    A store that cannot be read is logged and the config file applies meanwhile (answers keep
    working without the database); it is asked again after `RETRY_AFTER_FAILURE_SECONDS`.
    """

    def __init__(self, store: SettingsStore, clock: Callable[[], float] | None = None) -> None:
        self.store = store
        self._clock = clock or (lambda: time.monotonic())
        self._known: dict[int, ServerSettings] = {}
        self._failed_at: dict[int, float] = {}

    async def get(self, guild_id: int | None) -> ServerSettings:
        if guild_id is None:
            return ServerSettings()  # direct messages: the config file
        known = self._known.get(guild_id)
        if known is not None:
            return known
        failed = self._failed_at.get(guild_id)
        if failed is not None and self._clock() - failed < RETRY_AFTER_FAILURE_SECONDS:
            return ServerSettings()
        try:
            settings = await asyncio.to_thread(self.store.server_settings, guild_id)
        except FeedbackError:
            log.warning(
                "could not read a server's settings; the config file applies",
                exc_info=True,
                extra={"fields": {"event": "server_settings", "guild_id": guild_id}},
            )
            self._failed_at[guild_id] = self._clock()
            return ServerSettings()
        self._failed_at.pop(guild_id, None)
        self._known[guild_id] = settings
        return settings

    async def effective(self, guild_id: int | None, config: DiscordSettings) -> EffectiveSettings:
        return effective(config, await self.get(guild_id))

    async def save(self, guild_id: int, settings: ServerSettings) -> None:
        """Store a server's settings (SettingsNotSaved if the store fails), then use them."""
        try:
            await asyncio.to_thread(self.store.save_server_settings, guild_id, settings)
        except FeedbackError as exc:
            raise SettingsNotSaved(str(exc)) from exc
        self._known[guild_id] = settings
        self._failed_at.pop(guild_id, None)
