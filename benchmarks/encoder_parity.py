"""Do the ONNX query encoders (fp32, int8) give the vectors and rankings sentence-transformers gives?

On every passage of a built index and on the benchmark and development questions (each
as asked and as the retriever expands it with the glossary), prints per variant: the
minimum and mean cosine to sentence-transformers' vectors, and how many questions keep
exactly the same dense top-10 over the passage matrix (the index's own vectors).

Usage: python benchmarks/encoder_parity.py [--index DIR] [--encoder DIR]
(without --encoder, the configured model is exported to a temporary folder first)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bot.engine.engine import Engine  # noqa: E402
from bot.engine.retrieval import Retriever  # noqa: E402
from index_build.encoder_export import export_query_encoder, read_settings  # noqa: E402
from index_contract.config import load_settings  # noqa: E402
from index_contract.folder import load_index  # noqa: E402
from index_contract.models import load_embedder  # noqa: E402
from index_contract.query_encoder import load_query_encoder  # noqa: E402

QUESTION_FILES = (
    PROJECT / "benchmarks" / "blind_questions.yaml",
    PROJECT / "benchmarks" / "heldout_questions.yaml",
    PROJECT.parent / "shared" / "eval" / "questions.yaml",
)
TOP_K = 10
SHOWN_CHANGES = 5


def load_questions(retriever: Retriever) -> list[str]:
    """Every question as asked and as expanded for retrieval, without duplicates."""
    asked = []
    for path in QUESTION_FILES:
        if path.exists():
            asked += [q["question"] for q in yaml.safe_load(path.read_text("utf-8"))["questions"]]
    return list(dict.fromkeys(asked + [retriever.vocabulary.expand(q) for q in asked]))


def top_k(queries: np.ndarray, passages: np.ndarray) -> np.ndarray:
    scores = queries @ passages.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :TOP_K]


def compare(
    name: str, vectors: np.ndarray, expected: np.ndarray, n_passages: int, matrix: np.ndarray
) -> dict:
    cosines = np.sum(vectors * expected, axis=1)
    passages, questions = cosines[:n_passages], cosines[n_passages:]
    ours, theirs = top_k(vectors[n_passages:], matrix), top_k(expected[n_passages:], matrix)
    same_order = np.all(ours == theirs, axis=1)
    same_set = np.array([set(a) == set(b) for a, b in zip(ours, theirs, strict=True)])
    overlap = np.array([len(set(a) & set(b)) / TOP_K for a, b in zip(ours, theirs, strict=True)])
    top1 = ours[:, 0] == theirs[:, 0]
    return {
        "name": name,
        "min_passages": float(passages.min()),
        "min_questions": float(questions.min()),
        "mean": float(cosines.mean()),
        "same_order": int(same_order.sum()),
        "same_set": int(same_set.sum()),
        "same_top1": int(top1.sum()),
        "overlap": float(overlap.mean()),
        "changed": np.flatnonzero(~same_order),
        "ours": ours,
        "theirs": theirs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--encoder", type=Path, default=None, help="an exported query-encoder folder")
    args = parser.parse_args()
    settings = load_settings(index=args.index)
    data = load_index(settings.index)
    retriever = Engine(data, embedder=None).retriever  # only its query vocabulary is used
    passages = [p.embed_text for p in data.passages]
    questions = load_questions(retriever)
    texts = passages + questions
    matrix = data.dense.reconstruct_n(0, data.dense.ntotal)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.encoder
        if folder is None:
            folder = Path(tmp) / "query-encoder"
            export_query_encoder(settings.model, folder)
        described = read_settings(folder)
        expected = load_embedder(settings.model).encode(texts)
        results = [
            compare(
                variant, load_query_encoder(folder, variant).encode(texts), expected, len(passages), matrix
            )
            for variant in described["variants"]
        ]

    print(
        f"{len(passages)} passages, {len(questions)} questions (as asked and expanded); "
        f"exporter {described['exporter']['name']}, model {described['model']}"
    )
    drift = np.sum(matrix * expected[: len(passages)], axis=1).min()
    print(f"index vectors against sentence-transformers now: min cosine {drift:.6f}")
    header = (
        f"{'variant':8} {'min cos passages':>17} {'min cos questions':>18} {'mean cos':>9} "
        f"{'same top-10 order':>18} {'same top-10 set':>16} {'same top-1':>11} {'overlap@10':>11}"
    )
    print(header)
    n = len(questions)
    for r in results:
        print(
            f"{r['name']:8} {r['min_passages']:17.6f} {r['min_questions']:18.6f} {r['mean']:9.6f} "
            f"{r['same_order']:>11}/{n:<6} {r['same_set']:>9}/{n:<6} {r['same_top1']:>5}/{n:<5} "
            f"{r['overlap']:11.4f}"
        )
    for r in results:
        for q in r["changed"][:SHOWN_CHANGES]:
            print(f"  {r['name']}: {questions[q][:70]!r}")
            print(f"     onnx {r['ours'][q].tolist()}\n     st   {r['theirs'][q].tolist()}")


if __name__ == "__main__":
    main()
