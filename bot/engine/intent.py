"""One reading of a question: what it names and asks for, computed once and used everywhere.

The retriever's priors, the provisions placed first, the counterparts of a comparison and the
refusal of what the corpus cannot answer all come from the `QueryIntent`, so no other module
decides for itself whether a question names a treaty or asks what commentators say.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.conversation import Conversation, Turn
from bot.engine.query import QueryVocabulary
from bot.engine.references import Reference, ReferenceFinder
from bot.engine.registry import COMPARISON_WORDS, TreatyRegistry


@dataclass(frozen=True)
class QueryIntent:
    question: str  # as asked (cleaned)
    query: str  # what is searched for it
    treaty: str  # the treaty it is about: the one it names, else the default
    named: tuple[str, ...]  # every document it names, in order
    references: tuple[Reference, ...]  # provisions it names (and their counterparts in a comparison)
    comparison: bool  # asks to compare treaties
    commentary: bool  # asks what people say about the treaty (criticism, positions, news)
    background: bool  # asks for a preamble or the adopting resolution
    follows: Turn | None = None  # the turn of the conversation it follows up


class IntentReader:
    def __init__(self, registry: TreatyRegistry, vocabulary: QueryVocabulary, counterparts) -> None:
        """`counterparts(doc, article)` gives the other treaty's corresponding articles."""
        self.registry = registry
        self.vocabulary = vocabulary
        self.references = ReferenceFinder(registry)
        self._counterparts = counterparts

    def read(self, question: str, conversation: Conversation | None = None) -> QueryIntent:
        comparison = bool(COMPARISON_WORDS.search(question))
        references = self.references.find(question)
        if comparison:
            references = self._with_counterparts(references)
        return QueryIntent(
            question=question,
            query=question,
            treaty=self.registry.about(question),
            named=self.registry.named(question),
            references=tuple(references),
            comparison=comparison,
            commentary=self.vocabulary.asks_for_commentary(question),
            background=self.vocabulary.asks_for_background(question),
        )

    def _with_counterparts(self, refs: list[Reference]) -> list[Reference]:
        """In a comparison, a named article brings its counterpart in the other treaty."""
        extra = [
            Reference(c.doc, c.article)
            for ref in refs
            for c in self._counterparts(ref.doc, ref.article)
            if not any(r.doc == c.doc for r in refs)
        ]
        return refs + extra
