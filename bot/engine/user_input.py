"""What people type, read in one place for the terminal and Discord alike.

Questions and terms are cleaned of what cannot be shown, stored or embedded: lone surrogates
(invalid UTF-8 on a command line arrives as them), control characters (terminal escape codes,
NUL) and the bidirectional-text controls that make text display other than it reads. Article
input ('28', 'art. 28', '28(3)', a picked choice '28 · Search and seizure…', or words of a
title) and defined-term input (a term as typed, or a picked choice) are parsed here too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.engine.notes import DefinedTerm
from bot.engine.request_errors import InvalidRequest

MAX_QUESTION_CHARS = 500
MAX_TERM_CHARS = 100  # the longest defined term is well under this
MAX_ARTICLE_INPUT = 100  # a number, '28(3)' or words of an article's title
CHOICE_SEPARATOR = " · "  # between a number or term and its title or citation in a picked choice
SUGGESTIONS_SHOWN = 5
REMOVED_CATEGORIES = frozenset({"Cc", "Cs"})  # control characters, lone surrogates
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters that would split a number or a word ("Article 4\u200b1"): soft hyphen,
# zero-width space, non-joiner and joiner, word joiner, Mongolian vowel separator, byte-order mark.
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\u180e\ufeff")
HIDDEN = BIDI_CONTROLS | INVISIBLE
_ARTICLE = re.compile(
    r"""^\s*(?:art(?:icle)?\.?\s*)?(\d+)      # 28, art. 28, Article 28
    \s*(?:\(\s*(\w{1,4})\s*\))?              # (3): a paragraph
    \s*(?:·.*)?$                            # · Title, as in a picked choice""",
    re.I | re.X,
)
_NUMBER = re.compile(r"^\s*(?:art(?:icle)?\.?\s*)?(\d+)\b", re.I)
_WORD = re.compile(r"\w+")
# Ranks of a term match, best first: the term starts with the typed text (or its citation holds
# it: '2(c)'); every typed word starts a word of the term or its citation; the text is anywhere.
_PREFIX, _WORDS, _ANYWHERE = range(3)


# --- text ---------------------------------------------------------------------------------------


def clean_text(text: str | None) -> str:
    """`text` on one line: runs of whitespace become one space; lone surrogates, control
    characters and bidirectional-text controls are removed."""
    words = ("".join(ch for ch in chunk if _kept(ch)) for chunk in (text or "").split())
    return " ".join(word for word in words if word)


def _kept(ch: str) -> bool:
    return unicodedata.category(ch) not in REMOVED_CATEGORIES and ch not in HIDDEN


def clean_question(text: str | None) -> str:
    """A question fit for the engine: cleaned, not empty, not too long."""
    return _bounded(
        text,
        MAX_QUESTION_CHARS,
        empty="Please ask a question: the text is empty.",
        too_long="That question is {length} characters long; the limit is {limit}. Please shorten it.",
    )


def clean_term(text: str | None) -> str:
    """A term to define: cleaned, not empty, not too long."""
    return _bounded(
        text,
        MAX_TERM_CHARS,
        empty="Please give a term to define, e.g. traffic data.",
        too_long="A defined term is at most {limit} characters; that one is {length}.",
    )


def _bounded(text: str | None, limit: int, *, empty: str, too_long: str) -> str:
    cleaned = clean_text(text)
    if not cleaned:
        raise InvalidRequest(empty)
    if len(cleaned) > limit:
        raise InvalidRequest(too_long.format(length=len(cleaned), limit=limit))
    return cleaned


# --- articles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleRequest:
    """An article (and paragraph) a user asked for; the engine says if it does not exist."""

    number: int
    paragraph: str | None = None


def parse_article(typed: str, titles: Sequence[tuple[int, str]]) -> ArticleRequest:
    """The article (and paragraph, for '28(3)') that the user typed or picked.

    A number is taken as is; words must match exactly one title, else the message names
    the closest ones.
    """
    text = clean_text(typed)
    if len(text) > MAX_ARTICLE_INPUT:
        raise InvalidRequest(
            f"An article is a number or a few words of its title; that is {len(text)} characters."
        )
    match = _ARTICLE.match(text)
    if match:
        return ArticleRequest(int(match.group(1)), match.group(2))
    found = matching_articles(titles, text) if text else []
    if len(found) == 1:
        return ArticleRequest(found[0][0])
    if not found:
        shown = text or "(nothing)"
        raise InvalidRequest(f"'{shown}' is not an article number or title. Give a number such as 28.")
    suggestions = "; ".join(f"{n}{CHOICE_SEPARATOR}{t}" for n, t in found[:SUGGESTIONS_SHOWN])
    raise InvalidRequest(f"'{text}' matches several articles: {suggestions}. Give one number.")


def parse_whole_article(typed: str, titles: Sequence[tuple[int, str]]) -> int:
    """The article a comparison is about: a paragraph ('28(3)') is refused, comparisons are of articles."""
    wanted = parse_article(typed, titles)
    if wanted.paragraph:
        raise InvalidRequest(
            f"Comparisons work on whole articles: try {wanted.number} instead of '{clean_text(typed)}'."
        )
    return wanted.number


def matching_articles(titles: Sequence[tuple[int, str]], typed: str) -> list[tuple[int, str]]:
    """Articles matching what was typed: by number prefix, or by words (prefixes) of the title."""
    text = clean_text(typed).lower()
    if not text:
        return list(titles)
    number = _NUMBER.match(text)
    if number:
        digits = str(int(number.group(1)))  # Unicode digits and leading zeros read as the number
        found = [(n, t) for n, t in titles if str(n).startswith(digits)]
        return sorted(found, key=lambda item: (str(item[0]) != digits, item[0]))
    words = _WORD.findall(text)
    ranked = []
    for n, title in titles:
        title_words = _WORD.findall(title.lower())
        if all(any(tw.startswith(w) for tw in title_words) for w in words):
            exact = sum(w in title_words for w in words)
            ranked.append((-exact, n, title))
    if not ranked:  # fall back to the typed text anywhere in the title
        ranked = [(0, n, t) for n, t in titles if text in t.lower()]
    return [(n, t) for _, n, t in sorted(ranked)]


# --- defined terms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermRequest:
    """The term to look up and, when one definition was picked from a list, its citation."""

    term: str
    citation: str | None = None


def matching_terms(terms: Sequence[DefinedTerm], typed: str) -> list[DefinedTerm]:
    """Defined terms matching what was typed (any case), best matches first, else in text order."""
    text = clean_text(typed).casefold()
    if not text:
        return list(terms)
    words = _WORD.findall(text)
    ranked = []
    for position, term in enumerate(terms):
        name, citation = clean_text(term.term).casefold(), clean_text(term.citation).casefold()
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


def resolve_term(typed: str, terms: Sequence[DefinedTerm]) -> TermRequest:
    """The term the user picked or typed.

    A choice's value (a citation, 'UNCC Art. 2(c)') or its name ('Traffic data · UNCC Art. 2(c)')
    names one definition; a term as displayed ('Freezing or seizure') is looked up by its first
    written form; anything else goes to the engine as typed (it knows plurals and suggests).
    """
    text = clean_term(typed)
    head, separator, tail = text.rpartition(CHOICE_SEPARATOR.strip())
    wanted = {text.casefold()} | ({tail.strip().casefold()} if separator else set())
    for term in terms:
        if term.terms and clean_text(term.citation).casefold() in wanted:
            return TermRequest(term.terms[0], term.citation)
    displayed = (head.strip() if separator else text).casefold()
    for term in terms:
        if term.terms and clean_text(term.term).casefold() in (displayed, text.casefold()):
            return TermRequest(term.terms[0])
    return TermRequest(text)


def picked(definitions: Sequence[DefinedTerm], citation: str | None) -> tuple[DefinedTerm, ...]:
    """Only the definition picked from the list, if it is among those found; else all of them."""
    chosen = tuple(d for d in definitions if citation is not None and d.citation == citation)
    return chosen or tuple(definitions)
