"""Plain-language descriptions of the provisions: read and checked.

People ask in everyday words ("my ex posted my nudes"); the treaties speak formally
("non-consensual dissemination of intimate images"). Each line of `corpus/descriptions.yaml`
says in plain words what one provision covers; each line of `corpus/scenarios.yaml` is a
question or situation, as people type it, that the provision answers. The index searches
both beside the passages and passes a match on to the passages of the provision described;
they are never shown as quotes.

Keys: an article ("7"), one of its numbered paragraphs ("65(1)"), "preamble" or "annex";
for a text without articles (the resolution), a numbered paragraph ("4").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from index_build.sources import Corpus, CorpusError, read_data_file
from index_build.treaty import TreatyText
from index_contract.schema import Description

DESCRIPTION_FILES = ("descriptions.yaml", "scenarios.yaml")
KEY = re.compile(r"^(?:(?P<section>preamble|annex)|(?P<number>\d+)(?:\((?P<paragraph>\d+)\))?)$")


def load_descriptions(corpus: Corpus, texts: Mapping[str, TreatyText]) -> tuple[Description, ...]:
    """Every line of the description files there are, checked against the parsed texts."""
    paths = [p for p in map(corpus.data_file, DESCRIPTION_FILES) if p is not None]
    absent = {t.id for t in corpus.absent}
    return tuple(line for path in paths for line in _load_file(path, texts, absent))


def _load_file(path: Path, texts: Mapping[str, TreatyText], absent: set[str]) -> list[Description]:
    data = read_data_file(path, "a mapping of document ids to provisions")
    found: list[Description] = []
    for doc, provisions in data.items():
        if str(doc) in absent:
            continue  # an optional text this corpus lacks
        text = texts.get(str(doc))
        if text is None:
            raise CorpusError(f"{path}: '{doc}' is not an official text of the corpus ({', '.join(texts)})")
        if not isinstance(provisions, dict):
            raise CorpusError(f"{path}: '{doc}' must map provisions to lists of descriptions")
        for key, lines in provisions.items():
            place = _place(path, text, str(key))
            if (
                not isinstance(lines, list)
                or not lines
                or not all(isinstance(x, str) and x.strip() for x in lines)
            ):
                raise CorpusError(f"{path}: {doc} '{key}' needs a list of descriptions (text)")
            found += [Description(str(doc), *place, " ".join(line.split())) for line in lines]
    return found


def _place(path: Path, text: TreatyText, key: str) -> tuple[str, int | None, str | None]:
    """(section, article, paragraph) that a key names, checked against the text."""
    match = KEY.match(key)
    where = f"{path}: {text.source.id} '{key}'"
    if not match:
        raise CorpusError(
            f"{where} is not a provision: use an article '7', a paragraph '65(1)', 'preamble' or 'annex'"
        )
    if match["section"]:
        units = text.preamble if match["section"] == "preamble" else text.annex
        if not units:
            raise CorpusError(f"{where}: the text has no {match['section']}")
        return match["section"], None, None
    number, paragraph = int(match["number"]), match["paragraph"]
    if not text.articles:  # a text without articles: its numbered paragraphs
        if paragraph or str(number) not in {u.paragraph for u in text.body}:
            raise CorpusError(f"{where}: the text has no numbered paragraph {key}")
        return "body", None, str(number)
    article = text.articles.get(number)
    if article is None:
        raise CorpusError(f"{where}: the text has no Article {number}")
    if paragraph and paragraph not in article.paragraph_numbers():
        raise CorpusError(f"{where}: Article {number} has no paragraph {paragraph}")
    return "article", number, paragraph
