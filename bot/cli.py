"""`treatybot` command line: a thin adapter over the answer engine and the index build."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from bot.discord_app.feedback import EXPORT_FORMATS
from bot.engine.conversation import Conversation
from bot.engine.engine import DEFAULT_K, Engine
from bot.engine.errors import InvalidRequest, UnknownTerm
from bot.engine.evaluate import MRR_CUTOFF, MethodReport, QuestionFileError, evaluate, load_questions
from bot.engine.retrieval import Source
from bot.engine.user_input import clean_text, parse_article, parse_whole_article
from bot.terminal import (
    render_answer,
    render_article,
    render_comparison,
    render_definitions,
    render_eval,
    render_search,
)
from bot.terminal_io import safe_consoles, stdin_lines, terminal_safe
from index_build.artifact import IndexBusy, IndexUnavailable
from index_build.config import ConfigError, Settings, load_settings
from index_build.embedding import ModelError
from index_build.sources import CorpusError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
TREATY_HELP = "the treaty, by id or name: uncc (the default), budapest, 'Budapest Convention', ..."

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)
safe_consoles(out, err)


class UserError(Exception):
    """Ends the command with this message and exit status, never a traceback."""

    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Arguments that were invalid UTF-8 hold lone surrogates: echo them escaped, never crash.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = load_settings(
            getattr(args, "config", None),
            corpus=getattr(args, "corpus", None),
            index=getattr(args, "index", None),
        )
        return args.handler(args, settings)
    except UserError as exc:
        return _fail(args, str(exc), exc.status)
    except InvalidRequest as exc:
        return _fail(args, str(exc), EXIT_USAGE)
    except (ConfigError, CorpusError, IndexBusy, IndexUnavailable, ModelError, QuestionFileError) as exc:
        return _fail(args, str(exc), EXIT_FAILURE)
    except OSError as exc:  # an unwritable --output, an index path inside a file, ...
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(args, f"{exc.strerror or exc}{where}", EXIT_FAILURE)
    except UnicodeDecodeError as exc:
        return _fail(args, f"A file is not UTF-8 text ({exc.reason} at byte {exc.start}).", EXIT_FAILURE)
    except KeyboardInterrupt:
        return _fail(args, "Interrupted.", 130)


def _fail(args: argparse.Namespace, message: str, status: int) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"error": message}, ensure_ascii=False))
    print(f"treatybot: {terminal_safe(message)}", file=sys.stderr)
    return status


def add_command(
    commands: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    name: str,
    handler: Callable,
    help_text: str,
) -> argparse.ArgumentParser:
    """One subcommand with the options every command takes; `handler(args, settings)` runs it."""
    sub = commands.add_parser(name, help=help_text, description=help_text, parents=[common])
    sub.set_defaults(handler=handler)
    return sub


def build_parser() -> argparse.ArgumentParser:
    # SUPPRESS: an option given before the command must survive the subparser's defaults.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--config", help="YAML config file (default: treatybot.yaml, $TREATYBOT_CONFIG)")
    common.add_argument("--corpus", help="corpus root (default: $TREATYBOT_CORPUS or ../shared/corpus)")
    common.add_argument("--index", help="index folder (default: $TREATYBOT_INDEX or ./index)")

    parser = argparse.ArgumentParser(
        prog="treatybot",
        description="Quoted, cited answers about the UN Convention against Cybercrime.",
        parents=[common],
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    command = functools.partial(add_command, commands, common)

    ask = command("ask", cmd_ask, "answer a question with quoted, cited passages")
    ask.add_argument("question")
    ask.add_argument("--source", choices=[s.value for s in Source], default=Source.ALL.value)
    ask.add_argument("--k", type=int, default=DEFAULT_K, help=f"passages to show (default {DEFAULT_K})")
    ask.add_argument("--json", action="store_true", help="print one JSON object")

    chat = command("chat", cmd_chat, "answer one question per line of standard input, as a conversation")
    chat.add_argument("--source", choices=[s.value for s in Source], default=Source.ALL.value)
    chat.add_argument("--k", type=int, default=DEFAULT_K, help=f"passages per answer (default {DEFAULT_K})")
    chat.add_argument("--json", action="store_true", help="print one JSON object per line, as ask --json")

    search = command("search", cmd_search, "list the passages that best match a query")
    search.add_argument("query")
    search.add_argument("--source", choices=[s.value for s in Source], default=Source.ALL.value)
    search.add_argument("--k", type=int, default=10, help="passages to list (default 10)")
    search.add_argument("--json", action="store_true", help="print one JSON object")

    article = command("article", cmd_article, "print the exact text of an article")
    article.add_argument("number", help="article number or title words: 28, 28(3), 'search and seizure'")
    article.add_argument("--paragraph", help="only this paragraph")
    article.add_argument("--treaty", help=TREATY_HELP)
    article.add_argument("--json", action="store_true", help="print one JSON object")

    define = command("define", cmd_define, "quote a treaty's definition of a term")
    define.add_argument("term", nargs="+", help="e.g. traffic data")
    define.add_argument("--treaty", help="only this treaty's definitions (default: every treaty)")
    define.add_argument("--json", action="store_true", help="print one JSON object")

    compare = command("compare", cmd_compare, "show an article beside its counterpart in the other treaty")
    compare.add_argument("number", help="article number or title words, e.g. 28")
    compare.add_argument("--treaty", help=TREATY_HELP)
    compare.add_argument("--json", action="store_true", help="print one JSON object")

    build = command("build", cmd_build, "build the index from the corpus")
    build.add_argument("--check", action="store_true", help="only say whether the index is up to date")

    ev = command("eval", cmd_eval, "evaluate hybrid, BM25-only and dense-only retrieval")
    ev.add_argument("file", help="question file in the format of shared/eval/questions.yaml")
    ev.add_argument("--k", type=int, default=MRR_CUTOFF, help=f"ranking depth for MRR (default {MRR_CUTOFF})")
    ev.add_argument("--json", action="store_true", help="print one JSON object")

    serve = command("serve", cmd_serve, "run the Discord bot (token: $DISCORD_TOKEN or discord.token_file)")
    serve.add_argument("--check", action="store_true", help="only check the config and that a token is set")
    serve.add_argument(
        "--shard-count", type=int, metavar="N", help="total shards of the bot (default: Discord's)"
    )
    serve.add_argument("--shard-ids", metavar="IDS", help="the shards this process runs, e.g. 0,1")
    serve.add_argument("--metrics", metavar="HOST:PORT", help="serve /metrics and /health there")

    feedback = command("feedback", cmd_feedback, "print or export the votes given to answers in Discord")
    feedback.add_argument("--format", choices=EXPORT_FORMATS, default="table", help="default: table")
    feedback.add_argument("--output", help="write to this file instead of printing")
    feedback.add_argument(
        "--db", help="feedback SQLite file or postgresql:// URL (default: discord.feedback_db in the config)"
    )

    from bot.corpus_cli import add_corpus_commands  # here: it imports this module's helpers

    add_corpus_commands(commands, common)
    return parser


# --- commands ---------------------------------------------------------------------------------


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_engine(settings)
    answer = engine.ask(args.question, Source(args.source), args.k)
    _emit(args, answer.to_dict(), lambda: out.print(render_answer(answer)))
    return EXIT_OK


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Questions from standard input, one per line, each read with the ones before it ("what
    does paragraph 3 say?"). The index is loaded once. A line the engine refuses (empty, too
    long) is reported on its own and the conversation goes on; end with Ctrl-D."""
    engine = open_engine(settings)
    if sys.stdin.isatty() and not args.json:
        err.print("Ask a question per line; follow-ups are read with the questions before them. Ctrl-D ends.")
    conversation = Conversation()
    for line in stdin_lines():
        if not line.strip():
            continue
        try:
            answer = engine.ask(line, Source(args.source), args.k, conversation)
        except InvalidRequest as exc:
            _fail(args, str(exc), EXIT_USAGE)
            continue
        conversation = conversation.then(answer.turn) if answer.turn else conversation
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            out.print(render_answer(answer))
            out.print()
    return EXIT_OK


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_engine(settings)
    answer = engine.search(args.query, Source(args.source), args.k)
    _emit(args, answer.to_dict(), lambda: out.print(render_search(answer)))
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
    _emit(args, view.to_dict(), lambda: out.print(render_article(view)))
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
    _emit(args, lookup.to_dict(), lambda: out.print(render_definitions(lookup)))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_engine(settings)
    treaty = engine.treaty_id(args.treaty)
    number = parse_whole_article(args.number, engine.article_titles(treaty))
    comparison = engine.compare(number, treaty)
    _emit(args, comparison.to_dict(), lambda: out.print(render_comparison(comparison)))
    return EXIT_OK


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from index_build.build import build_index, check_index, missing_build_modules

    if args.check:
        freshness = check_index(settings.corpus, settings.index, settings.model, verify=True)
        if freshness.up_to_date:
            out.print(f"The index at {settings.index} is up to date.")
            return EXIT_OK
        # soft_wrap: a file name is never cut across lines
        out.print(f"The index at {settings.index} is stale:", markup=False, soft_wrap=True)
        for reason in freshness.reasons:
            out.print(f"  - {reason}", markup=False, soft_wrap=True)
        return EXIT_FAILURE
    missing = missing_build_modules()
    if missing:  # a serving-only install
        raise UserError(
            f"Building the index needs {', '.join(missing)}, which come with the build extra: "
            "pip install -e '.[build]' (as make install does)."
        )
    report = build_index(settings.corpus, settings.index, settings.model, settings.embedding_cache, err)
    out.print(
        f"Built {report.index_dir}: {report.passages} passages "
        f"({report.embedded} texts embedded, {report.reused} reused) in {report.seconds:.1f} s."
    )
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.k < 5:
        raise UserError("--k must be at least 5 (recall@5 is reported).", EXIT_USAGE)
    questions = load_questions(Path(args.file))
    engine = open_engine(settings)
    reports = evaluate(engine, questions, depth=args.k)
    payload = {report.method.value: _eval_metrics(report) for report in reports}
    _emit(args, payload, lambda: out.print(render_eval(reports, args.k)))
    return EXIT_OK


def _eval_metrics(report: MethodReport) -> dict:
    """All outcomes' metrics; for conversations also those of first turns and follow-ups apart."""
    metrics: dict = report.metrics()
    groups = report.groups()
    if len(groups) > 1:
        metrics["groups"] = {group: report.metrics(group) for group in groups}
    return metrics


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.discord_app.serve import ServeError, check, serve

    overrides = _serve_overrides(args)
    try:
        if args.check:
            out.print(check(settings, overrides), markup=False)
            return EXIT_OK
        return serve(settings, open_engine, overrides)
    except ServeError as exc:
        raise UserError(str(exc)) from None


def _serve_overrides(args: argparse.Namespace) -> dict[str, object]:
    """`serve` flags over the config's discord settings, checked like them."""
    from bot.discord_app.metrics import parse_address
    from bot.discord_app.settings import parse_shard_ids

    overrides: dict[str, object] = {}
    try:
        if args.shard_count is not None:
            if args.shard_count < 1:
                raise ValueError(f"--shard-count must be at least 1, got {args.shard_count}")
            overrides["shard_count"] = args.shard_count
        if args.shard_ids is not None:
            overrides["shard_ids"] = parse_shard_ids(args.shard_ids)
        if args.metrics is not None:
            parse_address(args.metrics)
            overrides["metrics_address"] = args.metrics.strip()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return overrides


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from bot.discord_app.feedback import export
    from bot.discord_app.settings import discord_settings
    from bot.discord_app.vote_store import FeedbackError, open_vote_store

    store = open_vote_store(args.db or discord_settings(settings).feedback_db)
    if args.db and not store.exists():
        raise UserError(f"No feedback file at {store.where}.")
    try:
        text = export(store.votes(), args.format)
    except FeedbackError as exc:
        raise UserError(str(exc)) from None
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        err.print(f"Wrote {args.output}.", markup=False)
    else:
        sys.stdout.write(text)
    return EXIT_OK


# --- helpers ----------------------------------------------------------------------------------


def open_engine(settings: Settings) -> Engine:
    """Load the index; warn (and keep going) when it is older than the corpus."""
    from index_build.artifact import read_manifest

    if read_manifest(settings.index) is None:
        raise UserError(f"No index at {settings.index}. Build it first with: treatybot build")
    _warn_if_stale(settings)
    return Engine.load(settings.index)


def _warn_if_stale(settings: Settings) -> None:
    from index_build.build import check_index

    try:
        freshness = check_index(settings.corpus, settings.index, settings.model)
    except CorpusError:
        return  # no corpus here to compare with: nothing to warn about
    if not freshness.up_to_date:
        err.print(
            f"Warning: the index is stale ({'; '.join(freshness.reasons[:3])}"
            f"{'; ...' if len(freshness.reasons) > 3 else ''}). Answering from it anyway; "
            "rebuild with: treatybot build",
            style="yellow",
            markup=False,
        )


def _emit(args: argparse.Namespace, payload: dict, render: Callable[[], None]) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        render()


if __name__ == "__main__":
    # Run as bot.cli, not as __main__: bot.corpus_cli raises bot.cli's UserError.
    from bot.cli import main as cli_main

    sys.exit(cli_main())
