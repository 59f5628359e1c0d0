"""Retrieval evaluation on a question file (format: ../shared/eval/questions.yaml).

A file holds `questions`, or `conversations` whose `turns` are questions asked one after
the other in one thread. Each question lists the places that answer it; a retrieved passage
is a hit when it lies in one of them:

  uncc:N, budapest:N        Article N of that treaty (any paragraph)
  uncc:N(P)                 paragraph P of Article N
  uncc:preamble, uncc:annex the preamble or the annex of interpretative notes
  a-res-79-243-resolution   any passage of that document (a document id alone)
  analysis                  any passage of commentary

Each file is scored for each retriever's ranking (hybrid, bm25, dense) and for what a user sees
(`answer`): the passages of the composed answer in the order `ask --json` and `chat --json` give
them; a declined answer has no hit.

Over answerable questions: recall@k is the share with a hit among the first k passages,
MRR@10 the mean reciprocal rank of the first hit; `refused_in_scope` is the share the engine
refused. Over questions with an empty `expect` list, `refused_out_of_scope` is the share
refused. Conversations are reported twice: their first turns, and the follow-up turns,
each asked with the conversation so far.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.engine.conversation import Conversation
from bot.engine.engine import Engine
from bot.engine.places import Place, parse_place
from bot.engine.retrieval import Method
from index_contract.safe_yaml import load_yaml
from index_contract.schema import Passage

RECALL_CUTOFFS = (1, 5)
MRR_CUTOFF = 10
QUESTIONS, FIRST_TURNS, FOLLOW_UPS = "questions", "first turns", "follow-ups"
ANSWER = "answer"  # what a user sees, beside the retrievers' rankings


class QuestionFileError(ValueError):
    """The question file is missing or malformed."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    expect: tuple[str, ...]
    kind: str = ""  # an optional label: the kind of near miss, "answerable", ...
    places: tuple[Place, ...] = ()


@dataclass(frozen=True)
class Thread:
    """A conversation of the question file: turns asked one after another."""

    id: str
    turns: tuple[Question, ...]


@dataclass(frozen=True)
class QuestionFile:
    questions: tuple[Question, ...] = ()
    conversations: tuple[Thread, ...] = ()


@dataclass
class Outcome:
    question: Question
    group: str  # QUESTIONS, FIRST_TURNS or FOLLOW_UPS
    first_hit: int | None  # 1-based rank of the first hit within the cutoff
    refused: bool
    evidence: float
    top: list[str]  # citations of the first passages


@dataclass
class MethodReport:
    method: str  # a retrieval Method, or ANSWER
    depth: int = MRR_CUTOFF
    outcomes: list[Outcome] = field(default_factory=list)

    def groups(self) -> list[str]:
        return list(dict.fromkeys(o.group for o in self.outcomes))

    def metrics(self, group: str | None = None) -> dict[str, float | int]:
        """The metrics over one group of outcomes (all of them when `group` is None)."""
        outcomes = [o for o in self.outcomes if group in (None, o.group)]
        answerable = [o for o in outcomes if o.question.expect]
        unanswerable = [o for o in outcomes if not o.question.expect]
        result: dict[str, float | int] = {"n": len(outcomes)}
        for k in RECALL_CUTOFFS:
            result[f"recall@{k}"] = _share(
                answerable, lambda o, k=k: o.first_hit is not None and o.first_hit <= k
            )
        for depth in dict.fromkeys((MRR_CUTOFF, self.depth)):  # mrr@10 always, mrr@k if asked
            result[f"mrr@{depth}"] = _mean(
                [1 / o.first_hit if o.first_hit and o.first_hit <= depth else 0.0 for o in answerable]
            )
        result["refused_out_of_scope"] = _share(unanswerable, lambda o: o.refused)
        result["refused_in_scope"] = _share(answerable, lambda o: o.refused)
        return result

    def misses(self, k: int = 5) -> list[Outcome]:
        """Answerable questions without a hit in the first k, and wrong refusals/answers."""
        return [
            o
            for o in self.outcomes
            if (o.question.expect and (o.first_hit is None or o.first_hit > k or o.refused))
            or (not o.question.expect and not o.refused)
        ]


def load_questions(path: Path) -> QuestionFile:
    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise QuestionFileError(f"Question file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"Cannot read the question file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise QuestionFileError(f"{path} is not valid YAML: {exc}") from exc
    questions = data.get("questions") if isinstance(data, dict) else None
    conversations = data.get("conversations") if isinstance(data, dict) else None
    if not (isinstance(questions, list) and questions) and not (
        isinstance(conversations, list) and conversations
    ):
        raise QuestionFileError(
            f"{path}: expected a 'questions' or a 'conversations' list (see the eval file header)"
        )
    return QuestionFile(
        questions=tuple(
            _question(path, f"question #{n}", entry, n) for n, entry in enumerate(questions or [], 1)
        ),
        conversations=tuple(_thread(path, n, entry) for n, entry in enumerate(conversations or [], 1)),
    )


def _thread(path: Path, number: int, entry: object) -> Thread:
    turns = entry.get("turns") if isinstance(entry, dict) else None
    if not isinstance(turns, list) or not turns:
        raise QuestionFileError(f"{path}: conversation #{number} has no 'turns' list")
    thread_id = str(entry.get("id", number))
    return Thread(
        thread_id,
        tuple(_question(path, f"conversation {thread_id} turn {t}", turn, f"{thread_id}.{t}")
              for t, turn in enumerate(turns, 1)),
    )  # fmt: skip


def _question(path: Path, where: str, entry: object, default_id: object) -> Question:
    if not isinstance(entry, dict) or not str(entry.get("question") or "").strip():
        raise QuestionFileError(f"{path}: {where} has no 'question' text")
    expect = entry.get("expect") or []
    if not isinstance(expect, list):
        raise QuestionFileError(f"{path}: {where}: 'expect' must be a list")
    places = []
    for text in map(str, expect):
        place = parse_place(text)
        if place is None:
            raise QuestionFileError(f"{path}: {where}: '{text}' is not a place (see the eval file header)")
        places.append(place)
    return Question(
        str(entry.get("id", default_id)),
        str(entry["question"]),
        tuple(map(str, expect)),
        str(entry.get("kind") or ""),
        tuple(places),
    )


def is_hit(passage: Passage, places: Iterable[Place]) -> bool:
    return any(place.holds(passage) for place in places)


def evaluate(
    engine: Engine,
    questions: QuestionFile,
    methods: tuple[str, ...] = (*Method, ANSWER),
    depth: int = MRR_CUTOFF,
) -> list[MethodReport]:
    """Rank every question with every method (and the composed answer) over the same index;
    conversation turns are asked in order, each with the conversation before it."""
    reports = []
    for method in methods:
        report = MethodReport(str(method), depth)
        ask = _answerer(engine, report) if method == ANSWER else _asker(engine, report, Method(method), depth)
        for question in questions.questions:
            ask(question, QUESTIONS, Conversation())
        for thread in questions.conversations:
            conversation = Conversation()
            for position, turn in enumerate(thread.turns):
                conversation = ask(turn, FOLLOW_UPS if position else FIRST_TURNS, conversation)
        reports.append(report)
    return reports


def _asker(
    engine: Engine, report: MethodReport, method: Method, depth: int
) -> Callable[[Question, str, Conversation], Conversation]:
    def ask(question: Question, group: str, conversation: Conversation) -> Conversation:
        found = engine.retrieve(question.text, method, conversation=conversation)
        ranked = [engine.passages[r] for r in found.rows[: max(depth, MRR_CUTOFF)]]
        first_hit = next((rank for rank, p in enumerate(ranked, 1) if is_hit(p, question.places)), None)
        report.outcomes.append(
            Outcome(
                question, group, first_hit, found.abstained, found.evidence, [p.citation for p in ranked[:3]]
            )
        )
        return conversation.then(found.turn)

    return ask


def _answerer(engine: Engine, report: MethodReport) -> Callable[[Question, str, Conversation], Conversation]:
    """Scores the answer as `ask --json` shows it: its passages in order; a decline has no hit."""

    def ask(question: Question, group: str, conversation: Conversation) -> Conversation:
        answer = engine.ask(question.text, conversation=conversation)
        refused = answer.abstained or answer.out_of_corpus is not None
        shown = [] if refused else [hit.passage for hit in answer.hits]
        first_hit = next((rank for rank, p in enumerate(shown, 1) if is_hit(p, question.places)), None)
        evidence = max((hit.score for hit in answer.hits), default=0.0)
        report.outcomes.append(
            Outcome(question, group, first_hit, refused, evidence, [p.citation for p in shown[:3]])
        )
        return conversation.then(answer.turn) if answer.turn else conversation

    return ask


def _share(items: list, predicate) -> float:
    return round(sum(1 for i in items if predicate(i)) / len(items), 4) if items else 0.0


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0
