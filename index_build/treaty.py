"""Parse a treaty's Markdown into preamble, chapters, articles, paragraphs and sub-paragraphs.

Layout (see the corpus README): `# Preamble`, `## Chapter N. Title` (Budapest also has
`## Section` and `## Title` headings), `### Article N. Title`; each numbered paragraph
`1.` and each sub-paragraph `(a)` / `a)` / `(i)` is a Markdown paragraph of its own;
`# Annex. ...` holds `## Interpretative note on article N` sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index_build.markdown import Block, iter_blocks, split_front_matter
from index_build.sources import Corpus, CorpusError, TreatySource

ARTICLE_HEADING = re.compile(r"^Article\s+(\d+)\.?\s*(.*)$")
CHAPTER_HEADING = re.compile(r"^Chapter\s+([IVXLC]+)\.?\s*(.*)$")
ANNEX_NOTE_HEADING = re.compile(r"^Interpretative note", re.IGNORECASE)
NUMBERED = re.compile(r"^(\d{1,3})\.\s+(?:(\(?[a-z]\))\s+)?")
LABEL = re.compile(r"\(?([a-z]{1,5})\)\s+")  # used with .match: anchored where it starts
CLOSING_OPENERS = ("IN WITNESS WHEREOF", "DONE at ")
FOOTNOTE = re.compile(r"^\[\^[^\]]+\]:")
ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")


@dataclass(frozen=True)
class Unit:
    """One Markdown paragraph of treaty text with its place in the article."""

    block: Block
    paragraph: str | None = None  # "3" for a numbered paragraph
    letter: str | None = None  # "b" for sub-paragraph (b)
    roman: str | None = None  # "ii" for (ii)
    continuation: bool = False  # unlabelled text that closes a list

    @property
    def text(self) -> str:
        return self.block.text


@dataclass
class Article:
    number: int
    title: str
    heading: Block
    chapter: str = ""  # e.g. "Chapter IV. Procedural measures and law enforcement"
    parts: tuple[str, ...] = ()  # Section / Title headings under the chapter (Budapest)
    units: list[Unit] = field(default_factory=list)

    def subparagraph_letters(self) -> dict[str, list[str]]:
        """Lettered sub-paragraphs by paragraph number ('' for an unnumbered paragraph)."""
        letters: dict[str, dict[str, None]] = {}
        for unit in self.units:
            if unit.letter:
                letters.setdefault(unit.paragraph or "", {}).setdefault(unit.letter)
        return {paragraph: list(found) for paragraph, found in letters.items()}

    def paragraph_numbers(self) -> list[str]:
        seen: dict[str, None] = {}
        for unit in self.units:
            if unit.paragraph:
                seen.setdefault(unit.paragraph)
        return list(seen)


@dataclass
class AnnexNote:
    heading: Block
    units: list[Unit] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.heading.heading


@dataclass
class TreatyText:
    source: TreatySource
    text: str
    title: str
    preamble: list[Unit] = field(default_factory=list)
    articles: dict[int, Article] = field(default_factory=dict)
    annex: list[AnnexNote] = field(default_factory=list)
    closing: list[Unit] = field(default_factory=list)  # "IN WITNESS WHEREOF", footnotes
    body: list[Unit] = field(default_factory=list)  # numbered text of a document without articles
    chapters: list[str] = field(default_factory=list)


def parse_treaties(corpus: Corpus) -> dict[str, TreatyText]:
    """Every official text of the corpus, parsed once for the whole build."""
    return {source.id: parse_treaty(source) for source in corpus.treaties}


def parse_treaty(source: TreatySource) -> TreatyText:
    try:
        text = source.path.read_text(encoding="utf-8")
        _, body_start = split_front_matter(text)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and FrontMatterError are ValueErrors
        raise CorpusError(f"{source.path}: {exc}") from exc
    treaty = TreatyText(source=source, text=text, title=source.title)
    blocks = iter_blocks(text, body_start)
    _Parser(treaty, blocks).run()
    _check(treaty)
    return treaty


class _Parser:
    """Walks the blocks once, tracking where in the document each paragraph sits."""

    def __init__(self, treaty: TreatyText, blocks: list[Block]) -> None:
        self.treaty = treaty
        self.blocks = blocks
        self.region = "front"  # front | preamble | articles | annex | closing
        self.chapter = ""
        self.parts: list[str] = []
        self.target: list[Unit] | None = None
        self.state = _LabelState()

    def run(self) -> None:
        for index, block in enumerate(self.blocks):
            if block.heading_level:
                self._heading(block)
            else:
                self._paragraph(block, index)

    def _heading(self, block: Block) -> None:
        title, level = block.heading, block.heading_level
        self.state = _LabelState()
        if level == 1:
            lowered = title.lower()
            if lowered.startswith("preamble"):
                self.region, self.target = "preamble", self.treaty.preamble
            elif lowered.startswith("annex"):
                self.region, self.target = "annex", None
            elif self.region == "front":
                self.target = self.treaty.body  # title heading of a document without a preamble
            return
        if self.region == "annex" and ANNEX_NOTE_HEADING.match(title):
            note = AnnexNote(heading=block)
            self.treaty.annex.append(note)
            self.target = note.units
            return
        article = ARTICLE_HEADING.match(title)
        if article:
            number = int(article.group(1))
            if number in self.treaty.articles:
                raise CorpusError(f"{self.treaty.source.path}: Article {number} appears twice")
            self.region = "articles"
            entry = Article(
                number=number,
                title=article.group(2).strip(),
                heading=block,
                chapter=self.chapter,
                parts=tuple(self.parts),
            )
            self.treaty.articles[number] = entry
            self.target = entry.units
            return
        chapter = CHAPTER_HEADING.match(title)
        if chapter:
            self.chapter, self.parts = title, []
            self.treaty.chapters.append(title)
            self.target = None
        elif self.region in ("articles", "preamble") and level == 2:
            self.parts.append(title)  # Section / Title grouping headings
            self.target = None
        else:
            self.target = self.treaty.body

    def _paragraph(self, block: Block, index: int) -> None:
        if block.text.startswith(CLOSING_OPENERS) or FOOTNOTE.match(block.text):
            self.region, self.target = "closing", self.treaty.closing
        target = self.target if self.target is not None else self.treaty.body
        target.append(self.state.label(block, self._next_label(index)))

    def _next_label(self, index: int) -> str | None:
        """The sub-paragraph label of the next paragraph, if any (to tell (i) from (i))."""
        for block in self.blocks[index + 1 :]:
            if block.heading_level:
                return None
            match = LABEL.match(block.text)
            if match:
                return match.group(1)
            if NUMBERED.match(block.text):
                return None
        return None


class _LabelState:
    """Current paragraph / letter / roman numeral while reading one article."""

    def __init__(self) -> None:
        self.paragraph: str | None = None
        self.letter: str | None = None
        self.roman: str | None = None

    def label(self, block: Block, next_label: str | None) -> Unit:
        text = block.text
        numbered = NUMBERED.match(text)
        if numbered:
            self.paragraph, self.letter, self.roman = numbered.group(1), None, None
            if numbered.group(2):  # "1. a) ..." : paragraph number and first item together
                self.letter = numbered.group(2).strip("()")
            return self._unit(block)
        labelled = LABEL.match(text)
        if labelled:
            token = labelled.group(1)
            if self._is_roman(token, next_label):
                self.roman = token
            elif len(token) == 1:
                self.letter, self.roman = token, None
                nested = LABEL.match(text, labelled.end())  # "(a) (i) ..." opens item and sub-item
                if nested and nested.group(1) == ROMANS[0]:
                    self.roman = ROMANS[0]
            else:
                return self._unit(block, continuation=True)
            return self._unit(block)
        continuation = self.letter is not None or self.roman is not None
        self.roman = None
        return self._unit(block, continuation=continuation)

    def _is_roman(self, token: str, next_label: str | None) -> bool:
        if token not in ROMANS:
            return False
        expected_roman = ROMANS[ROMANS.index(self.roman) + 1] if self.roman in ROMANS else "i"
        expected_letter = chr(ord(self.letter) + 1) if self.letter else "a"
        if len(token) > 1 or token != expected_letter:
            return token == expected_roman or len(token) > 1
        if token != expected_roman:
            return False
        # Both readings fit, e.g. "(i)" after "(h)": the next label decides.
        return next_label == ROMANS[ROMANS.index(token) + 1]

    def _unit(self, block: Block, continuation: bool = False) -> Unit:
        return Unit(
            block=block,
            paragraph=self.paragraph,
            letter=self.letter,
            roman=self.roman,
            continuation=continuation,
        )


def _check(treaty: TreatyText) -> None:
    """Fail loudly when the file does not have the articles the manifest promises."""
    expected = treaty.source.articles
    numbers = sorted(treaty.articles)
    if expected and numbers != list(range(1, expected + 1)):
        missing = sorted(set(range(1, expected + 1)) - set(numbers))
        extra = sorted(set(numbers) - set(range(1, expected + 1)))
        raise CorpusError(
            f"{treaty.source.path}: expected Articles 1 to {expected} "
            f"(as '### Article N. Title' headings); missing {missing or 'none'}, "
            f"unexpected {extra or 'none'}"
        )
    for article in treaty.articles.values():
        if not article.units:
            raise CorpusError(f"{treaty.source.path}: Article {article.number} has no text")
