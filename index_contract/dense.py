"""The dense index, chosen by passage count: exact up to a threshold, IVF beyond it.

Vectors are L2-normalised float32, so inner product is cosine similarity.

- Up to `FLAT_MAX_PASSAGES` rows: `IndexFlatIP`, exact, nothing to tune.
- Above: `IndexIVFFlat` (inner product) with `IVF_LISTS_PER_SQRT` * sqrt(n) lists, trained
  on a sample. Its `nprobe` is calibrated at build time: doubled from `NPROBE_START` until
  recall@10 against exact search reaches `TARGET_RECALL` on calibration queries, then
  multiplied by a safety factor. The calibration queries are the caller's real questions
  when given (factor `NPROBE_SAFETY_GIVEN`), else blends of a few random rows with noise
  (factor `NPROBE_SAFETY_SYNTHETIC`): questions sit farther from the passages than any
  query made from rows, so made-up queries reach the target at a smaller nprobe than real
  ones do (100k synthetic passages: 32 against 64-128 for the benchmark questions).

HNSW was measured too (benchmarks/scale.py, 100k synthetic passages): the corpus repeats
passages with small variations, and HNSW's neighbour pruning leaves such near-duplicate
clusters poorly connected: recall@10 0.91 at efSearch 1024 (M=32), 0.98 (M=64), where IVF
reaches 0.99 at nprobe 64 in 5 ms. IVF also builds in seconds, not minutes.

`describe` output goes in the manifest; `read_dense_index` restores nprobe (or efSearch)
from it after `faiss.read_index`. faiss 1.15 persists both, but other versions and files
need not, and a caller's change to a shared index object must not outlive a reload.

Single-query search is fastest on one OpenMP thread: faiss's default (all cores) made a
100k flat search 5x slower here (p95 80 ms against 16 ms), see `set_search_threads`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

FLAT_MAX_PASSAGES = 50_000  # exact search up to here (about 8 ms a query at 50k on one core)
IVF_LISTS_PER_SQRT = 4  # nlist = 4 * sqrt(n): 1,265 lists at 100k, 4,000 at 1M
IVF_TRAIN_PER_LIST = 50  # training sample: rows per list (faiss warns below 39)
NPROBE_START = 8
TARGET_RECALL = 0.99
RECALL_K = 10
NPROBE_SAFETY_GIVEN = 2
NPROBE_SAFETY_SYNTHETIC = 4
CALIBRATION_QUERIES = 300
CALIBRATION_BLEND = 3  # rows summed into one made-up query
CALIBRATION_NOISE = 1.0  # norm of the noise added to each row of the blend
CALIBRATION_SEED = 7
SEARCH_THREADS = 1  # OpenMP threads for searching one query at a time


def set_search_threads(threads: int = SEARCH_THREADS) -> None:
    """faiss's OpenMP thread count, process-wide: one for one query at a time."""
    faiss.omp_set_num_threads(threads)


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
    when given, calibrate nprobe instead of rows with noise."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count, dimension = vectors.shape
    began = time.perf_counter()
    if count <= flat_max:
        index = faiss.IndexFlatIP(dimension)
        index.add(vectors)
        description = {"type": "flat"}
    else:
        nlist = int(IVF_LISTS_PER_SQRT * math.sqrt(count))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(CALIBRATION_SEED)
        sample = rng.choice(count, size=min(count, nlist * IVF_TRAIN_PER_LIST), replace=False)
        index.train(vectors[np.sort(sample)])
        index.add(vectors)
        given = queries is not None
        if queries is None:
            queries = calibration_queries(vectors)
        reached, recall = calibrate_nprobe(index, vectors, queries, target_recall)
        safety = NPROBE_SAFETY_GIVEN if given else NPROBE_SAFETY_SYNTHETIC
        index.nprobe = min(reached * safety, nlist)
        description = {
            "type": "ivf",
            "nlist": nlist,
            "nprobe": index.nprobe,
            "calibration": {
                "queries": len(queries),
                "on": "given queries" if given else "blends of rows",
                "k": RECALL_K,
                "target_recall": target_recall,
                "nprobe_reaching_target": reached,
                "recall_there": round(recall, 4),
                "safety_factor": safety,
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
    """Made-up queries: blends of `CALIBRATION_BLEND` random rows with noise, renormalised,
    so that their neighbours lie in more than one region of the data, as a question's do."""
    rng = np.random.default_rng(CALIBRATION_SEED)
    n = min(n, len(vectors))
    queries = np.zeros((n, vectors.shape[1]), dtype=np.float32)
    for _ in range(CALIBRATION_BLEND):
        noise = rng.standard_normal(queries.shape).astype(np.float32)
        noise *= CALIBRATION_NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
        queries += vectors[rng.integers(0, len(vectors), n)] + noise
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


def calibrate_nprobe(
    index: faiss.IndexIVF, vectors: np.ndarray, queries: np.ndarray, target: float
) -> tuple[int, float]:
    """The smallest power-of-two nprobe reaching `target` recall@k (at most every list);
    sets it on `index`."""
    truth = exact_neighbours(vectors, queries)
    nprobe = min(NPROBE_START, index.nlist)
    while True:
        index.nprobe = nprobe
        recall = recall_at_k(index.search(queries, RECALL_K)[1], truth)
        if recall >= target or nprobe >= index.nlist:
            return nprobe, recall
        nprobe = min(nprobe * 2, index.nlist)


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
