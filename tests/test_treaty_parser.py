"""Parser structure on the real treaty files."""

import pytest

from index_build.treaty import parse_treaty


@pytest.fixture(scope="module")
def uncc(corpus):
    return parse_treaty(corpus.treaty("uncc"))


@pytest.fixture(scope="module")
def budapest(corpus):
    return parse_treaty(corpus.treaty("budapest"))


def test_article_counts(uncc, budapest):
    assert sorted(uncc.articles) == list(range(1, 69))
    assert sorted(budapest.articles) == list(range(1, 49))


def test_uncc_chapters_preamble_and_annex(uncc):
    assert len(uncc.chapters) == 9
    assert uncc.articles[28].chapter == "Chapter IV. Procedural measures and law enforcement"
    assert uncc.articles[28].title == "Search and seizure of stored electronic data"
    assert uncc.preamble[0].text == "The States Parties to the present Convention,"
    assert [note.title for note in uncc.annex] == [
        "Interpretative note on article 2",
        "Interpretative note on article 17",
        "Interpretative note on articles 23 and 35, with regard to the term “investigation”",
        "Interpretative note on article 35",
    ]
    assert uncc.closing[0].text.startswith("IN WITNESS WHEREOF")


def test_article_2_has_subparagraphs_a_to_o(uncc):
    top_level = [u.letter for u in uncc.articles[2].units if u.letter and not u.roman]
    assert top_level == list("abcdefghijklmno")


def test_roman_numerals_are_told_apart_from_letter_i(uncc):
    art2 = uncc.articles[2].units
    property_definition = next(u for u in art2 if u.text.startswith("(i) “Property”"))
    assert (property_definition.letter, property_definition.roman) == ("i", None)
    first_provider_item = next(u for u in art2 if u.text.startswith("(i) Provides to users"))
    assert (first_provider_item.letter, first_provider_item.roman) == ("e", "i")
    mla_purpose = next(u for u in uncc.articles[40].units if u.text.startswith("(i) Providing originals"))
    assert (mla_purpose.paragraph, mla_purpose.letter, mla_purpose.roman) == ("3", "i", None)


def test_numbered_paragraphs_and_closing_clauses(uncc):
    art11 = uncc.articles[11]
    assert art11.paragraph_numbers() == ["1", "2", "3"]
    closing = next(u for u in art11.units if u.text.startswith("with the intent"))
    assert closing.continuation and (closing.paragraph, closing.letter) == ("1", "a")
    assert uncc.articles[40].paragraph_numbers() == [str(n) for n in range(1, 33)]


def test_budapest_item_style_and_merged_paragraph_numbers(budapest):
    art14 = budapest.articles[14]
    merged = next(u for u in art14.units if u.text.startswith("3. a)"))
    assert (merged.paragraph, merged.letter) == ("3", "a")
    assert [u.letter for u in budapest.articles[1].units if u.letter and not u.roman] == list("abcd")
    assert budapest.articles[1].title == "Definitions"


def test_item_and_first_sub_item_on_one_line(uncc):
    conversion = next(u for u in uncc.articles[17].units if u.text.startswith("(a) (i) The conversion"))
    assert (conversion.paragraph, conversion.letter, conversion.roman) == ("1", "a", "i")
    following = uncc.articles[17].units[uncc.articles[17].units.index(conversion) + 1]
    assert (following.letter, following.roman) == ("a", "ii")
