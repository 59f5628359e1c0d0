"""What a user typed for an article: autocomplete choices and the article it names (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.discord_app.limits import MAX_AUTOCOMPLETE_CHOICES, MAX_CHOICE_NAME
from bot.discord_app.text import fit_text
from bot.engine.engine import InvalidRequest

MAX_ARTICLE_INPUT = 100  # what /article and /compare accept: a number, '28(3)' or title words
CHOICE_SEPARATOR = " · "
SUGGESTIONS_SHOWN = 5
_NUMBER = re.compile(r"^\s*(?:art(?:icle)?\.?\s*)?(\d{1,4})\b")
_FULL_NUMBER = re.compile(
    r"""^\s*(?:art(?:icle)?\.?\s*)?(\d{1,4})   # 28, art. 28, Article 28
    \s*(?:\(\s*(\w{1,4})\s*\))?              # (3): a paragraph
    \s*(?:·.*)?$                            # · Title, as in a choice name""",
    re.I | re.X,
)
_WORD = re.compile(r"\w+")


def choice_name(number: int, title: str) -> str:
    """'28 · Search and seizure of stored electronic data', cut between words to fit a choice."""
    return fit_text(f"{number}{CHOICE_SEPARATOR}{title}", MAX_CHOICE_NAME)


def matching_articles(titles: Sequence[tuple[int, str]], typed: str) -> list[tuple[int, str]]:
    """Articles matching what was typed: by number prefix, or by words (prefixes) of the title."""
    text = " ".join(typed.lower().split())
    if not text:
        return list(titles)
    number = _NUMBER.match(text)
    if number:
        digits = number.group(1).lstrip("0") or "0"
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


def article_choices(
    titles: Sequence[tuple[int, str]], typed: str, limit: int = MAX_AUTOCOMPLETE_CHOICES
) -> list[tuple[str, str]]:
    """(name, value) autocomplete choices, at most `limit` (Discord allows 25)."""
    return [(choice_name(n, t), str(n)) for n, t in matching_articles(titles, typed)[:limit]]


def parse_article(typed: str, titles: Sequence[tuple[int, str]]) -> tuple[int, str | None]:
    """The article (and paragraph, for '28(3)') that the user typed or picked.

    A number is taken as is (the engine says if it does not exist); words must match
    exactly one title, else the message suggests the closest ones.
    """
    match = _FULL_NUMBER.match(typed)
    if match:
        return int(match.group(1)), match.group(2)
    found = matching_articles(titles, typed) if typed.strip() else []
    if len(found) == 1:
        return found[0][0], None
    shown = typed.strip()[:MAX_CHOICE_NAME]
    if not found:
        raise InvalidRequest(f"'{shown}' is not an article number or title. Type a number such as 28.")
    suggestions = "; ".join(choice_name(n, t) for n, t in found[:SUGGESTIONS_SHOWN])
    raise InvalidRequest(f"'{shown}' matches several articles: {suggestions}. Pick one from the list.")
