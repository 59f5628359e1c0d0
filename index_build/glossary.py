"""The plain-language glossary (`corpus/glossary.yaml`): read and checked at build time."""

from __future__ import annotations

import re
from pathlib import Path

from index_build.sources import CorpusError, read_data_file
from index_contract.schema import Glossary, GlossaryAlias

GLOSSARY_FILE = "glossary.yaml"
ACRONYM = re.compile(r"\b[A-Z]{2,}$")


def load_glossary(path: Path | None) -> Glossary:
    """The glossary file (`Corpus.data_file(GLOSSARY_FILE)`), checked; an empty glossary if there is none."""
    if path is None:
        return Glossary()
    data = read_data_file(path, "a mapping with 'aliases', 'commentary' and 'background'")
    commentary = data.get("commentary", [])
    background = data.get("background", [])
    chit_chat = data.get("chit-chat", [])
    follow_up = data.get("follow-up", [])
    definition = data.get("definition", [])
    aliases = data.get("aliases", [])
    if not all(
        isinstance(v, list) for v in (commentary, background, chit_chat, follow_up, definition, aliases)
    ):
        raise CorpusError(
            f"{path}: 'commentary', 'background', 'chit-chat', 'follow-up', 'definition' and 'aliases' "
            "must be lists"
        )
    for number, entry in enumerate(aliases, 1):
        if not (
            isinstance(entry, dict) and _strings(entry.get("treaty")) and _strings(entry.get("everyday"))
        ):
            raise CorpusError(
                f"{path}: alias #{number} needs non-empty 'treaty' and 'everyday' lists of text"
            )
    return Glossary(
        aliases=tuple(
            GlossaryAlias(tuple(str(t) for t in e["treaty"]), _with_plurals(e["everyday"])) for e in aliases
        ),
        commentary=_with_plurals(commentary),
        background=tuple(str(b) for b in background),
        chit_chat=tuple(str(c) for c in chit_chat),
        follow_up=tuple(str(f) for f in follow_up),
        definition=tuple(str(d) for d in definition),
    )


def _with_plurals(phrases: list) -> tuple[str, ...]:
    """The phrases, and the plural of those ending in an acronym ("ISP" also as "ISPs"): the
    stemmer leaves "isps" and "ngos" as they are, so they would not match otherwise."""
    found = [str(p) for p in phrases]
    plurals = [f"{p}s" for p in found if ACRONYM.search(p) and f"{p}s" not in found]
    return tuple(found + plurals)


def _strings(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str | int) for v in value)
