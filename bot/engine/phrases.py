"""Finding stemmed phrases in a question: the glossary's, the out-of-corpus kinds' signals.

A question is read once into its word n-grams, so each of the hundreds of phrases checked
against it is one set lookup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Phrase = tuple[str, ...]


class Words:
    """A question's stemmed words, and which phrases they contain (any phrase length)."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = list(words)
        self._grams: dict[int, set[Phrase]] = {}

    def has(self, phrase: Phrase) -> bool:
        size = len(phrase)
        if not size:
            return False
        grams = self._grams.get(size)
        if grams is None:
            words = self.words
            grams = self._grams[size] = {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}
        return phrase in grams

    def has_any(self, phrases: Iterable[Phrase]) -> bool:
        return any(self.has(phrase) for phrase in phrases)
