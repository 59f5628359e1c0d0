"""Which page of the official PDF each passage of a treaty text stands on.

The corpus Markdown was made from the PDF (`index_build/pdf_import`), so the two hold the same
words in the same order; only layout differs (line breaks, hyphens, quotes, Markdown marks,
page furniture, footnotes at the foot of a page). Both are reduced to their letters and digits,
lower-cased, with the page of each PDF character kept; a passage's page is the page of the
first PDF character of its opening words, searched forward from the previous passage so that
wording repeated in many articles ("Each State Party shall adopt…") resolves to its own place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from index_build.pdf_import.reader import Page
from index_contract.schema import Definition, Passage, page_link

PROBE_CHARS = 48  # letters and digits of a passage's opening matched in the PDF
MIN_PROBE_CHARS = 12  # a shorter opening is not looked up: it could stand anywhere


@dataclass(frozen=True)
class PageMap:
    """The PDF's letters and digits in reading order, and the page (1-based) of each."""

    text: str
    pages: tuple[int, ...]

    def page_of(self, words: str, after: int = 0) -> tuple[int, int] | None:
        """(page, where the match ends) of the first occurrence of `words`' opening at or after
        `after`: the next passage is searched from there."""
        probe = normalise(words)[:PROBE_CHARS]
        if len(probe) < MIN_PROBE_CHARS:
            return None
        found = self.text.find(probe, after)
        return None if found < 0 else (self.pages[found], found + len(probe))


def normalise(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def page_map(pages: Iterable[Page]) -> PageMap:
    chars: list[str] = []
    numbers: list[int] = []
    for page in pages:
        for line in page.lines:
            kept = normalise(line.text)
            chars.append(kept)
            numbers += [page.number] * len(kept)
    return PageMap("".join(chars), tuple(numbers))


def read_page_map(pdf: Path) -> PageMap:
    from index_build.pdf_import import read_pdf_pages  # the PDF reader is loaded only when a PDF is used

    return page_map(read_pdf_pages(pdf))


def passage_pages(passages: Sequence[Passage], pdf: PageMap) -> dict[str, int]:
    """Passage id -> PDF page, for the passages of one text (those found; in source order)."""
    found: dict[str, int] = {}
    cursor = 0
    for passage in sorted(passages, key=lambda p: p.start):
        hit = pdf.page_of(passage.quote, cursor)
        if hit is not None:
            found[passage.id], cursor = hit
    return found


def with_pages(passages: Sequence[Passage], pages: dict[str, int], url: str, pdf_url: str) -> list[Passage]:
    """The passages with their page and a link to it (`pdf_url#page=N`); others unchanged."""
    return [
        replace(p, page=pages[p.id], link=page_link(url, pdf_url, pages[p.id])) if p.id in pages else p
        for p in passages
    ]


def definition_pages(definitions: Sequence[Definition], passages: Sequence[Passage]) -> list[Definition]:
    """Each definition on the page of the passage that holds it."""
    holders = [p for p in passages if p.page is not None]

    def page(d: Definition) -> int | None:
        return next((p.page for p in holders if p.doc == d.doc and p.start <= d.start < p.end), None)

    return [replace(d, page=page(d)) for d in definitions]
