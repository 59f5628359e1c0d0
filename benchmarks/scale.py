"""How treatybot's retrieval scales: synthetic corpora of 10k and 100k passages, 1M vectors.

For each corpus size, in a fresh child process: build time of the dense index
(index_contract/dense.py picks exact or IVF) and of BM25, size on disk, load time,
warm query latency p50/p95 (dense search alone, BM25 alone, both and their fusion),
peak RSS, and recall@10 of the chosen dense index against exact search. Then 1M
vectors for the dense index alone, two ways: uniform random unit vectors (the worst
case for any approximate index) and vectors drawn around real passage embeddings.
Last, the SQLite embedding cache (index_build/embedding.py) with 100k entries.

Corpora are the real passages repeated with variations (benchmarks/synthetic.py),
embedded with the real model through the ONNX encoder (identical to
sentence-transformers, see encoder_parity.py) and kept in an embedding cache, so
re-runs are fast. Embedding costs ~40 s per 1k passages on 2 cores: --embed-budget caps
how many new texts a run embeds; rows still without a vector then get their base
passage's real vector plus noise matching the spread measured on real variants, and
the table says how many rows are real.

Queries are the benchmark and development questions, as asked and glossary-expanded.

Usage: python benchmarks/scale.py [--sizes 10000,100000] [--skip-1m] [--vectors 1000000]
       [--embed-budget N] [--skip-cache]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "benchmarks"))

from synthetic import embed_cached, read_passages, synthetic_corpus  # noqa: E402

WORK = PROJECT / ".cache" / "scale"
CACHE = WORK / "embeddings.sqlite3"
ENCODER = WORK / "query-encoder"
MODEL = "all-MiniLM-L6-v2"
DIMENSION = 384
CANDIDATES = 100  # rows each ranker hands to fusion
RRF_K = 20
ROUNDS = 3  # passes over the questions for the latency figures
CACHE_ENTRIES = 100_000
SEED = 11
MIB = 1024 * 1024
TARGET_CORPUS, TARGET_CORPUS_P95_MS = 100_000, 30.0
TARGET_VECTORS, TARGET_VECTORS_P95_MS, TARGET_RECALL = 1_000_000, 20.0, 0.99


# --------------------------------------------------------------------------- helpers


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def folder_size(path: Path) -> int:
    return (
        path.stat().st_size
        if path.is_file()
        else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    )


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: a child started by fork + exec inherits
    the parent's ru_maxrss as a floor, which would show the parent's memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_ms(fn, inputs, rounds: int = ROUNDS) -> tuple[float, float]:
    for x in inputs:  # warm-up
        fn(x)
    times = []
    for _ in range(rounds):
        for x in inputs:
            began = time.perf_counter()
            fn(x)
            times.append((time.perf_counter() - began) * 1000)
    return percentile(times, 50), percentile(times, 95)


def questions() -> list[str]:
    from encoder_parity import load_questions

    from bot.engine.engine import Engine
    from index_contract.config import load_settings
    from index_contract.folder import load_index

    return load_questions(Engine(load_index(load_settings().index), embedder=None).retriever)


def encoder():
    from index_build.encoder_export import export_query_encoder
    from index_contract.query_encoder import QueryEncoderUnavailable, load_query_encoder

    try:
        return load_query_encoder(ENCODER)
    except QueryEncoderUnavailable:
        export_query_encoder(MODEL, ENCODER, quantize=False)
        return load_query_encoder(ENCODER)


def derive_missing(vectors: np.ndarray, have: np.ndarray, n_base: int) -> tuple[np.ndarray, float]:
    """Rows without a real vector: their base passage's vector plus noise as far from it as
    real variants are (median cosine measured on the real ones). Returns that cosine."""
    rows = np.arange(len(vectors))
    real_variants = rows[have & (rows >= n_base)]
    if len(real_variants):
        cos = np.sum(vectors[real_variants] * vectors[real_variants % n_base], axis=1)
        target = float(np.median(cos))
    else:
        target = 0.95
    missing = rows[~have]
    if len(missing):
        vectors[missing] = around(vectors[missing % n_base], target, np.random.default_rng(SEED))
    return vectors, target


def around(anchors: np.ndarray, cosine: float, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors at about `cosine` to each anchor (noise orthogonal on average)."""
    noise = rng.standard_normal(anchors.shape).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    spread = np.sqrt(max(1 - cosine**2, 0.0)) / max(cosine, 1e-6)
    out = anchors + spread * noise
    return out / np.linalg.norm(out, axis=1, keepdims=True)


# --------------------------------------------------------------------------- one size, in a child


def measure_corpus(work: Path) -> dict:
    """Runs in a fresh process: everything about one corpus size."""
    import bm25s

    from index_contract.dense import (
        build_dense_index,
        exact_neighbours,
        read_dense_index,
        recall_at_k,
        set_search_threads,
    )
    from index_contract.dense import write_dense_index as write_dense
    from index_contract.tokenize import tokenize

    vectors = np.load(work / "vectors.npy")
    texts = json.loads((work / "texts.json").read_text("utf-8"))
    query_vectors = np.load(work / "queries.npy")
    query_texts = json.loads((work / "queries.json").read_text("utf-8"))
    result: dict = {"passages": len(vectors)}

    began = time.perf_counter()
    dense = build_dense_index(vectors)
    result["dense_build_s"] = time.perf_counter() - began
    began = time.perf_counter()
    bm25 = bm25s.BM25()
    bm25.index([tokenize(t) for t in texts], show_progress=False)
    result["bm25_build_s"] = time.perf_counter() - began
    write_dense(dense, work / "dense.faiss")
    bm25.save(str(work / "bm25"), show_progress=False)
    result["dense_mb"] = folder_size(work / "dense.faiss") / MIB
    result["bm25_mb"] = folder_size(work / "bm25") / MIB
    result["index"] = dense.description
    del dense, bm25, texts

    began = time.perf_counter()
    index = read_dense_index(work / "dense.faiss", result["index"])
    bm25 = bm25s.BM25.load(str(work / "bm25"))
    result["load_s"] = time.perf_counter() - began
    set_search_threads()  # after the build, which uses every core

    def dense_search(q: int) -> tuple[np.ndarray, np.ndarray]:
        scores, rows = index.search(query_vectors[q : q + 1], CANDIDATES)
        return rows[0], scores[0]

    tokens = [[t for t in tokenize(text) if t in bm25.vocab_dict] for text in query_texts]

    def bm25_search(q: int) -> np.ndarray:
        if not tokens[q]:
            return np.empty(0, dtype=np.int64)
        scores = bm25.get_scores(tokens[q])
        top = np.argpartition(-scores, CANDIDATES)[:CANDIDATES]
        return top[np.argsort(-scores[top])]

    def both(q: int) -> list[int]:
        fused: dict[int, float] = {}
        for ranking in (dense_search(q)[0], bm25_search(q)):
            for rank, row in enumerate(ranking, start=1):
                fused[int(row)] = fused.get(int(row), 0.0) + 1 / (RRF_K + rank)
        return sorted(fused, key=fused.__getitem__, reverse=True)[:10]

    queries = range(len(query_vectors))
    result["dense_ms"] = timed_ms(dense_search, queries)
    result["bm25_ms"] = timed_ms(bm25_search, queries)
    result["both_ms"] = timed_ms(both, queries)
    found = index.search(query_vectors, 10)[1]
    result["recall10"] = recall_at_k(found, exact_neighbours(vectors, query_vectors))
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def measure_vectors(work: Path) -> dict:
    """Runs in a fresh process: the dense index alone over a large matrix."""
    from index_contract.dense import (
        build_dense_index,
        exact_neighbours,
        read_dense_index,
        recall_at_k,
        set_search_threads,
    )
    from index_contract.dense import write_dense_index as write_dense

    vectors = np.load(work / "vectors.npy", mmap_mode="r")
    query_vectors = np.load(work / "queries.npy")
    truth = exact_neighbours(np.asarray(vectors), query_vectors)
    result: dict = {"passages": len(vectors)}
    began = time.perf_counter()
    dense = build_dense_index(np.asarray(vectors))
    result["dense_build_s"] = time.perf_counter() - began
    write_dense(dense, work / "dense.faiss")
    result["dense_mb"] = folder_size(work / "dense.faiss") / MIB
    result["index"] = dense.description
    del dense
    began = time.perf_counter()
    index = read_dense_index(work / "dense.faiss", result["index"])
    result["load_s"] = time.perf_counter() - began
    set_search_threads()
    result["dense_ms"] = timed_ms(
        lambda q: index.search(query_vectors[q : q + 1], CANDIDATES), range(len(truth))
    )
    result["recall10"] = recall_at_k(index.search(query_vectors, 10)[1], truth)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def run_child(mode: str, work: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--work", str(work)], capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"the {mode} measurement failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the embedding cache


def measure_caches(work: Path) -> list[tuple[str, dict]]:
    from index_build.embedding import EmbeddingCache

    rng = np.random.default_rng(SEED)
    texts = [
        f"passage {i}: Each State Party shall adopt measures, article {i % 68}." for i in range(CACHE_ENTRIES)
    ]
    vectors = rng.standard_normal((CACHE_ENTRIES, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)  # the cache keeps unit vectors only
    new_texts = [f"new passage {i}" for i in range(1000)]
    rows = []
    for cls in (EmbeddingCache,):
        path = work / f"{cls.__name__}.sqlite3"
        cache = cls(path)
        figures = {}
        began = time.perf_counter()
        cache.put_many(MODEL, texts, vectors)
        figures["put 100k"] = time.perf_counter() - began
        cache.close()
        cache = cls(path)  # a fresh connection, as a rebuild would open it
        for label, subset in (("get 100k", texts), ("get 1k", texts[::100])):
            began = time.perf_counter()
            got = cache.get_many(MODEL, subset, DIMENSION)
            figures[label] = time.perf_counter() - began
            assert all(v is not None for v in got)
        began = time.perf_counter()
        cache.put_many(MODEL, new_texts, vectors[:1000])
        figures["put 1k"] = time.perf_counter() - began
        began = time.perf_counter()
        missing = cache.get_many(MODEL, [f"absent {i}" for i in range(1000)], DIMENSION)
        figures["get 1k absent"] = time.perf_counter() - began
        assert all(v is None for v in missing)
        cache.close()
        figures["file MB"] = folder_size(path) / MIB
        rows.append((cls.__name__, figures))
    return rows


# --------------------------------------------------------------------------- the report


def print_corpus_table(results: list[dict]) -> None:
    print(
        f"\n{'passages':>9} {'real vec':>9} {'index':>18} {'build s':>8} {'per 1k s':>8} {'disk MB':>8} "
        f"{'load s':>7} {'dense p50/p95 ms':>17} {'bm25 p50/p95 ms':>16} {'both p50/p95 ms':>16} "
        f"{'RSS MB':>7} {'recall@10':>9}"
    )
    for r in results:
        build = r["dense_build_s"] + r.get("bm25_build_s", 0.0)
        index = r["index"]["type"]
        if index == "ivf":
            index += f" {r['index']['nprobe']}/{r['index']['nlist']}"
        disk = r["dense_mb"] + r.get("bm25_mb", 0.0)
        cells = [
            f"{r['passages']:>9}",
            f"{r.get('real', '-'):>9}",
            f"{index:>18}",
            f"{build:8.1f}",
            f"{build / r['passages'] * 1000:8.3f}",
            f"{disk:8.0f}",
            f"{r['load_s']:7.2f}",
            f"{r['dense_ms'][0]:7.2f} / {r['dense_ms'][1]:6.2f}",
        ]
        if "bm25_ms" in r:
            cells += [
                f"{r['bm25_ms'][0]:6.2f} / {r['bm25_ms'][1]:6.2f}",
                f"{r['both_ms'][0]:6.2f} / {r['both_ms'][1]:6.2f}",
            ]
        else:
            cells += [f"{'-':>16}", f"{'-':>16}"]
        cells += [f"{r['peak_rss_mb']:7.0f}", f"{r['recall10']:9.4f}"]
        print(" ".join(cells) + (f"  {r['label']}" if "label" in r else ""))


def print_targets(results: list[dict]) -> None:
    """The targets: 100k passages p95 <= 30 ms warm (dense + BM25); 1M vectors dense p95
    <= 20 ms with recall@10 >= 0.99."""
    for r in results:
        if "both_ms" in r and r["passages"] >= TARGET_CORPUS:
            met = r["both_ms"][1] <= TARGET_CORPUS_P95_MS
            verdict = "met" if met else "MISSED"
            print(f"target {r['passages']} passages, both p95 <= {TARGET_CORPUS_P95_MS} ms: {verdict}")
        elif "label" in r and r["passages"] >= TARGET_VECTORS:
            met = r["dense_ms"][1] <= TARGET_VECTORS_P95_MS and r["recall10"] >= TARGET_RECALL
            print(
                f"target {r['passages']} vectors ({r['label']}), dense p95 <= {TARGET_VECTORS_P95_MS} ms "
                f"and recall@10 >= {TARGET_RECALL}: {'met' if met else 'MISSED'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated passage counts")
    parser.add_argument("--skip-1m", action="store_true", help="skip the dense-only run on many vectors")
    parser.add_argument("--vectors", type=int, default=1_000_000, help="vectors for the dense-only run")
    parser.add_argument("--embed-budget", type=int, default=None, help="embed at most this many new texts")
    parser.add_argument("--skip-cache", action="store_true", help="skip the embedding-cache timings")
    parser.add_argument("--child", choices=("corpus", "vectors"), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure = measure_corpus if args.child == "corpus" else measure_vectors
        print(json.dumps(measure(args.work)))
        return

    from index_contract.config import load_settings

    base = read_passages(load_settings().index)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    largest = synthetic_corpus(base, max(sizes))
    query_texts = questions()
    enc = encoder()
    query_vectors = enc.encode(query_texts)
    budget = args.embed_budget

    def encode(texts: list[str]) -> np.ndarray:
        return enc.encode(texts, batch_size=64)

    cached, have = embed_cached(largest, CACHE, MODEL, DIMENSION, None)
    if budget is None or budget > 0:
        todo = np.flatnonzero(~have)[: budget if budget is not None else None]
        if len(todo):
            began = time.perf_counter()
            fresh, _ = embed_cached([largest[i] for i in todo], CACHE, MODEL, DIMENSION, encode)
            rate = len(todo) / (time.perf_counter() - began)
            print(f"embedded {len(todo)} texts at {rate:.1f}/s ({1000 / rate:.0f} s per 1k passages)")
            cached[todo], have[todo] = fresh, True
    vectors, variant_cosine = derive_missing(cached, have, len(base))
    print(
        f"{len(query_texts)} questions; real variants lie at median cosine {variant_cosine:.3f} to their base"
    )

    results = []
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        for size in sizes:
            work = Path(tmp) / str(size)
            work.mkdir()
            np.save(work / "vectors.npy", vectors[:size])
            (work / "texts.json").write_text(json.dumps(largest[:size]), "utf-8")
            np.save(work / "queries.npy", query_vectors)
            (work / "queries.json").write_text(json.dumps(query_texts), "utf-8")
            result = run_child("corpus", work)
            result["real"] = int(have[:size].sum())
            results.append(result)
            print_corpus_table(results[-1:])
            shutil.rmtree(work)
        if not args.skip_1m:
            rng = np.random.default_rng(SEED)
            anchors = vectors[have] if have.any() else vectors
            for label in ("uniform random", "around real embeddings"):
                work = Path(tmp) / label.replace(" ", "-")
                work.mkdir()
                out = np.lib.format.open_memmap(
                    work / "vectors.npy", mode="w+", dtype=np.float32, shape=(args.vectors, DIMENSION)
                )
                for start in range(0, args.vectors, 100_000):
                    n = min(100_000, args.vectors - start)
                    if label == "uniform random":
                        block = rng.standard_normal((n, DIMENSION)).astype(np.float32)
                        block /= np.linalg.norm(block, axis=1, keepdims=True)
                    else:
                        picks = anchors[rng.integers(0, len(anchors), n)]
                        block = around(picks, variant_cosine, rng)
                    out[start : start + n] = block
                out.flush()
                del out
                np.save(work / "queries.npy", query_vectors)
                result = run_child("vectors", work)
                result["label"] = label
                results.append(result)
                print_corpus_table(results[-1:])
                shutil.rmtree(work)
        print_corpus_table(results)
        if not args.skip_cache:
            cache_rows = measure_caches(Path(tmp))
            print(f"\nembedding cache, {CACHE_ENTRIES} entries, seconds (file size in MB)")
            labels = list(cache_rows[0][1])
            print(f"{'':20} " + " ".join(f"{label:>13}" for label in labels))
            for name, figures in cache_rows:
                print(f"{name:20} " + " ".join(f"{figures[label]:13.3f}" for label in labels))
    for r in results:
        print(f"index {r['passages']} {r.get('label', '')}: {json.dumps(r['index'])}")
    print_targets(results)
    print(f"latencies: warm, one query at a time, p50/p95 over {ROUNDS} passes over the questions")


if __name__ == "__main__":
    main()
