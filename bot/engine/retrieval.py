"""Dense (FAISS), keyword (BM25) and hybrid ranking of passages for a query.

The corpus is small (hundreds of passages), so every ranker scores every passage
exactly; fusion and filters then work on whole score arrays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from bot.engine.intent import QueryIntent
from bot.engine.query import QueryVocabulary
from bot.engine.ranking_settings import DEFAULT_RANKING, RankingSettings
from index_contract.folder import IndexData
from index_contract.models import QueryEmbedder
from index_contract.schema import DECLINE
from index_contract.tokenize import tokenize


class Method(StrEnum):
    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"


class Source(StrEnum):
    ALL = "all"
    TREATY = "treaty"
    ANALYSIS = "analysis"


@dataclass(frozen=True)
class Ranking:
    order: np.ndarray  # passage rows, best first (only rows allowed by the source filter)
    scores: np.ndarray  # the ranker's score for every passage row
    dense: np.ndarray  # cosine similarity of every passage row (or its description) to the query
    lexical: np.ndarray  # BM25 score of every passage row
    vector: np.ndarray | None = None  # the question's vector (None for BM25 alone)
    decline: str | None = None  # the kind of unanswerable question its nearest example questions are


@dataclass(frozen=True)
class Signal:
    """One ranking of the passages, for reciprocal rank fusion."""

    ranks: np.ndarray  # 1-based rank of every passage row; inf where the signal has no evidence
    weight: float


class Retriever:
    def __init__(
        self,
        data: IndexData,
        embedder: QueryEmbedder,
        vocabulary: QueryVocabulary,
        names: str = r"(?!)",
        settings: RankingSettings = DEFAULT_RANKING,
    ) -> None:
        """`names`: a regex of the treaties' names, which the keyword signals leave out: which
        treaty a question is about is the priors' business, and "a crime under the UN treaty"
        must not match the articles that mention other United Nations conventions."""
        self.data = data
        self.embedder = embedder
        self.settings = settings
        self.kinds = np.array([p.kind for p in data.passages])
        self.docs = np.array([p.doc for p in data.passages])
        treaties = data.documents.treaties
        self.treaties_with_articles = [doc for doc, t in treaties.items() if t.articles]
        self.background = np.array(
            [p.section == "preamble" or (p.doc in treaties and not treaties[p.doc].articles)
             for p in data.passages]
        )  # fmt: skip
        self.vocabulary = vocabulary
        self.names = re.compile(names, re.IGNORECASE)
        self.covered = _covered(data.descriptions, data.passages)
        # Example questions the corpus cannot answer (section "decline", doc = their kind).
        self.decline_kinds = np.array([d.doc if d.section == DECLINE else "" for d in data.descriptions])
        self._coverage = (  # (description line, passage row) pairs, flat
            np.repeat(np.arange(len(self.covered)), [len(rows) for rows in self.covered]),
            np.concatenate(self.covered) if self.covered else np.zeros(0, dtype=np.int64),
        )
        spans = [(d.doc, d.start, d.end) for d in data.links.definitions]
        self.defining = np.array(
            [
                any(doc == p.doc and start < p.end and p.start < end for doc, start, end in spans)
                for p in data.passages
            ]
        )  # passages that define a term

    def dense_scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of every passage row to a query vector."""
        similarities, rows = self.data.dense.search(vector[None, :], len(self.data.passages))
        scores = np.zeros(len(self.data.passages), dtype=np.float32)
        scores[rows[0]] = similarities[0]
        return scores

    def description_scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of every description line to a query vector. A plain loop, not BLAS:
        OpenBLAS's threads, woken for one small product right after the encoder ran, cost 10x."""
        return np.einsum("ij,j->i", self.data.description_vectors, vector)

    def bm25_scores(self, query: str) -> np.ndarray:
        return _bm25_scores(self.data.bm25, query, len(self.data.passages))

    def rank(
        self, intent: QueryIntent, method: Method = Method.HYBRID, source: Source = Source.ALL
    ) -> Ranking:
        """Rank passages for a question. Every method searches with the question plus the treaty
        terms for its everyday expressions, fuses its signals by reciprocal rank (the passages'
        own, and those of the descriptions of their provisions) and applies the same priors."""
        texts = [self.vocabulary.expand(text) for text in (intent.query, *intent.parts, *intent.context)]
        weights = [1.0] + [self.settings.parts_weight / max(len(intent.parts), 1)] * len(intent.parts)
        weights += [self.settings.context_weight] * len(intent.context)
        topical = {0, *range(len(texts) - len(intent.context), len(texts))}  # what evidence is judged on
        count = len(self.data.passages)
        dense = lexical = np.zeros(count, dtype=np.float32)
        vectors = self.embedder.encode(texts) if method is not Method.BM25 else None  # BM25 needs none
        signals: list[Signal] = []
        for index, (text, weight) in enumerate(zip(texts, weights, strict=True)):
            if vectors is not None:
                similarity = self.dense_scores(vectors[index])
                described = self.description_scores(vectors[index]) if self.covered else None
                if index in topical:
                    evidence = self._evidence(similarity, described)
                    dense = evidence if index == 0 else np.maximum(dense, evidence)
                signals += self._dense_signals(similarity, described, weight)
            if method is not Method.DENSE:
                text = self.names.sub(" ", text)
                keywords = self.bm25_scores(text)
                lexical = keywords if index == 0 else lexical
                signals += self._bm25_signals(keywords, text, weight)
        scores = _fuse(signals, self.settings.rrf_k) * self.priors(intent)
        allowed = np.ones(count, dtype=bool) if source is Source.ALL else self.kinds == source
        rows = np.flatnonzero(allowed)
        order = rows[np.argsort(-scores[rows], kind="stable")]
        vector = vectors[0] if vectors is not None else None
        decline = (
            self.decline_vote(self.description_scores(vector))
            if vector is not None and self.covered
            else None
        )
        return Ranking(
            order=order, scores=scores, dense=dense, lexical=lexical, vector=vector, decline=decline
        )

    def decline_vote(self, similarity: np.ndarray) -> str | None:
        """The kind of unanswerable question the question's nearest example questions (descriptions
        and training questions, answerable or not) say it is, or None when most are answerable: a
        vote of the `decline_neighbours` nearest, each weighted by its cosine."""
        k = min(self.settings.decline_neighbours, len(similarity))
        if k == 0 or not self.decline_kinds.any():
            return None
        nearest = np.argpartition(-similarity, k - 1)[:k]
        weights = np.clip(similarity[nearest], 0.0, None)
        kinds = self.decline_kinds[nearest]
        total = float(weights.sum())
        declined = kinds != ""
        if total <= 0 or float(weights[declined].sum()) < self.settings.decline_share * total:
            return None
        answerable = self.decline_kinds == ""
        lead = float(similarity[~answerable].max() - similarity[answerable].max())
        if lead < self.settings.decline_margin:
            return None
        votes: dict[str, float] = {}
        for kind, weight in zip(kinds[declined], weights[declined], strict=True):
            votes[str(kind)] = votes.get(str(kind), 0.0) + float(weight)
        return max(votes, key=votes.__getitem__)

    def _dense_signals(
        self, similarity: np.ndarray, described: np.ndarray | None, weight: float
    ) -> list[Signal]:
        signals = [Signal(_ranks(similarity), self.settings.dense_weight * weight)]
        if described is not None:
            signals.append(
                Signal(self._via_descriptions(described), self.settings.description_dense_weight * weight)
            )
        return signals

    def _evidence(self, similarity: np.ndarray, described: np.ndarray | None) -> np.ndarray:
        """Each passage's cosine to the query, or its best description's, discounted, if higher."""
        evidence = similarity.copy()
        if described is not None:
            lines, rows = self._coverage
            np.maximum.at(evidence, rows, described[lines] - self.settings.description_evidence_discount)
        return evidence

    def _bm25_signals(self, keywords: np.ndarray, text: str, weight: float) -> list[Signal]:
        signals = [Signal(_ranks(keywords, matched=keywords > 0), self.settings.bm25_weight * weight)]
        if self.covered:
            described = _bm25_scores(self.data.description_bm25, text, len(self.covered))
            ranks = self._via_descriptions(described, matched=described > 0)
            signals.append(Signal(ranks, self.settings.description_bm25_weight * weight))
        return signals

    def _via_descriptions(self, scores: np.ndarray, matched: np.ndarray | None = None) -> np.ndarray:
        """Each passage's rank through the descriptions of its provision: the rank of the best
        description covering it (inf when none covers it, or none that matched)."""
        line_ranks = _ranks(scores, matched)
        lines, rows = self._coverage
        ranks = np.full(len(self.data.passages), np.inf, dtype=np.float32)
        np.minimum.at(ranks, rows, line_ranks[lines])
        return ranks

    def priors(self, intent: QueryIntent) -> np.ndarray:
        """Per-passage weights from what the question asks for: which treaty, treaty text
        or commentary, operative articles or background."""
        weights = self.treaty_weights(intent) * self.kind_weights(intent)
        if not intent.background:
            weights[self.background] *= self.settings.background_weight
        if not intent.definition:
            weights[self.defining] *= self.settings.definition_weight
        return weights

    def treaty_weights(self, intent: QueryIntent) -> np.ndarray:
        """Down-weight the treaties the question is not about (a question naming none is about
        the default treaty); a comparison, or a question naming several, keeps all at full weight."""
        weights = np.ones(len(self.docs), dtype=np.float32)
        named = [doc for doc in intent.named if doc in self.treaties_with_articles]
        if intent.comparison or len(named) > 1:
            return weights
        others = [doc for doc in self.treaties_with_articles if doc != intent.treaty]
        weights[np.isin(self.docs, others)] = self.settings.other_treaty_weight
        return weights

    def kind_weights(self, intent: QueryIntent) -> np.ndarray:
        """Down-weight commentary unless the question asks what people say about the treaty,
        and the treaty text when it does."""
        weights = np.ones(len(self.kinds), dtype=np.float32)
        other = "treaty" if intent.commentary else "analysis"
        weights[self.kinds == other] = self.settings.other_kind_weight
        return weights


def _fuse(signals: list[Signal], rrf_k: float) -> np.ndarray:
    """Weighted reciprocal rank fusion; a signal without evidence for a passage adds nothing."""
    return sum(signal.weight / (rrf_k + signal.ranks) for signal in signals)


def _ranks(scores: np.ndarray, matched: np.ndarray | None = None) -> np.ndarray:
    """1-based rank of every row by descending score; inf for rows not `matched`."""
    ranks = np.empty(len(scores), dtype=np.float32)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    if matched is not None:
        ranks[~matched] = np.inf
    return ranks


def _bm25_scores(index, query: str, count: int) -> np.ndarray:
    tokens = [t for t in tokenize(query) if t in index.vocab_dict]
    if not tokens:
        return np.zeros(count, dtype=np.float32)
    return np.asarray(index.get_scores(tokens), dtype=np.float32)


def _covered(descriptions, passages) -> list[np.ndarray]:
    """For each description line, the passage rows of the provision it describes."""
    by_place: dict[tuple, list[int]] = {}
    for row, passage in enumerate(passages):
        by_place.setdefault((passage.doc, passage.section, passage.article), []).append(row)
    return [
        np.array(
            [r for r in by_place.get((d.doc, d.section, d.article), []) if d.covers(passages[r])]
            if d.article is not None
            else [r for key, rows in by_place.items() if key[:2] == (d.doc, d.section) for r in rows
                  if d.covers(passages[r])],
            dtype=np.int64,
        )
        for d in descriptions
    ]  # fmt: skip
