"""Defined terms: UNCC Art. 2 ("Use of terms"), Budapest Art. 1 ("Definitions") and the
definitions made for one article ("For the purpose of this article, the term “subscriber
information” means ...").

A definition is a numbered paragraph or lettered sub-paragraph whose text opens with one or
more quoted terms followed by "shall mean", "means" or "shall include". Its `text` is an
exact slice of the source (the paragraph or sub-paragraph with its sub-items, without the
label). A definition made "for the purpose(s) of this article" or "of paragraph N" applies
only within its article (`scope_article`); the others apply to the whole treaty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index_build.passages import slug
from index_build.treaty import NUMBERED, Article, TreatyText, Unit
from index_contract.schema import Definition, Passage, cite
from index_contract.tokenize import term_pattern

LABEL_PREFIX = re.compile(r"^(?:\d{1,3}\.\s+)?(?:\(?[a-z]{1,4}\)\s+)?")
DEFINING = re.compile(
    r"^(?P<scope>For\s+(?:the\s+)?purposes?\s+of\s+[^,“]+,\s+)?(?:the\s+term\s+)?"
    r"(?P<terms>“[^”]+”(?:\s*(?:,|or|and)\s*“[^”]+”)*)"
    r"(?:,[^,“”]*,)?\s+(?:shall\s+mean|means|shall\s+include)\b"
)
QUOTED = re.compile(r"“([^”]+)”")


def extract_definitions(treaty: TreatyText) -> list[Definition]:
    """Every defined term of a treaty, in the order of the text."""
    found = []
    for article in treaty.articles.values():
        for index, unit in enumerate(article.units):
            body = unit.text[LABEL_PREFIX.match(unit.text).end() :]
            match = DEFINING.match(body)
            if match and not unit.continuation:
                found.append(_definition(treaty, article, index, unit, body, match))
    return found


def _definition(
    treaty: TreatyText, article: Article, index: int, unit: Unit, body: str, match: re.Match
) -> Definition:
    source = treaty.source
    last = _last_unit(article.units, index)
    terms = tuple(QUOTED.findall(match["terms"]))
    start = unit.block.end - len(body)
    letter = unit.letter if not NUMBERED.match(unit.text) or unit.letter else None
    return Definition(
        id=f"{source.id}:{slug(terms[0])}",
        doc=source.id,
        terms=terms,
        article=article.number,
        paragraph=unit.paragraph,
        subparagraph=letter,
        citation=cite(source.name, article.number, unit.paragraph, [letter] if letter else ()),
        text=treaty.text[start : last.block.end],
        start=start,
        end=last.block.end,
        scope_article=article.number if match["scope"] else None,
    )


def _last_unit(units: list[Unit], index: int) -> Unit:
    """The last unit of the item that starts at `index`: its sub-items and closing text."""
    first = units[index]
    last = first
    for unit in units[index + 1 :]:
        same_item = unit.paragraph == first.paragraph and (
            first.letter is None or unit.letter == first.letter
        )
        if not same_item or NUMBERED.match(unit.text):
            break
        last = unit
    return last


# --- terms in passages ------------------------------------------------------------------------


def terms_used(text: str, definitions: Iterable[Definition]) -> list[str]:
    """Ids of the definitions whose terms occur in `text`, by first occurrence.

    Overlapping occurrences go to the longer term.
    """
    spans = []
    for definition in definitions:
        for term in definition.terms:
            spans += [(m.start(), -len(m.group(0)), definition.id) for m in term_pattern(term).finditer(text)]
    used: dict[str, None] = {}
    covered_to = -1
    for start, negative_length, def_id in sorted(spans):
        if start >= covered_to:
            used.setdefault(def_id)
            covered_to = start - negative_length
    return list(used)


def definitions_used(passages: Iterable[Passage], definitions: list[Definition]) -> dict[str, list[str]]:
    """For each treaty passage, the definitions of its own treaty it uses (never its own).

    A definition made for one article is used only by passages of that article.
    """
    uses: dict[str, list[str]] = {}
    for passage in passages:
        if passage.kind != "treaty":
            continue
        applicable = [
            d
            for d in definitions
            if d.doc == passage.doc
            and d.scope_article in (None, passage.article)
            and not (d.start < passage.end and passage.start < d.end)  # its own defining passage
        ]
        found = terms_used(passage.quote, applicable)
        if found:
            uses[passage.id] = found
    return uses
