"""Questions the corpus cannot answer although they sound close to it: each kind is refused with
its explanation, where the answer lives and the provisions that govern the matter; answerable
questions that merely mention a country, a date or ratification are still answered.

The questions here are written for this test, not taken from any evaluation file.
"""

import io

import pytest
from rich.console import Console

from bot.engine.answer import Answer
from bot.terminal import render_answer


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("has kenya signed the convention?", "treaty-status"),
        ("which countries have ratified the UN cybercrime treaty so far?", "treaty-status"),
        ("is it in force yet or not", "treaty-status"),
        ("what reservations did Russia enter when it signed?", "reservations-made"),
        ("whats the max jail time for hacking in germany", "national-penalty"),
        ("how many years would he get in the uk for that", "national-penalty"),  # a code in lower case
        ("does the UK computer misuse act cover this?", "national-law"),
        ("is it illegal in Brazil to sell stolen passwords", "national-law"),
        ("has anyone actually been prosecuted under the convention yet?", "case-law"),
        ("what does the malabo convention say about data protection?", "other-instruments"),
        ("how many victims of ransomware were there last year? need stats", "statistics"),
        ("my company got hit by ransomware, should we pay?", "practical-help"),
        (
            "any news on what the conference of the states parties decided at its latest session?",
            "later-events",
        ),
        ("who chaired the negotiations at the ad hoc committee?", "people"),
    ],
)
def test_a_question_the_corpus_cannot_answer_is_refused_with_where_to_look(engine, question, kind):
    answer = engine.ask(question)
    assert answer.abstained and answer.out_of_corpus is not None and answer.out_of_corpus.id == kind
    payload = answer.to_dict()
    assert payload["abstained"] is True and payload["out_of_corpus"]["kind"] == kind
    assert answer.out_of_corpus.explanation in answer.notices
    assert any(notice.startswith("Where to look:") for notice in answer.notices)
    assert len(answer.hits) <= 4  # the related provisions, as related, not as an answer


@pytest.mark.parametrize(
    ("question", "shown", "left_out"),
    [
        ("has kenya ratified it?", "treaties.un.org", "coe.int"),
        ("has kenya ratified the budapest convention?", "coe.int", "treaties.un.org"),
    ],
)
def test_the_status_refusal_points_to_the_depositary_of_the_treaty_asked_about(
    engine, question, shown, left_out
):
    answer = engine.ask(question)
    pointers = " ".join(n for n in answer.notices if n.startswith("Where to look:"))
    assert shown in pointers and left_out not in pointers
    urls = [p["url"] for p in answer.to_dict()["out_of_corpus"]["where"]]  # the JSON keeps both
    assert any("treaties.un.org" in url and "XVIII-16" in url for url in urls)
    assert any("coe.int" in url and "185" in url for url in urls)
    treaty = "budapest" if "budapest" in question else "uncc"
    assert answer.hits and {h.passage.doc for h in answer.hits} == {treaty}  # its final clauses


def test_a_refusal_in_the_terminal_is_short(engine):
    """The pointer and the governing provisions by citation: at most 600 characters a question
    about one treaty (the width of a terminal, trailing padding aside)."""
    for question in [
        "has kenya ratified it?",
        "what reservations did Russia enter when it signed?",
        "does the UK computer misuse act cover this?",
        "who chaired the negotiations?",
    ]:
        console = Console(file=io.StringIO(), width=80, color_system=None)
        console.print(render_answer(engine.ask(question), with_question=False))
        shown = "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())
        assert len(shown) <= 600, shown


def test_later_events_say_when_the_corpus_ends(engine):
    answer = engine.ask("any recent news about the protocol negotiations?")
    assert answer.out_of_corpus is not None and answer.out_of_corpus.id == "later-events"
    assert "2025-11-14" in answer.out_of_corpus.explanation  # the newest document of the corpus


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("can Kenya refuse an extradition request under the convention?", 37),
        ("how does a country ratify the convention?", 64),
        ("how many ratifications does it need before it enters into force?", 65),
        ("can a state make a reservation to the dispute settlement article?", 63),
        ("does the treaty set prison terms for hacking or leave that to each country?", 21),
        ("could Norway pull out of the UN cybercrime treaty later?", 67),
        ("can the uk refuse to extradite someone under the convention?", 37),
        ("if my country already has a cybercrime law, does it have to change its definitions?", None),
        ("what happens to a state that joins after the first forty, when does it apply to them?", 65),
    ],
)
def test_answerable_look_alikes_are_answered(engine, question, article):
    answer: Answer = engine.ask(question)
    assert not answer.abstained and answer.out_of_corpus is None
    if article is not None:
        assert article in {h.passage.article for h in answer.hits if h.passage.doc == "uncc"}


def test_kinds_are_checked_at_build(corpus_copy, settings, tmp_path):
    from index_build.out_of_corpus_kinds import load_out_of_corpus
    from index_build.sources import MANIFEST_PATH, CorpusError, load_corpus
    from index_build.treaty import parse_treaties

    manifest = tmp_path / "sources.yaml"
    manifest.write_text(MANIFEST_PATH.read_text("utf-8"), "utf-8")
    (tmp_path / "out_of_corpus.yaml").write_text(
        "kinds:\n  - id: x\n    title: X\n    explanation: Y\n    related: [uncc:99]\n", "utf-8"
    )
    corpus = load_corpus(settings.corpus, manifest)
    with pytest.raises(CorpusError, match="related 'uncc:99' does not exist"):
        load_out_of_corpus(corpus, parse_treaties(corpus))
    (tmp_path / "out_of_corpus.yaml").write_text(
        "kinds:\n  - id: x\n    title: X\n    explanation: Y\n    where: [{label: Z, treaty: malabo}]\n",
        "utf-8",
    )
    with pytest.raises(CorpusError, match="treaty 'malabo' is not an official text"):
        load_out_of_corpus(corpus, parse_treaties(corpus))
