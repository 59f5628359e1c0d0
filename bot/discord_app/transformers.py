"""Option transformers: each one both autocompletes an option and resolves what was typed or
picked into what the command needs, so a command body receives checked values only.

A value the user can fix is refused (before the command defers) with the engine's own
message; `errors.user_message` shows it privately. The pure parts (matching, parsing) live in
`bot.engine.user_input`, shared with the terminal; the choice names here fit Discord's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.discord_app.limits import MAX_AUTOCOMPLETE_CHOICES, MAX_CHOICE_NAME, MAX_CHOICE_VALUE
from bot.discord_app.text import ELLIPSIS, fit_text
from bot.engine.answer import ArticleView, TermLookup
from bot.engine.notes import DefinedTerm
from bot.engine.request_errors import InvalidRequest, UnknownTerm
from bot.engine.user_input import (
    CHOICE_SEPARATOR,
    MAX_ARTICLE_INPUT,
    MAX_QUESTION_CHARS,
    MAX_TERM_CHARS,
    clean_question,
    clean_text,
    matching_articles,
    matching_terms,
    parse_article,
    parse_whole_article,
    picked,
    resolve_term,
)

if TYPE_CHECKING:
    from bot.discord_app.client import TreatyBot
    from bot.engine.engine import Engine

MIN_TERM_SHOWN = 20  # below this much room beside its citation, a term choice is cut as a whole
PICK_FROM_LIST = "Type a few letters and pick a term from the list."

Choice = app_commands.Choice[str]


def _engine(interaction: discord.Interaction) -> Engine:
    bot: TreatyBot = interaction.client  # type: ignore[assignment]
    return bot.host.engine  # EngineUnavailable is told to the user as such


def _treaty(interaction: discord.Interaction, *, every: bool = False) -> str | None:
    """The treaty of the command's `treaty` option; when none is given, the default treaty,
    or None (`every`) for commands that cover every treaty."""
    typed = getattr(interaction.namespace, "treaty", None)
    if every and not typed:
        return None
    return _engine(interaction).treaty_id(typed)


class _StringOption(app_commands.Transformer):
    max_chars = MAX_QUESTION_CHARS

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return 1  # for a string option: its length

    @property
    def max_value(self) -> int:
        return self.max_chars


class TreatyOption(_StringOption):
    """A treaty of the index, offered by id and name; typed names ('Budapest Convention') resolve too."""

    max_chars = MAX_TERM_CHARS

    async def autocomplete(self, interaction: discord.Interaction, value: str) -> list[Choice]:
        try:
            engine = _engine(interaction)
        except Exception:  # the command itself explains the problem when it is run
            return []
        typed = clean_text(value).casefold()
        return [
            Choice(name=fit_text(f"{engine.registry.name(doc)} ({doc})", MAX_CHOICE_NAME), value=doc)
            for doc in engine.treaty_ids()
            if typed in f"{doc} {engine.registry.name(doc)}".casefold()
        ][:MAX_AUTOCOMPLETE_CHOICES]

    async def transform(self, interaction: discord.Interaction, value: str) -> str:
        return _engine(interaction).treaty_id(value)


class QuestionOption(_StringOption):
    """A question or query: cleaned, and refused when empty once cleaned."""

    async def transform(self, interaction: discord.Interaction, value: str) -> str:
        return clean_question(value)


# --- articles -------------------------------------------------------------------------------------


def article_choice_name(number: int, title: str) -> str:
    """'28 · Search and seizure of stored electronic data', cut between words to fit a choice."""
    return fit_text(f"{number}{CHOICE_SEPARATOR}{title}", MAX_CHOICE_NAME)


def article_choices(
    titles: Sequence[tuple[int, str]], typed: str, limit: int = MAX_AUTOCOMPLETE_CHOICES
) -> list[tuple[str, str]]:
    """(name, value) autocomplete choices, at most `limit` (Discord allows 25)."""
    return [(article_choice_name(n, t), str(n)) for n, t in matching_articles(titles, typed)[:limit]]


class ArticleOption(_StringOption):
    """An article of the treaty in the `treaty` option, by number ('28', '28(3)') or title words,
    with the paragraph of the `paragraph` option if the command has one.

    `whole`: the command works on whole articles, so a paragraph is refused.
    """

    max_chars = MAX_ARTICLE_INPUT

    def __init__(self, *, whole: bool = False) -> None:
        self.whole = whole

    async def autocomplete(self, interaction: discord.Interaction, value: str) -> list[Choice]:
        try:
            titles = _engine(interaction).article_titles(_treaty(interaction))
        except Exception:  # the command itself explains the problem when it is run
            return []
        return [Choice(name=name, value=number) for name, number in article_choices(titles, value)]

    async def transform(self, interaction: discord.Interaction, value: str) -> ArticleView:
        engine = _engine(interaction)
        treaty = _treaty(interaction)
        if self.whole:
            return engine.article(parse_whole_article(value, engine.article_titles(treaty)), treaty=treaty)
        wanted = parse_article(value, engine.article_titles(treaty))
        paragraph = clean_text(getattr(interaction.namespace, "paragraph", None)) or None
        if paragraph and wanted.paragraph and paragraph != wanted.paragraph:
            raise InvalidRequest(
                f"'{clean_text(value)}' names paragraph {wanted.paragraph} and the paragraph option "
                f"says {paragraph}: give it once."
            )
        return engine.article(wanted.number, paragraph or wanted.paragraph, treaty)


# --- defined terms ----------------------------------------------------------------------------------


def term_choice_name(term: DefinedTerm) -> str:
    """'Traffic data · UNCC Art. 2(c)': the term cut (between words) so that its citation stays."""
    tail = CHOICE_SEPARATOR + clean_text(term.citation)
    room = MAX_CHOICE_NAME - len(tail)
    if room >= MIN_TERM_SHOWN:
        name = fit_text(clean_text(term.term), room) + tail
    else:
        name = fit_text(clean_text(term.term) + tail, MAX_CHOICE_NAME)
    return name.strip() or ELLIPSIS


def term_choice_value(term: DefinedTerm) -> str:
    """The citation names one definition exactly ('UNCC Art. 2(c)'); the term if it is too long."""
    citation = clean_text(term.citation)
    if 0 < len(citation) <= MAX_CHOICE_VALUE:
        return citation
    return fit_text(clean_text(term.terms[0] if term.terms else term.term), MAX_CHOICE_VALUE) or ELLIPSIS


def term_choices(
    terms: Sequence[DefinedTerm], limit: int = MAX_AUTOCOMPLETE_CHOICES
) -> list[tuple[str, str]]:
    """(name, value) autocomplete choices, one per definition, at most `limit` (Discord allows 25)."""
    choices: dict[str, str] = {}
    for term in terms:
        if len(choices) == limit:
            break
        choices.setdefault(term_choice_value(term), term_choice_name(term))
    return [(name, value) for value, name in choices.items()]


class TermOption(_StringOption):
    """A defined term of the treaty in the `treaty` option (or of both), resolved to its
    definitions; a term picked from the list gives that one definition only."""

    max_chars = MAX_TERM_CHARS

    async def autocomplete(self, interaction: discord.Interaction, value: str) -> list[Choice]:
        try:
            treaty = _treaty(interaction, every=True)
            engine = _engine(interaction)
            found = matching_terms(engine.defined_terms(treaty), value)
            if not found and clean_text(value):
                found = _closest_terms(engine, value[:MAX_TERM_CHARS], treaty)
        except Exception:  # the command itself explains the problem when it is run
            return []
        return [Choice(name=name, value=choice) for name, choice in term_choices(found)]

    async def transform(self, interaction: discord.Interaction, value: str) -> TermLookup:
        engine = _engine(interaction)
        wanted = resolve_term(value, engine.defined_terms())
        try:
            lookup = engine.define(wanted.term, _treaty(interaction, every=True))
        except UnknownTerm as unknown:
            raise InvalidRequest(f"{unknown} {PICK_FROM_LIST}") from unknown
        return replace(lookup, definitions=picked(lookup.definitions, wanted.citation))


def _closest_terms(engine: Engine, typed: str, treaty: str | None) -> list[DefinedTerm]:
    """Terms for a text no term contains: plurals and misspellings ('service providers', 'trafic data')."""
    try:
        return list(engine.define(typed, treaty).definitions)
    except UnknownTerm as unknown:
        return list(unknown.suggestions)
    except InvalidRequest:
        return []
