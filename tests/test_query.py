"""Query understanding: plain-language expansion, commentary intent, background, priors."""

import pytest

from bot.engine.query import QueryVocabulary
from index_build.glossary import load_glossary
from index_build.sources import CorpusError
from index_contract.schema import GlossaryAlias


@pytest.fixture(scope="module")
def vocabulary(engine) -> QueryVocabulary:
    return engine.retriever.vocabulary


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Is hacking a crime?", "illegal access"),
        ("Can my ISP be forced to hand over my data?", "service provider"),
        ("Can my ISP be forced to hand over my data?", "production order"),
        ("Is ransomware covered?", "interference with electronic data"),
        ("They hacked into my laptop", "illegal access"),  # word endings do not matter
        ("What about revenge porn?", "non-consensual dissemination of intimate images"),
    ],
)
def test_everyday_words_expand_to_treaty_terms(vocabulary, question, term):
    assert term in vocabulary.expansions(question)


def test_expansion_only_adds_terms(vocabulary):
    assert vocabulary.expand("What is the 24/7 network?").startswith("What is the 24/7 network?")
    assert vocabulary.expansions("Quelle est la capitale?") == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Why does EFF oppose the treaty?", True),
        ("What do civil society groups criticise?", True),
        ("What did Human Rights Watch say about the draft?", True),  # a publisher from the corpus
        ("What is a production order?", False),
        ("What does Article 19 say?", False),  # 'ARTICLE 19' the NGO is not taken for an article
        ("do ngos think thats enough?", True),  # an acronym's plural, which the stemmer keeps as it is
    ],
)
def test_commentary_intent(vocabulary, question, expected):
    assert vocabulary.asks_for_commentary(question) is expected


def test_background_intent(vocabulary):
    assert vocabulary.asks_for_background("What does the preamble say about gender?")
    assert vocabulary.asks_for_background("When did the General Assembly adopt it?")
    assert not vocabulary.asks_for_background("What is illegal access?")


def test_priors_follow_the_question(engine):
    retriever = engine.retriever
    kinds, docs = retriever.kinds, retriever.docs

    def priors(question):
        return retriever.priors(engine.reader.read(question))

    plain = priors("Is illegal access a crime?")
    operative = (kinds == "treaty") & (docs == "uncc") & ~retriever.background
    assert plain[operative & ~retriever.defining].min() == 1.0
    assert plain[operative & retriever.defining].max() < 1.0  # the definitions, for a question not about one
    assert priors("What does illegal access mean?")[operative].min() == 1.0
    assert plain[kinds == "analysis"].max() < 1.0 and plain[docs == "budapest"].max() < 1.0
    commentary = priors("Why does EFF oppose the treaty?")
    assert commentary[kinds == "analysis"].min() == 1.0 > commentary[kinds == "treaty"].max()
    budapest = priors("How does the Budapest Convention define illegal access?")
    assert budapest[docs == "budapest"].max() > budapest[docs == "uncc"].max()
    comparison = priors("Compare the UNCC and the Budapest Convention on illegal access")
    assert comparison[docs == "budapest"].max() == comparison[docs == "uncc"].max()


@pytest.mark.parametrize(
    ("question", "doc"),
    [
        ("Which conduct counts as illegal access?", "uncc"),
        ("How does the Budapest Convention define illegal access?", "budapest"),
        ("What does the Council of Europe convention say about production orders?", "budapest"),
    ],
)
def test_a_question_naming_no_treaty_is_about_the_uncc(engine, question, doc):
    answer = engine.ask(question, k=3)
    assert answer.treaty_hits[0].passage.doc == doc


def test_glossary_file_is_valid_and_checked(corpus, tmp_path):
    glossary = load_glossary(corpus.data_file("glossary.yaml"))
    assert glossary.aliases and glossary.commentary and glossary.background
    bad = tmp_path / "glossary.yaml"
    bad.write_text("aliases:\n  - treaty: [illegal access]\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="alias #1"):
        load_glossary(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="expected a mapping"):
        load_glossary(bad)
    numbers = tmp_path / "numbers.yaml"
    numbers.write_text("aliases:\n  - treaty: [24]\n    everyday: [7]\n", encoding="utf-8")
    assert load_glossary(numbers).aliases == (GlossaryAlias(("24",), ("7",)),)


def test_acronyms_in_the_plural_find_their_treaty_terms(vocabulary):
    singular = vocabulary.expansions("can an ISP be forced to hand over logs")
    assert singular and vocabulary.expansions("can ISPs be forced to hand over logs") == singular
