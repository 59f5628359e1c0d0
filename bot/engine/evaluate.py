"""Retrieval evaluation on a question file (format: ../shared/eval/questions.yaml).

A retrieved passage is a hit when it lies inside one of the question's expected places
(`uncc:N`, `uncc:preamble`, `uncc:annex`, `budapest:N`, `analysis`). Over answerable
questions: recall@k is the share with a hit among the first k passages, MRR@10 the mean
reciprocal rank of the first hit; `refused_in_scope` is the share the engine refused.
Over questions with an empty `expect` list, `refused_out_of_scope` is the share refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.engine.engine import Engine
from bot.engine.retrieval import Method
from index_build.schema import Passage

RECALL_CUTOFFS = (1, 5)
MRR_CUTOFF = 10


class QuestionFileError(ValueError):
    """The question file is missing or malformed."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    expect: tuple[str, ...]


@dataclass
class Outcome:
    question: Question
    first_hit: int | None  # 1-based rank of the first hit within the cutoff
    refused: bool
    evidence: float
    top: list[str]  # citations of the first passages


@dataclass
class MethodReport:
    method: Method
    depth: int = MRR_CUTOFF
    outcomes: list[Outcome] = field(default_factory=list)

    def metrics(self) -> dict[str, float | int]:
        answerable = [o for o in self.outcomes if o.question.expect]
        unanswerable = [o for o in self.outcomes if not o.question.expect]
        result: dict[str, float | int] = {"n": len(self.outcomes)}
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


def load_questions(path: Path) -> list[Question]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise QuestionFileError(f"Question file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"Cannot read the question file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise QuestionFileError(f"{path} is not valid YAML: {exc}") from exc
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise QuestionFileError(f"{path}: expected a 'questions' list (see the eval file header)")
    questions = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not str(entry.get("question") or "").strip():
            raise QuestionFileError(f"{path}: question #{number} has no 'question' text")
        expect = entry.get("expect") or []
        if not isinstance(expect, list):
            raise QuestionFileError(f"{path}: question #{number}: 'expect' must be a list")
        questions.append(
            Question(str(entry.get("id", number)), str(entry["question"]), tuple(map(str, expect)))
        )
    return questions


def is_hit(passage: Passage, expect: tuple[str, ...]) -> bool:
    for place in expect:
        if place == "analysis":
            if passage.kind == "analysis":
                return True
            continue
        doc, _, where = place.partition(":")
        if passage.doc != doc:
            continue
        if where in ("preamble", "annex") and passage.section == where:
            return True
        if where.isdigit() and passage.section == "article" and passage.article == int(where):
            return True
    return False


def evaluate(
    engine: Engine,
    questions: list[Question],
    methods: tuple[Method, ...] = tuple(Method),
    depth: int = MRR_CUTOFF,
) -> list[MethodReport]:
    """Rank every question with every method over the same index."""
    reports = []
    for method in methods:
        report = MethodReport(method, depth)
        for question in questions:
            found = engine.retrieve(question.text, method)
            ranked = [engine.passages[r] for r in found.rows[: max(depth, MRR_CUTOFF)]]
            first_hit = next((rank for rank, p in enumerate(ranked, 1) if is_hit(p, question.expect)), None)
            report.outcomes.append(
                Outcome(
                    question, first_hit, found.abstained, found.evidence, [p.citation for p in ranked[:3]]
                )
            )
        reports.append(report)
    return reports


def _share(items: list, predicate) -> float:
    return round(sum(1 for i in items if predicate(i)) / len(items), 4) if items else 0.0


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0
