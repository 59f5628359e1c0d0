"""The discord.py client: intents, command tree, cogs, command sync and endpoint overrides."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.discord_app import error_reporting as errors
from bot.discord_app.cooldowns import Cooldowns
from bot.discord_app.engine_host import EngineHost
from bot.discord_app.feedback import AnswerLedger
from bot.discord_app.locales import YamlTranslator
from bot.discord_app.logs import RequestLog, outcome_of
from bot.discord_app.metrics import Health, ShardState
from bot.discord_app.server_settings import ServerSettingsCache
from bot.discord_app.settings import API_BASE_ENV, GATEWAY_ENV, DiscordSettings
from bot.discord_app.threads import ThreadConversations
from bot.discord_app.views import ExpiredPageButton, MoreButton, VoteButton
from bot.discord_app.vote_store import VoteStore

log = logging.getLogger(__name__)

# One extension module per command group; a new group adds its module here.
EXTENSIONS = (
    "bot.discord_app.cogs.answers",
    "bot.discord_app.cogs.articles",
    "bot.discord_app.cogs.terms",
    "bot.discord_app.cogs.comparisons",
    "bot.discord_app.cogs.info",
    "bot.discord_app.cogs.admin",
    "bot.discord_app.cogs.server_admin",
    "bot.discord_app.cogs.mentions",
    "bot.discord_app.cogs.message_questions",
    "bot.discord_app.cogs.help",
)


class EndpointError(ValueError):
    """DISCORD_API_BASE or DISCORD_GATEWAY_URL is not a usable URL."""


def apply_endpoints(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Point discord.py at another REST API and gateway if the environment says so.

    Returns the endpoints in use. Both variables are optional; unset means discord.com.
    """
    used: dict[str, str] = {}
    base = environ.get(API_BASE_ENV, "").strip().rstrip("/")
    if base:
        if not base.startswith(("http://", "https://")):
            raise EndpointError(
                f"{API_BASE_ENV} must be an http(s) URL such as http://127.0.0.1:8080/api/v10"
            )
        discord.http.Route.BASE = base  # REST and webhook routes (interaction responses, follow-ups)
        used["api"] = base
    gateway = environ.get(GATEWAY_ENV, "").strip()
    if gateway:
        if not gateway.startswith(("ws://", "wss://")):
            raise EndpointError(f"{GATEWAY_ENV} must be a ws(s) URL such as ws://127.0.0.1:8080/gateway")
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
        used["gateway"] = gateway
    return used


class TreatyTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        # Checks and transformers refuse before a command's own RequestLog starts: log those here.
        if isinstance(error, app_commands.CheckFailure | app_commands.TransformerError):
            command = interaction.command.qualified_name if interaction.command else "unknown"
            request = RequestLog.of(command, interaction)
            request.outcome = outcome_of(error)
            request.finish()
        await errors.report(interaction, error)


class TreatyBot(commands.AutoShardedBot):
    """Slash commands and mentions over an `EngineHost`; prefix commands are not used.

    It runs the shards `config.shard_ids` of `config.shard_count` (all of them, as many as
    Discord recommends, when unset). State per guild (cooldowns, threads, page turners, the
    answers a vote button refers to) stays in this process: a guild lives on one shard, and
    a shard in one process. Votes go to the shared store `config.feedback_db`."""

    def __init__(
        self,
        host: EngineHost,
        config: DiscordSettings,
        feedback: VoteStore,
        *,
        extensions: Sequence[str] = EXTENSIONS,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # follow-up questions in threads carry no mention
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            owner_ids=set(config.owner_ids) or None,
            help_command=None,
            tree_cls=TreatyTree,
            shard_count=config.shard_count,
            shard_ids=list(config.shard_ids) if config.shard_ids is not None else None,
        )
        self.host = host
        self.config = config
        self.feedback = feedback
        self.ledger = AnswerLedger()
        self.conversations = ThreadConversations()
        self.cooldowns = Cooldowns(config.cooldown)
        self.context_menu_cooldowns = Cooldowns(config.context_menu_cooldown)  # counted apart
        self.server_settings = ServerSettingsCache(feedback)
        self.live_pagers: set[str] = set()  # nonces of the page turners still in memory
        self._extension_names = tuple(extensions)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(YamlTranslator())
        for name in self._extension_names:
            await self.load_extension(name)
        self.add_dynamic_items(VoteButton, MoreButton, ExpiredPageButton)
        if self.config.sync_commands and self.config.runs_shard_zero:
            await self.sync_commands()  # once for the whole bot: by the process holding shard 0

    async def sync_commands(self) -> None:
        """Per-server sync is instant (for development); global sync can take up to an hour."""
        if self.config.guild_ids:
            for guild_id in self.config.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("commands synced", extra={"fields": {"guild_id": guild_id, "commands": len(synced)}})
        else:
            synced = await self.tree.sync()
            log.info("commands synced globally", extra={"fields": {"commands": len(synced)}})

    async def on_message(self, message: discord.Message) -> None:
        """Mentions are handled by the mentions cog; there are no prefix commands to process."""

    async def on_ready(self) -> None:
        user_id = self.user.id if self.user else None
        fields = {"event": "ready", "user_id": user_id, "guilds": len(self.guilds), **self.shard_fields()}
        log.info("connected", extra={"fields": fields})

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("shard connected", extra={"fields": {"event": "shard_ready", "shard_id": shard_id}})

    async def on_shard_disconnect(self, shard_id: int) -> None:
        log.warning(
            "shard disconnected", extra={"fields": {"event": "shard_disconnect", "shard_id": shard_id}}
        )

    def shard_fields(self) -> dict[str, object]:
        return {"shard_ids": sorted(self.shards) or self.config.shard_ids, "shard_count": self.shard_count}

    def shard_of(self, guild_id: int | None) -> int:
        """The shard a guild lives on (Discord's formula); DMs arrive on shard 0."""
        return 0 if guild_id is None else (guild_id >> 22) % (self.shard_count or 1)

    def shard_states(self) -> tuple[ShardState, ...]:
        return tuple(
            ShardState(shard_id, not info.is_closed(), info.latency)
            for shard_id, info in sorted(self.shards.items())
        )

    def health(self) -> Health:
        """Healthy once the index is loaded and every shard this process runs is connected."""
        shards = self.shard_states()
        expected = (
            set(self.config.shard_ids) if self.config.shard_ids is not None else {s.shard_id for s in shards}
        )
        connected = {s.shard_id for s in shards if s.connected}
        loaded = self.host.loaded
        return Health(loaded and bool(expected) and expected <= connected, loaded, shards)
