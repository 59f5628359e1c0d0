"""What a user typed for a defined term: autocomplete choices and the term it names (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.discord_app.article_input import CHOICE_SEPARATOR
from bot.discord_app.limits import MAX_AUTOCOMPLETE_CHOICES, MAX_CHOICE_NAME, MAX_CHOICE_VALUE
from bot.discord_app.text import ELLIPSIS, fit_text
from bot.engine.notes import DefinedTerm

MAX_TERM_INPUT = 100  # what /define accepts: a choice value or a typed term
MIN_TERM_SHOWN = 20  # below this much room beside its citation, a choice name is cut as a whole
_WORD = re.compile(r"\w+")
# Ranks of a match, best first: the term starts with the typed text (or its citation holds it:
# '2(c)'); every typed word starts a word of the term or its citation; the typed text is anywhere.
_PREFIX, _WORDS, _ANYWHERE = range(3)


@dataclass(frozen=True)
class TermRequest:
    """The term to look up and, when one definition was picked from the list, its citation."""

    term: str
    citation: str | None = None


def _flat(text: str) -> str:
    return " ".join(text.split())


def choice_name(term: DefinedTerm) -> str:
    """'Traffic data · UNCC Art. 2(c)': the term cut (between words) so that its citation stays."""
    tail = CHOICE_SEPARATOR + _flat(term.citation)
    room = MAX_CHOICE_NAME - len(tail)
    if room >= MIN_TERM_SHOWN:
        name = fit_text(_flat(term.term), room) + tail
    else:
        name = fit_text(_flat(term.term) + tail, MAX_CHOICE_NAME)
    return name.strip() or ELLIPSIS


def choice_value(term: DefinedTerm) -> str:
    """The citation names one definition exactly ('UNCC Art. 2(c)'); the term if it is too long."""
    citation = _flat(term.citation)
    if 0 < len(citation) <= MAX_CHOICE_VALUE:
        return citation
    return fit_text(_flat(term.terms[0] if term.terms else term.term), MAX_CHOICE_VALUE) or ELLIPSIS


def matching_terms(terms: Sequence[DefinedTerm], typed: str) -> list[DefinedTerm]:
    """Defined terms matching what was typed (any case), best matches first, else in text order."""
    text = _flat(typed).casefold()
    if not text:
        return list(terms)
    words = _WORD.findall(text)
    ranked = []
    for position, term in enumerate(terms):
        name, citation = _flat(term.term).casefold(), _flat(term.citation).casefold()
        label = f"{name} {citation}"
        label_words = _WORD.findall(label)
        if name.startswith(text) or text in citation:
            rank = _PREFIX
        elif words and all(any(lw.startswith(w) for lw in label_words) for w in words):
            rank = _WORDS
        elif text in label:
            rank = _ANYWHERE
        else:
            continue
        ranked.append((rank, position, term))
    return [term for _, _, term in sorted(ranked, key=lambda item: item[:2])]


def term_choices(
    terms: Sequence[DefinedTerm], limit: int = MAX_AUTOCOMPLETE_CHOICES
) -> list[tuple[str, str]]:
    """(name, value) autocomplete choices, one per definition, at most `limit` (Discord allows 25)."""
    choices: dict[str, str] = {}
    for term in terms:
        if len(choices) == limit:
            break
        choices.setdefault(choice_value(term), choice_name(term))
    return [(name, value) for value, name in choices.items()]


def resolve_term(typed: str, terms: Sequence[DefinedTerm]) -> TermRequest:
    """The term the user picked or typed.

    A choice's value (a citation, 'UNCC Art. 2(c)') or its name ('Traffic data · UNCC Art. 2(c)')
    names one definition; a term as displayed ('Freezing or seizure') is looked up by its first
    written form; anything else goes to the engine as typed (it knows plurals and suggests).
    """
    text = _flat(typed)
    head, separator, tail = text.rpartition(CHOICE_SEPARATOR.strip())
    wanted = {text.casefold()} | ({tail.strip().casefold()} if separator else set())
    for term in terms:
        if term.terms and _flat(term.citation).casefold() in wanted:
            return TermRequest(term.terms[0], term.citation)
    displayed = (head.strip() if separator else text).casefold()
    for term in terms:
        if term.terms and _flat(term.term).casefold() in (displayed, text.casefold()):
            return TermRequest(term.terms[0])
    return TermRequest(text)


def picked(definitions: Sequence[DefinedTerm], citation: str | None) -> tuple[DefinedTerm, ...]:
    """Only the definition picked from the list, if it is among those found; else all of them."""
    chosen = tuple(d for d in definitions if citation is not None and d.citation == citation)
    return chosen or tuple(definitions)
