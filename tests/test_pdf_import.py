"""PDF import: the official PDF of A/RES/79/243 against the corpus mirror, word for word.

The mirror's uncc.md and a-res-79-243-resolution.md were made from the same PDF (see the
corpus PROVENANCE.md). Their front matter is hand-written, so the comparison is on the body.
Every difference that remains is listed below with its reason; a new one fails the tests.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

import pytest

from index_build.markdown import iter_blocks, split_front_matter
from index_build.pdf_import import PdfImportError, check_converted, convert_pdf, front_matter
from index_build.treaty import parse_treaty
from tests.conftest import PDF_NAME

UNCC_ARTICLES = 68

# Paragraph-level differences between the mirror's uncc.md body (left) and the conversion
# (right), as (mirror paragraphs, converted paragraphs). Word for word there are none.
ART13_ITEM_C = (
    "(c) Any deception as to factual circumstances made through an information and communications "
    "technology system that causes a person to do or omit to do anything which that person would not "
    "otherwise do or omit to do;"
)
ART13_CLOSING = (
    "with the fraudulent or dishonest intent of procuring for oneself or for another person, without "
    "right, a gain in money or other property."
)
UNCC_PARAGRAPH_DIFFERENCES = [
    # Article 13: the PDF sets the closing clause apart from item (c), with a paragraph space
    # before it, as in Article 11 ("with the intent that ..."); PROVENANCE.md says such closing
    # clauses are separate paragraphs, but the mirror joined this one to (c).
    ((f"{ART13_ITEM_C} {ART13_CLOSING}",), (ART13_ITEM_C, ART13_CLOSING)),
]

# The resolution's mirror rewrote its masthead as plain sentences and added a title and a
# pointer to the annex; from its "## 79/243." heading to paragraph 12 it is verbatim.
RESOLUTION_PARAGRAPH_DIFFERENCES = [
    (
        (
            # A title of the mirror's own; the PDF has none above its masthead.
            "# General Assembly resolution 79/243 (24 December 2024)",
            # The masthead, which the converter removes (it is not text of the resolution).
            "United Nations, General Assembly. A/RES/79/243. Distr.: General, 31 December 2024.",
            # The PDF's three lines in the side column, which the mirror joined with ". " and ": ".
            "Seventy-ninth session. Agenda item 108: Countering the use of information and "
            "communications technologies for criminal purposes.",
            # The mirror joins the bold adoption line and the note in italics below it.
            "Resolution adopted by the General Assembly on 24 December 2024 [on the report of the Third "
            "Committee (A/79/460, para. 15)]",
        ),
        (
            "Seventy-ninth session",
            "Agenda item 108",
            "Countering the use of information and communications technologies for criminal purposes",
            "Resolution adopted by the General Assembly on 24 December 2024",
            "[on the report of the Third Committee (A/79/460, para. 15)]",
        ),
    ),
    (
        (
            # The PDF's two right-aligned lines: the mirror adds a comma between them.
            "55th (resumed) plenary meeting, 24 December 2024",
            # A pointer of the mirror's own: the converter stops before the annex.
            "Annex: United Nations Convention against Cybercrime (see uncc.md)",
        ),
        ("55th (resumed) plenary meeting 24 December 2024",),
    ),
]


@pytest.fixture(scope="module")
def converted(pdf_path) -> str:
    return convert_pdf(pdf_path, "uncc")


@pytest.fixture(scope="module")
def mirror(corpus) -> str:
    return _body(corpus.treaty("uncc").path.read_text(encoding="utf-8"))


def _body(text: str) -> str:
    _, start = split_front_matter(text)
    return text[start:]


def _paragraphs(text: str) -> list[str]:
    return [block.text for block in iter_blocks(text)]


def _differences(left: list[str], right: list[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    return [
        (tuple(left[i1:i2]), tuple(right[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def test_convention_matches_the_mirror_word_for_word(converted, mirror):
    assert _differences(mirror.split(), converted.split()) == []


def test_convention_paragraphs_match_the_mirror_but_for_the_listed_differences(converted, mirror):
    assert _differences(_paragraphs(mirror), _paragraphs(converted)) == UNCC_PARAGRAPH_DIFFERENCES


def test_convention_layout(converted):
    lines = converted.splitlines()
    assert lines[0].startswith("# United Nations Convention against Cybercrime; Strengthening International")
    assert sum(line.startswith("## Chapter ") for line in lines) == 9
    assert "## Chapter IV. Procedural measures and law enforcement" in lines
    assert "### Article 13. Information and communications technology system-related theft or fraud" in lines
    article_4 = "### Article 4. Offences established in accordance with other United Nations conventions"
    assert f"{article_4} and protocols" in lines
    assert "have signed this Convention.[^1]" in converted
    footnote = next(line for line in lines if line.startswith("[^1]:"))
    assert footnote.startswith("[^1]: It is noted that interpretative notes on articles 2, 17, 23 and 35")
    assert lines.index(footnote) < lines.index(next(line for line in lines if line.startswith("# Annex.")))
    # Page furniture is gone: running header, page numbers, document number.
    for furniture in ("A/RES/79/243", "24-24621", "/46"):
        assert furniture not in converted
    # A hyphen at the end of a line stays with its word.
    assert "deposited with the Secretary-General of the United Nations." in converted


def test_check_converted_finds_68_articles_in_order(converted):
    assert check_converted(converted, UNCC_ARTICLES) == []
    assert check_converted(converted, 70) == ["found 68 articles; the manifest expects 70"]


def test_check_converted_reports_gaps_and_disorder(converted):
    without_article_5 = re.sub(r"### Article 5\..*?(?=### Article 6\.)", "", converted, flags=re.DOTALL)
    assert check_converted(without_article_5, UNCC_ARTICLES) == [
        "Article 6 follows Article 4; expected Article 5",
        "found 67 articles; the manifest expects 68",
    ]
    swapped = converted.replace(
        "\n2. Nothing in this Convention shall entitle", "\n3. Nothing in this Convention shall entitle"
    )
    assert check_converted(swapped, UNCC_ARTICLES) == ["Article 5: paragraph 3 follows paragraph 1"]
    lettered = converted.replace(
        "\n(b) Promote, facilitate and strengthen", "\n(c) Promote, facilitate and strengthen"
    )
    assert check_converted(lettered, UNCC_ARTICLES) == [
        "Article 1: sub-paragraph (c) in the unnumbered paragraph is out of order; expected (b) or (i)",
        "Article 1: sub-paragraph (c) in the unnumbered paragraph is out of order; expected (d) or (i)",
    ]
    roman = converted.replace(
        "\n(ii) Processes or stores electronic data", "\n(iii) Processes or stores electronic data"
    )
    assert check_converted(roman, UNCC_ARTICLES) == [
        "Article 2: sub-paragraph (iii) in the unnumbered paragraph is out of order; expected (f) or (ii)"
    ]
    empty = re.sub(r"(### Article 68\..*?\n\n).*?(?=IN WITNESS)", r"\1", converted, flags=re.DOTALL)
    assert check_converted(empty, UNCC_ARTICLES) == ["Article 68 has no text"]
    headings_only = "\n\n".join(line for line in converted.splitlines() if line.startswith("#")) + "\n"
    assert "Article 1 has no text" in check_converted(headings_only, UNCC_ARTICLES)


def test_converted_text_parses_like_the_mirror(corpus, pdf_path, converted, tmp_path):
    source = corpus.treaty("uncc")
    copy = tmp_path / "uncc.md"
    copy.write_text(front_matter(source, pdf_path) + "\n" + converted, encoding="utf-8")
    ours = parse_treaty(dataclasses.replace(source, path=copy))
    theirs = parse_treaty(source)
    assert sorted(ours.articles) == list(range(1, UNCC_ARTICLES + 1))
    assert ours.chapters == theirs.chapters
    assert [note.title for note in ours.annex] == [note.title for note in theirs.annex]
    for number, article in theirs.articles.items():
        assert ours.articles[number].title == article.title, number
        assert ours.articles[number].chapter == article.chapter, number
        assert ours.articles[number].paragraph_numbers() == article.paragraph_numbers(), number
        assert ours.articles[number].subparagraph_letters() == article.subparagraph_letters(), number
        # Article text, word for word (only the paragraph split of Article 13 differs).
        assert " ".join(u.text for u in ours.articles[number].units).split() == (
            " ".join(u.text for u in article.units).split()
        ), number
    assert [u.text for u in ours.preamble] == [u.text for u in theirs.preamble]
    assert [u.text for u in ours.closing] == [u.text for u in theirs.closing]
    closing = next(u for u in ours.articles[13].units if u.text.startswith("with the fraudulent"))
    assert closing.continuation and closing.letter == "c"


def test_front_matter_comes_from_the_manifest(corpus, pdf_path):
    meta, _ = split_front_matter(front_matter(corpus.treaty("uncc"), pdf_path))
    assert meta["title"] == corpus.treaty("uncc").title
    assert meta["official_url"] == "https://docs.un.org/en/A/RES/79/243"
    assert meta["articles"] == UNCC_ARTICLES
    assert meta["source_pdf"] == (
        f"{PDF_NAME} (sha256 9bfdcfd876a1f02f171096dc2f46ed076763079fa206df2f70c6b31355f9315f)"
    )


def test_resolution_matches_the_mirror_but_for_the_listed_differences(corpus, pdf_path):
    converted = convert_pdf(pdf_path, "a-res-79-243-resolution")
    mirror = _body(corpus.treaty("a-res-79-243-resolution").path.read_text(encoding="utf-8"))
    assert _differences(_paragraphs(mirror), _paragraphs(converted)) == RESOLUTION_PARAGRAPH_DIFFERENCES
    assert "Article 1" not in converted and "Preamble" not in converted  # stops before the annex
    assert check_converted(converted, 0) == []


# --- Errors the user sees -------------------------------------------------------------------


def test_a_file_that_is_not_a_pdf(tmp_path):
    path = tmp_path / "treaty.pdf"
    path.write_text("<html>Not found</html>", encoding="utf-8")
    with pytest.raises(PdfImportError, match=r"treaty\.pdf is not a PDF file"):
        convert_pdf(path, "uncc")


def test_a_damaged_pdf(tmp_path, pdf_path):
    path = tmp_path / "truncated.pdf"
    path.write_bytes(pdf_path.read_bytes()[:3000])
    with pytest.raises(PdfImportError, match=r"truncated\.pdf is damaged or not a readable PDF"):
        convert_pdf(path, "uncc")


def test_a_missing_file(tmp_path):
    with pytest.raises(PdfImportError, match="PDF file not found"):
        convert_pdf(tmp_path / "absent.pdf", "uncc")


def test_an_unknown_source(pdf_path):
    with pytest.raises(PdfImportError, match=r"Cannot import 'budapest' from a PDF; known sources: "):
        convert_pdf(pdf_path, "budapest")


def test_an_encrypted_pdf(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_pdf([[]], encrypted=True))
    with pytest.raises(PdfImportError, match="is encrypted and needs a password"):
        convert_pdf(path, "uncc")


def test_a_pdf_without_a_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf([[], []]))
    with pytest.raises(PdfImportError, match="has no text layer"):
        convert_pdf(path, "uncc")


def test_a_pdf_without_the_annex(tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(_pdf([[(72, 700, "R", 10, "Dear colleague,")]]))
    with pytest.raises(PdfImportError, match="could not find where the Convention, annexed to resolution"):
        convert_pdf(path, "uncc")


def test_a_pdf_without_articles(tmp_path):
    page = [
        (72, 700, "B", 10, "Annex"),
        (72, 688, "B", 10, "A declaration"),
        (90, 664, "R", 10, "We declare."),
    ]
    path = tmp_path / "declaration.pdf"
    path.write_bytes(_pdf([page]))
    with pytest.raises(PdfImportError, match="no articles found in the Convention"):
        convert_pdf(path, "uncc")


# --- Layout rules on a small made-up document -----------------------------------------------

# Courier is monospaced (0.6 em a character), so a "full" line can be made to end exactly at
# the right margin, as justified lines do.
LEFT, INDENT, RIGHT, SIZE = 90, 108, 450, 10


def _full(x: float, prefix: str = "") -> str:
    """Text from x to the right margin: a justified line that does not end its paragraph."""
    length = round((RIGHT - x) / (0.6 * SIZE))
    return (prefix + "words and more " * 10)[: length - 1].rstrip() + "s"


def _sample_page(number: int, pages: int, body: list[tuple[float, str, float, str]]) -> list:
    """A page with a two-line running header, a footer and body lines (x, font, gap above, text)."""
    furniture = [
        (LEFT, 760, "B", 8, "Sample Convention on Made-up Matters"),
        (LEFT, 750, "B", 8, "A/RES/1/1"),
        (LEFT, 40, "R", 8, f"99-12345 {number}/{pages}"),
    ]
    y = 700
    lines = []
    for x, font, gap, text in body:
        y -= gap
        lines.append((x, y, font, SIZE, text))
    return furniture + lines


def test_headers_footers_headings_and_page_breaks_on_a_made_up_document(tmp_path):
    para1 = [_full(INDENT, "1. "), _full(LEFT), "an end."]
    para2 = [_full(INDENT, "2. "), _full(LEFT), _full(LEFT), "over the page break."]
    item_a = [_full(INDENT, "(a) "), "the item goes on;"]
    page_1 = [
        (LEFT, "B", 0, "Annex"),
        (LEFT, "B", 12, "Sample Convention"),
        (LEFT, "B", 18, "Preamble"),
        (INDENT, "R", 18, "The Parties,"),
        (INDENT, "R", 18, "Have agreed as follows:"),
        (LEFT, "B", 24, "Chapter I"),
        (LEFT, "B", 12, "General matters"),
        (LEFT, "I", 24, "Article 1"),
        (LEFT, "I", 12, "Scope"),
        (INDENT, "R", 18, para1[0]),
        (LEFT, "R", 12, para1[1]),
        (LEFT, "R", 12, para1[2]),
        (INDENT, "R", 18, para2[0]),
        (LEFT, "R", 12, para2[1]),  # a full line: the paragraph goes on over the page
    ]
    page_2 = [
        (LEFT, "R", 0, para2[2]),
        (LEFT, "R", 12, para2[3]),
        (INDENT, "R", 18, item_a[0]),
        (LEFT, "R", 12, item_a[1]),  # a short line: the next page opens a new paragraph
    ]
    page_3 = [
        (INDENT, "R", 0, "(b) The last item."),
        (LEFT, "I", 24, "Article 2"),
        (LEFT, "I", 12, "Final clause"),
        (INDENT, "R", 18, "Done in one copy: no 99-12345 here is a footer."),
    ]
    pages = [page_1, page_2, page_3]
    path = tmp_path / "sample.pdf"
    path.write_bytes(_pdf([_sample_page(n, len(pages), body) for n, body in enumerate(pages, 1)]))
    converted = convert_pdf(path, "uncc")
    assert converted.split("\n\n") == [
        "# Sample Convention",
        "# Preamble",
        "The Parties,",
        "Have agreed as follows:",
        "## Chapter I. General matters",
        "### Article 1. Scope",
        " ".join(para1),
        " ".join(para2),
        " ".join(item_a),
        "(b) The last item.",
        "### Article 2. Final clause",
        "Done in one copy: no 99-12345 here is a footer.\n",
    ]
    assert check_converted(converted, 2) == []


# --- A minimal PDF writer for the made-up documents -----------------------------------------

FONTS = {"R": "Courier", "B": "Courier-Bold", "I": "Courier-Oblique"}


def _pdf(pages: list[list[tuple[float, float, str, float, str]]], encrypted: bool = False) -> bytes:
    """A PDF whose pages hold the given lines (x, y from the bottom, font key, size, ASCII text)."""
    fonts = " ".join(f"/{key} {3 + 2 * len(pages) + i} 0 R" for i, key in enumerate(FONTS))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for i, lines in enumerate(pages):
        content = " ".join(
            f"BT /{font} {size} Tf 1 0 0 1 {x} {y} Tm ({_escape(text)}) Tj ET"
            for x, y, font, size, text in lines
        ).encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << {fonts} >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    objects.extend(f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} >>".encode() for name in FONTS.values())
    trailer = b""
    if encrypted:  # the standard security handler, with a user password that is not empty
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (b"00" * 32, b"11" * 32))
        trailer = b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (len(objects), b"ab" * 16, b"ab" * 16)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
