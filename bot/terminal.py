"""Rich renderables for the terminal CLI: pure functions from answer objects to output."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.engine.answer import Answer, ArticleView, Comparison, Hit, TermLookup
from bot.evaluation import MethodReport
from bot.presentation import (
    ANALYSIS_SECTION,
    EXCERPT_ENDS,
    LEAD_GAP,
    MORE,
    MORE_SEPARATOR,
    NO_PASSAGES,
    NOT_COVERED,
    TREATY_SECTION,
    Note,
    NoteKind,
    answer_lines,
    article_notes,
    draft_warning,
    hit_notes,
    more_citations,
    says_no_passages,
    section_heading,
    snippet,
)


def render_answer(answer: Answer, *, with_question: bool = True) -> RenderableType:
    """The answer, opening with its question unless the reader has just typed it."""
    parts: list[RenderableType] = [Text(answer.question, style="bold")] if with_question else []
    parts += [
        Text(line.text, style="bold yellow") if line.warning else Text(f"Note: {line.text}", style="yellow")
        for line in answer_lines(answer)
    ]
    sections = (
        (TREATY_SECTION, answer.treaty_hits),
        (ANALYSIS_SECTION, answer.analysis_hits),
    )
    for title, hits in sections[:: -1 if answer.leads_with_commentary else 1]:
        if hits:
            parts.append(Rule(section_heading(title, answer), align="left", style="cyan"))
            parts += [render_hit(hit, answer.final_text_date) for hit in hits]
    more = more_citations(answer)
    if more:
        parts.append(Padding(render_note(Note(NoteKind.MORE, MORE, MORE_SEPARATOR.join(more))), (1, 0, 0, 0)))
    if says_no_passages(answer):
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
        lines.append(Text(f"{p.lead}\n{LEAD_GAP}", style="dim"))
    lines.append(Padding(highlighted(p.quote, hit.highlight), (0, 0, 0, 2)))
    if p.excerpt_ends:
        lines.append(Padding(Text(EXCERPT_ENDS, style="italic yellow"), (0, 0, 0, 2)))
    lines += [render_note(note) for note in hit_notes(hit)]
    lines.append(link_text(p.link))
    return Padding(Group(*lines), (1, 0, 0, 0))


def link_text(url: str) -> Text:
    """A web address on a line of its own, never wrapped: a terminal makes it clickable only whole."""
    return Text(url, style=f"blue underline link {url}", no_wrap=True, overflow="ignore")


def highlighted(quote: str, span: tuple[int, int] | None) -> Text:
    """The quote, its answering sentence or item (`span`) in bold and underlined."""
    text = Text(quote)
    if span is not None:
        text.stylize("bold underline", *span)
    return text


def render_note(note: Note) -> RenderableType:
    """One compact line: '<label>: <text>', a definition's text in italics."""
    line = Text(f"{note.label}: ", style="bold dim")
    line.append(note.text, style="italic dim" if note.kind is NoteKind.DEFINITION else "dim")
    return Padding(line, (0, 0, 0, 2))


def render_article(view: ArticleView) -> RenderableType:
    heading = Text(f"{view.citation}. {view.title}", style="bold green")
    parts: list[RenderableType] = [heading]
    if view.chapter:
        parts.append(Text(view.chapter, style="dim"))
    parts += [Padding(Text(p.quote), (1, 0, 0, 2)) for p in view.passages]
    parts += [Padding(render_note(note), (1, 0, 0, 0)) for note in article_notes(view)]
    parts.append(Padding(link_text(view.link), (1, 0, 0, 0)))
    return Group(*parts)


def render_definitions(lookup: TermLookup) -> RenderableType:
    """Each definition of a term, verbatim, with its citation and link."""
    parts: list[RenderableType] = []
    for term in lookup.definitions:
        parts.append(Padding(Text(f"{term.term} — {term.citation}", style="bold green"), (1, 0, 0, 0)))
        parts.append(Padding(Text(term.text), (0, 0, 0, 2)))
        parts.append(link_text(term.link))
    return Group(*parts)


def render_comparison(comparison: Comparison) -> RenderableType:
    """The article and its counterpart(s) side by side, each quoted in full."""
    left = comparison.article
    parts: list[RenderableType] = [Text(f"{left.citation}. {left.title}", style="bold green")]
    if not comparison.counterparts:
        parts += [Text(notice, style="yellow") for notice in comparison.notices]
        parts += [Padding(Text(p.quote), (1, 0, 0, 2)) for p in left.passages]
        return Group(*parts)
    table = Table(show_lines=True, expand=True)
    table.add_column(f"{left.citation}. {left.title}", ratio=1)
    table.add_column(comparison.other_name, ratio=1)
    right: list[RenderableType] = []
    for other in comparison.counterparts:
        right.append(Text(f"{other.view.citation}. {other.view.title}", style="bold green"))
        right.append(Text(f"Basis: {other.basis}", style="dim"))
        right += [Padding(Text(p.quote), (1, 0, 0, 0)) for p in other.view.passages]
        right.append(Padding(link_text(other.view.link), (0, 0, 1, 0)))
    left_side = [Padding(Text(p.quote), (0, 0, 1, 0)) for p in left.passages]
    table.add_row(Group(*left_side, link_text(left.link)), Group(*right))
    return Group(table)


# Short headers, so that the table fits 80 columns whole (a narrow terminal wraps them between
# words); the legend under it says what they stand for. JSON keeps the metrics' own names.
EVAL_HEADERS = {
    "recall@1": "R@1",
    "recall@5": "R@5",
    "mrr@10": "MRR@10",
    "refused_out_of_scope": "refused out",
    "refused_in_scope": "refused in",
}
EVAL_LEGEND = (
    "R@k: share of answerable questions with a hit in the first k passages. MRR@10: mean "
    "reciprocal rank of the first hit. Refused out / in: share declined of the questions the "
    "corpus does not answer / does."
)


def render_eval(reports: list[MethodReport], mrr_cutoff: int) -> RenderableType:
    table = Table(title="Retrieval on the question file", caption=EVAL_LEGEND, caption_justify="left")
    metric_names = list(reports[0].metrics())
    groups = reports[0].groups()
    headers = ["retriever", *(["turns"] if len(groups) > 1 else []), *metric_names]
    for position, name in enumerate(headers):
        header = EVAL_HEADERS.get(name, name)
        justify = "right" if position else "left"
        table.add_column(header, justify=justify, no_wrap=" " not in header)  # only two-word headers wrap
    for report in reports:
        for group in groups if len(groups) > 1 else [None]:
            metrics = report.metrics(group)
            label = [group] if group else []
            table.add_row(report.method, *label, *(_cell(metrics[name]) for name in metric_names))
    parts: list[RenderableType] = [table]
    for report in reports:
        misses = report.misses()
        parts.append(Rule(f"{report.method}: {len(misses)} missed", align="left"))
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
