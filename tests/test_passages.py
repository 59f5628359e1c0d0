"""Passages: verbatim quotes, citations, ids and coverage on the real corpus."""

import itertools
import re
from collections import Counter

import pytest

from index_build.passages import LABEL_ONLY, build_passages, publisher_short_name
from index_build.treaty import parse_treaties, parse_treaty


@pytest.fixture(scope="module")
def passages(corpus):
    return build_passages(corpus, parse_treaties(corpus))


def test_every_quote_is_a_verbatim_slice_of_its_source(passages, corpus):
    texts = {}
    for p in passages:
        if p.source not in texts:
            texts[p.source] = (corpus.root / p.source).read_text(encoding="utf-8")
        source = texts[p.source]
        assert source[p.start : p.end] == p.quote, p.id
        assert p.quote.strip()
        if p.lead:
            assert p.lead in source, p.id


def test_ids_are_unique_and_stable(passages, corpus):
    ids = [p.id for p in passages]
    assert not [i for i, n in Counter(ids).items() if n > 1]
    assert ids == [p.id for p in build_passages(corpus, parse_treaties(corpus))]


def test_documents_and_kinds(passages, corpus):
    docs = {p.doc for p in passages}
    assert {"uncc", "budapest", "a-res-79-243-resolution"} <= docs
    assert {p.doc for p in passages if p.kind == "analysis"} == {a.id for a in corpus.analyses}


def test_citation_strings(passages):
    by_id = {p.id: p for p in passages}
    assert by_id["uncc:art28:p3"].citation == "UNCC Art. 28(3)"
    assert by_id["uncc:art2:p0:c"].citation == "UNCC Art. 2(c)"
    assert by_id["uncc:art27:p0"].citation == "UNCC Art. 27"
    assert by_id["budapest:art19:p2"].citation == "Budapest Convention Art. 19(2)"
    assert by_id["uncc:annex:3"].citation.startswith("UNCC Annex, para. 3")
    eff = by_id["analysis:2024-07-30-eff-effs-concerns-about-the-un-draft-cybercrime-convention:1"]
    assert eff.citation == 'EFF, "EFF’s Concerns About the UN Draft Cybercrime Convention" (2024-07-30)'
    assert eff.link.startswith("https://www.eff.org/")
    for p in passages:
        if p.kind == "treaty" and p.section == "article":
            assert re.fullmatch(
                r"(UNCC|Budapest Convention) Art\. \d+(\(\d+\))?(\([a-z]\)(–\([a-z]\))?)?", p.citation
            )


def test_split_paragraph_keeps_its_lead_and_sub_paragraph(passages):
    serious_crime = next(p for p in passages if p.id == "uncc:art2:p0:h")
    assert serious_crime.quote.startswith("(h) “Serious crime”")
    assert serious_crime.lead == "For the purposes of this Convention:"
    assert serious_crime.subparagraph == "h"
    assert "Use of terms" in serious_crime.embed_text


def test_article_passages_cover_the_whole_article_in_order(passages, corpus):
    treaty = parse_treaty(corpus.treaty("uncc"))
    for number, article in treaty.articles.items():
        pieces = sorted(
            (p for p in passages if p.doc == "uncc" and p.article == number), key=lambda p: p.start
        )
        assert pieces[0].start == article.units[0].block.start
        assert pieces[-1].end == article.units[-1].block.end
        for before, after in itertools.pairwise(pieces):
            assert before.end <= after.start
            assert not treaty.text[before.end : after.start].strip()


def test_draft_era_marks_analyses_before_the_final_text(passages, corpus):
    for p in passages:
        if p.kind == "analysis":
            assert p.draft_era == (p.date < corpus.final_text_date.isoformat())
    assert any(p.draft_era for p in passages) and any(
        p.kind == "analysis" and not p.draft_era for p in passages
    )


def test_analysis_passages_skip_title_and_excerpt_note(passages):
    for p in passages:
        if p.kind == "analysis":
            assert "Excerpt ends here" not in p.quote
            assert not p.quote.startswith("# ")


def test_publisher_short_names():
    assert publisher_short_name("Electronic Frontier Foundation (EFF Deeplinks)") == "EFF"
    assert (
        publisher_short_name("Office of the United Nations High Commissioner for Human Rights (OHCHR)")
        == "OHCHR"
    )
    assert publisher_short_name("Lawfare (The Lawfare Institute)") == "Lawfare"
    assert publisher_short_name("Human Rights Watch") == "Human Rights Watch"


def test_no_unit_is_only_a_paragraph_label(passages):
    """An answer marks one unit of a passage: never the bare "3." or "(b)" before its sentence."""
    treaty = [p for p in passages if p.kind == "treaty"]
    units = [p.quote[s:e] for p in treaty for s, e in p.units]
    assert units and not [u for u in units if LABEL_ONLY.fullmatch(u.strip())]
    art4 = next(p for p in treaty if p.id == "uncc:art4:p1")
    assert art4.quote[slice(*art4.units[0])].startswith("1. In giving effect")
