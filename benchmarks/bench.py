"""Performance numbers for treatybot on this machine, printed in one run.

- `treatybot build` with an empty embedding cache, and again after editing one analysis file;
- cold start: a fresh `treatybot ask` process, from start to first answer, beside a bare
  `import sentence_transformers` + model load + one encode (medians of fresh processes);
- warm latency p50/p95 of (a) the bare query embedding and (b) retrieval + answer composition;
- peak resident memory of each process.

Usage: python benchmarks/bench.py [--corpus DIR] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bot.engine.engine import Engine  # noqa: E402
from index_contract.config import load_settings  # noqa: E402

QUESTIONS = PROJECT.parent / "shared" / "eval" / "questions.yaml"
SAMPLE_QUESTION = "Can the authorities search and seize stored electronic data?"
# Runs the CLI and reports the process's own peak RSS on exit.
CHILD = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    "f'PEAK_RSS_KB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n'))\n"
    "from bot.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
# The same for a bare sentence-transformers start: import, model load, one question embedded.
BARE_MODEL = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    "f'PEAK_RSS_KB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n'))\n"
    "import sentence_transformers\n"
    "from index_contract.models import Embedder\n"
    "Embedder(sys.argv[1]).encode_query(sys.argv[2])\n"
)
COLD_RUNS = 3  # fresh processes per cold-start figure; the median is printed
COLD_START_TARGET_S = 1.0
COLD_START_TARGET_RATIO = 0.25
RSS_TARGET_MB = 300


def run_cli(*args: str, env: dict[str, str], child: str = CHILD) -> tuple[float, float, str]:
    """Wall-clock seconds, peak RSS in MB and stdout of one `treatybot` process."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", child, *args], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"treatybot {' '.join(args)} failed:\n{done.stderr}")
    rss_kb = int(re.search(r"PEAK_RSS_KB=(\d+)", done.stderr).group(1))
    return seconds, rss_kb / 1024, done.stdout


def median_run(run) -> tuple[float, float]:
    """Median wall seconds and median peak RSS of `COLD_RUNS` fresh processes."""
    runs = [run() for _ in range(COLD_RUNS)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the question set")
    args = parser.parse_args()
    settings = load_settings(corpus=args.corpus)
    questions = [q["question"] for q in yaml.safe_load(QUESTIONS.read_text("utf-8"))["questions"]]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus, index = work / "corpus", work / "index"
        shutil.copytree(settings.corpus, corpus)
        for path in corpus.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        env = {
            **os.environ,
            "TREATYBOT_CORPUS": str(corpus),
            "TREATYBOT_INDEX": str(index),
            "TREATYBOT_CACHE": str(work / "cache"),
            "TREATYBOT_MODEL": settings.model,
        }
        # Bytecode as an installed package has it (pip compiles on install; an editable checkout
        # writes it on first run, unless PYTHONDONTWRITEBYTECODE is set, as on some machines).
        compile_all = [sys.executable, "-m", "compileall", "-q", "bot", "index_build", "index_contract"]
        subprocess.run(compile_all, cwd=PROJECT, check=True)
        cold_build = run_cli("build", env=env)
        edited = sorted((corpus / "analysis").glob("*.md"))[0]
        edited.write_text(edited.read_text("utf-8") + "\nOne more sentence for the benchmark.\n", "utf-8")
        rebuild = run_cli("build", env=env)
        cold_start = median_run(lambda: run_cli("ask", SAMPLE_QUESTION, "--json", env=env))
        bare_model = median_run(lambda: run_cli(settings.model, SAMPLE_QUESTION, env=env, child=BARE_MODEL))

        engine = Engine.load(index)
        for question in questions:  # warm-up
            engine.ask(question)
        embed_times, answer_times = [], []
        for _ in range(args.rounds):
            for question in questions:
                embed_times.append(timed(lambda q=question: engine.embedder.encode_query(q)))
                answer_times.append(timed(lambda q=question: engine.ask(q)))
        serving_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ms = 1000
    embed_p50, embed_p95 = percentile(embed_times, 50) * ms, percentile(embed_times, 95) * ms
    answer_p50, answer_p95 = percentile(answer_times, 50) * ms, percentile(answer_times, 95) * ms
    mean_ratio = statistics.mean(answer_times) / statistics.mean(embed_times)
    print(f"model {settings.model}; {len(engine.passages)} passages; {len(answer_times)} timed queries")
    print(f"{'':46} {'seconds':>9} {'peak RSS':>10}")
    for label, (seconds, rss_mb, output) in (
        ("build, empty embedding cache", cold_build),
        ("rebuild after editing one analysis", rebuild),
        (f"cold start: ask to first answer ({engine.embedder.__class__.__name__})", (*cold_start, "")),
        ("bare sentence-transformers start+encode", (*bare_model, "")),
    ):
        print(f"{label:46} {seconds:9.2f} {rss_mb:8.0f} MB  {output.strip()}")
    print(f"{'serving engine after all queries':46} {'':9} {serving_rss_mb:8.0f} MB")
    ratio = cold_start[0] / bare_model[0]
    print(
        f"cold start {cold_start[0]:.2f} s (target <= {COLD_START_TARGET_S} s), "
        f"{ratio:.2f}x the bare model start (target <= {COLD_START_TARGET_RATIO}x); "
        f"peak RSS ask {cold_start[1]:.0f} MB, serving "
        f"{serving_rss_mb:.0f} MB (target <= {RSS_TARGET_MB} MB); medians of {COLD_RUNS} fresh processes"
    )
    print(f"query embedding    p50 / p95: {embed_p50:6.1f} / {embed_p95:.1f} ms")
    print(f"retrieval + answer p50 / p95: {answer_p50:6.1f} / {answer_p95:.1f} ms")
    print(
        f"ratio answer / embedding p50 / p95: {answer_p50 / embed_p50:.2f} / "
        f"{answer_p95 / embed_p95:.2f} (mean {mean_ratio:.2f})"
    )


if __name__ == "__main__":
    main()
