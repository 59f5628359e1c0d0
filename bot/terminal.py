"""Rich renderables for the terminal CLI: pure functions from answer objects to output."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.engine.answer import Answer, ArticleView, Hit
from bot.engine.evaluate import MethodReport
from bot.wording import (
    ANALYSIS_SECTION,
    NO_PASSAGES,
    NOT_COVERED,
    TREATY_SECTION,
    draft_warning,
    section_heading,
    snippet,
)


def render_answer(answer: Answer) -> RenderableType:
    parts: list[RenderableType] = [Text(answer.question, style="bold")]
    parts += [Text(f"Note: {notice}", style="yellow") for notice in answer.notices]
    if answer.abstained:
        parts.append(Text(NOT_COVERED, style="bold yellow"))
    sections = (
        (TREATY_SECTION, answer.treaty_hits),
        (ANALYSIS_SECTION, answer.analysis_hits),
    )
    for title, hits in sections:
        if hits:
            heading = section_heading(title, answer.abstained)
            parts.append(Rule(heading, align="left", style="cyan"))
            parts += [render_hit(hit, answer.final_text_date) for hit in hits]
    if not answer.hits:
        parts.append(Text(NO_PASSAGES))
    return Group(*parts)


def render_search(answer: Answer) -> RenderableType:
    """A compact list: citation, score and the opening of each passage."""
    parts: list[RenderableType] = [Text(answer.question, style="bold")]
    if answer.abstained:
        parts.append(Text(NOT_COVERED, style="bold yellow"))
    for rank, hit in enumerate(answer.hits, 1):
        line = Text(f"{rank:>2}. ", style="dim")
        line.append(hit.passage.citation, style="bold green")
        line.append(f"  ({hit.score:.3f})\n    ", style="dim")
        line.append(snippet(hit.passage.quote))
        parts.append(line)
    return Group(*parts)


def render_hit(hit: Hit, final_text_date: str = "") -> RenderableType:
    p = hit.passage
    header = Text(p.citation, style="bold green")
    if p.kind == "treaty" and p.title:
        header.append(f" — {p.title}", style="green")
    lines: list[RenderableType] = [header]
    if p.draft_era:
        lines.append(Text(draft_warning(final_text_date), style="yellow"))
    if p.lead:
        lines.append(Text(f"{p.lead}\n[…]", style="dim"))
    lines.append(Padding(Text(p.quote), (0, 0, 0, 2)))
    lines.append(Text(p.link, style="blue underline"))
    return Padding(Group(*lines), (1, 0, 0, 0))


def render_article(view: ArticleView) -> RenderableType:
    heading = Text(f"{view.citation}. {view.title}", style="bold green")
    parts: list[RenderableType] = [heading]
    if view.chapter:
        parts.append(Text(view.chapter, style="dim"))
    parts += [Padding(Text(p.quote), (1, 0, 0, 2)) for p in view.passages]
    parts.append(Padding(Text(view.link, style="blue underline"), (1, 0, 0, 0)))
    return Group(*parts)


def render_eval(reports: list[MethodReport], mrr_cutoff: int) -> RenderableType:
    table = Table(title="Retrieval on the question file")
    metric_names = list(reports[0].metrics())
    table.add_column("retriever")
    for name in metric_names:
        table.add_column(name, justify="right")
    for report in reports:
        metrics = report.metrics()
        table.add_row(report.method.value, *(_cell(metrics[name]) for name in metric_names))
    parts: list[RenderableType] = [table]
    for report in reports:
        misses = report.misses()
        parts.append(Rule(f"{report.method.value}: {len(misses)} missed", align="left"))
        for outcome in misses:
            q = outcome.question
            expected = ", ".join(q.expect) or "refusal"
            got = "refused" if outcome.refused else f"first hit at {outcome.first_hit or f'>{mrr_cutoff}'}"
            parts.append(
                Text(
                    f"  {q.id} {q.text}\n    expected {expected}; {got}; evidence "
                    f"{outcome.evidence:.3f}; top: {'; '.join(outcome.top)}"
                )
            )
    return Group(*parts)


def _cell(value: float | int) -> str:
    return str(value) if isinstance(value, int) else f"{value:.3f}"
