"""`treatybot serve`: check the config and token, load the index, connect to Discord and run.

Every way this can fail before the bot is up (no token, a rejected token, an unreachable
API, a server the bot is not in) ends in a `ServeError` with one clear line. The token is
never printed: log lines that would contain it show `[redacted]`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import aiohttp
import discord

from bot.discord_app.client import EndpointError, TreatyBot, apply_endpoints
from bot.discord_app.engine_host import EngineHost, manifest_signature
from bot.discord_app.feedback_db import url_secrets
from bot.discord_app.logs import setup_logging
from bot.discord_app.metrics import OperatorServer
from bot.discord_app.settings import TOKEN_ENV, DiscordSettings, LogFormat, discord_settings, resolve_token
from bot.discord_app.vote_store import open_vote_store
from bot.engine.engine import Engine
from index_contract.config import Settings

log = logging.getLogger(__name__)


class ServeError(Exception):
    """The bot cannot start or stay connected; the message says why in one line."""


def discord_config(settings: Settings, overrides: Mapping[str, Any] | None = None) -> DiscordSettings:
    """The config's discord settings with the command line's over them, checked."""
    return replace(discord_settings(settings), **(overrides or {}))


def check(settings: Settings, overrides: Mapping[str, Any] | None = None) -> str:
    """Check the config, the endpoints and that a token is available, without connecting."""
    config = discord_config(settings, overrides)
    resolve_token(config)
    try:
        endpoints = apply_endpoints()
    except EndpointError as exc:
        raise ServeError(str(exc)) from None
    source = TOKEN_ENV if os.environ.get(TOKEN_ENV, "").strip() else f"the token file {config.token_file}"
    where = endpoints.get("api", "discord.com")
    return f"Ready to serve: the bot token comes from {source}; the API is {where}."


def serve(
    settings: Settings, load_engine: Callable[[Settings], Engine], overrides: Mapping[str, Any] | None = None
) -> int:
    """Run the bot until it is stopped.

    The fast checks come first (config, token, endpoints, Discord accepting the token), then
    the slow index load, then the gateway connection. The metrics and health endpoint, when
    configured, is up from the start (unhealthy until the index is loaded and the shards are
    connected).
    """
    config = discord_config(settings, overrides)
    token = resolve_token(config)
    secrets = [token, *url_secrets(str(config.feedback_db))]
    setup_logging(config.log_level, config.log_format is LogFormat.JSON, secrets=secrets)
    try:
        endpoints = apply_endpoints()
    except EndpointError as exc:
        raise ServeError(str(exc)) from None
    if manifest_signature(settings.index) is None:
        raise ServeError(f"No index at {settings.index}. Build it first with: treatybot build")
    # Reloads load the index as the first load does: with the config's ranking settings.
    host = EngineHost(settings.index, workers=config.workers, loader=lambda _index: load_engine(settings))
    bot = TreatyBot(host, config, open_vote_store(config.feedback_db))
    shards = {"shard_count": config.shard_count, "shard_ids": config.shard_ids}
    start = {
        "event": "start",
        "index": str(settings.index),
        "feedback": bot.feedback.where,
        **shards,
        **endpoints,
    }
    log.info("starting", extra={"fields": start})
    try:
        asyncio.run(_run(bot, token, config, lambda: load_engine(settings)))
    finally:
        host.close()
    return 0


async def _run(bot: TreatyBot, token: str, config: DiscordSettings, load: Callable[[], Engine]) -> None:
    operator = (
        OperatorServer(config.metrics_address, bot.health, bot.shard_states)
        if config.metrics_address
        else None
    )
    async with bot:
        if operator is not None:
            try:
                await operator.start()
            except OSError as exc:
                raise ServeError(
                    f"Cannot serve metrics on {config.metrics_address}: {exc.strerror or exc}"
                ) from None
        try:
            with _explained(config):
                await bot.login(token)  # a rejected token is reported before the slow index load
            # Index errors keep their own one-line messages (no index, stale, damaged).
            bot.host.engine = await asyncio.get_running_loop().run_in_executor(None, load)
            with _explained(config):
                await bot.connect()
        finally:
            if operator is not None:
                await operator.stop()


@contextmanager
def _explained(config: DiscordSettings) -> Iterator[None]:
    """Turn a failure to log in or stay connected into a ServeError with one clear line."""
    try:
        yield
    except discord.LoginFailure:
        source = TOKEN_ENV if config.token_file is None else f"{TOKEN_ENV} or {config.token_file}"
        raise ServeError(f"Discord rejected the bot token (401 Unauthorized). Check {source}.") from None
    except discord.PrivilegedIntentsRequired:
        raise ServeError(
            "Discord refused the Message Content intent, which follow-up questions in threads "
            "need. Turn it on under Bot > Privileged Gateway Intents in the Developer Portal."
        ) from None
    except discord.Forbidden as exc:
        raise ServeError(
            f"Discord refused a request ({exc.status}: {exc.text or 'Forbidden'}). If commands are "
            "synced to servers (discord.guild_ids), is the bot invited to each of them with the "
            "applications.commands scope?"
        ) from None
    except discord.HTTPException as exc:
        raise ServeError(f"Discord answered {exc.status}: {exc.text or exc}") from None
    except discord.ConnectionClosed as exc:
        raise ServeError(f"The Discord gateway closed the connection (code {exc.code}).") from None
    except (aiohttp.ClientError, OSError) as exc:
        where = discord.http.Route.BASE
        raise ServeError(f"Cannot reach Discord at {where}: {exc.__class__.__name__}: {exc}") from None
    except Exception as exc:  # anything else: one line for the operator, the traceback in the log
        log.critical("the bot stopped", exc_info=True, extra={"fields": {"event": "crash"}})
        raise ServeError(f"The bot stopped: {exc.__class__.__name__}: {exc} (traceback logged)") from None
