"""Citations link to the page of the official PDF where the provision stands: the page map is
read from the PDF in the corpus, and checked here against pages opened by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from index_build.build import add_pages
from index_build.passages import build_passages
from index_build.pdf_pages import PageMap, passage_pages, read_page_map
from index_build.sources import Corpus, load_corpus
from index_build.treaty import parse_treaties
from index_contract.schema import Passage

# Read off the PDF (A/RES/79/243, 46 pages): where each provision begins.
KNOWN_PAGES = {
    "uncc:art1:p0": 5,
    "uncc:art2:p0:o": 6,  # "Emergency": the last definition, on the page after the first ones
    "uncc:art17:p1": 11,
    "uncc:art40:p1": 23,
    "uncc:art47:p1:a": 32,
    "uncc:art68:p1": 45,
    "a-res-79-243-resolution:para1": 2,
}


def _passages(corpus: Corpus) -> list[Passage]:
    return add_pages(corpus, build_passages(corpus, parse_treaties(corpus)), Console(quiet=True))


@pytest.fixture(scope="module")
def passages(corpus, pdf_path) -> dict[str, Passage]:
    return {p.id: p for p in _passages(corpus)}


def test_provisions_link_to_their_page_of_the_pdf(passages):
    for pid, page in KNOWN_PAGES.items():
        passage = passages[pid]
        assert passage.page == page, pid
        assert passage.link.endswith(f"#page={page}"), passage.link
        assert passage.link.startswith("https://"), passage.link


def test_every_provision_of_the_convention_has_a_page_in_reading_order(passages):
    uncc = sorted((p for p in passages.values() if p.doc == "uncc"), key=lambda p: p.start)
    pages = [p.page for p in uncc]
    assert None not in pages
    assert pages == sorted(pages)
    assert pages[0] >= 3 and pages[-1] <= 46  # the Convention is pages 3-46, after the resolution


def test_texts_without_a_pdf_keep_their_document_link(passages, corpus):
    budapest = [p for p in passages.values() if p.doc == "budapest"]
    url = corpus.treaty("budapest").url
    assert budapest and all(p.page is None and p.link == url for p in budapest)
    analyses = [p for p in passages.values() if p.kind == "analysis"]
    assert analyses and all(p.page is None and "#page=" not in p.link for p in analyses)


def test_a_corpus_without_the_pdf_links_to_the_document(corpus_copy: Path, pdf_path):
    (corpus_copy / "sources" / pdf_path.name).unlink()
    corpus = load_corpus(corpus_copy)
    uncc = [p for p in _passages(corpus) if p.doc == "uncc"]
    assert all(p.page is None and p.link == corpus.treaty("uncc").url for p in uncc)


def test_repeated_wording_resolves_to_its_own_place():
    """Two passages opening with the same words: the second is found after the first."""
    text = "eachstatepartyshalladoptsuchmeasures" * 2
    pdf = PageMap(text, tuple([1] * (len(text) // 2) + [2] * (len(text) // 2)))
    same = "Each State Party shall adopt such measures"
    first = Passage("a", "d", "treaty", "article", 1, None, None, "", same, "", "", 0, 10, "", "", "")
    second = Passage("b", "d", "treaty", "article", 2, None, None, "", same, "", "", 20, 30, "", "", "")
    assert passage_pages([second, first], pdf) == {"a": 1, "b": 2}


def test_the_page_map_is_read_from_the_pdf_once_and_then_from_the_cache(pdf_path, tmp_path, monkeypatch):
    from index_build import pdf_import

    first = read_page_map(pdf_path, tmp_path)
    [cached] = tmp_path.iterdir()

    def no_pdf(*args, **kwargs):
        raise AssertionError("the PDF was read again")

    with monkeypatch.context() as patch:
        patch.setattr(pdf_import, "read_pdf_pages", no_pdf)
        assert read_page_map(pdf_path, tmp_path) == first
    cached.write_text('{"text": "abc", "runs": [[1, 2]]}', encoding="utf-8")  # damaged: read the PDF
    assert read_page_map(pdf_path, tmp_path) == first
