"""Cold start of a query encoder: a fresh process imports it, loads it, embeds one question.

Compares the ONNX encoder (fp32 and int8) with sentence-transformers: median wall time
and median peak RSS over several fresh processes, plus the size of the exported folder.

Usage: python benchmarks/encoder_cold_start.py [--encoder DIR] [--runs N]
(without --encoder, the configured model is exported to a temporary folder first)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

QUESTION = "Can the authorities search and seize stored electronic data?"
ONNX_CHILD = (
    "import sys\n"
    "from index_build.encoder_export import load_query_encoder\n"
    "load_query_encoder(sys.argv[1], sys.argv[2]).encode_query(sys.argv[3])\n"
)
ST_CHILD = (
    "import sys\n"
    "from index_contract.models import Embedder\n"
    "Embedder(sys.argv[1]).encode_query(sys.argv[2])\n"
)
MIB = 1024


def run_fresh(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], cwd=PROJECT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"{args} failed")
    return seconds, usage.ru_maxrss / MIB


def folder_mib(path: Path, names: list[str]) -> float:
    return sum((path / n).stat().st_size for n in names) / (1024 * 1024)


def main() -> None:
    from index_build.encoder_export import export_query_encoder
    from index_contract.config import load_settings
    from index_contract.query_encoder import TOKENIZER, read_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    model = load_settings().model
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.encoder
        if folder is None:
            folder = Path(tmp) / "query-encoder"
            export_query_encoder(model, folder)
        variants = read_settings(folder)["variants"]
        commands = {f"onnx {v}": ["-c", ONNX_CHILD, str(folder), v, QUESTION] for v in variants}
        commands["sentence-transformers"] = ["-c", ST_CHILD, model, QUESTION]
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for name in commands:  # warm the file cache once
            run_fresh(commands[name])
        for _ in range(args.runs):
            for name, command in commands.items():  # interleaved: drift hits all alike
                figures[name].append(run_fresh(command))
        print(f"fresh process: import, load, embed one question; medians of {args.runs} runs")
        print(f"{'encoder':22} {'wall s':>7} {'peak RSS MiB':>13} {'files MiB':>10}")
        for name, runs in figures.items():
            wall = statistics.median(r[0] for r in runs)
            rss = statistics.median(r[1] for r in runs)
            size = ""
            if name.startswith("onnx"):
                size = f"{folder_mib(folder, [variants[name.split()[1]], TOKENIZER]):10.1f}"
            print(f"{name:22} {wall:7.2f} {rss:13.0f} {size}")


if __name__ == "__main__":
    main()
