"""The answer engine on the real index and model."""

import pytest

from bot.engine.request_errors import InvalidRequest
from bot.engine.retrieval import Source
from bot.engine.user_input import MAX_QUESTION_CHARS
from bot.evaluation import is_hit, load_questions
from tests.conftest import DEV_QUESTIONS


def _by_id(dev_questions, qid):
    return next(q for q in dev_questions if q["id"] == qid)


@pytest.mark.parametrize("qid", ["d03", "d05", "d06", "d11", "d19", "d25", "d27"])
def test_dev_questions_find_the_expected_place_in_the_top_5(engine, dev_questions, qid):
    q = _by_id(dev_questions, qid)
    answer = engine.ask(q["question"], k=5)
    assert not answer.abstained
    places = load_questions(DEV_QUESTIONS).questions[int(qid[1:]) - 1].places
    assert any(is_hit(h.passage, places) for h in answer.hits), [h.passage.citation for h in answer.hits]


@pytest.mark.parametrize(
    "question",
    [
        "What is the recipe for chocolate chip cookies?",
        "Who won the 2022 football World Cup?",
        "How do I bake sourdough bread at home?",
        "What is the tallest mountain in Africa?",
    ],
)
def test_out_of_scope_questions_are_refused_without_quoting_anything(engine, question):
    answer = engine.ask(question)
    assert answer.abstained
    assert not answer.treaty_hits and not answer.analysis_hits  # at most cited, never quoted


@pytest.mark.parametrize(
    ("question", "first_id"),
    [
        ("What does Article 41 say?", "uncc:art41:"),
        ("Explain Art 28(3)", "uncc:art28:p3"),
        ("What is article 2 (h)?", "uncc:art2:p0:h"),
        ("What does Article 2 of the Budapest Convention say?", "budapest:art2:"),
        ("What does art. 6 require?", "uncc:art6:"),
    ],
)
def test_direct_references_resolve_exactly(engine, question, first_id):
    answer = engine.ask(question)
    assert not answer.abstained
    assert answer.hits[0].passage.id.startswith(first_id)
    assert answer.hits[0].referenced


def test_reference_to_a_missing_article_gives_a_notice(engine):
    answer = engine.ask("What does Article 69 say about reservations?")
    assert any("68 articles" in n and "Article 69" in n for n in answer.notices)


@pytest.mark.parametrize(
    ("question", "notice", "abstained"),
    [
        ("What does Article 1000 say?", "there is no Article 1000", True),
        ("What does Article 999999999999999999 say?", "there is no Article 999999999999999999", True),
        ("article 2 (zz)", "no sub-paragraph (zz)", False),  # Article 2 exists: it is shown
        ("articles 1 to 100000", "there is no Article 100000", False),  # Article 1 exists
        ("art 28(300)", "no paragraph 300", False),
        ("What does article 12 of the Budapest Convention (ETS 185) say?", None, False),
    ],
)
def test_a_provision_that_does_not_exist_is_said_not_to(engine, question, notice, abstained):
    """Never unrelated passages in silence: a notice, and no answer when nothing named exists."""
    answer = engine.ask(question)
    if notice is None:
        assert not answer.notices and answer.hits[0].referenced
        return
    assert any(notice in n for n in answer.notices), answer.notices
    assert answer.abstained is abstained
    if not abstained:
        assert answer.hits[0].referenced


def test_bracketed_words_are_not_read_as_sub_paragraphs(engine):
    answer = engine.ask("What does Article 15 (UN) say?")
    assert not answer.notices and {h.passage.article for h in answer.hits if h.referenced} == {15}


def test_answer_keeps_treaty_text_and_commentary_apart(engine):
    answer = engine.ask("What do critics say about how the treaty treats journalists?")
    assert answer.treaty_hits and answer.analysis_hits
    assert all(h.passage.kind == "treaty" for h in answer.treaty_hits)
    assert all(h.passage.link.startswith("http") for h in answer.hits)
    payload = answer.to_dict()
    assert set(payload) == {"question", "abstained", "language", "notices", "out_of_corpus", "passages"}
    assert payload["out_of_corpus"] is None
    assert {"id", "document", "kind", "article", "paragraph", "citation", "quote", "link", "score"} <= set(
        payload["passages"][0]
    )


def test_source_filter(engine):
    answer = engine.ask("What does EFF say about security research?", Source.ANALYSIS)
    assert answer.hits and all(h.passage.kind == "analysis" for h in answer.hits)
    treaty_only = engine.ask("What does EFF say about security research?", Source.TREATY)
    assert treaty_only.hits and all(h.passage.kind == "treaty" for h in treaty_only.hits)


def test_questions_naming_no_treaty_prefer_the_uncc(engine):
    answer = engine.ask("When does the Convention enter into force?", k=3)
    assert answer.hits[0].passage.doc == "uncc"
    budapest = engine.ask("When did the Budapest Convention enter into force?", k=3)
    assert budapest.hits[0].passage.doc == "budapest"


@pytest.mark.parametrize(("text", "message"), [("", "empty"), ("   \n ", "empty")])
def test_empty_question_is_rejected(engine, text, message):
    with pytest.raises(InvalidRequest, match=message):
        engine.ask(text)


def test_over_long_question_is_rejected(engine):
    with pytest.raises(InvalidRequest, match=str(MAX_QUESTION_CHARS)):
        engine.ask("why " * MAX_QUESTION_CHARS)


@pytest.mark.parametrize(
    "question",
    [
        "what is traffic \udcff data",  # invalid UTF-8 on a command line arrives as a lone surrogate
        "what is traffic\x1b]0;title\x07\x1b[2J data",  # terminal escape codes
        "what is traffic \u202edata",  # a right-to-left override
        "what\x00is traffic data",
    ],
)
def test_questions_are_cleaned_of_what_cannot_be_shown_or_embedded(engine, question):
    answer = engine.ask(question)
    assert answer.question.isprintable() and "\u202e" not in answer.question
    assert "traffic" in answer.question and answer.hits and not answer.abstained
    assert engine.search(question).hits


def test_article_view_is_the_exact_article_text(engine, corpus):
    view = engine.article(28)
    source = (corpus.root / "treaty" / "uncc.md").read_text(encoding="utf-8")
    assert view.title == "Search and seizure of stored electronic data"
    assert view.paragraphs == ("1", "2", "3", "4")
    joined = source[view.passages[0].start : view.passages[-1].end]
    assert joined.startswith("1. Each State Party") and "\n\n".join(p.quote for p in view.passages) == joined
    assert [p.paragraph for p in engine.article(28, "3").passages] == ["3"]


@pytest.mark.parametrize(
    ("number", "paragraph", "treaty", "message"),
    [
        (69, None, "uncc", "68 articles"),
        (0, None, "uncc", "no Article 0"),
        (49, None, "budapest", "48 articles"),
        (28, "9", "uncc", "no paragraph 9"),
        (2, "1", "uncc", "no numbered paragraphs"),
        (1, None, "geneva", "Unknown treaty"),
    ],
)
def test_article_errors(engine, number, paragraph, treaty, message):
    with pytest.raises(InvalidRequest, match=message):
        engine.article(number, paragraph, treaty)


@pytest.mark.parametrize(
    ("question", "articles"),
    [("What do articles 2 and 7 say?", {2, 7}), ("articles 7 to 10", {7, 8, 9, 10})],
)
def test_every_named_article_is_shown(engine, question, articles):
    answer = engine.ask(question)
    assert {h.passage.article for h in answer.hits if h.referenced} == articles
    assert not answer.notices


def test_named_articles_that_do_not_fit_are_reported(engine):
    answer = engine.ask("articles 7 to 10", k=2)
    assert len(answer.hits) == 2
    assert any("Not shown for lack of room" in n and "Article 10" in n for n in answer.notices)


def test_a_missing_sub_paragraph_gets_a_notice(engine):
    assert any("no sub-paragraph (z)" in n for n in engine.ask("What is article 2 (z)?").notices)
    budapest = engine.ask("What is article 2 (h) of the Budapest Convention?")
    assert any("no lettered sub-paragraphs" in n for n in budapest.notices)


def test_a_comparison_brings_the_counterpart_article(engine):
    answer = engine.ask("How does article 28 of the UN treaty differ from the Budapest Convention?")
    cited = {(h.passage.doc, h.passage.article) for h in answer.hits if h.referenced}
    assert ("uncc", 28) in cited and ("budapest", 19) in cited
