"""Answering from the index: ask, chat, search, article, define, compare, eval."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    TREATY_HELP,
    UserError,
    add_command,
    add_json,
    add_k,
    add_source,
    emit,
    err,
    fail,
    open_engine,
    out,
)
from bot.engine.conversation import Conversation
from bot.engine.engine import DEFAULT_K
from bot.engine.request_errors import InvalidRequest, UnknownTerm
from bot.engine.retrieval import Source
from bot.engine.user_input import clean_text, parse_article, parse_whole_article
from bot.evaluation import MRR_CUTOFF, MethodReport, evaluate, load_questions
from bot.terminal import (
    render_answer,
    render_article,
    render_comparison,
    render_definitions,
    render_eval,
    render_search,
)
from bot.terminal_io import stdin_lines
from index_contract.config import Settings

K_HELP = (
    "how many relevant passages an answer draws on: the closest (a few treaty passages, and "
    "commentary) are quoted, the others listed under More"
)
CHAT_PROMPT = "question> "
CHAT_ENDS = {"quit", "exit"}
CHAT_INTRO = (
    "Ask a question per line; follow-ups are read with the questions before them. "
    "Type quit or exit, or press Ctrl-D, to end."
)


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    command = functools.partial(add_command, commands, common)

    ask = command("ask", cmd_ask, "answer a question with quoted, cited passages")
    ask.add_argument("question")
    add_source(ask)
    add_k(ask, DEFAULT_K, K_HELP)
    add_json(ask)

    chat = command("chat", cmd_chat, "answer one question per line of standard input, as a conversation")
    add_source(chat)
    add_k(chat, DEFAULT_K, K_HELP)
    add_json(chat, "print one JSON object per line, as ask --json")

    search = command("search", cmd_search, "list the passages that best match a query")
    search.add_argument("query")
    add_source(search)
    add_k(search, 10, "passages to list")
    add_json(search)

    article = command("article", cmd_article, "print the exact text of an article")
    article.add_argument("number", help="article number or title words: 28, 28(3), 'search and seizure'")
    article.add_argument("--paragraph", help="only this paragraph")
    article.add_argument("--treaty", help=TREATY_HELP)
    add_json(article)

    define = command("define", cmd_define, "quote a treaty's definition of a term")
    define.add_argument("term", nargs="+", help="e.g. traffic data")
    define.add_argument("--treaty", help="only this treaty's definitions (default: every treaty)")
    add_json(define)

    compare = command("compare", cmd_compare, "show an article beside its counterpart in the other treaty")
    compare.add_argument("number", help="article number or title words, e.g. 28")
    compare.add_argument("--treaty", help=TREATY_HELP)
    add_json(compare)

    ev = command(
        "eval",
        cmd_eval,
        "score hybrid, BM25-only and dense-only retrieval, and the answers as users see them",
    )
    ev.add_argument("file", help="question file in the format of shared/eval/questions.yaml")
    add_k(ev, MRR_CUTOFF, "also score MRR over the first N passages of each ranking (at least 5)")
    ev.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a ranking setting for this run, e.g. bm25_weight=1.5 (repeatable)",
    )
    add_json(ev)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_engine(settings)
    answer = engine.ask(args.question, Source(args.source), args.k)
    emit(args, answer.to_dict(), lambda: out.print(render_answer(answer)))
    return EXIT_OK


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Questions from standard input, one per line, each read with the ones before it ("what
    does paragraph 3 say?"). The index is loaded once. A line the engine refuses (empty, too
    long) is reported on its own and the conversation goes on. `quit`, `exit` or the end of
    the input (Ctrl-D) ends it. On a terminal each question is asked at a prompt (and not
    printed again above its answer); piped, there is no prompt and each answer opens with its
    question."""
    engine = open_engine(settings)
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not args.json
    if interactive:
        import readline  # noqa: F401  (line editing and history for input())

        err.print(CHAT_INTRO)
    conversation = Conversation()
    for line in _chat_lines(interactive):
        if line.strip().lower().rstrip(".!") in CHAT_ENDS:
            break
        if not line.strip():
            continue
        try:
            answer = engine.ask(line, Source(args.source), args.k, conversation)
        except InvalidRequest as exc:
            fail(args, str(exc), EXIT_USAGE)
            continue
        conversation = conversation.then(answer.turn) if answer.turn else conversation
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            out.print(render_answer(answer, with_question=not interactive))
            out.print()
    return EXIT_OK


def _chat_lines(interactive: bool) -> Iterator[str]:
    """Lines of standard input; on a terminal read at a prompt, Ctrl-D (or Ctrl-C) ending them."""
    if not interactive:
        yield from stdin_lines()  # an invalid byte is read as U+FFFD, never an end
        return
    while True:
        try:
            yield input(CHAT_PROMPT)
        except (EOFError, KeyboardInterrupt):
            print()  # the prompt's line is ended, so the shell's starts on its own
            return


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_engine(settings)
    answer = engine.search(args.query, Source(args.source), args.k)
    emit(args, answer.to_dict(), lambda: out.print(render_search(answer)))
    return EXIT_OK


def cmd_article(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_engine(settings)
    treaty = engine.treaty_id(args.treaty)
    wanted = parse_article(args.number, engine.article_titles(treaty))
    paragraph = wanted.paragraph
    if args.paragraph is not None:
        given = clean_text(args.paragraph)
        if not given or (paragraph and given != paragraph):
            raise UserError(
                f"--paragraph {given!r} does not fit '{clean_text(args.number)}': give the paragraph "
                "once, as 28(3) or as --paragraph 3.",
                EXIT_USAGE,
            )
        paragraph = given
    view = engine.article(wanted.number, paragraph, treaty)
    emit(args, view.to_dict(), lambda: out.print(render_article(view)))
    return EXIT_OK


def cmd_define(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_engine(settings)
    try:
        lookup = engine.define(" ".join(args.term), engine.treaty_id(args.treaty) if args.treaty else None)
    except UnknownTerm as exc:
        if not args.json:
            raise
        suggestions = [d.to_dict() for d in exc.suggestions]
        print(json.dumps({"error": str(exc), "suggestions": suggestions}, ensure_ascii=False, indent=2))
        print(f"treatybot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    emit(args, lookup.to_dict(), lambda: out.print(render_definitions(lookup)))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_engine(settings)
    treaty = engine.treaty_id(args.treaty)
    number = parse_whole_article(args.number, engine.article_titles(treaty))
    comparison = engine.compare(number, treaty)
    emit(args, comparison.to_dict(), lambda: out.print(render_comparison(comparison)))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.k < 5:
        raise UserError("--k must be at least 5 (recall@5 is reported).", EXIT_USAGE)
    questions = load_questions(Path(args.file))
    engine = open_engine(settings, args.set)
    reports = evaluate(engine, questions, depth=args.k)
    payload = {report.method: _eval_metrics(report) for report in reports}
    emit(args, payload, lambda: out.print(render_eval(reports, args.k)))
    return EXIT_OK


def _eval_metrics(report: MethodReport) -> dict:
    """All outcomes' metrics; for conversations also those of first turns and follow-ups apart."""
    metrics: dict = report.metrics()
    groups = report.groups()
    if len(groups) > 1:
        metrics["groups"] = {group: report.metrics(group) for group in groups}
    return metrics
