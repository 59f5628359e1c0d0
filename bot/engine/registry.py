"""The treaties of the loaded index: their ids, citation names and the words that name them.

Built from the index (`documents.json`, from `corpus/sources.yaml`), so that a new instrument
is a manifest entry and nothing else: no treaty id or name is written in the engine's code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from index_contract.schema import AbsentText, TreatyInfo

FUZZY_MIN_CHARS = 6  # a one-word name this long also matches with one letter wrong ("budapst")
WORD = re.compile(r"[^\W\d_]+")
COMPARISON_WORDS = re.compile(
    r"\b(compar\w*|differ\w*|versus|vs\.?|counterpart|equivalent|similar\w*)\b", re.I
)


def alias_pattern(alias: str) -> str:
    """A regex for a name as people type it: any case and spacing, a final dot optional
    ('ETS No. 185' matches 'ets no 185'), never inside a longer word."""
    words = [re.escape(w[:-1]) + r"\.?" if w.endswith(".") else re.escape(w) for w in alias.split()]
    return r"(?<!\w)" + r"\s*".join(words) + r"(?!\w)"


class TreatyRegistry:
    def __init__(self, treaties: Mapping[str, TreatyInfo], absent: tuple[AbsentText, ...] = ()) -> None:
        self.treaties = dict(treaties)
        self._absent = [
            (a, re.compile("|".join(alias_pattern(alias) for alias in (a.name, *a.aliases)), re.I))
            for a in absent
        ]
        self.with_articles = tuple(t.id for t in self.treaties.values() if t.articles)
        self.default = self.with_articles[0] if self.with_articles else ""
        aliases = sorted(
            ((alias, t.id) for t in self.treaties.values() for alias in t.aliases), key=lambda a: -len(a[0])
        )
        self._aliases = [(re.compile(alias_pattern(alias), re.I), doc) for alias, doc in aliases]
        self._fuzzy = [
            (alias.lower(), doc)
            for alias, doc in aliases
            if " " not in alias and len(alias) >= FUZZY_MIN_CHARS
        ]
        # Every name, longest first, for the reference parser ('article 2 of the Budapest Convention').
        self.names = "|".join(alias_pattern(alias) for alias, _ in aliases) or r"(?!)"

    def absent_named(self, text: str) -> list[AbsentText]:
        """The optional texts `text` names that this index was built without."""
        return [a for a, pattern in self._absent if pattern.search(text)]

    def name(self, doc: str) -> str:
        return self.treaties[doc].name

    def named(self, text: str) -> tuple[str, ...]:
        """The treaties `text` names, in order of first mention."""
        found: dict[str, int] = {}
        for pattern, doc in self._aliases:
            match = pattern.search(text)
            if match and (doc not in found or match.start() < found[doc]):
                found[doc] = match.start()
        for word in WORD.finditer(text):
            for alias, doc in self._fuzzy:
                if doc not in found and _one_edit_apart(word.group().lower(), alias):
                    found[doc] = word.start()
        return tuple(sorted(found, key=found.__getitem__))

    def treaty_of(self, name: str) -> str:
        """The treaty a name (as matched by `names`) stands for."""
        return next((doc for pattern, doc in self._aliases if pattern.fullmatch(name.strip())), self.default)

    def about(self, text: str) -> str:
        """The treaty a question is about: the one treaty with articles it names, else the default."""
        named = [doc for doc in self.named(text) if doc in self.with_articles]
        return named[0] if len(named) == 1 else self.default


def _one_edit_apart(word: str, name: str) -> bool:
    """Is `word` `name` with one letter missing, added, changed or two letters swapped?"""
    if abs(len(word) - len(name)) > 1 or word == name or len(word) < FUZZY_MIN_CHARS - 1:
        return False
    if len(word) == len(name):
        diffs = [i for i, (a, b) in enumerate(zip(word, name, strict=True)) if a != b]
        swapped = len(diffs) == 2 and diffs[1] == diffs[0] + 1 and word[diffs[0]] == name[diffs[1]]
        return len(diffs) == 1 or (swapped and word[diffs[1]] == name[diffs[0]])
    short, long = sorted((word, name), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
