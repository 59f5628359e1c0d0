"""Convert an official UN treaty PDF to the corpus Markdown layout.

    body = convert_pdf("A_RES_79_243.pdf", "uncc")
    problems = check_converted(body, expected_articles=68)

`convert_pdf` returns the Markdown body (`# Preamble`, `## Chapter N. Title`,
`### Article N. Title`, one Markdown paragraph per numbered paragraph and sub-paragraph,
footnotes as `[^N]:`, `# Annex. ...` with `## Interpretative note on article N`);
`front_matter` writes YAML front matter for it from the manifest entry. Every failure is a
`PdfImportError` whose message can be shown to the user as it is. The layout knowledge
(headers, footers, heading patterns, which part of the PDF each source is) is in `layout`.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import yaml

from index_build.pdf_import.blocks import build_blocks, render, select
from index_build.pdf_import.check import check_converted
from index_build.pdf_import.errors import PdfImportError
from index_build.pdf_import.layout import PROFILES, SourceProfile
from index_build.pdf_import.reader import Page, read_lines
from index_build.sources import TreatySource

__all__ = [
    "PROFILES",
    "PdfImportError",
    "check_converted",
    "convert_pdf",
    "front_matter",
    "profile_for",
    "read_pdf_pages",
]


def convert_pdf(pdf_path: str | Path, source_id: str) -> str:
    """The corpus Markdown body (no front matter) of source `source_id`, read from the PDF."""
    profile = profile_for(source_id)
    path = Path(pdf_path)
    blocks = select(build_blocks(_pages(path), profile.layout), profile, str(path))
    return render(blocks, profile)


def read_pdf_pages(pdf_path: str | Path) -> list[Page]:
    """The PDF's text lines, page by page, without the page furniture (read once per file)."""
    return _pages(Path(pdf_path))


def _pages(path: Path) -> list[Page]:
    """The PDF's lines, read once for the several documents one PDF holds (the resolution and
    its annex): reading takes seconds, and the pages are immutable."""
    try:
        stat = path.stat()
    except OSError:
        return read_lines(path)  # which says, in words for the user, what is wrong
    return list(_read_once(path.resolve(), stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=2)
def _read_once(path: Path, size: int, mtime_ns: int) -> tuple[Page, ...]:
    return tuple(read_lines(path))


def profile_for(source_id: str) -> SourceProfile:
    try:
        return PROFILES[source_id]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise PdfImportError(f"Cannot import '{source_id}' from a PDF; known sources: {known}.") from None


def front_matter(source: TreatySource, pdf_path: str | Path) -> str:
    """YAML front matter for a converted document, from its manifest entry and the PDF."""
    path = Path(pdf_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    fields: dict[str, object] = {
        "title": source.title,
        "official_url": source.url,
        "source_pdf": f"{path.name} (sha256 {digest})",
        "language": profile_for(source.id).layout.language,
    }
    if source.articles:
        fields["articles"] = source.articles
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{dumped}---\n"
