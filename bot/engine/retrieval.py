"""Dense (FAISS), keyword (BM25) and hybrid ranking of passages for a query.

The corpus is small (hundreds of passages), so every ranker scores every passage
exactly; fusion and filters then work on whole score arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from bot.engine.intent import QueryIntent
from bot.engine.query import QueryVocabulary
from index_build.artifact import IndexData
from index_build.embedding import Embedder
from index_build.tokenize import tokenize

RRF_K = 20  # reciprocal rank fusion constant (60 in Cormack et al. 2009; 20 measured better here)
DENSE_WEIGHT = 1.0
BM25_WEIGHT = 2.0  # glossary-expanded keywords are the stronger signal on this corpus
OTHER_TREATY_WEIGHT = 0.5  # the treaty a question does not name ranks lower, not out
OTHER_KIND_WEIGHT = 0.5  # commentary ranks lower unless the question asks what people say
BACKGROUND_WEIGHT = 0.6  # preambles and the adopting resolution, unless the question names them


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
    dense: np.ndarray  # cosine similarity of every passage row to the (expanded) query


class Retriever:
    def __init__(self, data: IndexData, embedder: Embedder, vocabulary: QueryVocabulary) -> None:
        self.data = data
        self.embedder = embedder
        self.kinds = np.array([p.kind for p in data.passages])
        self.docs = np.array([p.doc for p in data.passages])
        treaties = data.documents.treaties
        self.treaties_with_articles = [doc for doc, t in treaties.items() if t.articles]
        self.background = np.array(
            [p.section == "preamble" or (p.doc in treaties and not treaties[p.doc].articles)
             for p in data.passages]
        )  # fmt: skip
        self.vocabulary = vocabulary

    def dense_scores(self, query: str) -> np.ndarray:
        """Cosine similarity of every passage row to `query`."""
        vector = self.embedder.encode_query(query)
        similarities, rows = self.data.dense.search(vector[None, :], len(self.data.passages))
        scores = np.zeros(len(self.data.passages), dtype=np.float32)
        scores[rows[0]] = similarities[0]
        return scores

    def bm25_scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query) if t in self.data.bm25.vocab_dict]
        if not tokens:
            return np.zeros(len(self.data.passages), dtype=np.float32)
        return np.asarray(self.data.bm25.get_scores(tokens), dtype=np.float32)

    def rank(
        self, intent: QueryIntent, method: Method = Method.HYBRID, source: Source = Source.ALL
    ) -> Ranking:
        """Rank passages for a question. Every method searches with the question plus the treaty
        terms for its everyday expressions and applies the same priors."""
        expanded = self.vocabulary.expand(intent.query)
        if method is Method.BM25:  # no embedding needed
            dense = np.zeros(len(self.data.passages), dtype=np.float32)
            scores = self.bm25_scores(expanded)
        elif method is Method.DENSE:
            dense = self.dense_scores(expanded)
            scores = dense.copy()
        else:
            dense = self.dense_scores(expanded)
            scores = self._fuse(dense, self.bm25_scores(expanded))
        scores *= self.priors(intent)
        allowed = np.ones(len(scores), dtype=bool) if source is Source.ALL else self.kinds == source
        rows = np.flatnonzero(allowed)
        order = rows[np.argsort(-scores[rows], kind="stable")]
        return Ranking(order=order, scores=scores, dense=dense)

    def priors(self, intent: QueryIntent) -> np.ndarray:
        """Per-passage weights from what the question asks for: which treaty, treaty text
        or commentary, operative articles or background."""
        weights = self.treaty_weights(intent) * self.kind_weights(intent)
        if not intent.background:
            weights[self.background] *= BACKGROUND_WEIGHT
        return weights

    def treaty_weights(self, intent: QueryIntent) -> np.ndarray:
        """Down-weight the treaties the question is not about (a question naming none is about
        the default treaty); a comparison, or a question naming several, keeps all at full weight."""
        weights = np.ones(len(self.docs), dtype=np.float32)
        named = [doc for doc in intent.named if doc in self.treaties_with_articles]
        if intent.comparison or len(named) > 1:
            return weights
        others = [doc for doc in self.treaties_with_articles if doc != intent.treaty]
        weights[np.isin(self.docs, others)] = OTHER_TREATY_WEIGHT
        return weights

    def kind_weights(self, intent: QueryIntent) -> np.ndarray:
        """Down-weight commentary unless the question asks what people say about the treaty,
        and the treaty text when it does."""
        weights = np.ones(len(self.kinds), dtype=np.float32)
        other = "treaty" if intent.commentary else "analysis"
        weights[self.kinds == other] = OTHER_KIND_WEIGHT
        return weights

    @staticmethod
    def _fuse(dense: np.ndarray, bm25: np.ndarray) -> np.ndarray:
        """Weighted reciprocal rank fusion; passages BM25 does not match get no BM25 share."""
        fused = DENSE_WEIGHT / (RRF_K + _ranks(dense))
        matched = bm25 > 0
        fused[matched] += BM25_WEIGHT / (RRF_K + _ranks(bm25)[matched])
        return fused


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of every row by descending score."""
    ranks = np.empty(len(scores), dtype=np.float32)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return ranks
