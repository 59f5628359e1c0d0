"""A conversation: the turns before a question, so that a follow-up is read in their light.

Everything about conversations lives here: the turns kept (`Conversation`, `Turn`), which turn
a question follows up and how its references read in that light (`FollowUps`), the topic
carried forward (`topic_after`) and the places a turn remembers (`remembered_provisions`).

"what does paragraph 3 say?" means paragraph 3 of the article just shown, "and the Budapest
one?" its counterpart, and "what safeguards apply to that?" the previous topic. The caller
(`treatybot chat`, a Discord thread) keeps a `Conversation` and adds each answer's `turn`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.engine.phrases import Words
from bot.engine.query import QueryVocabulary
from bot.engine.ranking_settings import RankingSettings
from bot.engine.references import relative_references
from bot.engine.registry import TreatyRegistry
from index_contract.schema import Passage, Provision
from index_contract.tokenize import stems, tokenize

MAX_TOPIC_WORDS = 60  # a topic carried through follow-ups keeps its latest words
SHORT_QUESTION_WORDS = 2  # a question with no more content words than this leans on the one before
MAX_TURNS = 4  # turns kept: older ones no longer explain a follow-up


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


def remembered_provisions(
    ranked: Sequence[Passage], follows: Turn | None, settings: RankingSettings
) -> tuple[Provision, ...]:
    """The treaty places a ranking leads with (for the next turn of a conversation). A
    follow-up whose answer still shows the article the conversation is about keeps it as
    its anchor, so that one weaker turn does not move "paragraph 3" to another article."""
    found = list(
        dict.fromkeys(
            Provision(p.doc, p.article, p.paragraph)
            for p in ranked[: settings.turn_provisions]
            if p.kind == "treaty" and p.article is not None
        )
    )
    anchor = follows.anchor if follows else None
    kept = [
        p
        for p in found[: settings.anchor_kept_within]
        if anchor and (p.doc, p.article) == (anchor.doc, anchor.article)
    ]
    return tuple(dict.fromkeys([*kept, *found]))


class FollowUps:
    """Reads a question against the turns before it."""

    def __init__(self, registry: TreatyRegistry, vocabulary: QueryVocabulary, counterparts: Callable) -> None:
        """`counterparts(doc, article)` gives the other treaty's corresponding articles."""
        self.registry = registry
        self.vocabulary = vocabulary
        self._counterparts = counterparts

    def read(
        self,
        question: str,
        query: str,
        named: tuple[str, ...],
        references: list[Provision],
        turns: tuple[Turn, ...],
    ) -> tuple[Turn | None, list[Provision], str]:
        """The turn a question follows up, its references read in that light ("paragraph 4" of
        the article just shown, "the Budapest one" as its counterpart), and what it asks for
        that does not exist (a counterpart the crosswalk lacks)."""
        last = turns[-1] if turns else None
        if last is None or references:
            return None, references, ""
        anchor = last.anchor
        if anchor is not None:
            # "the article just before it in the UN text": relative to that treaty's last article
            relative_to = self._anchor_in(named, turns) or anchor
            relative = relative_references(question, relative_to.doc, relative_to.article)
            if relative:
                return last, relative, ""
            others = [d for d in named if d in self.registry.with_articles and d != anchor.doc]
            if others and self._same_topic(query, anchor):
                # "and the Budapest one?": the counterpart of what was just shown
                counterparts = [
                    Provision(c.doc, c.article)
                    for c in self._counterparts(anchor.doc, anchor.article)
                    if c.doc == others[0]
                ]
                missing = (
                    ""
                    if counterparts
                    else (
                        f"{self.registry.name(anchor.doc)} Art. {anchor.article} has no counterpart in the "
                        f"{self.registry.name(others[0])} in the crosswalk."
                    )
                )
                return last, counterparts, missing
            if others:  # "is it the same in Budapest on searches?": that topic, in that treaty
                return last, references, ""
        if self.leans_on_context(query):
            return last, references, ""
        return None, references, ""

    def _anchor_in(self, named: tuple[str, ...], turns: tuple[Turn, ...]) -> Provision | None:
        """The latest article of the conversation in the one treaty a question names, if any."""
        treaties = [doc for doc in named if doc in self.registry.with_articles]
        if len(treaties) != 1:
            return None
        return next((t.anchor for t in reversed(turns) if t.anchor and t.anchor.doc == treaties[0]), None)

    def leans_entirely(self, query: str) -> bool:
        """A follow-up with no topic of its own ("how long?", "can they refuse?")."""
        return len(self.vocabulary.own_words(query, self.registry.names)) <= SHORT_QUESTION_WORDS

    def _same_topic(self, query: str, anchor: Provision) -> bool:
        """Does a question naming another treaty ask about the article just shown? Yes when it has
        no words of its own ("and the Budapest one?") or only words of that article's title
        ("how does Budapest do disputes?" after the article on the settlement of disputes)."""
        own = set(self.vocabulary.own_words(query, self.registry.names))
        article = self.registry.treaties[anchor.doc].articles.get(anchor.article)
        return not own or (article is not None and own <= set(tokenize(article.title)))

    def leans_on_context(self, question: str) -> bool:
        """Does a question in a conversation read as a follow-up (a pronoun, "and", "what
        about", or hardly any content words of its own)?"""
        return len(tokenize(question)) <= SHORT_QUESTION_WORDS or Words(stems(question)).has_any(
            self.vocabulary.follow_up
        )
