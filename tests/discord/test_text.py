"""Markdown escaping and boundary-aware splitting: properties that hold for any text."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from bot.discord_app.cogs.mentions import strip_mention
from bot.discord_app.text import (
    CONTINUED,
    CONTINUES,
    MIN_SPLIT_LIMIT,
    displayed,
    escape_markdown,
    fit_text,
    plain_link,
    render_piece,
    split_pieces,
)

MARKDOWN_CHARS = "*_~|`[]<>\\#-+.:@ \n\t1234567890"
texts = st.text(alphabet=st.sampled_from(MARKDOWN_CHARS) | st.characters(), max_size=400)
words = st.text(alphabet="abcdefghij*_.()“”", min_size=1, max_size=12)
prose = st.lists(words, min_size=1, max_size=120).map(" ".join)
paragraphs = st.lists(prose, min_size=1, max_size=8).map("\n\n".join)
limits = st.integers(min_value=MIN_SPLIT_LIMIT, max_value=300)
ESCAPE_PAIR = re.compile(r"\\[^0-9A-Za-z\s]")
UNESCAPED_MARKUP = re.compile(r"[*_~|`\[\]<>]|^[ \t]*(?:[#>+-]|\d+\.(?:\s|$))", re.M)


@given(texts)
@example("1. Each State Party shall *adopt* such_measures <@123> @everyone\n- item\n# heading\n> quote")
def test_escaped_text_displays_exactly_the_original(text: str) -> None:
    assert displayed(escape_markdown(text)) == text


@given(texts)
def test_escaped_text_has_no_active_markdown(text: str) -> None:
    escaped = escape_markdown(text)
    # A backslash escapes only the character after it; what is left must hold no markup.
    assert not UNESCAPED_MARKUP.search(ESCAPE_PAIR.sub("x", escaped))


def test_treaty_wording_reads_the_same_and_ordered_lists_are_not_renumbered() -> None:
    quote = "3. Each State Party shall, *inter alia,* adopt:\n\n(a) measures_for [x]"
    escaped = escape_markdown(quote)
    assert escaped.startswith("3\\. Each") and "\\*inter alia,\\*" in escaped
    assert displayed(escaped) == quote


def test_plain_links_are_wrapped_to_suppress_previews() -> None:
    assert plain_link("https://docs.un.org/en/A/RES/79/243") == "<https://docs.un.org/en/A/RES/79/243>"


def _word_at(text: str, index: int) -> str:
    start, end = index, index
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def _assert_valid_split(text: str, limit: int) -> None:
    pieces = split_pieces(text, limit)
    position = 0
    for index, piece in enumerate(pieces):
        assert len(render_piece(text, piece)) <= limit
        assert piece.end > piece.start
        assert text[position : piece.start].strip() == ""  # only whitespace is ever dropped
        position = piece.end
        if index:
            assert piece.cut_before == pieces[index - 1].cut_after
        cut_inside_word = piece.end < len(text) and not text[piece.end].isspace()
        if cut_inside_word:  # only a word too long for any piece may be cut inside
            assert len(_word_at(text, piece.end)) > limit - len(CONTINUED) - len(CONTINUES)
    assert text[position:].strip() == ""
    assert not pieces[-1].cut_after if pieces else text.strip() == ""


@given(texts, limits)
def test_split_pieces_cover_the_text_within_the_limit(text: str, limit: int) -> None:
    _assert_valid_split(text, limit)


@given(paragraphs, limits)
def test_split_prefers_paragraph_boundaries(text: str, limit: int) -> None:
    _assert_valid_split(text, limit)
    if all(len(p) <= limit for p in text.split("\n\n")):
        pieces = [text[p.start : p.end] for p in split_pieces(text, limit)]
        assert not any(p.cut_after for p in split_pieces(text, limit))
        assert "\n\n".join(pieces) == text  # whole paragraphs, nothing cut inside one


@given(texts, st.integers(min_value=0, max_value=300))
def test_fit_text_never_exceeds_the_limit(text: str, limit: int) -> None:
    fitted = fit_text(text, limit)
    assert len(fitted) <= limit
    if len(text.strip()) <= limit:
        assert fitted == text.strip()


def test_strip_mention_removes_the_bot_and_its_role_only() -> None:
    assert strip_mention("<@42> What is illegal access?", 42) == "What is illegal access?"
    assert strip_mention("<@!42>   hi <@7>", 42) == "hi <@7>"
    assert strip_mention("<@&9> What is a production order?", 42, role_id=9) == "What is a production order?"
    assert strip_mention("<@&8> still here", 42, role_id=9) == "<@&8> still here"
