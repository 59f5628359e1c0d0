"""Plain-language descriptions (corpus/descriptions.yaml): checked against the texts, searched
beside the passages they describe, never shown."""

import pytest

from index_build.build import describe_documents
from index_build.descriptions import load_descriptions
from index_build.sources import MANIFEST_PATH, CorpusError, load_corpus
from index_build.treaty import parse_treaties
from index_contract.schema import DECLINE


@pytest.fixture(scope="module")
def texts(corpus):
    return parse_treaties(corpus)


def test_every_article_of_both_treaties_is_described(corpus, texts):
    kinds = [k.id for k in describe_documents(corpus, texts).out_of_corpus.kinds]
    described = {(d.doc, d.article) for d in load_descriptions(corpus, texts, kinds)}
    for doc in ("uncc", "budapest"):
        assert {(doc, n) for n in texts[doc].articles} <= described


def test_descriptions_cover_the_passages_of_their_provision(engine):
    retriever = engine.retriever
    for description, rows in zip(engine.data.descriptions, retriever.covered, strict=True):
        # every description reaches at least one passage; a question to decline reaches none
        assert bool(len(rows)) == (description.section != DECLINE), description
        assert all(description.covers(engine.passages[r]) for r in rows)
    entry = next(d for d in engine.data.descriptions if (d.doc, d.article, d.paragraph) == ("uncc", 65, "1"))
    rows = retriever.covered[engine.data.descriptions.index(entry)]
    assert [engine.passages[r].id for r in rows] == ["uncc:art65:p1"]


def test_descriptions_are_never_quoted(engine):
    answer = engine.ask("my ex posted my nudes in a group chat, is that a crime under this treaty?")
    texts = {d.text for d in engine.data.descriptions}
    assert answer.hits and not any(h.passage.quote in texts for h in answer.hits)
    assert answer.hits[0].passage.article == 16  # found through 'nudes' and 'posted' in the descriptions


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('uncc:\n  "99":\n    - something\n', "has no Article 99"),
        ('uncc:\n  "28(9)":\n    - something\n', "Article 28 has no paragraph 9"),
        ('uncc:\n  "seven":\n    - something\n', "is not a provision"),
        ('geneva:\n  "1":\n    - something\n', "'geneva' is not an official text"),
        ('uncc:\n  "7": []\n', "needs a list of descriptions"),
        ('a-res-79-243-resolution:\n  "40":\n    - something\n', "no numbered paragraph 40"),
    ],
)
def test_a_description_of_a_provision_that_does_not_exist_is_named(tmp_path, settings, content, message):
    manifest = tmp_path / "sources.yaml"
    manifest.write_text(MANIFEST_PATH.read_text("utf-8"), "utf-8")
    (tmp_path / "descriptions.yaml").write_text(content, "utf-8")
    corpus = load_corpus(settings.corpus, manifest)
    with pytest.raises(CorpusError, match=message):
        load_descriptions(corpus, parse_treaties(corpus))
