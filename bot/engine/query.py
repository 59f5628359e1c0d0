"""Query understanding: plain-language expansion, commentary and background intent, and the
core of a chatty question.

Expansion and intent match phrases on stemmed words, so word endings do not matter ("hacked",
"hacking" and "hacks" all match the glossary's "hack"). Chit-chat ("lol", "asking for a
friend") is dropped from what is searched, and a long question is also read sentence by
sentence (`parts`), so that a story around the question does not drown it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.phrases import Phrase, Words
from bot.engine.references import mentions_provision
from index_contract.schema import Glossary
from index_contract.tokenize import stems, tokenize

SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\s*\n+\s*|\s+-\s+")
MIN_PART_WORDS = 3  # content words a sentence needs to be searched on its own
MAX_PARTS = 6  # sentences searched on their own at most (the longest ones)
# Words that name no topic of their own in a follow-up ("is the Budapest treaty the same?").
OWN_WORDS_IGNORED = frozenset(
    tokenize(
        "treaty convention version equivalent counterpart compare same one say says wording text thing "
        "question has have had do does did can could would should will what whats how who which is are was "
        "about there too also either handle deal work cover allow approach treat rule apply bit part"
    )
)


@dataclass(frozen=True)
class QueryVocabulary:
    aliases: tuple[tuple[Phrase, tuple[str, ...]], ...]  # (everyday phrase, treaty terms)
    commentary: tuple[Phrase, ...]
    background: tuple[Phrase, ...]
    chit_chat: re.Pattern | None = None
    follow_up: tuple[Phrase, ...] = ()
    definition: tuple[Phrase, ...] = ()

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
        fillers = sorted((c.split() for c in glossary.chit_chat if c.strip()), key=len, reverse=True)
        alternatives = "|".join(r"\s+".join(map(re.escape, words)) for words in fillers)
        chit_chat = rf"(?<!\w)(?:{alternatives})(?!\w)"
        return cls(
            aliases=tuple(a for a in aliases if a[0]),
            commentary=tuple(dict.fromkeys(c for c in commentary if c)),
            background=tuple(b for b in background if b),
            chit_chat=re.compile(chit_chat, re.I) if fillers else None,
            follow_up=tuple(p for p in (tuple(stems(f)) for f in glossary.follow_up) if p),
            definition=tuple(p for p in (tuple(stems(d)) for d in glossary.definition) if p),
        )

    def asks_for_definition(self, question: str) -> bool:
        """Does the question ask what a term means?"""
        return Words(stems(question)).has_any(self.definition)

    def own_words(self, question: str, names: str) -> list[str]:
        """The question's content words that are not treaty names (`names`, a regex) nor follow-up
        cues: none in "and the Budapest one?", "searches" in "the same in Budapest on searches?"."""
        cues = {word for phrase in self.follow_up for word in phrase} | OWN_WORDS_IGNORED
        return [w for w in tokenize(re.sub(names, " ", question, flags=re.I)) if w not in cues]

    def core(self, question: str) -> str:
        """The question without its chit-chat (the question itself if nothing else is left)."""
        if self.chit_chat is None:
            return question
        kept = " ".join(self.chit_chat.sub(" ", question).split())
        return kept if tokenize(kept) else question

    def parts(self, question: str) -> tuple[str, ...]:
        """The sentences of a long question that have content of their own (none for one sentence)."""
        sentences = [s for s in SENTENCE_BREAK.split(question) if len(tokenize(s)) >= MIN_PART_WORDS]
        if len(sentences) < 2:
            return ()
        longest = sorted(sentences, key=lambda s: -len(tokenize(s)))[:MAX_PARTS]
        return tuple(s for s in sentences if s in longest)

    def expansions(self, question: str) -> list[str]:
        """Treaty terms for the everyday expressions in `question`, without repeats."""
        words = Words(stems(question))
        found: dict[str, None] = {}
        for phrase, terms in self.aliases:
            if words.has(phrase):
                found.update(dict.fromkeys(terms))
        return list(found)

    def asks_for_commentary(self, question: str) -> bool:
        """Is the question about what people say of the treaty (criticism, positions, news)?"""
        return Words(stems(question)).has_any(self.commentary)

    def asks_for_background(self, question: str) -> bool:
        """Does the question ask about a preamble or the adopting resolution?"""
        return Words(stems(question)).has_any(self.background)

    def expand(self, question: str) -> str:
        """The question with the treaty terms for its everyday expressions appended."""
        extra = self.expansions(question)
        return f"{question} ({'; '.join(extra)})" if extra else question


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
