"""Plain-language descriptions of the provisions: read and checked.

People ask in everyday words ("my ex posted my nudes"); the treaties speak formally
("non-consensual dissemination of intimate images"). Each line of `corpus/descriptions.yaml`
says in plain words what one provision covers; each line of `corpus/scenarios.yaml` is a
question or situation, as people type it, that the provision answers. The index searches
both beside the passages and passes a match on to the passages of the provision described;
they are never shown as quotes.

Keys: an article ("7"), one of its numbered paragraphs ("65(1)"), "preamble" or "annex";
for a text without articles (the resolution), a numbered paragraph ("4").

The training questions (`corpus/training/*.yaml`, written blind from the corpus) are read the
same way: questions per provision, questions per commentary file (`analysis:` keyed by file
name: they cover that file's passages), and in `declines.yaml` questions the corpus cannot
answer, by kind of `corpus/out_of_corpus.yaml` (section "decline", doc = the kind: they cover
no passage; a question close to them is declined), with answerable twins and questions in
other languages keyed by place ("uncc:64(2)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from index_build.sources import Corpus, CorpusError, read_data_file
from index_build.treaty import TreatyText
from index_contract.schema import DECLINE, Description

DESCRIPTION_FILES = ("descriptions.yaml", "scenarios.yaml")
DECLINES_FILE = "declines.yaml"
ANALYSIS_KEY = "analysis"
PLACE = re.compile(r"^(?P<doc>[\w-]+):(?P<key>.+)$")
KEY = re.compile(r"^(?:(?P<section>preamble|annex)|(?P<number>\d+)(?:\((?P<paragraph>\d+)\))?)$")


def load_descriptions(
    corpus: Corpus, texts: Mapping[str, TreatyText], decline_kinds: Iterable[str] = ()
) -> tuple[Description, ...]:
    """Every line of the description files and training files there are, checked against the
    parsed texts, the commentary files and the out-of-corpus kinds (`decline_kinds`)."""
    paths = [p for p in map(corpus.data_file, DESCRIPTION_FILES) if p is not None]
    absent = {t.id for t in corpus.absent}
    lines = [line for path in paths for line in _load_file(path, texts, absent)]
    analyses = {a.path.name: a.id for a in corpus.analyses}
    for path in corpus.training_files():
        if path.name == DECLINES_FILE:
            lines += _load_declines(path, texts, absent, set(decline_kinds))
            continue
        data = read_data_file(path, "a mapping of document ids to provisions")
        if ANALYSIS_KEY in data:
            lines += _load_commentary(path, data.pop(ANALYSIS_KEY), analyses)
        lines += _load_file(path, texts, absent, data)
    return tuple(lines)


def _load_commentary(path: Path, files: object, analyses: Mapping[str, str]) -> list[Description]:
    if not isinstance(files, dict):
        raise CorpusError(f"{path}: '{ANALYSIS_KEY}' must map commentary file names to lists of questions")
    found = []
    for name, lines in files.items():
        if str(name) not in analyses:
            continue  # a commentary file this corpus does not have (yet)
        found += [
            Description(analyses[str(name)], ANALYSIS_KEY, None, None, text)
            for text in _texts(path, name, lines)
        ]
    return found


def _load_declines(
    path: Path, texts: Mapping[str, TreatyText], absent: set[str], kinds: set[str]
) -> list[Description]:
    data = read_data_file(path, "a mapping with 'decline', 'answerable-twins' and 'multilingual'")
    declines = data.get(DECLINE) or {}
    if not isinstance(declines, dict):
        raise CorpusError(f"{path}: '{DECLINE}' must map kinds of question to lists of questions")
    found = []
    for kind, lines in declines.items():
        if str(kind) not in kinds:
            raise CorpusError(
                f"{path}: '{kind}' is not a kind of corpus/out_of_corpus.yaml ({', '.join(sorted(kinds))})"
            )
        found += [
            Description(str(kind), DECLINE, None, None, text) for text in _texts(path, f"'{kind}'", lines)
        ]
    for group in ("answerable-twins", "multilingual"):
        for entry in data.get(group) or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
                raise CorpusError(
                    f"{path}: each entry of '{group}' needs q (the question) and expect (a place)"
                )
            match = PLACE.match(str(entry.get("expect", "")))
            if not match:
                raise CorpusError(
                    f"{path}: '{entry.get('expect')}' in '{group}' is not a place like uncc:64(2)"
                )
            if match["doc"] in absent:
                continue
            text = texts.get(match["doc"])
            if text is None:
                raise CorpusError(f"{path}: '{match['doc']}' is not an official text of the corpus")
            place = _place(path, text, match["key"])
            found.append(Description(match["doc"], *place, " ".join(entry["q"].split())))
    return found


def _texts(path: Path, key: object, lines: object, what: str = "questions") -> list[str]:
    if not isinstance(lines, list) or not lines or not all(isinstance(x, str) and x.strip() for x in lines):
        raise CorpusError(f"{path}: {key} needs a list of {what} (text)")
    return [" ".join(line.split()) for line in lines]


def _load_file(
    path: Path, texts: Mapping[str, TreatyText], absent: set[str], data: dict | None = None
) -> list[Description]:
    data = read_data_file(path, "a mapping of document ids to provisions") if data is None else data
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
            found += [
                Description(str(doc), *place, line)
                for line in _texts(path, f"{doc} '{key}'", lines, "descriptions")
            ]
    return found


def _place(path: Path, text: TreatyText, key: str) -> tuple[str, int | None, str | None]:
    """(section, article, paragraph) that a key names, checked against the text."""
    match = KEY.match(key)
    where = f"{path}: {text.source.id} '{key}'"
    if not match:
        raise CorpusError(
            f"{where} is not a provision: use an article '7', a paragraph '65(1)', 'preamble' or 'annex'"
        )
    if match["section"] == "preamble" and not text.articles and not text.preamble:
        return "body", None, None  # the considerations of a resolution: its text without articles
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
