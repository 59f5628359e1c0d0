"""Read a PDF into text lines with their place and font, without the page furniture.

Running headers and footers are found by repetition (the same text at the same height on
many pages) and by the shape of page and document numbers, the first page's masthead by the
rule that closes it, barcodes by their font. Nothing here knows this document's wording.
"""

from __future__ import annotations

import math
import mmap
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

import index_build.pdf_import.layout as L
from index_build.pdf_import.errors import PdfImportError

PDF_MAGIC = b"%PDF-"
# A compressed stream is inflated in steps of this size while its inflated size is checked.
INFLATE_STEP_BYTES = 1024 * 1024
# The most one stream, and all of them, may inflate to: an official text's page is a few
# kilobytes; a "compression bomb" of 1 MB inflates to a gigabyte.
MAX_INFLATED_STREAM_BYTES = 64 * 1024 * 1024
MAX_INFLATED_TOTAL_BYTES = 512 * 1024 * 1024
STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
MAGIC_SEARCH_BYTES = 1024  # the PDF standard lets the header start a little into the file
SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Line:
    """One line of text; footnote references in it are written "[^N]"."""

    page: int  # 1-based
    text: str
    x0: float
    x1: float
    top: float
    size: float  # the font size of most of its characters
    style: str  # layout.REGULAR / BOLD / ITALIC / BOLD_ITALIC when all characters agree, else MIXED


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: tuple[Line, ...]
    masthead_bottom: float = 0.0  # lines above this belong to the first page's masthead


def read_lines(pdf_path: Path) -> list[Page]:
    """The PDF's pages with their text lines in reading order, page furniture removed."""
    pages = read_pages(pdf_path)
    return drop_furniture(pages)


def read_pages(pdf_path: Path) -> list[Page]:
    """Every text line of every page, furniture included."""
    _check_is_pdf(pdf_path)
    _check_inflated_sizes(pdf_path)
    try:
        with pdfplumber.open(pdf_path) as pdf:
            pages = [_read_page(page) for page in pdf.pages]
    except (PdfminerException, PSException) as exc:  # pdfplumber wraps what pdfminer raises on opening
        raise _pdfminer_error(pdf_path, exc) from exc
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        # A malformed object (a /MediaBox of two numbers, a page size of zero) deep in pdfminer.
        raise PdfImportError(f"{pdf_path} is damaged or not a readable PDF ({type(exc).__name__}).") from exc
    if not pages:
        raise PdfImportError(f"{pdf_path} has no pages.")
    if not any(page.lines for page in pages):
        raise PdfImportError(
            f"{pdf_path} has no text layer (it is probably a scanned image). "
            "Use the official PDF with selectable text, or run OCR on it first."
        )
    return pages


def drop_furniture(pages: list[Page]) -> list[Page]:
    """Remove running headers and footers, page numbers and the first page's masthead."""
    repeated = _repeated_margin_keys(pages)
    cleaned = []
    for page in pages:
        kept = tuple(
            line
            for line in page.lines
            if line.top >= page.masthead_bottom and not _is_furniture(line, page, repeated)
        )
        cleaned.append(replace(page, lines=kept))
    return cleaned


def _check_is_pdf(pdf_path: Path) -> None:
    try:
        with pdf_path.open("rb") as handle:
            head = handle.read(MAGIC_SEARCH_BYTES)
    except FileNotFoundError as exc:
        raise PdfImportError(f"PDF file not found: {pdf_path}") from exc
    except OSError as exc:
        raise PdfImportError(f"Cannot read {pdf_path}: {exc.strerror or exc}") from exc
    if PDF_MAGIC not in head:
        raise PdfImportError(f"{pdf_path} is not a PDF file (it does not start with {PDF_MAGIC.decode()}).")


def _check_inflated_sizes(pdf_path: Path) -> None:
    """PdfImportError if a Flate stream would inflate past the limits; read without keeping
    more than one step of inflated data."""
    total = 0
    with pdf_path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for start in STREAM_START.finditer(data):
            end = data.find(b"endstream", start.end())
            if end < 0:
                break
            size = _inflated_size(data[start.end() : end], MAX_INFLATED_STREAM_BYTES)
            total += size
            if size > MAX_INFLATED_STREAM_BYTES or total > MAX_INFLATED_TOTAL_BYTES:
                one, every = MAX_INFLATED_STREAM_BYTES // 2**20, MAX_INFLATED_TOTAL_BYTES // 2**20
                raise PdfImportError(
                    f"{pdf_path} holds compressed data that inflates to more than {one} MB in one stream "
                    f"or {every} MB in all: it is not an official text (a compression bomb?)."
                )


def _inflated_size(raw: bytes, limit: int) -> int:
    """How many bytes `raw` inflates to, counted up to just past `limit`; 0 if it is not zlib data."""
    inflater = zlib.decompressobj()
    size, pending = 0, raw
    try:
        while pending and size <= limit:
            size += len(inflater.decompress(pending, INFLATE_STEP_BYTES))
            pending = inflater.unconsumed_tail
    except zlib.error:
        return size
    return size


def _pdfminer_error(pdf_path: Path, exc: Exception) -> PdfImportError:
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, PDFEncryptionError):
        return PdfImportError(
            f"{pdf_path} is encrypted and needs a password to open. "
            "Use an unprotected copy of the official PDF."
        )
    return PdfImportError(f"{pdf_path} is damaged or not a readable PDF ({cause or type(cause).__name__}).")


def _read_page(page: pdfplumber.page.Page) -> Page:
    dropped = {id(char) for char in _furniture_and_duplicate_chars(page.chars)}
    text_page = page.filter(lambda obj: id(obj) not in dropped)
    lines = []
    for found in text_page.extract_text_lines(return_chars=True, x_tolerance=L.WORD_GAP):
        line = _make_line(found, page.page_number)
        if line is not None:
            lines.append(line)
    lines.sort(key=lambda line: (line.top, line.x0))
    masthead_bottom = _masthead_bottom(page) if page.page_number == 1 else 0.0
    return Page(page.page_number, float(page.width), float(page.height), tuple(lines), masthead_bottom)


def _furniture_and_duplicate_chars(chars: list[dict]) -> list[dict]:
    """Barcode glyphs, and glyphs drawn a second time on the same spot (a way to fake bold)."""
    seen: set[tuple] = set()
    found = []
    for char in chars:
        key = (char["text"], round(char["x0"]), round(char["top"]), char["fontname"])
        if key in seen or L.FURNITURE_FONT.search(char["fontname"]):
            found.append(char)
        seen.add(key)
    return found


def _make_line(found: dict, page_number: int) -> Line | None:
    """A Line from pdfplumber's text line, its word spaces kept and superscript digits marked."""
    text, chars = found["text"], [c for c in found["chars"] if c["text"].strip()]
    if not chars:
        return None
    size = Counter(c["size"] for c in chars).most_common(1)[0][0]
    parts: list[str] = []
    styles: set[str] = set()
    position = 0
    in_marker = False
    for char in chars:
        space = False
        while position < len(text) and text[position].isspace():
            space, position = True, position + 1
        if not text.startswith(char["text"], position):  # pdfplumber's text and characters disagree
            raise PdfImportError(f"The text of page {page_number} could not be read in order: {text!r}")
        position += len(char["text"])
        superscript = char["size"] <= size * L.SUPERSCRIPT_MAX_RATIO and char["text"].isdigit()
        if in_marker and (space or not superscript):
            parts.append("]")
            in_marker = False
        if space:
            parts.append(" ")
        if superscript and not in_marker:
            parts.append("[^")
            in_marker = True
        if not superscript:
            styles.add(_style(char["fontname"]))
        parts.append(char["text"])
    if in_marker:
        parts.append("]")
    return Line(
        page=page_number,
        text="".join(parts),
        x0=float(min(c["x0"] for c in chars)),
        x1=float(max(c["x1"] for c in chars)),
        top=float(min(c["top"] for c in chars if c["size"] == size)),
        size=float(size),
        style=styles.pop() if len(styles) == 1 else L.MIXED,
    )


def _style(fontname: str) -> str:
    name = SUBSET_PREFIX.sub("", fontname).lower()
    bold = any(marker in name for marker in L.BOLD_MARKERS)
    italic = any(marker in name for marker in L.ITALIC_MARKERS)
    if bold and italic:
        return L.BOLD_ITALIC
    return L.BOLD if bold else L.ITALIC if italic else L.REGULAR


def _masthead_bottom(page: pdfplumber.page.Page) -> float:
    """The lowest wide horizontal rule in the top part of the page (0 if there is none)."""
    widths: dict[int, float] = defaultdict(float)
    for obj in [*page.rects, *page.lines]:
        if (
            obj["bottom"] - obj["top"] <= L.RULE_MAX_THICKNESS
            and obj["top"] <= page.height * L.MASTHEAD_MAX_DEPTH
        ):
            widths[round(obj["top"])] += obj["x1"] - obj["x0"]
    rules = [top for top, width in widths.items() if width >= page.width * L.MASTHEAD_RULE_MIN_WIDTH]
    return float(max(rules, default=0))


def _in_margin(line: Line, page: Page) -> bool:
    return line.top < page.height * L.MARGIN_BAND or line.top > page.height * (1 - L.MARGIN_BAND)


def _repeat_key(line: Line) -> tuple[str, int]:
    return DIGITS.sub("#", line.text), round(line.top / L.REPEAT_POSITION_TOLERANCE)


def _repeated_margin_keys(pages: list[Page]) -> set[tuple[str, int]]:
    """Margin lines that stand, digits aside, at the same height on many pages."""
    pages_by_key: dict[tuple[str, int], set[int]] = defaultdict(set)
    for page in pages:
        for line in page.lines:
            if _in_margin(line, page):
                pages_by_key[_repeat_key(line)].add(page.number)
    needed = max(L.MIN_REPEATED_PAGES, math.ceil(L.REPEATED_FRACTION * len(pages)))
    return {key for key, found in pages_by_key.items() if len(found) >= needed}


def _is_furniture(line: Line, page: Page, repeated: set[tuple[str, int]]) -> bool:
    if not _in_margin(line, page) or L.FOOTNOTE_SEPARATOR.fullmatch(line.text):
        return False
    if _repeat_key(line) in repeated:
        return True
    bottom_band = line.top > page.height * (1 - L.MARGIN_BAND)
    return bottom_band and all(L.FOOTER_TOKEN.fullmatch(token) for token in line.text.split())
