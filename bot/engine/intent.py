"""One reading of a question: what it names and asks for, computed once and used everywhere.

The retriever's priors, the provisions placed first, the counterparts of a comparison and the
refusal of what the corpus cannot answer all come from the `QueryIntent`, so no other module
decides for itself whether a question names a treaty or asks what commentators say.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.conversation import Conversation, Provision, Turn
from bot.engine.out_of_corpus import OutOfCorpusDetector
from bot.engine.query import SHORT_QUESTION_WORDS, QueryVocabulary
from bot.engine.references import Reference, ReferenceFinder, relative_references
from bot.engine.registry import COMPARISON_WORDS, TreatyRegistry
from index_contract.schema import OutOfCorpusKind
from index_contract.tokenize import tokenize


@dataclass(frozen=True)
class QueryIntent:
    question: str  # as asked (cleaned)
    query: str  # what is searched for it: its core, without chit-chat
    parts: tuple[str, ...]  # the sentences of a long question, also searched one by one
    context: tuple[str, ...]  # the topic of the turn it follows up, searched beside it
    treaty: str  # the treaty it is about: the one it names, else the default
    named: tuple[str, ...]  # every document it names, in order
    references: tuple[Reference, ...]  # provisions it names (and their counterparts in a comparison)
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
        self._counterparts = counterparts

    def read(self, question: str, conversation: Conversation | None = None) -> QueryIntent:
        comparison = bool(COMPARISON_WORDS.search(question))
        references = self.references.find(question)
        if comparison:
            references = self._with_counterparts(references)
        query = self.vocabulary.core(question)
        named = self.registry.named(question)
        turns = conversation.turns if conversation else ()
        follows, references, unmatched = self._follow_up(question, query, named, references, turns)
        treaty = self.registry.about(question)
        if follows is not None and follows.anchor and not named and self._leans_entirely(query):
            treaty = follows.anchor.doc  # "can they refuse?" stays with the treaty just discussed
        return QueryIntent(
            question=question,
            query=query,
            parts=self.vocabulary.parts(query),
            context=(follows.topic,) if follows is not None else (),
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

    def _follow_up(
        self,
        question: str,
        query: str,
        named: tuple[str, ...],
        references: list[Reference],
        turns: tuple[Turn, ...],
    ) -> tuple[Turn | None, list[Reference], str]:
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
                    Reference(c.doc, c.article)
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
        if self.vocabulary.leans_on_context(query):
            return last, references, ""
        return None, references, ""

    def _anchor_in(self, named: tuple[str, ...], turns: tuple[Turn, ...]) -> Provision | None:
        """The latest article of the conversation in the one treaty a question names, if any."""
        treaties = [doc for doc in named if doc in self.registry.with_articles]
        if len(treaties) != 1:
            return None
        return next((t.anchor for t in reversed(turns) if t.anchor and t.anchor.doc == treaties[0]), None)

    def _leans_entirely(self, query: str) -> bool:
        """A follow-up with no topic of its own ("how long?", "can they refuse?")."""
        return len(self.vocabulary.own_words(query, self.registry.names)) <= SHORT_QUESTION_WORDS

    def _same_topic(self, query: str, anchor: Provision) -> bool:
        """Does a question naming another treaty ask about the article just shown? Yes when it has
        no words of its own ("and the Budapest one?") or only words of that article's title
        ("how does Budapest do disputes?" after the article on the settlement of disputes)."""
        own = set(self.vocabulary.own_words(query, self.registry.names))
        article = self.registry.treaties[anchor.doc].articles.get(anchor.article)
        return not own or (article is not None and own <= set(tokenize(article.title)))

    def _with_counterparts(self, refs: list[Reference]) -> list[Reference]:
        """In a comparison, a named article brings its counterpart in the other treaty."""
        extra = [
            Reference(c.doc, c.article)
            for ref in refs
            for c in self._counterparts(ref.doc, ref.article)
            if not any(r.doc == c.doc for r in refs)
        ]
        return refs + extra
