"""One reading of a question: what it names and asks for, computed once and used everywhere.

The retriever's priors, the provisions placed first, the counterparts of a comparison and the
refusal of what the corpus cannot answer all come from the `QueryIntent`, so no other module
decides for itself whether a question names a treaty or asks what commentators say.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.conversation import Conversation, FollowUps, Turn, topic_after
from bot.engine.out_of_corpus import OutOfCorpusDetector
from bot.engine.query import QueryVocabulary
from bot.engine.references import ReferenceFinder
from bot.engine.registry import COMPARISON_WORDS, TreatyRegistry
from index_contract.schema import OutOfCorpusKind, Provision


@dataclass(frozen=True)
class QueryIntent:
    question: str  # as asked (cleaned)
    query: str  # what is searched for it: its core, without chit-chat
    parts: tuple[str, ...]  # the sentences of a long question, also searched one by one
    context: tuple[str, ...]  # a follow-up after the topic of the turn it follows up, searched beside it
    treaty: str  # the treaty it is about: the one it names, else the default
    named: tuple[str, ...]  # every document it names, in order
    references: tuple[Provision, ...]  # provisions it names (and their counterparts in a comparison)
    comparison: bool  # asks to compare treaties
    commentary: bool  # asks what people say about the treaty (criticism, positions, news)
    background: bool  # asks for a preamble or the adopting resolution
    definition: bool  # asks what a term means
    out_of_corpus: OutOfCorpusKind | None = None  # a kind of question the corpus cannot answer
    follows: Turn | None = None  # the turn of the conversation it follows up
    unmatched: str = ""  # what it asks for that the index does not have ("no counterpart"), said as a notice


class IntentReader:
    def __init__(
        self,
        registry: TreatyRegistry,
        vocabulary: QueryVocabulary,
        out_of_corpus: OutOfCorpusDetector,
        counterparts,
    ) -> None:
        """`counterparts(doc, article)` gives the other treaty's corresponding articles."""
        self.registry = registry
        self.vocabulary = vocabulary
        self.out_of_corpus = out_of_corpus
        self.references = ReferenceFinder(registry)
        self.follow_ups = FollowUps(registry, vocabulary, counterparts)
        self._counterparts = counterparts

    def read(self, question: str, conversation: Conversation | None = None) -> QueryIntent:
        comparison = bool(COMPARISON_WORDS.search(question))
        references = self.references.find(question)
        if comparison:
            references = self._with_counterparts(references)
        query = self.vocabulary.core(question)
        named = self.registry.named(question)
        turns = conversation.turns if conversation else ()
        follows, references, unmatched = self.follow_ups.read(question, query, named, references, turns)
        treaty = self.registry.about(question)
        if follows is not None and follows.anchor and not named and self.follow_ups.leans_entirely(query):
            treaty = follows.anchor.doc  # "can they refuse?" stays with the treaty just discussed
        return QueryIntent(
            question=question,
            query=query,
            parts=self.vocabulary.parts(query),
            # searched as one text: the topic so far, then the question
            context=(topic_after(follows, query),) if follows is not None else (),
            treaty=treaty,
            named=named,
            references=tuple(references),
            comparison=comparison,
            commentary=self.vocabulary.asks_for_commentary(question),
            background=self.vocabulary.asks_for_background(question),
            definition=self.vocabulary.asks_for_definition(question),
            out_of_corpus=self.out_of_corpus.detect(query),
            follows=follows,
            unmatched=unmatched,
        )

    def _with_counterparts(self, refs: list[Provision]) -> list[Provision]:
        """In a comparison, a named article brings its counterpart in the other treaty."""
        extra = [
            Provision(c.doc, c.article)
            for ref in refs
            for c in self._counterparts(ref.doc, ref.article)
            if not any(r.doc == c.doc for r in refs)
        ]
        return refs + extra
