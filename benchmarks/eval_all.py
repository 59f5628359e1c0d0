"""Retrieval on every question file, one table: hybrid, BM25-only and dense-only.

The question files: the dev set (../shared/eval/questions.yaml), benchmarks/heldout_questions.yaml,
benchmarks/blind_questions.yaml and benchmarks/questions/*.yaml (everyday, near-miss and
conversation files written from the corpus alone; the -b files are held out from tuning).
Conversations are reported as their first turns and their follow-up turns.

Usage: python benchmarks/eval_all.py [--index DIR] [--methods hybrid,bm25,dense] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bot.engine.engine import Engine  # noqa: E402
from bot.engine.retrieval import Method  # noqa: E402
from bot.evaluation import ANSWER, evaluate, load_questions  # noqa: E402
from index_contract.config import load_settings  # noqa: E402

QUESTION_FILES = [
    PROJECT.parent / "shared" / "eval" / "questions.yaml",
    PROJECT / "benchmarks" / "heldout_questions.yaml",
    PROJECT / "benchmarks" / "blind_questions.yaml",
    *sorted((PROJECT / "benchmarks" / "questions").glob("*.yaml")),
]
COLUMNS = ("n", "recall@1", "recall@5", "mrr@10", "refused_out_of_scope", "refused_in_scope")
HEADERS = (
    "file",
    "turns",
    "retriever",
    "n",
    "r@1",
    "r@5",
    "MRR@10",
    "unanswerable refused",
    "answerable refused",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index folder (default: as for treatybot)")
    parser.add_argument("--methods", default=",".join([*Method, ANSWER]))
    args = parser.parse_args()
    engine = Engine.load(load_settings(index=args.index).index)
    methods = tuple(args.methods.split(","))
    print("| " + " | ".join(HEADERS) + " |")
    print("|" + "---|" * len(HEADERS))
    began = time.perf_counter()
    for path in QUESTION_FILES:
        for report in evaluate(engine, load_questions(path), methods):
            groups = report.groups()
            for group in groups if len(groups) > 1 else [None]:
                metrics = report.metrics(group)
                cells = [_cell(metrics[c]) for c in COLUMNS]
                print(f"| {path.stem} | {group or ''} | {report.method} | " + " | ".join(cells) + " |")
    print(f"\n({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    return 0


def _cell(value: float | int) -> str:
    return str(value) if isinstance(value, int) else f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
