"""The size of the Discord answer to every question of the question files: characters shown
(content and embeds), messages and embeds, as the median, the 90th percentile and the maximum,
for answers and for declines (questions the corpus cannot answer) apart. Conversation turns are
asked in order, each with the conversation before it, as in a thread.

Usage: python benchmarks/answer_size.py [FILE ...] [--index DIR]
       (FILEs: benchmarks/questions/*.yaml and the dev set by default)
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bot.discord_app.render import answer_replies  # noqa: E402
from bot.engine.answer import Answer  # noqa: E402
from bot.engine.conversation import Conversation  # noqa: E402
from bot.engine.engine import Engine  # noqa: E402
from bot.evaluation import load_questions  # noqa: E402
from index_contract.config import load_settings  # noqa: E402

DEV = PROJECT.parent / "shared" / "eval" / "questions.yaml"
QUESTION_FILES = sorted((PROJECT / "benchmarks" / "questions").glob("*.yaml"))
PERCENTILE = 90


def answers(engine: Engine, path: Path) -> Iterator[Answer]:
    questions = load_questions(path)
    for question in questions.questions:
        yield engine.ask(question.text)
    for thread in questions.conversations:
        conversation = Conversation()
        for turn in thread.turns:
            answer = engine.ask(turn.text, conversation=conversation)
            conversation = conversation.then(answer.turn) if answer.turn else conversation
            yield answer


def percentile(values: list[int], share: int) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=[*map(str, QUESTION_FILES), str(DEV)])
    parser.add_argument("--index", help="index folder (default: as for treatybot)")
    args = parser.parse_args()
    engine = Engine.load(load_settings(index=args.index).index)
    rows: dict[str, dict[str, list[int]]] = {"answers": {}, "declines": {}}
    for path in map(Path, args.files):
        for answer in answers(engine, path):
            replies = answer_replies(answer)
            group = rows["declines" if answer.out_of_corpus is not None else "answers"]
            for name, value in (
                ("characters", sum(reply.size for reply in replies)),
                ("messages", len(replies)),
                ("embeds", sum(len(reply.embeds) for reply in replies)),
                ("passages shown", sum(hit.shown for hit in answer.hits)),
                ("listed", len(answer.listed_hits)),
            ):
                group.setdefault(name, []).append(value)
    print(f"Discord answers to {len(args.files)} question files")
    for group, measures in rows.items():
        print(f"{group} ({len(measures.get('characters', []))})")
        for name, values in measures.items():
            print(
                f"  {name:15} median {statistics.median(values):>7}   p{PERCENTILE} "
                f"{percentile(values, PERCENTILE):>6}   max {max(values):>6}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
