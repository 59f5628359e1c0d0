"""Defined terms: extraction from the real texts, matching in passages, attachment to answers,
and `define` in the engine and the CLI."""

import json

import pytest

from bot.cli import EXIT_OK, EXIT_USAGE, main
from bot.engine.request_errors import UnknownTerm
from bot.engine.treaty_links import MAX_DEFINITIONS_PER_ANSWER
from index_build.definitions import extract_definitions, terms_used
from index_build.treaty import parse_treaty
from index_contract.tokenize import term_pattern


@pytest.fixture(scope="session")
def definitions(corpus):
    return {
        t.id: extract_definitions(parse_treaty(t)) for t in corpus.treaties if t.id in ("uncc", "budapest")
    }


def test_every_term_of_uncc_article_2_is_extracted_in_order(definitions):
    general = [d for d in definitions["uncc"] if d.article == 2]
    assert [d.subparagraph for d in general] == list("abcdefghijklmno")
    assert [d.term for d in general][:3] == [
        "Information and communications technology system",
        "Electronic data",
        "Traffic data",
    ]
    freezing = general[10]
    assert freezing.terms == ("Freezing", "seizure") and freezing.citation == "UNCC Art. 2(k)"
    confiscation = general[11]
    assert confiscation.terms == ("Confiscation",)
    assert confiscation.text.startswith(
        "“Confiscation”, which includes forfeiture where applicable, shall mean"
    )
    assert all(d.scope_article is None for d in general)


def test_budapest_definitions_and_article_scoped_ones(definitions):
    by_term = {d.term: d for d in definitions["budapest"]}
    assert [d.citation for d in definitions["budapest"] if d.article == 1] == [
        f"Budapest Convention Art. 1({letter})" for letter in "abcd"
    ]
    assert by_term["subscriber information"].citation == "Budapest Convention Art. 18(3)"
    assert by_term["subscriber information"].scope_article == 18  # "For the purpose of this article"
    assert by_term["minor"].scope_article == 9
    uncc = {d.term: d for d in definitions["uncc"]}
    assert uncc["intimate image"].citation == "UNCC Art. 16(2)" and uncc["intimate image"].scope_article == 16


def test_definition_text_is_an_exact_slice_with_its_sub_items(corpus, definitions):
    for doc, found in definitions.items():
        source = corpus.treaty(doc).path.read_text(encoding="utf-8")
        for definition in found:
            assert source[definition.start : definition.end] == definition.text
    provider = next(d for d in definitions["uncc"] if d.term == "Service provider")
    assert provider.text.startswith("“Service provider” shall mean any public or private entity that:")
    assert "(ii) Processes or stores electronic data" in provider.text
    assert "“Subscriber information”" not in provider.text  # stops at the next sub-paragraph


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("Service provider", "Service providers shall"),
        ("Emergency", "in emergencies, and"),
        ("Property", "properties"),
        ("Serious crime", "a serious\ncrime"),
    ],
)
def test_terms_match_in_any_case_singular_or_plural(term, text):
    assert term_pattern(term).search(text)


def test_term_matching_respects_word_boundaries():
    assert not term_pattern("Property").search("propertyless")
    assert not term_pattern("Information and communications technology system").search(
        "information and communications technology system-related forgery"
    )


def test_overlapping_terms_go_to_the_longer_one(definitions):
    text = "Each Party shall ensure that subscriber information, traffic data and content data are kept."
    used = terms_used(text, definitions["uncc"])
    assert used == ["uncc:subscriber-information", "uncc:traffic-data", "uncc:content-data"]


def test_definitions_used_by_passages_are_stored_in_the_index(engine):
    uses = {pid: list(ids) for pid, ids in engine.data.links.uses.items()}
    assert [pid for pid, ids in uses.items() if "uncc:emergency" in ids] == ["uncc:art41:p3"]
    assert uses["uncc:art27:p0"] == [
        "uncc:electronic-data",
        "uncc:information-and-communications-technology-system",
        "uncc:service-provider",
        "uncc:subscriber-information",
    ]
    assert "uncc:traffic-data" not in uses.get("uncc:art2:p0:c", [])  # never its own definition
    assert all(not pid.startswith("analysis:") for pid in uses)
    # a definition made for one article is used only in that article
    assert [pid for pid, ids in uses.items() if "budapest:subscriber-information" in ids] == [
        "budapest:art18:p1"
    ]


def test_an_answer_attaches_the_definition_of_a_term_its_passage_uses(engine):
    answer = engine.ask("What is a production order?")
    hit = next(h for h in answer.hits if h.passage.id == "uncc:art27:p0")
    attached = {d.term: d for d in hit.definitions}
    assert "Subscriber information" in attached
    assert attached["Subscriber information"].citation == "UNCC Art. 2(f)"
    assert attached["Subscriber information"].text.startswith("“Subscriber information” shall mean")
    payload = hit.to_dict()["definitions"]
    assert {"term": "Subscriber information", "citation": "UNCC Art. 2(f)"}.items() <= payload[0].items()


def test_definitions_are_capped_and_not_repeated_in_one_answer(engine):
    answer = engine.ask("Can the authorities search and seize stored electronic data?", k=8)
    attached = [d.citation for h in answer.hits for d in h.definitions]
    assert 0 < len(attached) <= MAX_DEFINITIONS_PER_ANSWER
    assert len(attached) == len(set(attached))


def test_a_defining_passage_does_not_get_its_own_definition(engine):
    answer = engine.ask("What is article 2 (c)?")
    hit = next(h for h in answer.hits if h.passage.id == "uncc:art2:p0:c")
    assert "UNCC Art. 2(c)" not in [d.citation for d in hit.definitions]


def test_commentary_gets_no_definitions(engine):
    answer = engine.ask("Why does EFF say the treaty is a surveillance threat?", k=10)
    assert answer.analysis_hits
    assert all(not h.definitions and not h.see_also and not h.compare for h in answer.analysis_hits)


def test_define_returns_the_definition_verbatim(engine):
    lookup = engine.define("traffic data")
    assert [d.citation for d in lookup.definitions] == ["UNCC Art. 2(c)", "Budapest Convention Art. 1(d)"]
    assert (
        engine.define("Traffic Data", treaty="budapest")
        .definitions[0]
        .text.startswith("“traffic data” means any computer data")
    )
    assert engine.define("“seizure”").definitions[0].citation == "UNCC Art. 2(k)"
    assert engine.define("service providers", treaty="uncc").definitions[0].citation == "UNCC Art. 2(e)"


def test_define_suggests_the_closest_terms(engine):
    with pytest.raises(UnknownTerm) as caught:
        engine.define("trafic data", treaty="uncc")
    assert caught.value.suggestions[0].citation == "UNCC Art. 2(c)"
    assert "Closest: Traffic data (UNCC Art. 2(c))" in str(caught.value)
    with pytest.raises(UnknownTerm, match="Defined terms: computer system"):
        engine.define("hacking", treaty="budapest")


def test_defined_terms_lists_every_term_for_autocomplete(engine):
    terms = engine.defined_terms("uncc")
    assert len([t for t in terms if t.citation.startswith("UNCC Art. 2(")]) == 15
    assert {"computer system", "computer data"} <= {t.term for t in engine.defined_terms()}


def test_cli_define(capsys, index_dir):
    status = main(["--index", str(index_dir), "define", "serious", "crime"])
    out = " ".join(capsys.readouterr().out.split())
    assert status == EXIT_OK
    assert "Serious crime — UNCC Art. 2(h)" in out
    assert "“Serious crime” shall mean conduct constituting an offence punishable by a maximum" in out
    status = main(["--index", str(index_dir), "define", "emergency", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert status == EXIT_OK
    assert payload["definitions"][0]["citation"] == "UNCC Art. 2(o)"
    assert payload["definitions"][0]["definition"].startswith("“Emergency” shall mean a situation")


def test_cli_define_unknown_term_exits_with_suggestions(capsys, index_dir):
    status = main(["--index", str(index_dir), "define", "subscriber info", "--treaty", "uncc"])
    err = capsys.readouterr().err
    assert status == EXIT_USAGE
    assert (
        err.count("\n") == 1 and "not a defined term of the UNCC" in err and "Subscriber information" in err
    )
    status = main(["--index", str(index_dir), "define", "personal info", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert status == EXIT_USAGE
    assert "Personal data" in [s["term"] for s in payload["suggestions"]]


def test_define_accepts_the_name_a_multi_form_term_is_shown_under(engine):
    listed = next(t for t in engine.defined_terms("uncc") if len(t.terms) > 1)
    assert listed.term == "Freezing or seizure"
    found = engine.define(listed.term, "uncc").definitions
    assert [d.citation for d in found] == [listed.citation]
    assert [d.citation for d in engine.define("seizure", "uncc").definitions] == [listed.citation]
