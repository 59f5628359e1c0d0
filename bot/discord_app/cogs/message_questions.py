"""The message command "Ask treatybot about this message": someone posts a claim about the
treaty, anyone right-clicks it and gets, privately, the passages that bear on it.

It has its own cooldown (`discord.context_menu_cooldown`, counted apart from questions) and
answers privately: the answer is for the one who asked, not a public reply to the author.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import render
from bot.discord_app.client import TreatyBot
from bot.discord_app.error_reporting import MessageNotAskable, check_request
from bot.discord_app.logs import RequestLog
from bot.discord_app.respond import send_followups
from bot.discord_app.views import remember
from bot.engine.user_input import MAX_QUESTION_CHARS, clean_text

MENU_NAME = "Ask treatybot about this message"  # at most 32 characters
NO_TEXT = "That message has no text to ask about (only attachments, embeds or stickers)."
TOO_LONG = (
    "That message is {length} characters long; I can answer about messages of at most {limit}. "
    "Use /ask with the part you mean."
)


def message_question(message: discord.Message) -> str:
    """The text of a message as a question: mentions as names, cleaned, within the limit."""
    text = clean_text(message.clean_content)
    if not text:
        raise MessageNotAskable(NO_TEXT)
    if len(text) > MAX_QUESTION_CHARS:
        raise MessageNotAskable(TOO_LONG.format(length=len(text), limit=MAX_QUESTION_CHARS))
    return text


class MessageQuestions(commands.Cog):
    def __init__(self, bot: TreatyBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(
            name=MENU_NAME,
            callback=self.ask_about_message,
            extras={
                "description": "Answer privately about the text of someone's message",
                "example": "Right-click a message › Apps › Ask treatybot about this message",
            },
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def ask_about_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        async with RequestLog.of("context menu", interaction) as request:
            request.text = question = message_question(message)  # refused before the cooldown counts it
            await check_request(self.bot, interaction, cooldowns=self.bot.context_menu_cooldowns)
            await interaction.response.defer(ephemeral=True, thinking=True)
            request.deferred()
            answer = await self.bot.host.run(lambda engine: engine.ask(question))
            replies = render.answer_replies(answer)
            view = remember(self.bot, "context menu", answer)
            await send_followups(interaction, replies, ephemeral=True, view=view)
            request.sent(replies, "abstained" if answer.abstained else None)


async def setup(bot: TreatyBot) -> None:
    await bot.add_cog(MessageQuestions(bot))
