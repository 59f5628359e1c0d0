"""What the importer knows about the layout of official UN documents, kept in one place.

Geometry limits are in points or in ems (multiples of the line's font size). Text patterns
that depend on the language of the document are grouped in a `Layout`; the documents the
importer can produce are listed in `PROFILES`. A corrigendum, a protocol or another official
language is added here, as a new profile or layout, without touching the reading code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- Page furniture (running headers and footers, masthead) -----------------------------

# Headers and footers live in the top and bottom bands of each page (fraction of its height).
MARGIN_BAND = 0.12
# A margin line is a running header or footer when the same text (digits ignored) stands at
# the same height on at least this share of the pages, and on at least MIN_REPEATED_PAGES.
REPEATED_FRACTION = 0.3
MIN_REPEATED_PAGES = 3
REPEAT_POSITION_TOLERANCE = 2.0  # points
# A footer line made only of these tokens is furniture even when it does not repeat:
# page numbers ("3/46", "3"), the document's job number ("24-24621"), the language code
# "(E)" and a barcode's human-readable text ("*2424621*").
FOOTER_TOKEN = re.compile(r"\d{1,4}/\d{1,4}|\d{2}-\d{5}|\([A-Z]\)|\*[0-9A-Z]+\*|\d{1,4}")
# Fonts that never carry document text.
FURNITURE_FONT = re.compile(r"barcode|3 of 9|code ?39|code ?128", re.IGNORECASE)
# The first page's masthead ends with a horizontal rule at least this wide (share of the page
# width) in the top part of the page; everything above the lowest such rule is masthead.
MASTHEAD_RULE_MIN_WIDTH = 0.5
MASTHEAD_MAX_DEPTH = 0.4
RULE_MAX_THICKNESS = 3.0  # points
# The text line that separates the footnotes from the body at the foot of a page (never furniture).
FOOTNOTE_SEPARATOR = re.compile(r"_{5,}")

# --- Lines and paragraphs ---------------------------------------------------------------

# Word spaces come from pdfplumber (space characters, or gaps wider than this, in points).
WORD_GAP = 3.0
# A digit this much smaller than the line's text is a footnote reference.
SUPERSCRIPT_MAX_RATIO = 0.8
# Two lines of one paragraph are at most this far apart, top to top (in UN documents the line
# pitch is 1.2 em and paragraphs are 1.8 em apart).
LINE_PITCH_MAX_EM = 1.45
# A heading's title may sit this far below its label ("Chapter I" / "General provisions").
HEADING_TITLE_MAX_GAP_EM = 2.0
# Fonts whose sizes differ by more than this (points) never share a paragraph.
SIZE_TOLERANCE = 0.6
# A line that stops this far (in ems) short of the right margin ends its paragraph.
SHORT_LINE_SLACK_EM = 1.5
# The right margin is where this share of all lines end (the rest overshoot it slightly).
RIGHT_MARGIN_PERCENTILE = 0.95
# End punctuation of a paragraph or list item, before a labelled paragraph on the next page.
ITEM_END = (".", ";", ":")
# Hyphens kept at the end of a line and joined to the next word without a space: UN documents
# do not hyphenate words to justify lines, so a line-end hyphen belongs to the word.
LINE_END_HYPHEN = re.compile(r"\w[-‐]$")

# Font name fragments that tell the style (the subset prefix "ABCDEF+" is ignored).
BOLD_MARKERS = ("bold", "black", "heavy", "semibold", "demi")
ITALIC_MARKERS = ("italic", "oblique")

REGULAR, BOLD, ITALIC, BOLD_ITALIC, MIXED = "regular", "bold", "italic", "bold-italic", "mixed"
# A line wholly in one of these styles never shares a paragraph with a line in another style
# (the masthead's side column: "Seventy-ninth session" in bold above "Agenda item 108").
STANDALONE_STYLES = frozenset({BOLD, BOLD_ITALIC})


@dataclass(frozen=True)
class HeadingRule:
    """A heading recognised by its font style and the text of its first line.

    `label` matches the whole first line. The title is the text of its `rest` group, if any,
    followed by the next lines in the same style. `markdown` is a format string with the
    fields {number} (the `number` group), {title}, {text} (label and title together) and
    {text_lc} (the same with a lower-case first letter).
    """

    kind: str
    style: str
    label: re.Pattern[str]
    markdown: str


@dataclass(frozen=True)
class Layout:
    """The language-dependent text patterns of one family of documents."""

    language: str
    headings: tuple[HeadingRule, ...]
    # Start of a numbered paragraph or a lettered / roman sub-paragraph.
    paragraph_label: re.Pattern[str]


UN_ENGLISH = Layout(
    language="en",
    headings=(
        HeadingRule("preamble", BOLD, re.compile(r"Preamble"), "# Preamble"),
        HeadingRule(
            "chapter", BOLD, re.compile(r"Chapter (?P<number>[IVXLC]+)\.?"), "## Chapter {number}. {title}"
        ),
        HeadingRule(
            "article", ITALIC, re.compile(r"Article (?P<number>\d+)\.?"), "### Article {number}. {title}"
        ),
        HeadingRule("annex", BOLD, re.compile(r"Annex(?: (?P<number>[IVXLC]+))?"), "# Annex. {title}"),
        # In the annex of interpretative notes: "Article 2", "Articles 23 and 35, with regard to ...".
        HeadingRule("note", BOLD, re.compile(r"Articles? \d+.*"), "## Interpretative note on {text_lc}"),
        # The resolution's own title: "79/243. United Nations Convention against Cybercrime; ...".
        HeadingRule(
            "resolution", BOLD, re.compile(r"(?P<number>\d+/\d+)\. (?P<rest>.+)"), "## {number}. {title}"
        ),
    ),
    paragraph_label=re.compile(r"(?:\d{1,3}\.|\([a-z]{1,5}\)) "),
)


@dataclass(frozen=True)
class SourceProfile:
    """Which part of the PDF makes up one corpus document.

    The document starts at the first heading of kind `start` (whose title becomes the
    document's `#` title) or at the first page when `start` is None, and stops before the
    first heading of kind `end` (or at the last page).
    """

    source_id: str
    description: str  # for messages: "the Convention (the annex of the resolution)"
    layout: Layout
    start: str | None = None
    end: str | None = None
    requires_articles: bool = False


PROFILES: dict[str, SourceProfile] = {
    profile.source_id: profile
    for profile in (
        SourceProfile(
            "uncc",
            "the Convention, annexed to resolution 79/243",
            UN_ENGLISH,
            start="annex",
            requires_articles=True,
        ),
        SourceProfile(
            "a-res-79-243-resolution",
            "the text of resolution 79/243, up to its annex",
            UN_ENGLISH,
            end="annex",
        ),
    )
}
