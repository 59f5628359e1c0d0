"""What a user types for /define: matching and resolution to one definition (shared with the
terminal), and the autocomplete choices that fit Discord's limits."""

from __future__ import annotations

import pytest

from bot.discord_app.limits import MAX_CHOICE_NAME
from bot.discord_app.transformers import term_choice_name as choice_name
from bot.discord_app.transformers import term_choice_value as choice_value
from bot.discord_app.transformers import term_choices
from bot.engine.notes import DefinedTerm
from bot.engine.user_input import TermRequest, matching_terms, picked, resolve_term

LINK = "https://docs.un.org/en/A/RES/79/243"
TRAFFIC = DefinedTerm("uncc", ("Traffic data",), "UNCC Art. 2(c)", "“Traffic data” shall mean …", LINK)
FREEZING = DefinedTerm("uncc", ("Freezing", "seizure"), "UNCC Art. 2(k)", "“Freezing” or “seizure” …", LINK)
BUDAPEST_TRAFFIC = DefinedTerm(
    "budapest", ("traffic data",), "Budapest Convention Art. 1(d)", "“traffic data” means …", LINK
)
MINOR = DefinedTerm("budapest", ("minor",), "Budapest Convention Art. 9(3)", "…", LINK, scope_article=9)
TERMS = (TRAFFIC, FREEZING, BUDAPEST_TRAFFIC, MINOR)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", TERMS),
        ("TRAF", (TRAFFIC, BUDAPEST_TRAFFIC)),
        ("data traffic", (TRAFFIC, BUDAPEST_TRAFFIC)),  # every word, in any order
        ("seiz", (FREEZING,)),  # a word of 'Freezing or seizure'
        ("2(k)", (FREEZING,)),  # by citation
        ("budapest", (BUDAPEST_TRAFFIC, MINOR)),
        ("ino", (MINOR,)),  # anywhere, as a last resort
        ("zzz", ()),
    ],
)
def test_terms_match_by_start_words_citation_or_anywhere(typed: str, expected: tuple) -> None:
    assert tuple(matching_terms(TERMS, typed)) == expected


def test_a_term_that_starts_with_the_text_comes_first() -> None:
    data = DefinedTerm("x", ("Data",), "X Art. 9", "…", LINK)
    assert matching_terms((TRAFFIC, data), "data") == [data, TRAFFIC]


def test_a_choice_shows_term_and_citation_and_its_value_is_the_citation() -> None:
    assert term_choices((FREEZING,)) == [("Freezing or seizure · UNCC Art. 2(k)", "UNCC Art. 2(k)")]


def test_a_long_term_is_cut_so_that_its_citation_stays() -> None:
    long = DefinedTerm("uncc", ("word " * 40,), "UNCC Art. 2(z)", "…", LINK)
    name = choice_name(long)
    assert len(name) <= MAX_CHOICE_NAME and name.endswith("… · UNCC Art. 2(z)")
    assert choice_value(long) == "UNCC Art. 2(z)"


def test_choices_are_capped_and_never_repeat_a_value() -> None:
    many = [DefinedTerm("uncc", (f"term {n}",), f"UNCC Art. {n}", "…", LINK) for n in range(40)]
    choices = term_choices([*many, many[0]])
    assert len(choices) == 25 and len({value for _, value in choices}) == 25


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("UNCC Art. 2(c)", TermRequest("Traffic data", "UNCC Art. 2(c)")),  # a choice's value
        ("uncc art. 2(c)", TermRequest("Traffic data", "UNCC Art. 2(c)")),
        (
            "traffic data · Budapest Convention Art. 1(d)",
            TermRequest("traffic data", "Budapest Convention Art. 1(d)"),
        ),
        ("Freezing or seizure", TermRequest("Freezing")),  # as displayed: looked up by its first form
        ("  traffic   data ", TermRequest("Traffic data")),  # both treaties' definitions
        ("service providers", TermRequest("service providers")),  # the engine handles plurals
        ("x · UNCC Art. 99", TermRequest("x · UNCC Art. 99")),
    ],
)
def test_what_was_typed_or_picked_resolves_to_a_term(typed: str, expected: TermRequest) -> None:
    assert resolve_term(typed, TERMS) == expected


def test_only_the_picked_definition_is_kept_if_it_was_found() -> None:
    both = (TRAFFIC, BUDAPEST_TRAFFIC)
    assert picked(both, "Budapest Convention Art. 1(d)") == (BUDAPEST_TRAFFIC,)
    assert picked(both, None) == both
    assert picked((TRAFFIC,), "Budapest Convention Art. 1(d)") == (TRAFFIC,)  # e.g. another treaty chosen


def test_every_choice_of_the_corpus_names_exactly_its_definition(engine) -> None:
    terms = engine.defined_terms()
    for definition in terms:
        for typed in (choice_value(definition), choice_name(definition)):
            wanted = resolve_term(typed, terms)
            found = picked(engine.define(wanted.term).definitions, wanted.citation)
            assert found == (definition,), typed
        shown = resolve_term(definition.term, terms)  # the term as displayed, typed by hand
        assert definition in engine.define(shown.term).definitions
