"""What a user is told when a request cannot be served, and the checks that refuse requests.

A user's mistake gets a clear sentence; anything unexpected gets a short apology and a
logged traceback, never silence and never a traceback in Discord.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

from bot.discord_app.cooldowns import Cooldowns, retry_message
from bot.discord_app.engine_host import EngineUnavailable
from bot.discord_app.feedback_db import FeedbackError
from bot.discord_app.render import message
from bot.discord_app.server_settings import SettingsNotSaved
from bot.engine.request_errors import InvalidRequest

if TYPE_CHECKING:
    from bot.discord_app.state import BotState

log = logging.getLogger(__name__)
T = TypeVar("T")
NONE = discord.AllowedMentions.none()
APOLOGY = "Sorry, something went wrong while handling that. It has been logged; please try again later."
UNAVAILABLE = "Sorry, the treaty index is not loaded right now. Please try again in a little while."
NOT_OWNER = "Sorry, only the bot's owner can reload the index."
NOT_SERVER_MANAGER = "Only members with the Manage Server permission can change this server's settings."
SERVER_ONLY = "That command works in a server only, not in direct messages."
FEEDBACK_FAILED = "Sorry, I could not save your vote. It has been logged."
SETTINGS_FAILED = "Sorry, I could not save this server's settings. Nothing changed; it has been logged."


class CooldownActive(app_commands.CheckFailure):
    outcome = "cooldown"

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_message(retry_after))
        self.retry_after = retry_after


class ChannelNotAllowed(app_commands.CheckFailure):
    outcome = "channel_not_allowed"
    channel_links = True  # its text is the bot's own, with <#id> links that must stay links

    def __init__(self, allowed: tuple[int, ...]) -> None:
        channels = ", ".join(f"<#{channel}>" for channel in allowed)
        super().__init__(f"I only answer in these channels: {channels}.")


class NotOwner(app_commands.CheckFailure):
    outcome = "not_owner"

    def __init__(self) -> None:
        super().__init__(NOT_OWNER)


class NotServerManager(app_commands.CheckFailure):
    outcome = "not_server_manager"

    def __init__(self) -> None:
        super().__init__(NOT_SERVER_MANAGER)


class MessageNotAskable(app_commands.AppCommandError):
    """A message the context-menu command cannot ask about (no text, too long)."""

    outcome = "message_not_askable"


class SettingRefused(app_commands.AppCommandError):
    """A server setting that cannot be made as asked; the message says why and what to do."""

    outcome = "setting_refused"
    channel_links = True


def cause(error: BaseException) -> BaseException:
    """The error behind discord.py's wrappers: a command's own error, or why a transformer refused."""
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    if isinstance(error, app_commands.TransformerError) and error.__cause__ is not None:
        return error.__cause__
    return error


def is_mistake(error: BaseException) -> bool:
    """Did the request fail on something the user typed (a refusal that costs no work)?"""
    return isinstance(cause(error), InvalidRequest)


def user_message(error: BaseException) -> str | None:
    """The sentence for an error the user can act on, or None for an unexpected one."""
    error = cause(error)
    known = (
        CooldownActive,
        ChannelNotAllowed,
        NotOwner,
        NotServerManager,
        SettingRefused,
        MessageNotAskable,
        InvalidRequest,
    )
    if isinstance(error, known):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return SERVER_ONLY
    if isinstance(error, EngineUnavailable):
        return UNAVAILABLE
    if isinstance(error, FeedbackError):
        return FEEDBACK_FAILED
    if isinstance(error, SettingsNotSaved):
        return SETTINGS_FAILED
    if isinstance(error, app_commands.TransformerError):
        return f"'{error.value}' is not a valid value for that option."
    if isinstance(error, app_commands.CheckFailure):
        return "Sorry, you cannot use that command here."
    return None


def settle(bot: BotState, guild_id: int | None, user_id: int, error: BaseException, command: str) -> str:
    """What to tell the user about a failed request. A request refused for what the user typed
    does not count toward their cooldown; an unexpected error is logged with its traceback."""
    text = user_message(error)
    if is_mistake(error):
        bot.cooldowns.refund(guild_id, user_id)
    if text is None or isinstance(cause(error), FeedbackError | SettingsNotSaved):
        original = cause(error)
        log.error(
            "unhandled error",
            exc_info=(type(original), original, original.__traceback__),
            extra={"fields": {"event": "error", "command": command}},
        )
    return text or APOLOGY


async def report(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user what went wrong, privately (see `settle`)."""
    bot: BotState = interaction.client  # type: ignore[assignment]
    text = settle(bot, interaction.guild_id, interaction.user.id, error, _command_name(interaction))
    links = getattr(cause(error), "channel_links", False) and user_message(error) is not None
    await send_private(interaction, text, channel_links=links)


async def send_private(interaction: discord.Interaction, text: str, *, channel_links: bool = False) -> None:
    """An ephemeral message, as the response or as a follow-up if the interaction was answered."""
    # Channel links (<#id>) must not be escaped; everything else is shown as written.
    content = text if channel_links else message(text).content
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, allowed_mentions=NONE)
        else:
            await interaction.response.send_message(content, ephemeral=True, allowed_mentions=NONE)
    except discord.HTTPException:
        log.warning("could not tell the user about an error", exc_info=True)


def request_allowed(rate_limited: bool = True) -> Callable[[T], T]:
    """An app-command check: an allowed channel, then (for questions) the per-(server, user) cooldown."""

    async def predicate(interaction: discord.Interaction) -> bool:
        bot: BotState = interaction.client  # type: ignore[assignment]
        await check_request(bot, interaction, rate_limited=rate_limited)
        return True

    return app_commands.check(predicate)


async def check_request(
    bot: BotState,
    interaction: discord.Interaction,
    *,
    rate_limited: bool = True,
    cooldowns: Cooldowns | None = None,
) -> None:
    """Refuse a request outside the server's allowed channels, or over its cooldown (counted
    in `cooldowns`, the question cooldown unless given; a command with its own cooldown
    has its own counts and its own limit)."""
    here = await bot.server_settings.effective(interaction.guild_id, bot.config)
    parent = getattr(interaction.channel, "parent_id", None)
    if not here.channel_allowed(interaction.channel_id, parent):
        raise ChannelNotAllowed(here.allowed_channel_ids)
    if not rate_limited:
        return
    if cooldowns is None:
        wait = bot.cooldowns.hit(interaction.guild_id, interaction.user.id, here.cooldown)
    else:
        wait = cooldowns.hit(interaction.guild_id, interaction.user.id)
    if wait:
        raise CooldownActive(wait)


def owner_only() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction) -> bool:
        bot: BotState = interaction.client  # type: ignore[assignment]
        if not await bot.is_owner(interaction.user):
            raise NotOwner()
        return True

    return app_commands.check(predicate)


def server_manager_only(interaction: discord.Interaction) -> bool:
    """For /settings, beside its `default_member_permissions`: a server can grant a command to
    anyone in its integration settings, but only a member who may manage it changes its settings."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    if not interaction.permissions.manage_guild:
        raise NotServerManager()
    return True


def _command_name(interaction: discord.Interaction) -> str:
    command = interaction.command
    return command.qualified_name if command else "component"
