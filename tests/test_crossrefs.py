"""Cross-references in the treaty text: parsing on real passages, resolution, the stored graph,
see-also entries in answers, and the article view's refers-to / referred-by lists."""

import json

import pytest

from bot.cli import EXIT_OK, main
from index_build.crossrefs import parse_mentions, passage_references, resolve, treaty_references, unresolved
from index_build.passages import build_passages
from index_build.treaty import parse_treaties, parse_treaty
from index_contract.schema import Provision


@pytest.fixture(scope="session")
def passages(corpus):
    return {p.id: p for p in build_passages(corpus, parse_treaties(corpus))}


@pytest.fixture(scope="session")
def treaties(corpus):
    return {t.id: parse_treaty(t) for t in corpus.treaties if t.articles}


def refs_in(passages, passage_id):
    """(text as written, [target labels]) of every reference in a real passage."""
    return [(r.text, [t.label for t in r.targets]) for r in passage_references(passages[passage_id])]


@pytest.mark.parametrize(
    ("passage_id", "text", "labels"),
    [
        # ranges and lists of articles
        ("uncc:art11:p2", "articles 7 to 10 of this Convention", ["Art. 7", "Art. 8", "Art. 9", "Art. 10"]),
        ("uncc:art3:p0", "articles 23 and 35 of this Convention", ["Art. 23", "Art. 35"]),
        ("uncc:art52:p1", "article 31 or 50 of this Convention", ["Art. 31", "Art. 50"]),
        ("uncc:art2:p0:m", "article 17 of this Convention", ["Art. 17"]),
        ("uncc:art23:p3", "article 29", ["Art. 29"]),
        # article with paragraph and sub-paragraphs
        ("uncc:art50:p3", "article 40, paragraph 15, of this Convention", ["Art. 40(15)"]),
        (
            "uncc:art22:p2",
            "article 17, paragraph 1 (a) (i) or (ii) or (b) (i), of this Convention",
            ["Art. 17(1)(a)(i)", "Art. 17(1)(a)(ii)", "Art. 17(1)(b)(i)"],
        ),
        (
            "uncc:art42:p6",
            "article 40, paragraph 21 (b) and (c) and paragraph 22, of this Convention",
            ["Art. 40(21)(b)", "Art. 40(21)(c)", "Art. 40(22)"],
        ),
        # relative references: resolved against the passage's own article and paragraph
        (
            "uncc:art11:p1",
            "paragraph 1 (a) (i) or (ii) of this article",
            ["Art. 11(1)(a)(i)", "Art. 11(1)(a)(ii)"],
        ),
        ("uncc:art31:p3", "paragraphs 1 and 2 of this article", ["Art. 31(1)", "Art. 31(2)"]),
        ("uncc:art28:p4", "paragraphs 1 to 3 of this article", ["Art. 28(1)", "Art. 28(2)", "Art. 28(3)"]),
        ("uncc:art17:p2:c", "subparagraph (b) of this paragraph", ["Art. 17(2)(b)"]),
        (
            "uncc:art14:p4",
            "paragraph 2 (a) to (c) of this article",
            ["Art. 14(2)(a)", "Art. 14(2)(b)", "Art. 14(2)(c)"],
        ),
        # the annex refers to articles by number
        ("uncc:annex:1", "article 2 (e)", ["Art. 2(e)"]),
        # Budapest drafting style
        ("budapest:art6:p1", "Articles 2 through 5", ["Art. 2", "Art. 3", "Art. 4", "Art. 5"]),
        ("budapest:art6:p1", "paragraphs a.i or ii above", ["Art. 6(1)(a)(i)", "Art. 6(1)(a)(ii)"]),
        ("budapest:art6:p3", "paragraph 1 a.ii of this article", ["Art. 6(1)(a)(ii)"]),
        ("budapest:art14:p2", "Article 21", ["Art. 21"]),
        ("budapest:art9:p2", "paragraph 1 above", ["Art. 9(1)"]),
        (
            "budapest:art9:p4",
            "paragraphs 1, sub-paragraphs d. and e, and 2, sub-paragraphs b. and c.",
            ["Art. 9(1)(d)", "Art. 9(1)(e)", "Art. 9(2)(b)", "Art. 9(2)(c)"],
        ),
        (
            "budapest:art11:p2",
            "Articles 3 through 5, 7, 8, and 9.1.a and c. of this Convention",
            ["Art. 3", "Art. 4", "Art. 5", "Art. 7", "Art. 8", "Art. 9(1)(a)", "Art. 9(1)(c)"],
        ),
        (
            "budapest:art22:p2",
            "paragraphs 1.b through 1.d of this article",
            ["Art. 22(1)(b)", "Art. 22(1)(c)", "Art. 22(1)(d)"],
        ),
        ("budapest:art27:p9", "sub-paragraph a. of this article", ["Art. 27(9)(a)"]),
        (
            "budapest:art40:p0",
            "Articles 2, 3, 6, paragraph 1.b, 7, 9 paragraph 3, and 27, paragraph 9.e",
            ["Art. 2", "Art. 3", "Art. 6(1)(b)", "Art. 7", "Art. 9(3)", "Art. 27(9)(e)"],
        ),
    ],
)
def test_references_in_real_passages(passages, passage_id, text, labels):
    assert (text, labels) in refs_in(passages, passage_id)


def test_the_above_articles_keep_their_exact_source_offsets(passages, corpus):
    ref = passage_references(passages["budapest:art6:p1"])[0]
    source = corpus.treaty("budapest").path.read_text(encoding="utf-8")
    assert source[ref.start : ref.end] == ref.text == "Articles 2 through 5"
    assert source[ref.start - len("the above ") : ref.start] == "the above "


@pytest.mark.parametrize(
    "text",
    [
        "in accordance with article 2 of the Charter of the United Nations",
        "as in Article 5 of the 1950 Council of Europe Convention for the Protection of Human Rights",
        "article 18 of the United Nations Convention against Transnational Organized Crime",
        "the majority provided for in Article 20.d. of the Statute of the Council of Europe",
    ],
)
def test_references_to_other_instruments_are_ignored(text):
    assert parse_mentions(text) == []


def test_the_statute_of_the_council_of_europe_is_not_budapest_article_20(passages):
    assert refs_in(passages, "budapest:art37:p1") == []


def test_references_of_this_convention_stay_references(passages):
    mention = parse_mentions("offences set out in article 19 of the convention) has been")[0]
    assert [t.label for t in resolve(mention, "uncc", None, None)] == ["Art. 19"]


def test_every_reference_in_the_corpus_resolves_to_an_existing_place(passages, treaties):
    refs = treaty_references(passages.values(), treaties)
    assert len(refs) > 150  # both treaties refer to themselves constantly
    assert list(unresolved(refs, treaties)) == []


def test_commentary_is_never_parsed_for_article_numbers(passages):
    # HRW / ARTICLE 19 (August 2023) discuss the zero draft: its "Article 17" is not the final one.
    draft = [p for p in passages.values() if p.kind == "analysis" and "Article 17:" in p.quote]
    assert draft and all(p.draft_era for p in draft)
    assert all(passage_references(p) == [] for p in draft)
    later = [p for p in passages.values() if p.kind == "analysis" and "ARTICLE 19 is" in p.quote]
    assert later and not later[0].draft_era and passage_references(later[0]) == []  # an NGO


def test_the_index_stores_the_reference_graph(engine):
    refs = engine.data.links.references
    assert refs and all(r.passage.startswith(("uncc:", "budapest:")) for r in refs)
    ref = next(r for r in refs if r.passage == "uncc:art26:p0")
    assert (ref.doc, ref.article, ref.text) == ("uncc", 26, "article 25 of this Convention")
    assert ref.targets == (Provision("uncc", 25),)


def test_answers_carry_see_also_entries_with_titles(engine):
    answer = engine.ask("What is expedited preservation and partial disclosure of traffic data?")
    hit = next(h for h in answer.hits if h.passage.id == "uncc:art26:p0")
    assert [(s.citation, s.title) for s in hit.see_also] == [
        ("UNCC Art. 25", "Expedited preservation of stored electronic data")
    ]
    assert hit.to_dict()["see_also"][0]["provisions"] == ["UNCC Art. 25"]


def test_see_also_names_the_exact_provisions_and_leaves_out_the_passage_own_article(engine):
    hit = engine.links.see_also(engine.passages[_row(engine, "uncc:art43:p2")])
    assert [(s.citation, s.provisions) for s in hit] == [
        ("UNCC Art. 40", ("UNCC Art. 40(21)(b)", "UNCC Art. 40(21)(c)", "UNCC Art. 40(22)"))
    ]  # "paragraph 1 of this article" (Art. 43 itself) is not a see-also


def test_article_lists_what_it_refers_to_and_what_refers_to_it(engine):
    view = engine.article(17)
    assert [link.article for link in view.refers_to] == list(range(7, 17))
    citing = {link.citation: link.places for link in view.referred_by}
    assert citing["UNCC Art. 2"] == ("UNCC Art. 2(m)",)
    assert citing["UNCC Art. 22"] == ("UNCC Art. 22(2)",)
    assert any("Interpretative note on article 17" in c for c in citing)


def test_article_json_lists_references(capsys, index_dir):
    status = main(["--index", str(index_dir), "article", "6", "--treaty", "budapest", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert status == EXIT_OK
    assert [link["article"] for link in payload["refers_to"]] == [2, 3, 4, 5]
    citing = {link["article"]: link for link in payload["referred_by"]}
    assert {11, 13, 40} <= set(citing)  # "Articles 2 through 10", "2 through 11", "6, paragraph 1.b"
    assert citing[40]["citation"] == "Budapest Convention Art. 40" and citing[40]["title"] == "Declarations"


def test_article_terminal_output_lists_references(capsys, index_dir):
    status = main(["--index", str(index_dir), "article", "26"])
    out = " ".join(capsys.readouterr().out.split())
    assert status == EXIT_OK
    assert "Refers to: UNCC Art. 25 (Expedited preservation of stored electronic data)" in out
    main(["--index", str(index_dir), "article", "25"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Referred to by: UNCC Art. 26 (Expedited preservation and partial disclosure" in out
    assert "UNCC Art. 42(1) (International cooperation for the purpose of expedited preservation" in out


def _row(engine, passage_id):
    return next(i for i, p in enumerate(engine.passages) if p.id == passage_id)
