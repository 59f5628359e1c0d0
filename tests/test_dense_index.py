"""The dense index: exact up to a threshold, calibrated IVF above it, parameters restored on read."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from index_contract.dense import (
    RECALL_K,
    build_dense_index,
    calibration_queries,
    exact_neighbours,
    read_dense_index,
    recall_at_k,
    write_dense_index,
)

DIMENSION = 32


def _clustered(n: int) -> np.ndarray:
    """Unit vectors around 50 centres, like passages around topics."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((50, DIMENSION)).astype(np.float32)
    rows = centres[rng.integers(0, 50, n)] + 0.4 * rng.standard_normal((n, DIMENSION)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_small_corpora_get_exact_search():
    vectors = _clustered(500)
    dense = build_dense_index(vectors, flat_max=1000)
    assert dense.description["type"] == "flat"
    assert dense.description["count"] == 500 and dense.description["flat_max"] == 1000
    queries = calibration_queries(vectors, 20)
    assert recall_at_k(dense.index.search(queries, RECALL_K)[1], exact_neighbours(vectors, queries)) == 1.0


def test_large_corpora_get_ivf_calibrated_to_the_target_recall():
    vectors, held_out = np.split(_clustered(4100), [4000])
    dense = build_dense_index(vectors, flat_max=1000, target_recall=0.99)
    description = dense.description
    assert description["type"] == "ivf" and description["metric"] == "inner_product"
    assert description["nlist"] == 252  # 4 * sqrt(4000)
    assert 1 <= description["nprobe"] <= description["nlist"]
    assert description["calibration"]["recall_there"] >= 0.99
    assert description["nprobe"] == min(
        description["nlist"], 4 * description["calibration"]["nprobe_reaching_target"]
    )
    assert dense.index.nprobe == description["nprobe"]
    other = calibration_queries(held_out, 100)  # queries it was not tuned on
    found = dense.index.search(other, RECALL_K)[1]
    assert recall_at_k(found, exact_neighbours(vectors, other)) >= 0.95


def test_given_queries_calibrate_the_index():
    vectors, questions = np.split(_clustered(4100), [4000])
    dense = build_dense_index(vectors, flat_max=1000, queries=questions)
    assert dense.description["calibration"]["on"] == "given queries"
    assert dense.description["calibration"]["queries"] == 100
    found = dense.index.search(questions, RECALL_K)[1]
    assert recall_at_k(found, exact_neighbours(vectors, questions)) >= 0.99


def test_reading_restores_the_recorded_search_parameters(tmp_path):
    dense = build_dense_index(_clustered(3000), flat_max=1000)
    recorded = dense.description["nprobe"]
    dense.index.nprobe = recorded + 1  # as if the file had kept another value
    write_dense_index(dense, tmp_path / "dense.faiss")
    index = read_dense_index(tmp_path / "dense.faiss", dense.description)
    assert isinstance(index, faiss.IndexIVFFlat)
    assert index.nprobe == recorded


def test_faiss_keeps_nprobe_and_ef_search_in_the_file(tmp_path):
    """Recorded so that a faiss upgrade that stops persisting them is noticed."""
    dense = build_dense_index(_clustered(2000), flat_max=1000)
    dense.index.nprobe = 7
    write_dense_index(dense, tmp_path / "ivf.faiss")
    assert faiss.read_index(str(tmp_path / "ivf.faiss")).nprobe == 7
    hnsw = faiss.IndexHNSWFlat(DIMENSION, 16, faiss.METRIC_INNER_PRODUCT)
    hnsw.add(_clustered(500))
    hnsw.hnsw.efSearch = 77
    faiss.write_index(hnsw, str(tmp_path / "hnsw.faiss"))
    assert faiss.read_index(str(tmp_path / "hnsw.faiss")).hnsw.efSearch == 77


def test_a_file_that_does_not_match_its_description_is_refused(tmp_path):
    flat = build_dense_index(_clustered(200), flat_max=1000)
    write_dense_index(flat, tmp_path / "dense.faiss")
    with pytest.raises(ValueError, match="HNSW"):
        read_dense_index(tmp_path / "dense.faiss", {**flat.description, "type": "hnsw", "ef_search": 64})
    with pytest.raises(ValueError, match="IVF"):
        read_dense_index(tmp_path / "dense.faiss", {**flat.description, "type": "ivf", "nprobe": 8})
    with pytest.raises(ValueError, match="200 rows"):
        read_dense_index(tmp_path / "dense.faiss", {**flat.description, "count": 300})
    with pytest.raises(ValueError, match="unknown"):
        read_dense_index(tmp_path / "dense.faiss", {**flat.description, "type": "lsh"})
