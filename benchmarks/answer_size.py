"""The size of the Discord answer to every question of a file: characters shown (content and
embeds), messages and embeds, as the median and the maximum.

Usage: python benchmarks/answer_size.py [FILE] [--index DIR]   (FILE: the dev set by default)
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bot.discord_app.render import answer_replies  # noqa: E402
from bot.engine.engine import Engine  # noqa: E402
from bot.evaluation import load_questions  # noqa: E402
from index_contract.config import load_settings  # noqa: E402

DEV = PROJECT.parent / "shared" / "eval" / "questions.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEV))
    parser.add_argument("--index", help="index folder (default: as for treatybot)")
    args = parser.parse_args()
    engine = Engine.load(load_settings(index=args.index).index)
    sizes, embeds, shown, listed = [], [], [], []
    for question in load_questions(Path(args.file)).questions:
        answer = engine.ask(question.text)
        replies = answer_replies(answer)
        sizes.append(sum(reply.size for reply in replies))
        embeds.append(sum(len(reply.embeds) for reply in replies))
        shown.append(sum(hit.shown for hit in answer.hits))
        listed.append(len(answer.listed_hits))
    print(f"{len(sizes)} answers to {Path(args.file).name}")
    for name, values in (
        ("characters", sizes),
        ("embeds", embeds),
        ("passages shown", shown),
        ("listed", listed),
    ):
        print(f"  {name:15} median {statistics.median(values):>6}   max {max(values):>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
