"""Which page of the official PDF each passage of a treaty text stands on.

The corpus Markdown was made from the PDF (`index_build/pdf_import`), so the two hold the same
words in the same order; only layout differs (line breaks, hyphens, quotes, Markdown marks,
page furniture, footnotes at the foot of a page). Both are reduced to their letters and digits,
lower-cased, with the page of each PDF character kept; a passage's page is the page of the
first PDF character of its opening words, searched forward from the previous passage so that
wording repeated in many articles ("Each State Party shall adopt…") resolves to its own place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path

from index_build.pdf_import.reader import Page
from index_contract.files import sha256_file
from index_contract.schema import Definition, Passage, page_link

PROBE_CHARS = 48  # letters and digits of a passage's opening matched in the PDF
MIN_PROBE_CHARS = 12  # a shorter opening is not looked up: it could stand anywhere
PAGE_MAP_VERSION = 1  # of the cached page maps: raise it when reading or normalising changes


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


def read_page_map(pdf: Path, cache_dir: Path | None = None) -> PageMap:
    """The page map of a PDF; with `cache_dir`, kept there under the PDF's hash, so that a
    rebuild reads the PDF (seconds) only when it changes."""
    cached = cache_dir / f"{sha256_file(pdf)}-v{PAGE_MAP_VERSION}.json" if cache_dir else None
    if cached is not None and (known := _load_page_map(cached)) is not None:
        return known
    from index_build.pdf_import import read_pdf_pages  # the PDF reader is loaded only when a PDF is used

    found = page_map(read_pdf_pages(pdf))
    if cached is not None:
        _save_page_map(found, cached)
    return found


def _load_page_map(path: Path) -> PageMap | None:
    """A cached page map, or None when there is none or it is unreadable (read the PDF again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pages = tuple(page for page, count in data["runs"] for _ in range(count))
        text = data["text"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return PageMap(text, pages) if isinstance(text, str) and len(text) == len(pages) else None


def _save_page_map(found: PageMap, path: Path) -> None:
    """Written whole or not at all; a cache that cannot be written only costs the next build time."""
    runs = [[page, len(list(run))] for page, run in groupby(found.pages)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"text": found.text, "runs": runs}, out)
        os.replace(temporary, path)
    except OSError:
        return


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
