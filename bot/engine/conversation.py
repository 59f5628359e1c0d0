"""A conversation: the turns before a question, so that a follow-up is read in their light.

"what does paragraph 3 say?" means paragraph 3 of the article just shown, "and the Budapest
one?" its counterpart, and "what safeguards apply to that?" the previous topic. The caller
(`treatybot chat`, a Discord thread) keeps a `Conversation` and adds each answer's `turn`.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_TURNS = 4  # turns kept: older ones no longer explain a follow-up
MAX_TOPIC_WORDS = 60  # a topic carried through follow-ups keeps its latest words


@dataclass(frozen=True)
class Provision:
    """A place an answer showed: a treaty article, and the paragraph when it was one."""

    doc: str
    article: int
    paragraph: str | None = None


@dataclass(frozen=True)
class Turn:
    question: str  # as asked (cleaned)
    topic: str  # what it was about: its own words, after those of the turn it followed up
    provisions: tuple[Provision, ...] = ()  # the treaty places it led with, best first
    answered: bool = True  # False when the engine abstained

    @property
    def anchor(self) -> Provision | None:
        """The article a follow-up's "paragraph 3" or "the Budapest one" refers to."""
        return self.provisions[0] if self.provisions else None


def topic_after(previous: Turn | None, text: str) -> str:
    """The topic of a turn: its own words, following those of the turn it leans on."""
    words = f"{previous.topic} {text}".split() if previous else text.split()
    return " ".join(words[-MAX_TOPIC_WORDS:])


@dataclass(frozen=True)
class Conversation:
    turns: tuple[Turn, ...] = ()

    def then(self, turn: Turn) -> Conversation:
        return Conversation((*self.turns, turn)[-MAX_TURNS:])

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None
