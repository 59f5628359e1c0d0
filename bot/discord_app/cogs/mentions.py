"""`@treatybot <question>`: answered like /ask in a new thread; later messages in that thread
are follow-up questions and need no mention."""

from __future__ import annotations

import logging
import re

import discord
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.error_reporting import CooldownActive, settle
from bot.discord_app.limits import MAX_THREAD_NAME
from bot.discord_app.logs import RequestLog, outcome_of
from bot.discord_app.respond import NO_MENTIONS, send_to_channel
from bot.discord_app.settings import Cooldown
from bot.discord_app.views import remember
from bot.engine.conversation import MAX_TURNS, Conversation
from bot.engine.user_input import clean_question

log = logging.getLogger(__name__)
THREAD_ARCHIVE_MINUTES = 1440  # a day without messages
HISTORY_MESSAGES = 50  # a thread's messages read back to rebuild its conversation
USER_MESSAGE_TYPES = (discord.MessageType.default, discord.MessageType.reply)


def strip_mention(content: str, user_id: int, role_id: int | None = None) -> str:
    """The message without mentions of the bot (`<@id>`, `<@!id>`, or `<@&id>` of its own
    integration role, which Discord's mention picker offers beside the bot)."""
    role = rf"|<@&{role_id}>" if role_id else ""
    return re.sub(rf"<@!?{user_id}>{role}", " ", content).strip()


class Mentions(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.type not in USER_MESSAGE_TYPES:
            return  # bots (this one too) and system messages (pins, members added) are not questions
        channel = message.channel
        in_own_thread = isinstance(channel, discord.Thread) and channel.owner_id == me.id
        own_role = message.guild.self_role if message.guild else None
        mentioned = any(user.id == me.id for user in message.mentions) or (
            own_role is not None and own_role in message.role_mentions
        )
        if not (mentioned or in_own_thread):
            return
        guild_id = message.guild.id if message.guild else None
        here = await self.bot.server_settings.effective(guild_id, self.bot.config)
        if not here.channel_allowed(channel.id, getattr(channel, "parent_id", None)):
            return
        question = strip_mention(message.content, me.id, own_role.id if own_role else None)
        if not question and not mentioned:
            return  # an image or sticker in the thread: nothing to answer
        async with RequestLog("mention", guild_id, question, shard_id=self.bot.shard_of(guild_id)) as request:
            try:
                await self._answer(message, question, in_own_thread, here.cooldown, request)
            except Exception as exc:  # every failure is told to the user
                request.outcome = outcome_of(exc)
                await self._reply(message, settle(self.bot, guild_id, message.author.id, exc, "mention"))

    async def _answer(
        self,
        message: discord.Message,
        question: str,
        in_own_thread: bool,
        cooldown: Cooldown,
        request: RequestLog,
    ) -> None:
        guild_id = message.guild.id if message.guild else None
        wait = self.bot.cooldowns.hit(guild_id, message.author.id, cooldown)
        if wait:
            raise CooldownActive(wait)
        question = clean_question(question)
        target: discord.abc.Messageable = message.channel
        if not in_own_thread and isinstance(message.channel, discord.TextChannel):
            target = await self._open_thread(message, question)
        async with target.typing():
            conversation = await self._conversation(message) if in_own_thread else Conversation()
            answer = await self.bot.host.run(lambda engine: engine.ask(question, conversation=conversation))
        if isinstance(target, discord.Thread) and answer.turn is not None:
            self.bot.conversations.put(target.id, conversation.then(answer.turn))
        replies = render.answer_replies(answer)
        view = remember(self.bot, "thread" if in_own_thread else "mention", answer)
        reference = message if target is message.channel else None
        await send_to_channel(target, replies, view=view, reference=reference)
        request.sent(replies, "abstained" if answer.abstained else None)

    async def _conversation(self, message: discord.Message) -> Conversation:
        """The conversation of the bot's thread a message is in: from memory, else rebuilt from
        the thread's earlier questions (its opening message and the users' messages since)."""
        thread = message.channel
        known = self.bot.conversations.get(thread.id)
        if known is not None:
            return known
        questions = await self._earlier_questions(thread, message)
        return await self.bot.host.run(lambda engine: engine.replay(questions))

    async def _earlier_questions(self, thread: discord.Thread, message: discord.Message) -> list[str]:
        me = self.bot.user
        assert me is not None
        role = message.guild.self_role if message.guild else None
        found: list[str] = []
        try:
            async for earlier in thread.history(limit=HISTORY_MESSAGES, before=message):
                if not earlier.author.bot and earlier.type in USER_MESSAGE_TYPES:
                    found.append(strip_mention(earlier.content, me.id, role.id if role else None))
            starter = thread.starter_message or await thread.parent.fetch_message(thread.id)
            if starter is not None and not starter.author.bot:
                found.append(strip_mention(starter.content, me.id, role.id if role else None))
        except (discord.HTTPException, AttributeError):
            log.info("could not read a thread's history; answering without it", exc_info=True)
        return [q for q in reversed(found) if q.strip()][-MAX_TURNS:]

    async def _open_thread(self, message: discord.Message, question: str) -> discord.abc.Messageable:
        """A thread on the question's message; without permission to make one, the channel itself."""
        try:
            return await message.create_thread(
                name=render.thread_name(question, MAX_THREAD_NAME),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException:
            log.warning("could not open a thread; answering in the channel", exc_info=True)
            return message.channel

    async def _reply(self, message: discord.Message, text: str) -> None:
        content = render.message(text).content
        try:
            await message.reply(content, allowed_mentions=NO_MENTIONS, mention_author=False)
        except discord.HTTPException:
            log.warning("could not reply to a mention", exc_info=True)


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(Mentions(bot))
