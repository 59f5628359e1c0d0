"""Query understanding: plain-language expansion and commentary intent.

Both match phrases on stemmed words, so word endings do not matter ("hacked",
"hacking" and "hacks" all match the glossary's "hack").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.references import mentions_provision
from index_build.schema import Glossary
from index_build.tokenize import stems

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class QueryVocabulary:
    aliases: tuple[tuple[Phrase, tuple[str, ...]], ...]  # (everyday phrase, treaty terms)
    commentary: tuple[Phrase, ...]
    background: tuple[Phrase, ...]

    @classmethod
    def from_index(cls, glossary: Glossary, publishers: list[str]) -> QueryVocabulary:
        """The glossary stored in the index, plus the corpus's own publisher names."""
        aliases = tuple(
            (tuple(stems(expression)), entry.treaty)
            for entry in glossary.aliases
            for expression in entry.everyday
        )
        commentary = [tuple(stems(expression)) for expression in glossary.commentary]
        commentary += [tuple(stems(name)) for name in _publisher_names(publishers)]
        background = [tuple(stems(expression)) for expression in glossary.background]
        return cls(
            aliases=tuple(a for a in aliases if a[0]),
            commentary=tuple(dict.fromkeys(c for c in commentary if c)),
            background=tuple(b for b in background if b),
        )

    def expansions(self, question: str) -> list[str]:
        """Treaty terms for the everyday expressions in `question`, without repeats."""
        words = stems(question)
        found: dict[str, None] = {}
        for phrase, terms in self.aliases:
            if _contains(words, phrase):
                found.update(dict.fromkeys(terms))
        return list(found)

    def asks_for_commentary(self, question: str) -> bool:
        """Is the question about what people say of the treaty (criticism, positions, news)?"""
        words = stems(question)
        return any(_contains(words, phrase) for phrase in self.commentary)

    def asks_for_background(self, question: str) -> bool:
        """Does the question ask about a preamble or the adopting resolution?"""
        words = stems(question)
        return any(_contains(words, phrase) for phrase in self.background)

    def expand(self, question: str) -> str:
        """The question with the treaty terms for its everyday expressions appended."""
        extra = self.expansions(question)
        return f"{question} ({'; '.join(extra)})" if extra else question


def _contains(words: list[str], phrase: Phrase) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


def _publisher_names(publishers: list[str]) -> list[str]:
    """Names that identify a commentator: 'Electronic Frontier Foundation (EFF Deeplinks)'
    gives 'Electronic Frontier Foundation'; 'Human Rights Watch and ARTICLE 19' gives
    'Human Rights Watch' ('ARTICLE 19' is left out: it reads as a treaty article)."""
    names: list[str] = []
    for publisher in publishers:
        head = publisher.split("(")[0]
        for part in re.split(r"[/,]| and ", head):
            part = part.strip()
            if len(part) >= 3 and part.lower() != "unknown" and not mentions_provision(part):
                names.append(part)
    return names
