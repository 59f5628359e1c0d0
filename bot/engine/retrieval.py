"""Dense (FAISS), keyword (BM25) and hybrid ranking of passages for a query.

The corpus is small (hundreds of passages), so every ranker scores every passage
exactly; fusion and filters then work on whole score arrays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from bot.engine.references import BUDAPEST_NAMES, UNCC_NAMES
from index_build.artifact import IndexData
from index_build.embedding import Embedder
from index_build.tokenize import tokenize

RRF_K = 60  # reciprocal rank fusion constant (Cormack et al. 2009)
DENSE_WEIGHT = 1.0
BM25_WEIGHT = 1.0
OTHER_TREATY_WEIGHT = 0.5  # the treaty a question does not name ranks lower, not out
COMPARISON_WORDS = re.compile(r"\b(compar\w*|differ\w*|versus|vs\.?|counterpart|equivalent)\b", re.I)


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
    dense: np.ndarray  # cosine similarity of every passage row to the query


class Retriever:
    def __init__(self, data: IndexData, embedder: Embedder) -> None:
        self.data = data
        self.embedder = embedder
        self.kinds = np.array([p.kind for p in data.passages])
        self.docs = np.array([p.doc for p in data.passages])

    def dense_scores(self, query: str) -> np.ndarray:
        vector = self.embedder.encode_query(query)
        scores = np.zeros(len(self.data.passages), dtype=np.float32)
        similarities, rows = self.data.dense.search(vector[None, :], len(self.data.passages))
        scores[rows[0]] = similarities[0]
        return scores

    def bm25_scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query) if t in self.data.bm25.vocab_dict]
        if not tokens:
            return np.zeros(len(self.data.passages), dtype=np.float32)
        return np.asarray(self.data.bm25.get_scores(tokens), dtype=np.float32)

    def rank(self, query: str, method: Method = Method.HYBRID, source: Source = Source.ALL) -> Ranking:
        dense = self.dense_scores(query)
        if method is Method.DENSE:
            scores = dense
        elif method is Method.BM25:
            scores = self.bm25_scores(query)
        else:
            scores = self._fuse(dense, self.bm25_scores(query)) * self.treaty_weights(query)
        allowed = np.ones(len(scores), dtype=bool) if source is Source.ALL else self.kinds == source
        rows = np.flatnonzero(allowed)
        order = rows[np.argsort(-scores[rows], kind="stable")]
        return Ranking(order=order, scores=scores, dense=dense)

    def treaty_weights(self, query: str) -> np.ndarray:
        """Down-weight the treaty the question does not name (a question naming no treaty
        is about the UNCC); a comparison keeps both at full weight."""
        names_budapest = bool(BUDAPEST_NAMES.search(query))
        names_uncc = bool(UNCC_NAMES.search(query))
        weights = np.ones(len(self.docs), dtype=np.float32)
        if COMPARISON_WORDS.search(query) or (names_budapest and names_uncc):
            return weights
        other = "uncc" if names_budapest else "budapest"
        weights[self.docs == other] = OTHER_TREATY_WEIGHT
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
