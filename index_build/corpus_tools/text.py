"""Comparing commentary texts: the same piece whatever its Markdown, quotes and spacing.

`normalise` reduces a Markdown text to its words and punctuation: Markdown marks (heading
hashes, list bullets, emphasis), typographic quotes and runs of white space no longer count.
`stored_text` is a corpus file's own text: without the front matter, the title heading, the
"[Excerpt ends here ...]" note and the "[...]" that marks where an excerpt was cut.
"""

from __future__ import annotations

import re

from index_build.corpus_tools.extract import TRUNCATION_ENDINGS
from index_build.markdown import iter_blocks, split_front_matter
from index_build.passages import EXCERPT_NOTE

QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
                        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "…": "..."})  # fmt: skip
BLOCK_MARK = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|>\s?)", re.MULTILINE)
EMPHASIS = re.compile(r"[*_`]")
# An opening shorter than this is too little to say that two texts are the same piece.
MIN_OPENING_CHARS = 200


def normalise(markdown: str) -> str:
    text = BLOCK_MARK.sub("", markdown.translate(QUOTES))
    return " ".join(EMPHASIS.sub("", text).split())


def stored_text(file_text: str) -> str:
    """The Markdown of a corpus file's own text (see the module docstring)."""
    _, start = split_front_matter(file_text)
    blocks = [b for b in iter_blocks(file_text, start) if not EXCERPT_NOTE.match(b.text)]
    if blocks and blocks[0].heading_level == 1:
        blocks = blocks[1:]
    texts = [b.text for b in blocks]
    if texts:
        texts[-1] = strip_cut_mark(texts[-1])
    return "\n\n".join(t for t in texts if t)


def strip_cut_mark(text: str) -> str:
    text = text.rstrip()
    for mark in TRUNCATION_ENDINGS:
        if text.endswith(mark):
            return text[: -len(mark)].rstrip()
    return text


def begins_with(full: str, opening: str) -> bool:
    """Whether normalised text `full` starts with normalised `opening` (long enough to tell)."""
    return len(opening) >= MIN_OPENING_CHARS and full.startswith(opening)


def same_piece(a: str, b: str) -> bool:
    """Whether two normalised texts are one piece: equal, or one the opening of the other."""
    return a == b or begins_with(a, b) or begins_with(b, a)
