"""The answer engine: load an index, retrieve, and compose quoted, cited answers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import chain, zip_longest
from pathlib import Path

import numpy as np

from bot.engine.answer import (
    About,
    Answer,
    ArticleView,
    ComparedArticle,
    Comparison,
    DocumentSummary,
    Hit,
    TermLookup,
)
from bot.engine.conversation import MAX_TURNS, Conversation, Turn, remembered_provisions, topic_after
from bot.engine.intent import IntentReader
from bot.engine.language import ENGLISH, ENGLISH_ONLY, language_of
from bot.engine.notes import DefinedTerm
from bot.engine.out_of_corpus import OutOfCorpusDetector
from bot.engine.places import parse_place
from bot.engine.query import QueryVocabulary
from bot.engine.ranking_settings import DEFAULT_RANKING, RankingSettings
from bot.engine.registry import TreatyRegistry
from bot.engine.request_errors import InvalidRequest, UnknownTerm
from bot.engine.retrieval import Method, Ranking, Retriever, Source
from bot.engine.treaty_links import Links
from bot.engine.user_input import clean_question, clean_term, clean_text
from index_contract.dense import set_search_threads
from index_contract.folder import IndexData, load_index
from index_contract.models import QueryEmbedder, load_embedder
from index_contract.query_encoder import QueryEncoderUnavailable, load_query_encoder
from index_contract.schema import AbsentText, OutOfCorpusKind, Passage, Provision, TreatyInfo

log = logging.getLogger(__name__)

DEFAULT_K = 5
# Words of a question that only asks for a provision's text (stems, as the tokenizer gives them).
LOOKUP_WORDS = frozenset(
    ["articl", "art", "paragraph", "para", "say", "show", "me", "full", "text", "read", "quot"]
)
MAX_K = 25


@dataclass(frozen=True)
class Retrieval:
    rows: list[int]  # passage rows, best first
    scores: np.ndarray  # ranking score of every passage row
    dense: np.ndarray  # cosine similarity of every passage row to the question
    referenced: frozenset[int]
    abstained: bool
    evidence: float
    notices: tuple[str, ...]
    turn: Turn  # this question as a turn of its conversation
    vector: np.ndarray | None = None  # the question's vector, to mark the sentence that answers
    commentary: bool = False  # the question asks what people say about the treaty
    out_of_corpus: OutOfCorpusKind | None = None  # the kind of question the corpus cannot answer
    treaty_named: bool = False  # the question names a treaty (else it is about the default one)
    about: tuple[str, ...] = ()  # the treaties it is about; () for any (a comparison)


def query_embedder(data: IndexData) -> QueryEmbedder:
    """The model the index was built with, as the ONNX encoder the build exported into the
    index (no torch), else as sentence-transformers, with one line saying why."""
    manifest = data.manifest
    if manifest.query_encoder:
        try:
            return load_query_encoder(data.path / manifest.query_encoder)
        except QueryEncoderUnavailable as exc:
            reason = str(exc)
    else:
        reason = manifest.query_encoder_note or "the index holds no ONNX query encoder"
    log.warning("Queries are embedded with sentence-transformers: %s", reason)
    return load_embedder(manifest.model.embedded_with)


class Engine:
    """Answers from one loaded index. Safe to call from several threads at once: the index
    is read-only after loading and the embedding model serialises its own calls."""

    def __init__(
        self, data: IndexData, embedder: QueryEmbedder, settings: RankingSettings = DEFAULT_RANKING
    ) -> None:
        self.data = data
        self.embedder = embedder
        self.settings = settings
        self.registry = TreatyRegistry(data.documents.treaties, data.documents.absent)
        self.links = Links(data.links, data.documents, data.passages)
        analyses = data.documents.analyses.values()
        vocabulary = QueryVocabulary.from_index(
            data.documents.glossary, [a.publisher for a in analyses] + [a.publisher_short for a in analyses]
        )
        self.reader = IntentReader(
            self.registry,
            vocabulary,
            OutOfCorpusDetector(data.documents.out_of_corpus),
            self.links.counterparts,
        )
        self._kinds = {kind.id: kind for kind in data.documents.out_of_corpus.kinds}
        self.retriever = Retriever(data, embedder, vocabulary, self.registry.names, settings)
        self.passages = data.passages
        self._row_by_id = {p.id: row for row, p in enumerate(self.passages)}
        self._first_unit = np.concatenate([[0], np.cumsum([len(p.units) for p in self.passages])])
        self._rows_by_article: dict[tuple[str, int], list[int]] = {}
        for row, passage in enumerate(self.passages):
            if passage.article is not None:
                self._rows_by_article.setdefault((passage.doc, passage.article), []).append(row)

    @classmethod
    def load(cls, index_dir: Path, settings: RankingSettings = DEFAULT_RANKING) -> Engine:
        data = load_index(index_dir)
        set_search_threads()  # one query at a time: faiss is fastest on one thread
        return cls(data, query_embedder(data), settings)

    @property
    def final_text_date(self) -> str:
        """The date of the final text (ISO): commentary before it discusses drafts."""
        return self.data.documents.final_text_date

    @property
    def built_at(self) -> str:
        """When the loaded index was built (ISO 8601, UTC)."""
        return self.data.manifest.built_at

    # --- questions ------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        source: Source = Source.ALL,
        k: int = DEFAULT_K,
        conversation: Conversation | None = None,
    ) -> Answer:
        """Treaty passages and commentary that answer `question`, at most k in all, read in the
        light of the `conversation` before it (the answer's `turn` continues it)."""
        question = clean_question(question)
        k = _check_k(k)
        language = language_of(question)
        if language != ENGLISH:  # one line, in the question's language: ask in English
            final = self.data.documents.final_text_date
            return Answer(question, True, (), (ENGLISH_ONLY[language],), final, language=language)
        found = self.retrieve(question, Method.HYBRID, Source(source), conversation)
        if found.out_of_corpus is not None:  # its pointer; the governing provisions by citation only
            return self._answer(
                question, found, [], _pointers(found.out_of_corpus, found.about), self._related(found)
            )
        relevant = [] if found.abstained else self._relevant(found, k)
        shown = self._shown(found, relevant)
        if not shown:  # the nearest passages are cited, never quoted as if they answered
            found = replace(found, abstained=True, turn=replace(found.turn, answered=False))
            return self._answer(question, found, [], listed=found.rows[: min(k, self.settings.nearest_shown)])
        listed = [r for r in relevant if r not in shown and self.passages[r].kind == "treaty"]
        return self._answer(question, found, shown, self._left_out(found, relevant), listed)

    def search(self, query: str, source: Source = Source.ALL, k: int = 10) -> Answer:
        """The k best passages in ranking order, without relevance cut-off."""
        query = clean_question(query)
        found = self.retrieve(query, Method.HYBRID, Source(source))
        return self._answer(query, found, found.rows[: _check_k(k)])

    def _shown(self, found: Retrieval, relevant: list[int]) -> list[int]:
        """What an answer shows in full: the provisions the question names, else the best
        passage and those nearly as relevant (at most self.settings.max_shown); commentary only when its own
        evidence clears a bar (or the question asks what people say). The rest is listed."""
        treaty = [r for r in relevant if self.passages[r].kind == "treaty"]
        if not found.treaty_named:  # a question that names no treaty starts from the default one
            treaty.sort(key=self._other_treaty)
        named = [r for r in treaty if r in found.referenced][: self.settings.max_shown]
        shown = named or treaty[:1]
        if not named and treaty:
            best = found.scores[treaty[0]]
            close = [r for r in treaty[1:] if found.scores[r] >= self.settings.shown_ratio * best]
            shown += close[: self.settings.max_shown - 1]
        commentary = [
            r
            for r in relevant
            if self.passages[r].kind == "analysis"
            and (found.commentary or found.dense[r] >= self.settings.commentary_bar)
        ]
        chosen = set(shown + commentary[: self.settings.analysis_slots])
        ordered = [r for r in found.rows if r in chosen]
        return ordered if found.treaty_named else sorted(ordered, key=self._other_treaty)

    def _other_treaty(self, row: int) -> bool:
        """Is the passage from a treaty with articles other than the default one (the UNCC)?"""
        doc = self.passages[row].doc
        return doc != self.registry.default and doc in self.registry.with_articles

    def _relevant(self, found: Retrieval, k: int) -> list[int]:
        """The provisions the question names first, then relevant passages of both kinds:
        commentary gets up to self.settings.analysis_slots of the places left."""
        named = [r for r in found.rows if r in found.referenced][:k]
        room = k - len(named)
        floor = max(self.settings.relevance_floor, found.evidence - self.settings.relevance_margin)
        others = [r for r in found.rows if r not in found.referenced and found.dense[r] >= floor]
        treaty = [r for r in others if self.passages[r].kind == "treaty"]
        analysis = [r for r in others if self.passages[r].kind == "analysis"]
        treaty = treaty[: room - min(self.settings.analysis_slots, len(analysis), room // 2)]
        chosen = set(named + treaty + analysis[: room - len(treaty)])
        return [r for r in found.rows if r in chosen]

    def _is_lookup(self, query: str) -> bool:
        """Does a question only ask for the text of what it names ("What does article 28 say?",
        "show me art. 28"), with no topic of its own?"""
        own = self.reader.vocabulary.own_words(query, self.registry.names)
        return not [w for w in own if not w.isdigit() and w not in LOOKUP_WORDS]

    def _left_out(self, found: Retrieval, rows: list[int]) -> tuple[str, ...]:
        """A notice naming the articles the question names that did not fit in the answer."""
        shown = {(self.passages[r].doc, self.passages[r].article) for r in rows}
        missing = {(self.passages[r].doc, self.passages[r].article) for r in found.referenced} - shown
        if not missing:
            return ()
        names = ", ".join(f"Article {n}" for _, n in sorted(missing, key=lambda m: m[1]))
        return (f"Not shown for lack of room: {names}. Ask about them separately or show more passages.",)

    def _answer(
        self,
        question: str,
        found: Retrieval,
        rows: list[int],
        notices: tuple[str, ...] = (),
        listed: list[int] | None = None,
    ) -> Answer:
        return Answer(
            question=question,
            abstained=found.abstained,
            hits=self.links.annotate(
                [
                    Hit(
                        self.passages[r],
                        float(found.scores[r]),
                        r in found.referenced,
                        highlight=self.highlight(r, found.vector),
                        shown=r in rows,
                    )
                    for r in [*rows, *(listed or [])]
                ]
            ),
            notices=found.notices + notices,
            out_of_corpus=found.out_of_corpus,
            final_text_date=self.data.documents.final_text_date,
            turn=found.turn,
        )

    def replay(self, questions: Sequence[str]) -> Conversation:
        """The conversation that earlier questions make, asked again in order (a thread's history
        after a restart); questions the engine refuses are skipped."""
        conversation = Conversation()
        for question in questions[-MAX_TURNS:]:
            try:
                found = self.retrieve(clean_question(question), conversation=conversation)
            except InvalidRequest:
                continue
            conversation = conversation.then(found.turn)
        return conversation

    def show(self, passage_ids: Sequence[str]) -> tuple[Hit, ...]:
        """The passages with these ids (those the index still has), with their notes."""
        rows = [self._row_by_id[pid] for pid in passage_ids if pid in self._row_by_id]
        return self.links.annotate([Hit(self.passages[r], 1.0) for r in rows])

    def retrieve(
        self,
        question: str,
        method: Method = Method.HYBRID,
        source: Source = Source.ALL,
        conversation: Conversation | None = None,
    ) -> Retrieval:
        """Passage rows best first: the provisions the question names, then the ranking of
        `method` (every method shares the references, glossary expansion and priors)."""
        intent = self.reader.read(question, conversation)
        named_treaties = [doc for doc in intent.named if doc in self.registry.with_articles]
        ranking = self.retriever.rank(intent, method, source)
        rows = [int(r) for r in ranking.order]
        referenced: list[int] = []
        notices: list[str] = []
        named_missing = False  # the question names provisions, and none of them exists
        if source is not Source.ANALYSIS:
            per_reference = []
            references = intent.references
            lookup = self._is_lookup(intent.query)
            for ref in references:
                matched, notice = self._resolve(ref)
                if notice:
                    notices.append(notice)
                # A whole article looked up reads in the treaty's order; otherwise the paragraphs
                # of a named provision that answer the question best come first.
                in_order = lookup and ref.paragraph is None
                per_reference.append(sorted(matched, key=lambda r: r if in_order else -ranking.scores[r]))
            # Round robin: the best passage of every named provision before any second one.
            interleaved = (row for group in zip_longest(*per_reference) for row in group if row is not None)
            referenced = list(dict.fromkeys(interleaved))
            named = set(referenced)
            rows = referenced + [r for r in rows if r not in named]
            named_missing = bool(references) and not referenced and bool(notices)
        if intent.unmatched:
            notices.append(intent.unmatched)
        notices += [absent_text(a) for a in self.registry.absent_named(question)]
        evidence = _evidence(ranking, method)
        out_of_corpus = intent.out_of_corpus
        if out_of_corpus is None and not referenced and ranking.decline is not None:
            out_of_corpus = self._kinds.get(ranking.decline)
        abstained = (
            out_of_corpus is not None
            or named_missing
            or bool(intent.unmatched)
            or (not referenced and evidence < self.settings.abstain_below(method))
        )
        return Retrieval(
            rows=rows,
            scores=ranking.scores,
            dense=ranking.dense,
            referenced=frozenset(referenced),
            abstained=abstained,
            evidence=evidence,
            notices=tuple(notices),
            turn=Turn(
                question,
                topic_after(intent.follows, intent.query),
                remembered_provisions([self.passages[r] for r in rows], intent.follows, self.settings),
                not abstained,
            ),
            out_of_corpus=out_of_corpus,
            vector=ranking.vector,
            commentary=intent.commentary,
            treaty_named=bool(named_treaties),
            about=() if intent.comparison else tuple(named_treaties) or (intent.treaty,),
        )

    def highlight(self, row: int, vector: np.ndarray | None) -> tuple[int, int] | None:
        """The sentence or lettered item of a treaty passage closest to the question (offsets
        into its quote), or None when there is no vector."""
        units = self.passages[row].units
        if vector is None or not units:
            return None
        if len(units) == 1:  # a single sentence or item: the passage answers as a whole
            return units[0]
        first = self._first_unit[row]
        similarity = self.data.unit_vectors[first : first + len(units)] @ vector
        return units[int(np.argmax(similarity))]

    def _related(self, found: Retrieval) -> list[int]:
        """The provisions that govern a matter the corpus cannot answer: the ones the question
        names, else the kind's own in the treaties it is about, one passage each (the best ranked)."""
        kind = found.out_of_corpus
        assert kind is not None
        if found.referenced:
            return [r for r in found.rows if r in found.referenced][: self.settings.related_shown]
        places = [place for place in map(parse_place, kind.related) if place is not None]
        other = set(self.registry.with_articles) - set(found.about or self.registry.with_articles)
        places = [place for place in places if place.doc not in other] or places
        firsts = [next((r for r in found.rows if place.holds(self.passages[r])), None) for place in places]
        return [r for r in dict.fromkeys(firsts) if r is not None][: self.settings.related_shown]

    # --- articles ---------------------------------------------------------------------------

    def treaty_ids(self) -> list[str]:
        """The treaties with articles, the default one first."""
        return list(self.registry.with_articles)

    def article_titles(self, treaty: str | None = None) -> list[tuple[int, str]]:
        return sorted((n, a.title) for n, a in self._treaty(treaty or self.registry.default).articles.items())

    def article(self, number: int, paragraph: str | None = None, treaty: str | None = None) -> ArticleView:
        treaty = treaty or self.registry.default
        doc = self._treaty(treaty)
        info = doc.articles.get(number)
        if info is None:
            raise InvalidRequest(_no_article(doc, number))
        rows = self._rows_by_article.get((treaty, number), [])
        passages = [self.passages[r] for r in rows]
        if paragraph is not None:
            paragraph = str(paragraph).strip()
            if paragraph not in info.paragraphs:
                raise InvalidRequest(_no_paragraph(doc, number, paragraph, info.paragraphs))
            passages = [p for p in passages if p.paragraph == paragraph]
        ordered = sorted(passages, key=lambda p: p.start)
        return ArticleView(
            doc=treaty,
            doc_name=doc.name,
            number=number,
            title=info.title,
            chapter=info.chapter,
            paragraph=paragraph,
            paragraphs=info.paragraphs,
            passages=tuple(ordered),
            link=ordered[0].link if ordered else doc.url,  # its page of the official PDF, when known
            refers_to=self.links.refers_to(treaty, number),
            referred_by=self.links.referred_by(treaty, number),
            counterparts=self.links.counterparts(treaty, number),
        )

    # --- comparison and defined terms ---------------------------------------------------------

    def compare(self, number: int, treaty: str | None = None) -> Comparison:
        """An article beside its counterpart(s) in the other treaty of the crosswalk."""
        treaty = treaty or self.registry.default
        view = self.article(number, treaty=treaty)
        others = self.links.counterparts(treaty, number)
        partner = self.links.partner(treaty)
        return Comparison(
            article=view,
            counterparts=tuple(
                ComparedArticle(self.article(c.article, treaty=c.doc), c.basis) for c in others
            ),
            other_name=self.registry.name(partner) if partner else "other treaties",
        )

    def define(self, term: str, treaty: str | None = None) -> TermLookup:
        """The verbatim definition(s) of a defined term; UnknownTerm lists the closest ones."""
        if treaty is not None:
            self._treaty(treaty)
        query = clean_term(term)
        found = self.links.lookup(query, treaty)
        if found:
            return TermLookup(query, found)
        where = f"the {self._treaty(treaty).name}" if treaty else "either treaty"
        suggestions = self.links.suggestions(query, treaty)
        if suggestions:
            named: dict[str, DefinedTerm] = {}  # each term once, whatever its case, the closest first
            for definition in suggestions:
                named.setdefault(definition.term.casefold(), definition)
            closest = "; ".join(f"{d.term} ({d.citation})" for d in named.values())
            raise UnknownTerm(f"'{query}' is not a defined term of {where}. Closest: {closest}.", suggestions)
        names = ", ".join(d.term for d in self.defined_terms(treaty))
        raise UnknownTerm(f"'{query}' is not a defined term of {where}. Defined terms: {names}.", ())

    def defined_terms(self, treaty: str | None = None) -> list[DefinedTerm]:
        """Every defined term, e.g. for autocompletion (one entry per definition)."""
        return self.links.defined_terms(treaty)

    def treaty_id(self, typed: str | None) -> str:
        """The treaty a user named ('budapest', 'Budapest Convention', 'ETS 185'); the default if none."""
        text = clean_text(typed)
        if not text:
            return self.registry.default
        if text.lower() in self.registry.with_articles:
            return text.lower()
        named = [doc for doc in self.registry.named(text) if doc in self.registry.with_articles]
        if len(named) == 1:
            return named[0]
        names = ", ".join(f"{doc} ({self.registry.name(doc)})" for doc in self.registry.with_articles)
        raise InvalidRequest(f"Unknown treaty '{text}'. Choose one of: {names}.")

    def _treaty(self, treaty: str) -> TreatyInfo:
        doc = self.data.documents.treaties.get(treaty)
        if doc is None or not doc.articles:
            names = ", ".join(self.treaty_ids())
            raise InvalidRequest(f"Unknown treaty '{treaty}'. Choose one of: {names}.")
        return doc

    def _resolve(self, ref: Provision) -> tuple[list[int], str | None]:
        """Passage rows for a provision the question names, or a notice why there are none."""
        doc = self.data.documents.treaties.get(ref.doc)
        if doc is None:
            return [], None
        info = doc.articles.get(ref.article)
        if info is None:
            return [], _no_article(doc, ref.article)
        rows = self._rows_by_article.get((ref.doc, ref.article), [])
        if ref.paragraph:
            if ref.paragraph not in info.paragraphs:
                return rows, _no_paragraph(doc, ref.article, ref.paragraph, info.paragraphs)
            rows = [r for r in rows if self.passages[r].paragraph == ref.paragraph]
        if ref.subparagraphs:
            letter = ref.subparagraphs[0]
            letters = info.subparagraphs
            held = letters.get(ref.paragraph, ()) if ref.paragraph else tuple(chain(*letters.values()))
            if letter not in held:
                return rows, _no_subparagraph(doc, ref, held)
            rows = [r for r in rows if _covers(self.passages[r], letter)]
        return rows, None

    # --- about --------------------------------------------------------------------------------

    def about(self) -> About:
        manifest, documents = self.data.manifest, self.data.documents
        return About(
            treaties=tuple(
                DocumentSummary(t.id, t.name, t.title, t.url, len(t.articles))
                for t in documents.treaties.values()
            ),
            analyses=len(documents.analyses),
            passages=manifest.passages,
            built_at=manifest.built_at,
            model=manifest.model.name,
            index=str(self.data.path),
        )


def _evidence(ranking: Ranking, method: Method) -> float:
    """How strongly the best allowed passage matches: cosine, or the BM25 score for BM25."""
    if not len(ranking.order):
        return 0.0
    scores = ranking.lexical if method is Method.BM25 else ranking.dense
    return float(scores[ranking.order].max())


def _covers(passage: Passage, letter: str) -> bool:
    """Does a passage hold sub-paragraph `letter` (its own, or within a run like 'c-e')?"""
    sub = passage.subparagraph
    if sub is None:
        return True  # an unsplit paragraph holds all its sub-paragraphs
    first, _, last = sub.partition("-")
    return first <= letter <= (last or first)


def _no_article(doc: TreatyInfo, number: int) -> str:
    count = len(doc.articles)
    return f"The {doc.name} has {count} articles (1 to {count}); there is no Article {number}."


def _pointers(kind: OutOfCorpusKind, about: tuple[str, ...]) -> tuple[str, ...]:
    """The notices of a refusal: what the corpus lacks, and where the answer lives (for the
    treaties the question is about)."""
    where = [p for p in kind.where if not (about and p.treaty) or p.treaty in about] or kind.where
    return (
        kind.explanation,
        *(f"Where to look: {p.label}" + (f" <{p.url}>" if p.url else "") for p in where),
    )


def _no_subparagraph(doc: TreatyInfo, ref: Provision, letters: tuple[str, ...]) -> str:
    place = f"Article {ref.article}" + (f", paragraph {ref.paragraph}," if ref.paragraph else "")
    if not letters:
        return f"{place} of the {doc.name} has no lettered sub-paragraphs."
    return (
        f"{place} of the {doc.name} has no sub-paragraph ({ref.subparagraphs[0]}) "
        f"(it has ({letters[0]}) to ({letters[-1]}))."
    )


def _no_paragraph(doc: TreatyInfo, article: int, paragraph: str, paragraphs: tuple[str, ...]) -> str:
    if not paragraphs:
        return f"Article {article} of the {doc.name} has no numbered paragraphs."
    return (
        f"Article {article} of the {doc.name} has no paragraph {paragraph} "
        f"(it has paragraphs {paragraphs[0]} to {paragraphs[-1]})."
    )


def _check_k(k: int) -> int:
    if not 1 <= int(k) <= MAX_K:
        raise InvalidRequest(f"The number of passages must be between 1 and {MAX_K}.")
    return int(k)


def absent_text(text: AbsentText) -> str:
    """The notice for a question naming an optional text the index was built without."""
    return (
        f"The {text.name} is not in this corpus ({text.path} was missing when the index was built), "
        "so it cannot be quoted. Add the file and rebuild: treatybot build"
    )
