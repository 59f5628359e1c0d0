"""Retriever training sweep: for each recipe, train (cached), build an index with the trained
model and evaluate every question file with hybrid, BM25-only and dense-only retrieval.

Tuning files (choose recipes on these only): the dev set ../shared/eval/questions.yaml,
everyday-a, near-miss-a, conversations-a and every *-c file. Held out (reported, never tuned
on): everyday-b, near-miss-b, conversations-b, every *-d file, heldout_questions.yaml and
blind_questions.yaml.

Usage:
  python benchmarks/train_sweep.py [--recipes base,r1,...] [--out DIR] [--markdown]

Each recipe's trained model lives in the retriever cache (--cache), its index in
OUT/index-NAME and its scores in OUT/NAME.json; a recipe already scored is not run again.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from index_build.training import Recipe  # noqa: E402

BASE = "all-MiniLM-L6-v2"
QUESTIONS = PROJECT / "benchmarks" / "questions"
TUNING = [
    PROJECT.parent / "shared" / "eval" / "questions.yaml",
    QUESTIONS / "everyday-a.yaml",
    QUESTIONS / "near-miss-a.yaml",
    QUESTIONS / "conversations-a.yaml",
    *sorted(QUESTIONS.glob("*-c.yaml")),
]
HELD_OUT = [
    QUESTIONS / "everyday-b.yaml",
    QUESTIONS / "near-miss-b.yaml",
    QUESTIONS / "conversations-b.yaml",
    *sorted(QUESTIONS.glob("*-d.yaml")),
    PROJECT / "benchmarks" / "heldout_questions.yaml",
    PROJECT / "benchmarks" / "blind_questions.yaml",
]
# "query" mode: the question side trained against every passage (see index_build/training.py);
# "mnrl": both sides, in-batch and hard negatives (measured at 1-2 pairs/s here: too slow).
DEFAULT = Recipe(
    mode="query", epochs=1, batch_size=64, lr=5e-5, max_seq_length=64, negatives=0, positive="all"
)
RECIPES: dict[str, Recipe | None] = {
    "base": None,  # the untrained model
    "q-e1": DEFAULT,
    "q-e2": replace(DEFAULT, epochs=2),
    "q-e1-best": replace(DEFAULT, positive="best"),
    "q-e1-lr1e4": replace(DEFAULT, lr=1e-4),
    "q-e2-r2": replace(DEFAULT, epochs=2, refreshes=2),
    "q-e1-half": replace(DEFAULT, max_pairs=2700),
    "mnrl-700": Recipe(
        mode="mnrl", epochs=1, batch_size=32, lr=3e-5, max_seq_length=128, negatives=1, max_pairs=700
    ),
}
COLUMNS = ("n", "recall@1", "recall@5", "mrr@10", "refused_out_of_scope", "refused_in_scope")


def python() -> list[str]:
    return [sys.executable]


def env(extra: dict[str, str]) -> dict[str, str]:
    out = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="2", PYTHONPATH=str(PROJECT), **extra)
    return out


def train(name: str, recipe: Recipe, cache: Path) -> tuple[Path, float]:
    """Train (or reuse) in a child process; the model folder and the seconds it took."""
    began = time.perf_counter()
    code = (
        "import json,sys\n"
        "from index_build.training import Recipe, train_cached_for_corpus\n"
        f"r = Recipe(**json.loads({recipe.fingerprint()!r}))\n"
        "log = lambda m: print(m, file=sys.stderr, flush=True)\n"
        f"print(train_cached_for_corpus({BASE!r}, r, {str(cache)!r}, log=log))\n"
    )
    done = subprocess.run([*python(), "-c", code], env=env({}), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"training {name} failed:\n{done.stderr[-3000:]}")
    return Path(done.stdout.strip().splitlines()[-1]), time.perf_counter() - began


def build(model: str, index: Path) -> float:
    began = time.perf_counter()
    done = subprocess.run(
        [*python(), "-m", "bot.cli", "build"],
        env=env({"TREATYBOT_MODEL": model, "TREATYBOT_INDEX": str(index)}),
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )
    if done.returncode:
        raise SystemExit(f"build with {model} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - began


def readable_copy(path: Path, folder: Path) -> Path:
    """The question file with 'analysis:FILE.md' places as the document id FILE (what the
    evaluator reads: any passage of that commentary file); other files unchanged."""
    text = path.read_text(encoding="utf-8")
    if "analysis:" not in text:
        return path
    fixed = re.sub(r"analysis:([\w.-]+?)(?:\.md)?(?=[\]\s,'\"])", r"\1", text)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / path.name).write_text(fixed, encoding="utf-8")
    return folder / path.name


def evaluate_index(index: Path) -> list[dict]:
    code = (
        "import json,sys\n"
        "from pathlib import Path\n"
        "from bot.engine.engine import Engine\n"
        "from bot.engine.evaluate import evaluate, load_questions\n"
        "from bot.engine.retrieval import Method\n"
        f"engine = Engine.load(Path({str(index)!r}))\n"
        "rows = []\n"
        "for path in json.loads(sys.argv[1]):\n"
        "    for report in evaluate(engine, load_questions(Path(path)), tuple(Method)):\n"
        "        groups = report.groups()\n"
        "        for group in groups if len(groups) > 1 else [None]:\n"
        "            m = report.metrics(group)\n"
        "            rows.append(dict(file=Path(path).stem, turns=group or '', method=report.method.value,\n"
        f"                             **{{c: m[c] for c in {COLUMNS!r}}}))\n"
        "print(json.dumps(rows))\n"
    )
    files = [str(readable_copy(p, index.parent / "questions")) for p in TUNING + HELD_OUT if p.is_file()]
    done = subprocess.run(
        [*python(), "-c", code, json.dumps(files)], env=env({}), capture_output=True, text=True, cwd=PROJECT
    )
    if done.returncode:
        raise SystemExit(f"evaluation failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def held_out(stem: str) -> bool:
    return stem in {p.stem for p in HELD_OUT}


def summary(rows: list[dict], method: str = "hybrid") -> dict[str, float]:
    """Mean MRR@10 and recall@1 over the tuning and the held-out files (answerable rows)."""
    out: dict[str, float] = {}
    for part in ("tuning", "held-out"):
        picked = [
            r
            for r in rows
            if r["method"] == method and held_out(r["file"]) == (part == "held-out") and r["n"]
        ]
        for metric in ("recall@1", "recall@5", "mrr@10"):
            out[f"{part} {metric}"] = round(sum(r[metric] for r in picked) / max(1, len(picked)), 4)
    return out


def print_table(out: Path, names: list[str]) -> None:
    """Markdown: one row per file, group and retriever; the recipes side by side."""
    records = {n: json.loads((out / f"{n}.json").read_text()) for n in names}
    metrics = ("recall@1", "recall@5", "mrr@10", "refused_out_of_scope", "refused_in_scope")
    short = ("r@1", "r@5", "MRR", "unans. refused", "ans. refused")
    head = ["file", "set", "turns", "retriever", "n"] + [f"{s} {n}" for s in short for n in names]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    first = records[names[0]]["rows"]
    for row in first:
        others = [
            next(
                r
                for r in records[n]["rows"]
                if (r["file"], r["turns"], r["method"]) == (row["file"], row["turns"], row["method"])
            )
            for n in names
        ]
        cells = [
            row["file"],
            "held-out" if held_out(row["file"]) else "tuning",
            row["turns"],
            row["method"],
            str(row["n"]),
        ]
        cells += [f"{o[m]:.3f}" for m in metrics for o in others]
        print("| " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", default="base,e1-n1")
    parser.add_argument("--out", default=str(PROJECT / ".cache" / "sweep"))
    parser.add_argument("--cache", default=str(PROJECT / ".cache" / "retrievers"))
    parser.add_argument("--table", help="A,B: print every file's rows for recipes A and B (already run)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.table:
        print_table(out, args.table.split(","))
        return 0
    for name in args.recipes.split(","):
        result = out / f"{name}.json"
        if result.is_file():
            print(name, json.loads(result.read_text())["summary"])
            continue
        recipe = RECIPES[name]
        model, seconds = (BASE, 0.0) if recipe is None else train(name, recipe, Path(args.cache))
        built = build(str(model), out / f"index-{name}")
        rows = evaluate_index(out / f"index-{name}")
        record = {
            "name": name,
            "recipe": None if recipe is None else json.loads(recipe.fingerprint()),
            "model": str(model),
            "train_seconds": round(seconds, 1),
            "build_seconds": round(built, 1),
            "summary": summary(rows),
            "summary_dense": summary(rows, "dense"),
            "rows": rows,
        }
        result.write_text(json.dumps(record, indent=1))
        print(
            name,
            record["summary"],
            record["summary_dense"],
            f"train {seconds:.0f}s build {built:.0f}s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
