"""Group text lines into headings, paragraphs and footnotes, and write them as corpus Markdown.

A heading is a line in the style of one of the layout's heading rules whose text matches its
label ("Article 5"); the lines after it in the same style are its title. Paragraphs are told
apart by the space above them (a line pitch within a paragraph, more between paragraphs) and,
at a page break, by whether the last line stopped short of the right margin. Lines below a
footnote separator are footnotes; each is written after the paragraph that refers to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import index_build.pdf_import.layout as L
from index_build.pdf_import.errors import PdfImportError
from index_build.pdf_import.reader import Line, Page

FOOTNOTE_MARK = re.compile(r"^\[\^(\w+)\]:?\s*")
FOOTNOTE_REFERENCE = "[^{}]"
WHITESPACE = re.compile(r"\s+")


@dataclass
class Block:
    """A heading, a paragraph of text or a footnote, with the lines it was made from."""

    kind: str  # "heading" | "text" | "footnote"
    lines: list[Line]
    rule: L.HeadingRule | None = None
    match: re.Match[str] | None = None

    @property
    def text(self) -> str:
        return join_lines(self.lines)


@dataclass(frozen=True)
class _Metrics:
    """Measurements of the body text, taken once over the whole document."""

    right_margin: float

    @classmethod
    def of(cls, pages: list[Page]) -> _Metrics:
        lines = [line for page in pages for line in page.lines]
        if not lines:
            return cls(right_margin=0.0)
        ends = sorted(line.x1 for line in lines)
        return cls(right_margin=ends[min(len(ends) - 1, int(len(ends) * L.RIGHT_MARGIN_PERCENTILE))])


@dataclass
class _Builder:
    layout: L.Layout
    metrics: _Metrics
    blocks: list[Block] = field(default_factory=list)
    last_body_line: Line | None = None

    def page(self, page: Page) -> None:
        in_footnotes = False
        for line in page.lines:
            if L.FOOTNOTE_SEPARATOR.fullmatch(line.text):
                in_footnotes = True
            elif in_footnotes:
                self._footnote_line(line)
            else:
                self._body_line(line)

    def _footnote_line(self, line: Line) -> None:
        current = self.blocks[-1] if self.blocks else None
        if FOOTNOTE_MARK.match(line.text) or current is None or current.kind != "footnote":
            self.blocks.append(Block("footnote", [line]))
        else:
            current.lines.append(line)

    def _body_line(self, line: Line) -> None:
        previous, self.last_body_line = self.last_body_line, line
        current = next((block for block in reversed(self.blocks) if block.kind != "footnote"), None)
        heading = _match_heading(line, self.layout)
        if heading is not None:
            rule, match = heading
            self.blocks.append(Block("heading", [line], rule, match))
        elif current is not None and previous is not None and self._continues(current, previous, line):
            current.lines.append(line)
        else:
            self.blocks.append(Block("text", [line]))

    def _continues(self, block: Block, previous: Line, line: Line) -> bool:
        if abs(line.size - previous.size) > L.SIZE_TOLERANCE:
            return False
        if block.kind == "heading":  # title lines, in the heading's own style
            if line.style != previous.style:
                return False
            return (
                line.page != previous.page
                or line.top - previous.top <= L.HEADING_TITLE_MAX_GAP_EM * line.size
            )
        if line.style != previous.style and {line.style, previous.style} & L.STANDALONE_STYLES:
            return False
        if line.page == previous.page:
            return line.top - previous.top <= L.LINE_PITCH_MAX_EM * previous.size
        # Across a page break: the paragraph ended if its last line stops short of the margin,
        # or if the new page opens with a labelled paragraph after a finished item.
        if previous.x1 < self.metrics.right_margin - L.SHORT_LINE_SLACK_EM * previous.size:
            return False
        return not (self.layout.paragraph_label.match(line.text) and previous.text.endswith(L.ITEM_END))


def build_blocks(pages: list[Page], layout: L.Layout) -> list[Block]:
    builder = _Builder(layout, _Metrics.of(pages))
    for page in pages:
        builder.page(page)
    return builder.blocks


def select(blocks: list[Block], profile: L.SourceProfile, pdf_name: str) -> list[Block]:
    """The blocks that make up the profile's document, its opening heading first (if any)."""
    start = 0
    if profile.start:
        start = _first_heading(blocks, profile.start, 0)
        if start is None:
            raise PdfImportError(
                f"{pdf_name}: could not find where {profile.description} starts "
                f"(no '{profile.start}' heading). Is this the right PDF for '{profile.source_id}'?"
            )
    end = _first_heading(blocks, profile.end, start + 1 if profile.start else 0) if profile.end else None
    selected = blocks[start:end]
    if profile.requires_articles and not any(b.rule and b.rule.kind == "article" for b in selected):
        raise PdfImportError(
            f"{pdf_name}: no articles found in {profile.description} (expected headings such as "
            f"'Article 1'). Is this the right PDF for '{profile.source_id}'?"
        )
    if not any(block.kind == "text" for block in selected):
        raise PdfImportError(f"{pdf_name}: no text found in {profile.description}.")
    return selected


def render(blocks: list[Block], profile: L.SourceProfile) -> str:
    """Markdown paragraphs separated by blank lines; each footnote after its first reference."""
    paragraphs: list[str] = []
    footnotes: list[tuple[str, str]] = []
    for index, block in enumerate(blocks):
        if block.kind == "footnote":
            mark = FOOTNOTE_MARK.match(block.text)
            if mark:
                footnotes.append((mark.group(1), f"[^{mark.group(1)}]: {block.text[mark.end() :]}"))
            elif footnotes:  # a footnote carried over from the previous page
                marker, text = footnotes[-1]
                footnotes[-1] = (marker, f"{text} {block.text}")
        elif block.kind == "heading":
            is_title = (
                index == 0 and profile.start is not None and block.rule and block.rule.kind == profile.start
            )
            paragraphs.append(f"# {_title(block)}".strip() if is_title else _heading(block))
        else:
            paragraphs.append(block.text)
    for marker, definition in footnotes:
        reference = FOOTNOTE_REFERENCE.format(marker)
        place = next((i for i, text in enumerate(paragraphs) if reference in text), len(paragraphs) - 1)
        paragraphs.insert(place + 1, definition)
    return "\n\n".join(paragraphs) + "\n"


def join_lines(lines: list[Line]) -> str:
    """One paragraph's text; a hyphen at the end of a line stays and joins the next word."""
    text = ""
    for line in lines:
        if text and not L.LINE_END_HYPHEN.search(text):
            text += " "
        text += line.text
    return WHITESPACE.sub(" ", text).strip()


def _match_heading(line: Line, layout: L.Layout) -> tuple[L.HeadingRule, re.Match[str]] | None:
    for rule in layout.headings:
        if line.style == rule.style:
            match = rule.label.fullmatch(line.text)
            if match:
                return rule, match
    return None


def _first_heading(blocks: list[Block], kind: str, start: int) -> int | None:
    return next(
        (i for i in range(start, len(blocks)) if blocks[i].rule and blocks[i].rule.kind == kind), None
    )


def _title(block: Block) -> str:
    assert block.match is not None
    rest = block.match.groupdict().get("rest") or ""
    first = [replace(block.lines[0], text=rest)] if rest else []
    return join_lines([*first, *block.lines[1:]])


def _heading(block: Block) -> str:
    assert block.rule is not None and block.match is not None
    text = block.text
    heading = block.rule.markdown.format(
        number=block.match.groupdict().get("number") or "",
        title=_title(block),
        text=text,
        text_lc=text[:1].lower() + text[1:],
    )
    return heading.strip()
