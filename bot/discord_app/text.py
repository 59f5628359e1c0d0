"""Pure text helpers for Discord: markdown escaping, link wrapping, boundary-aware splitting.

Splitting prefers a blank line (paragraph or sub-paragraph boundary), then a line break,
then a space; only a single word longer than the limit is ever cut inside. A piece cut
inside a paragraph ends with `CONTINUES` and the next begins with `CONTINUED`, so the
reader sees that the text goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTINUES = " …"
CONTINUED = "… "
ELLIPSIS = "…"
MIN_SPLIT_LIMIT = len(CONTINUED) + len(CONTINUES) + 1

# Characters Discord reads as inline markdown (emphasis, strike, spoiler, code, links,
# mentions/timestamps/emoji in <...>, block quotes) are escaped wherever they stand.
_INLINE = re.compile(r"([\\*_~|`\[\]<>])")
# Headings (#, -#), lists (-, +) at the start of a line, after optional indentation.
_LINE_START = re.compile(r"(?m)^([ \t]*)([#+-])")
# Ordered lists: "3. Each State Party" would be renumbered or indented by Discord.
_ORDERED = re.compile(r"(?m)^([ \t]*\d+)\.(?=\s|$)")
# What Discord shows for an escape: a backslash before any punctuation is dropped.
_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
# Bold markers (not escaped) are formatting, not characters shown.
_BOLD = re.compile(r"(?<!\\)\*\*")
# A `<address>` autolink shows the address alone; `[text](address)` shows the text.
_AUTOLINK = re.compile(r"<(https?://[^\s<>]+)>")
_MASKED_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\((https?://[^\s)]+)\)")
# A web address in running text, bare or already in angle brackets; sentence punctuation after
# a bare address is not part of it.
_URL = re.compile(r"<(https?://[^\s<>]+)>|(https?://[^\s<>]+?)(?=[.,;:!?)\]'\"]*(?:\s|$))")


def escape_markdown(text: str) -> str:
    """Escape `text` so that Discord shows it character for character; web addresses in it stay
    whole and clickable, as `<address>` (no backslash inside, no link preview)."""
    pieces, start = [], 0
    for match in _URL.finditer(text):
        pieces += [_escape_plain(text[start : match.start()]), plain_link(match.group(1) or match.group(2))]
        start = match.end()
    return "".join([*pieces, _escape_plain(text[start:])])


def _escape_plain(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\1\\\2", text)
    return _ORDERED.sub(r"\1\\.", text)


def displayed(markdown: str) -> str:
    """The characters Discord displays for escaped text (drops bold markers and escaping backslashes)."""
    shown = _MASKED_LINK.sub(r"\1", _AUTOLINK.sub(r"\1", markdown))
    return _ESCAPE.sub(r"\1", _BOLD.sub("", shown))


def plain_link(url: str) -> str:
    """A link for message content: angle brackets suppress Discord's link preview."""
    return f"<{url}>"


@dataclass(frozen=True)
class Piece:
    """`text[start:end]` of the split text, and whether it was cut inside a paragraph."""

    start: int
    end: int
    cut_before: bool  # the previous piece ended mid-paragraph
    cut_after: bool  # this piece ends mid-paragraph


def split_pieces(text: str, limit: int) -> list[Piece]:
    """Cut `text` into pieces that fit in `limit` characters once the markers are added.

    Whitespace at a cut is dropped; everything else of `text` is in exactly one piece.
    """
    if limit < MIN_SPLIT_LIMIT:
        raise ValueError(f"limit {limit} is too small to split text")
    pieces: list[Piece] = []
    pos = _skip_space(text, 0)
    cut_before = False
    while pos < len(text):
        room = limit - (len(CONTINUED) if cut_before else 0)
        end = _rstrip_end(text, pos, len(text))
        if end - pos <= room:
            pieces.append(Piece(pos, end, cut_before, False))
            break
        cut, mid = _best_cut(text, pos, room)
        pieces.append(Piece(pos, cut, cut_before, mid))
        pos = _skip_space(text, cut)
        cut_before = mid
    return pieces


def split_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, with continuation markers."""
    return [render_piece(text, piece) for piece in split_pieces(text, limit)]


def render_piece(text: str, piece: Piece) -> str:
    return (
        (CONTINUED if piece.cut_before else "")
        + text[piece.start : piece.end]
        + (CONTINUES if piece.cut_after else "")
    )


def fit_text(text: str, limit: int) -> str:
    """`text` if it fits, else its opening cut at the best boundary, ending in an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit - len(CONTINUES) < MIN_SPLIT_LIMIT:
        return _hard_cut(text, 0, max(limit - len(ELLIPSIS), 0)).rstrip() + ELLIPSIS[: max(limit, 0)]
    first = split_pieces(text, limit)[0]
    if not first.cut_after and first.end - first.start + len(CONTINUES) > limit:
        first = split_pieces(text, limit - len(CONTINUES))[0]  # a paragraph cut leaves no room
    return text[first.start : first.end] + CONTINUES


def _best_cut(text: str, start: int, room: int) -> tuple[int, bool]:
    """End of the longest head of text[start:] that fits: (end index, cut inside a paragraph)."""
    window_end = start + room
    blank = text.rfind("\n\n", start + 1, window_end + 2)
    if blank > start:
        return _rstrip_end(text, start, blank), False
    line = text.rfind("\n", start + 1, window_end + 1)
    if line > start:
        return _rstrip_end(text, start, line), False
    word_room = room - len(CONTINUES)
    for index in range(start + word_room, start, -1):
        if text[index].isspace():
            end = _rstrip_end(text, start, index)
            if end > start:
                return end, True
    return start + len(_hard_cut(text, start, word_room)), True


def _hard_cut(text: str, start: int, room: int) -> str:
    """The first `room` characters, never ending between an escaping backslash and its character."""
    head = text[start : start + room]
    trailing = len(head) - len(head.rstrip("\\"))
    if trailing % 2 and len(head) > 1:
        head = head[:-1]
    return head


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
