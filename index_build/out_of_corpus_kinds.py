"""The kinds of question the corpus cannot answer (`corpus/out_of_corpus.yaml`), checked at build.

The build also gathers the place names its `{country}` signals stand for: every country's
name, other spellings and adjective from the countryinfo package, plus the file's own
`places`, so that the bot needs neither the package nor the file, only the index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from index_build.sources import Corpus, CorpusError, read_data_file
from index_build.treaty import TreatyText
from index_contract.schema import OutOfCorpus, OutOfCorpusKind, Pointer

OUT_OF_CORPUS_FILE = "out_of_corpus.yaml"
MIN_PLACE_CHARS = 4  # shorter names are codes ("KE", "KEN"): only the listed `codes` count
TEXT_FIELDS = ("id", "title", "explanation")
LIST_FIELDS = ("related", "phrases", "about", "facts", "unless")
PLACE = re.compile(r"^(?P<doc>[\w-]+)(?::(?P<article>\d+)(?:\((?P<paragraph>\d+)\))?)?$")


def load_out_of_corpus(corpus: Corpus, texts: Mapping[str, TreatyText]) -> OutOfCorpus:
    """The kinds, checked (every related provision exists), with the place names; empty without the file."""
    path = corpus.data_file(OUT_OF_CORPUS_FILE)
    if path is None:
        return OutOfCorpus()
    data = read_data_file(path, "a mapping with a 'kinds' list")
    if not isinstance(data.get("kinds"), list):
        raise CorpusError(f"{path}: expected a mapping with a 'kinds' list")
    newest = max([corpus.final_text_date, *(a.date for a in corpus.analyses)])
    absent = {t.id for t in corpus.absent}
    kinds = tuple(
        replace(kind, explanation=kind.explanation.replace("{corpus_ends}", newest.isoformat()))
        for kind in (_kind(path, n, entry, texts, absent) for n, entry in enumerate(data["kinds"], 1))
    )
    ignored = {name.casefold() for name in _strings(path, "not_places", data.get("not_places"))}
    places = sorted(
        {
            name
            for name in (*_country_names(), *_strings(path, "places", data.get("places")))
            if name.casefold() not in ignored
        }
    )
    return OutOfCorpus(
        kinds, tuple(places), tuple(_strings(path, "codes", data.get("codes"))), newest.isoformat()
    )


def _kind(
    path: Path, number: int, entry: object, texts: Mapping[str, TreatyText], absent: set[str]
) -> OutOfCorpusKind:
    where = f"{path}: kind #{number}"
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(f), str) and entry[f].strip() for f in TEXT_FIELDS
    ):
        raise CorpusError(f"{where} needs {', '.join(TEXT_FIELDS)} (text)")
    lists = {name: _strings(path, f"{entry['id']}: {name}", entry.get(name)) for name in LIST_FIELDS}
    # Provisions of an optional text the corpus lacks are left out; the others must exist.
    lists["related"] = [p for p in lists["related"] if p.partition(":")[0] not in absent]
    for place in lists["related"]:
        _check_place(f"{where} ({entry['id']})", place, texts)
    pointers = entry.get("where") or []
    if not isinstance(pointers, list) or not all(isinstance(p, dict) and p.get("label") for p in pointers):
        raise CorpusError(
            f"{where} ({entry['id']}): 'where' must be a list of entries with a label (and a url)"
        )
    for pointer in pointers:
        if pointer.get("treaty") and str(pointer["treaty"]) not in {*texts, *absent}:
            raise CorpusError(
                f"{where} ({entry['id']}): treaty '{pointer['treaty']}' is not an official text of the corpus"
            )
    return OutOfCorpusKind(
        id=entry["id"].strip(),
        title=" ".join(entry["title"].split()),
        explanation=" ".join(entry["explanation"].split()),
        where=tuple(
            Pointer(
                " ".join(str(p["label"]).split()), str(p.get("url") or "").strip(), str(p.get("treaty") or "")
            )
            for p in pointers
        ),
        **{name: tuple(values) for name, values in lists.items()},
    )


def _check_place(where: str, place: str, texts: Mapping[str, TreatyText]) -> None:
    match = PLACE.match(place)
    text = texts.get(match["doc"]) if match else None
    if text is None:
        raise CorpusError(
            f"{where}: related '{place}' is not a document of the corpus or a place like uncc:64"
        )
    if match["article"] is None:
        return
    if not text.articles:  # a text without articles: a numbered paragraph
        if match["article"] not in {u.paragraph for u in text.body}:
            raise CorpusError(f"{where}: related '{place}': no paragraph {match['article']}")
        return
    article = text.articles.get(int(match["article"]))
    if article is None or (match["paragraph"] and match["paragraph"] not in article.paragraph_numbers()):
        raise CorpusError(f"{where}: related '{place}' does not exist in {text.source.name}")


def _strings(path: Path, name: str, value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CorpusError(f"{path}: '{name}' must be a list of text")
    return [" ".join(v.split()) for v in value]


def _country_names() -> set[str]:
    """Every country's name, other spellings and adjective (demonym), of MIN_PLACE_CHARS or more."""
    import countryinfo  # build time only: the index carries the names

    names: set[str] = set()
    for country in countryinfo.all_countries():
        info = country.info() or {}
        for name in [info.get("name"), info.get("demonym"), *(info.get("altSpellings") or [])]:
            if isinstance(name, str) and len(name.strip()) >= MIN_PLACE_CHARS:
                names.add(" ".join(name.split()))
    return names
