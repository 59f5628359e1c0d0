"""The UNCC → Budapest crosswalk: the pairs, how they are proposed and checked, `compare`,
and the "Compare:" hint under answers."""

import json
import shutil

import pytest

from bot.cli import EXIT_OK, EXIT_USAGE, main
from index_build.crosswalk.file import CROSSWALK_FILE, Crosswalk, Rejection, read_crosswalk
from index_build.crosswalk.propose import Candidate, generate, merge, part_of, propose, term_aliases
from index_build.definitions import extract_definitions
from index_build.link_data import describe_links
from index_build.sources import MANIFEST_PATH, CorpusError, load_corpus
from index_build.treaty import parse_treaties, parse_treaty
from index_contract.schema import Pair

CROSSWALK_PATH = MANIFEST_PATH.parent / CROSSWALK_FILE
# Counterparts any reader of the two texts recognises (UNCC article, Budapest article).
OBVIOUS = [
    (7, 2), (8, 3), (9, 4), (10, 5), (11, 6), (12, 7), (13, 8), (14, 9), (18, 12), (19, 11),
    (22, 22), (23, 14), (24, 15), (25, 16), (26, 17), (27, 18), (28, 19), (29, 20), (30, 21),
    (37, 24), (40, 25), (40, 27), (41, 35), (42, 29), (43, 30), (44, 31), (45, 33), (46, 34),
    (63, 45), (66, 44), (67, 47),
]  # fmt: skip


@pytest.fixture(scope="session")
def treaties(corpus):
    return {doc: parse_treaty(corpus.treaty(doc)) for doc in ("uncc", "budapest")}


@pytest.fixture(scope="session")
def crosswalk(treaties):
    return read_crosswalk(CROSSWALK_PATH, treaties)


@pytest.mark.parametrize(("uncc", "budapest"), OBVIOUS)
def test_obvious_counterparts_are_paired(crosswalk, uncc, budapest):
    assert (uncc, budapest) in {(p.uncc, p.budapest) for p in crosswalk.pairs}


@pytest.mark.parametrize(
    "uncc",
    [15, 16, 17, 20, 31, 36, 38, 39, 47, 50, 53, 68],  # grooming, intimate images, laundering, ...
)
def test_provisions_the_budapest_convention_lacks_have_no_counterpart(crosswalk, uncc):
    assert uncc not in {p.uncc for p in crosswalk.pairs}


def test_every_pair_says_how_it_was_established(crosswalk):
    for pair in crosswalk.pairs:
        assert pair.basis.startswith(("same title", "title similarity", "reviewed: "))
    assert {(r.uncc, r.budapest) for r in crosswalk.rejected} == {(50, 23)}


def test_the_file_is_what_the_generator_writes(settings):
    """Regenerating keeps the reviewed pairs and rejections and changes nothing else."""
    current, generated = generate(settings.corpus, CROSSWALK_PATH, settings.embedding_cache)
    assert generated == current, "run: python -m index_build.crosswalk --write, and review the diff"


def test_defined_terms_align_the_two_vocabularies(treaties):
    aliases = term_aliases(extract_definitions(treaties["uncc"]), extract_definitions(treaties["budapest"]))
    assert aliases["information and communications technology system"] == "computer system"
    assert aliases["electronic data"] == "computer data"
    assert "emergency" not in aliases  # the Budapest Convention does not define it


def test_articles_are_compared_within_the_same_part(treaties):
    uncc, budapest = treaties["uncc"].articles, treaties["budapest"].articles
    assert part_of(uncc[7]) == part_of(budapest[2]) == "offences"
    assert part_of(uncc[28]) == part_of(budapest[19]) == "procedure"
    assert part_of(uncc[22]) == part_of(budapest[22]) == "jurisdiction"
    assert part_of(uncc[42]) == part_of(budapest[29]) == "cooperation"
    assert part_of(uncc[57]) is None  # Chapter VIII, Mechanism of implementation


def test_propose_rules(treaties):
    u, b = treaties["uncc"].articles, treaties["budapest"].articles
    candidates = [
        Candidate(u[27], b[18], 1.0, 0.2),  # same title, whatever the content
        Candidate(u[9], b[4], 0.8, 0.9),  # best match both ways
        Candidate(u[9], b[5], 0.4, 0.8),
        Candidate(u[10], b[5], 0.8, 0.9),
        Candidate(u[10], b[4], 0.1, 0.2),
        Candidate(u[15], b[9], 0.3, 0.6),  # Budapest 9 prefers UNCC 14: no pair for 15
        Candidate(u[14], b[9], 0.5, 0.7),
    ]
    proposed = {(p.uncc, p.budapest): p.basis for p in propose(candidates)}
    assert proposed[27, 18] == "same title"
    assert proposed[9, 4].endswith("best match both ways")
    assert proposed[14, 9].endswith("best match both ways")
    assert (15, 9) not in proposed and (9, 5) not in proposed


def test_merge_keeps_reviewed_pairs_and_drops_rejected_ones():
    proposed = [Pair(7, "a", 2, "b", "same title"), Pair(50, "c", 23, "d", "title similarity 0.5")]
    existing = Crosswalk(
        (Pair(2, "e", 1, "f", "reviewed: both define terms"), Pair(7, "a", 3, "x", "title similarity 0.9")),
        (Rejection(50, 23, "different subject"),),
    )
    merged = merge(proposed, existing)
    assert [(p.uncc, p.budapest) for p in merged.pairs] == [(2, 1), (7, 2)]
    assert merged.rejected == existing.rejected


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("uncc_title: Production order", "uncc_title: Production orders"), "titled 'Production order'"),
        (("- uncc: 27\n", "- uncc: 99\n"), "has no Article 99"),
    ],
)
def test_the_build_checks_the_crosswalk_against_the_texts(settings, tmp_path, edit, message):
    shutil.copy(MANIFEST_PATH, tmp_path / "sources.yaml")
    text = CROSSWALK_PATH.read_text(encoding="utf-8")
    assert edit[0] in text
    (tmp_path / CROSSWALK_FILE).write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    corpus = load_corpus(settings.corpus, tmp_path / "sources.yaml")
    with pytest.raises(CorpusError, match=message):
        describe_links(corpus, parse_treaties(corpus), [])


def test_compare_shows_both_articles_with_the_basis(engine):
    comparison = engine.compare(28)
    assert comparison.article.citation == "UNCC Art. 28"
    [other] = comparison.counterparts
    assert other.view.citation == "Budapest Convention Art. 19" and other.basis == "same title words"
    assert other.view.passages[0].quote.startswith("1. Each Party shall adopt such legislative")
    payload = comparison.to_dict()
    assert payload["counterparts"][0]["basis"] == "same title words"
    assert payload["article"]["passages"][0]["quote"].startswith("1. Each State Party shall adopt")
    assert [c.view.number for c in engine.compare(40).counterparts] == [25, 26, 27, 28]
    assert [c.view.citation for c in engine.compare(19, treaty="budapest").counterparts] == ["UNCC Art. 28"]


def test_compare_without_counterpart_says_so(engine):
    comparison = engine.compare(17)
    assert comparison.counterparts == ()
    assert comparison.notices == (
        "UNCC Art. 17 (Laundering of proceeds of crime) has no counterpart in the Budapest "
        "Convention in the crosswalk.",
    )


def test_cli_compare(capsys, index_dir):
    status = main(["--index", str(index_dir), "compare", "41"])
    out = capsys.readouterr().out
    assert status == EXIT_OK
    assert "UNCC Art. 41. 24/7 network" in out and "Budapest Convention Art. 35." in out
    assert "Basis: same title" in out
    status = main(["--index", str(index_dir), "compare", "16", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert status == EXIT_OK and payload["counterparts"] == []
    assert "has no counterpart in the Budapest Convention" in payload["notices"][0]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["compare", "69"], "68 articles"), (["compare", "qqq"], "not an article number")],
)
def test_cli_compare_errors(capsys, index_dir, args, message):
    status = main(["--index", str(index_dir), *args])
    err = capsys.readouterr().err
    assert status == EXIT_USAGE and message in err and err.count("\n") == 1


def test_answers_carry_a_compare_hint(engine, capsys, index_dir):
    answer = engine.ask("What is a production order?")
    hit = next(h for h in answer.hits if h.passage.id == "uncc:art27:p0")
    assert [c.citation for c in hit.compare] == ["Budapest Convention Art. 18"]
    assert hit.to_dict()["compare"][0] == {
        "document": "budapest",
        "article": 18,
        "title": "Production order",
        "citation": "Budapest Convention Art. 18",
        "basis": "same title",
    }
    main(["--index", str(index_dir), "ask", "What is a production order?"])
    assert "Compare: Budapest Convention Art. 18 (Production order)" in capsys.readouterr().out


def test_budapest_passages_point_back_to_the_uncc(engine):
    answer = engine.ask("What does Article 19 of the Budapest Convention say?")
    hit = next(h for h in answer.hits if h.passage.doc == "budapest" and h.passage.article == 19)
    assert [c.citation for c in hit.compare] == ["UNCC Art. 28"]
