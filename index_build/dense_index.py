"""The dense index, chosen by passage count: exact up to a threshold, HNSW beyond it.

Vectors are L2-normalised float32, so inner product is cosine similarity.

- Up to `FLAT_MAX_PASSAGES` rows: `IndexFlatIP`, exact, nothing to tune.
- Above: `IndexHNSWFlat` (inner product), no training step, rows can be added later.
  Its `efSearch` is calibrated at build time: raised from `EF_SEARCH_START` until the
  recall@10 against exact search, on queries made from the data itself, reaches
  `TARGET_RECALL` (or `EF_SEARCH_MAX` is hit, which the description records).

`describe_dense_index` gives what a manifest should record; `read_dense_index` restores
the search parameters from it after `faiss.read_index`. faiss 1.15 does persist
HNSW's efSearch and IVF's nprobe, but older files and other versions need not, and an
index object shared between loads must not keep a caller's change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

FLAT_MAX_PASSAGES = 50_000  # exact search up to here; see benchmarks/scale.py for the measurements
HNSW_M = 32  # graph degree: more costs memory (M * 8 bytes a row) and build time, gains recall
HNSW_EF_CONSTRUCTION = 100
EF_SEARCH_START = 16
EF_SEARCH_MAX = 4096
TARGET_RECALL = 0.99
RECALL_K = 10
CALIBRATION_QUERIES = 300
CALIBRATION_NOISE = 1.0  # norm of the noise added to a row to make a query: cosine to it ~0.7
CALIBRATION_SEED = 7


@dataclass(frozen=True)
class DenseIndex:
    index: faiss.Index
    description: dict


def build_dense_index(
    vectors: np.ndarray,
    *,
    flat_max: int = FLAT_MAX_PASSAGES,
    target_recall: float = TARGET_RECALL,
    queries: np.ndarray | None = None,
) -> DenseIndex:
    """An index over `vectors` (n x d, normalised), chosen by n. `queries` (normalised),
    when given, calibrate efSearch instead of rows with noise."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count, dimension = vectors.shape
    began = time.perf_counter()
    if count <= flat_max:
        index = faiss.IndexFlatIP(dimension)
        index.add(vectors)
        description = {"type": "flat"}
    else:
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.add(vectors)
        if queries is None:
            queries = calibration_queries(vectors)
        ef_search, recall = calibrate_ef_search(index, vectors, queries, target_recall)
        description = {
            "type": "hnsw",
            "m": HNSW_M,
            "ef_construction": HNSW_EF_CONSTRUCTION,
            "ef_search": ef_search,
            "calibration": {
                "queries": len(queries),
                "k": RECALL_K,
                "target_recall": target_recall,
                "recall": round(recall, 4),
            },
        }
    description.update(
        metric="inner_product",
        dimension=dimension,
        count=count,
        flat_max=flat_max,
        build_seconds=round(time.perf_counter() - began, 2),
        faiss=faiss.__version__,
    )
    return DenseIndex(index, description)


def calibration_queries(vectors: np.ndarray, n: int = CALIBRATION_QUERIES) -> np.ndarray:
    """Rows picked at random, moved away by noise and renormalised: queries that are near,
    not on, the data, like a question near the passages that answer it."""
    rng = np.random.default_rng(CALIBRATION_SEED)
    rows = vectors[rng.choice(len(vectors), size=min(n, len(vectors)), replace=False)]
    noise = rng.standard_normal(rows.shape).astype(np.float32)
    noise *= CALIBRATION_NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
    queries = rows + noise
    return queries / np.linalg.norm(queries, axis=1, keepdims=True)


def exact_neighbours(vectors: np.ndarray, queries: np.ndarray, k: int = RECALL_K) -> np.ndarray:
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return exact.search(np.ascontiguousarray(queries, dtype=np.float32), k)[1]


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    """Share of the true top-k rows that were found, over all queries."""
    k = truth.shape[1]
    hits = sum(len(set(f[:k]) & set(t)) for f, t in zip(found, truth, strict=True))
    return hits / truth.size


def calibrate_ef_search(
    index: faiss.IndexHNSWFlat, vectors: np.ndarray, queries: np.ndarray, target: float
) -> tuple[int, float]:
    """The smallest power-of-two efSearch (>= k) reaching `target` recall@k; sets it on `index`."""
    truth = exact_neighbours(vectors, queries)
    ef_search = max(EF_SEARCH_START, RECALL_K)
    while True:
        index.hnsw.efSearch = ef_search
        recall = recall_at_k(index.search(queries, RECALL_K)[1], truth)
        if recall >= target or ef_search >= EF_SEARCH_MAX:
            return ef_search, recall
        ef_search = min(ef_search * 2, EF_SEARCH_MAX)


def apply_search_parameters(index: faiss.Index, description: dict) -> faiss.Index:
    """Set the recorded search parameters on `index` (a freshly read one). `faiss.read_index`
    returns the concrete class already; `faiss.downcast_index` of a temporary would hand back
    a wrapper whose owner is garbage-collected, so it is not used here."""
    kind = description.get("type")
    if kind == "hnsw":
        if not isinstance(index, faiss.IndexHNSW):
            raise ValueError(f"the manifest describes an HNSW index, the file holds {type(index).__name__}")
        index.hnsw.efSearch = int(description["ef_search"])
    elif kind == "ivf":
        if not isinstance(index, faiss.IndexIVF):
            raise ValueError(f"the manifest describes an IVF index, the file holds {type(index).__name__}")
        index.nprobe = int(description["nprobe"])
    elif kind == "flat":
        if not isinstance(index, faiss.IndexFlat):
            raise ValueError(f"the manifest describes a flat index, the file holds {type(index).__name__}")
    else:
        raise ValueError(f"unknown dense index type {kind!r}")
    if index.ntotal != description.get("count", index.ntotal):
        raise ValueError(
            f"the dense index holds {index.ntotal} rows, the manifest says {description['count']}"
        )
    return index


def write_dense_index(dense: DenseIndex, path: Path) -> None:
    faiss.write_index(dense.index, str(path))


def read_dense_index(path: Path, description: dict) -> faiss.Index:
    """`faiss.read_index` plus the search parameters of `description`; ValueError if the
    file is not the index the description describes."""
    return apply_search_parameters(faiss.read_index(str(path)), description)
