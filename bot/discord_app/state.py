"""What the buttons and the error reporting need of the running bot: its state, as a Protocol, so
that they depend on this and not on the client that holds it."""

from __future__ import annotations

from typing import Protocol

import discord

from bot.discord_app.cooldowns import Cooldowns
from bot.discord_app.engine_host import EngineHost
from bot.discord_app.feedback import AnswerLedger
from bot.discord_app.server_settings import ServerSettingsCache
from bot.discord_app.settings import DiscordSettings
from bot.discord_app.vote_store import VoteStore


class BotState(Protocol):
    host: EngineHost
    config: DiscordSettings
    feedback: VoteStore
    ledger: AnswerLedger
    cooldowns: Cooldowns
    context_menu_cooldowns: Cooldowns
    server_settings: ServerSettingsCache
    live_pagers: set[str]  # nonces of the page turners still in memory

    async def is_owner(self, user: discord.abc.User, /) -> bool: ...
