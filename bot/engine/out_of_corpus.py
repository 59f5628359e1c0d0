"""Recognise the questions the corpus cannot answer although they sound close to it.

The kinds, their signals and their pointers are reviewable data (`corpus/out_of_corpus.yaml`,
carried by the index). Signals are phrases matched on stemmed words, like the glossary's;
`{country}` matches any place name or adjective the index knows, `{later}` a year after the
corpus's newest document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.phrases import Phrase, Words
from index_contract.schema import OutOfCorpus, OutOfCorpusKind
from index_contract.tokenize import stems

COUNTRY, LATER = "\x00country", "\x00later"  # placeholder tokens no text can produce
PLACEHOLDERS = {"{country}": COUNTRY, "{later}": LATER}
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
IGNORED = frozenset({"the"})  # "in the UK" is "in {country}"


def phrase(text: str) -> Phrase:
    """The stemmed words of a signal, placeholders kept as such."""
    words: list[str] = []
    for piece in text.split():
        words += [PLACEHOLDERS[piece]] if piece in PLACEHOLDERS else stems(piece)
    return tuple(w for w in words if w not in IGNORED)


@dataclass(frozen=True)
class _Signals:
    kind: OutOfCorpusKind
    phrases: tuple[Phrase, ...]
    about: tuple[Phrase, ...]
    facts: tuple[Phrase, ...]
    unless: tuple[Phrase, ...]

    def match(self, words: Words) -> bool:
        """A phrase alone; or a word of `about` with one of `facts`, unless a word of `unless`."""
        if words.has_any(self.phrases):
            return True
        return words.has_any(self.about) and words.has_any(self.facts) and not words.has_any(self.unless)


class OutOfCorpusDetector:
    def __init__(self, data: OutOfCorpus) -> None:
        self.data = data
        self.kinds = tuple(
            _Signals(
                k,
                *(
                    tuple(phrase(s) for s in getattr(k, name))
                    for name in ("phrases", "about", "facts", "unless")
                ),
            )
            for k in data.kinds
        )
        # Place names by their first stemmed word, longest first, to mark them in a question.
        self._places: dict[str, list[Phrase]] = {}
        for name in data.places:
            words = tuple(stems(name))
            if words:
                self._places.setdefault(words[0], []).append(words)
        for names in self._places.values():
            names.sort(key=len, reverse=True)
        self._codes = re.compile(rf"\b(?:{'|'.join(map(re.escape, data.codes))})\b") if data.codes else None
        self._last_year = int(data.corpus_ends[:4]) if data.corpus_ends[:4].isdigit() else None

    def detect(self, question: str) -> OutOfCorpusKind | None:
        """The first kind whose signals the question carries, or None."""
        words = Words(self.words(question))
        return next((signals.kind for signals in self.kinds if signals.match(words)), None)

    def words(self, question: str) -> list[str]:
        """The question's stemmed words, places and later years replaced by their placeholders."""
        text = self._codes.sub(" zzplacecodezz ", question) if self._codes else question
        if self._last_year is not None:
            text = YEAR.sub(
                lambda m: " zzlateryearzz " if int(m.group()) > self._last_year else m.group(), text
            )
        words = [w for w in stems(text) if w not in IGNORED]
        marked: list[str] = []
        position = 0
        while position < len(words):
            word = words[position]
            if word in ("zzplacecodezz", "zzlateryearzz"):
                marked.append(COUNTRY if word == "zzplacecodezz" else LATER)
                position += 1
                continue
            name = next(
                (n for n in self._places.get(word, []) if tuple(words[position : position + len(n)]) == n),
                None,
            )
            marked.append(COUNTRY if name else word)
            position += len(name) if name else 1
            if name and position < len(words) and words[position] == "s":
                position += 1  # "Kenya's": the possessive's "s"
        return marked
