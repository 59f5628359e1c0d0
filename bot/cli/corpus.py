"""`treatybot corpus ...`: the maintainers' corpus tools (index_build.corpus_tools) on the command line.

A thin layer: each command parses its arguments, calls the tool and prints what it did, as
plain lines (no wrapping, so that paths stay whole). The tools are imported only when a
corpus command runs (they need the `build` extra).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from bot.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UserError, add_command
from bot.terminal_io import terminal_safe
from index_build.sources import MANIFEST_PATH, analysis_folder, missing_corpus
from index_contract.config import Settings


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    corpus_help = "maintain the corpus: add or refresh commentary, import the official PDF, fetch a corpus"
    corpus = commands.add_parser("corpus", help=corpus_help, description=corpus_help, parents=[common])
    corpus.set_defaults(handler=lambda args, settings: _usage(corpus))
    tools = corpus.add_subparsers(title="corpus commands", metavar="COMMAND")
    command = functools.partial(add_command, tools, common)

    add = command("add", cmd_add, "add a commentary page to the corpus's analysis folder")
    add.add_argument("url", help="the page's address (recorded as its url)")
    add.add_argument("--html", metavar="FILE", help="read a saved copy of the page instead of fetching it")
    add.add_argument("--date", help="publication date YYYY-MM-DD, when the page does not give one")
    add.add_argument("--publisher", help="publisher's name (default: the site's name)")
    add.add_argument("--title", help="title (default: the page's)")

    refresh_help = "replace commentary excerpts with the full text where the page has it"
    refresh = command("refresh", cmd_refresh, refresh_help)
    refresh.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")

    pdf = command("import-pdf", cmd_import_pdf, "convert an official PDF into a treaty text of the corpus")
    pdf.add_argument("file", help="the PDF, e.g. A_RES_79_243.pdf")
    pdf.add_argument(
        "--source", default="uncc", help="the manifest's id: uncc (default), a-res-79-243-resolution"
    )
    pdf.add_argument("--output", metavar="FILE", help="write here instead of the manifest's path")

    fetch_help = "download the official PDF and the listed commentary into a new corpus"
    fetch = command("fetch", cmd_fetch, fetch_help)
    fetch.add_argument("--to", metavar="DIR", help="the new corpus root (default: the corpus setting)")


def _tool_errors(handler: Callable[[argparse.Namespace, Settings], int]) -> Callable:
    """A tool's error ends the command with its message: status 2 when the user must give
    something (--date, --title), else 1."""

    @functools.wraps(handler)
    def wrapped(args: argparse.Namespace, settings: Settings) -> int:
        from index_build.corpus_tools.errors import CorpusToolError, MissingInput

        try:
            return handler(args, settings)
        except ModuleNotFoundError as exc:  # a serving-only install: no trafilatura, no pdfplumber
            raise UserError(
                f"The corpus tools need {exc.name}, which comes with the build extra: "
                "pip install -e '.[build]' (as make install does).",
                EXIT_FAILURE,
            ) from None
        except MissingInput as exc:
            raise UserError(str(exc), EXIT_USAGE) from None
        except CorpusToolError as exc:
            raise UserError(str(exc), EXIT_FAILURE) from None

    return wrapped


@_tool_errors
def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from index_build.corpus_tools.add import add_page
    from index_build.corpus_tools.settings import tool_settings

    _require_corpus(settings)
    written = add_page(
        args.url,
        analysis_folder(settings.corpus, MANIFEST_PATH),
        tool_settings(settings),
        html_file=Path(args.html).expanduser() if args.html else None,
        date=args.date,
        publisher=args.publisher,
        title=args.title,
    )
    article = written.article
    excerpt = " (an excerpt: the page shows only the opening)" if article.excerpt else ""
    _say(f"Wrote {_shown(written.path, settings)}")
    for name, value in (
        ("title", article.title),
        ("publisher", article.publisher),
        ("author", article.author),
        ("date", article.date.isoformat() if article.date else ""),
        ("words", f"{article.words:,}{excerpt}"),
    ):
        if value:
            _say(f"  {name + ':':<11}{value}")
    _say("Index it with: treatybot build")
    return EXIT_OK


@_tool_errors
def cmd_refresh(args: argparse.Namespace, settings: Settings) -> int:
    from index_build.corpus_tools.refresh import REFRESHED, STATUSES, UNREACHABLE, refresh_excerpts
    from index_build.corpus_tools.settings import tool_settings

    _require_corpus(settings)
    folder = analysis_folder(settings.corpus, MANIFEST_PATH)
    report = refresh_excerpts(folder, tool_settings(settings), dry_run=args.dry_run)
    if not report.outcomes:
        _say("No commentary is marked excerpt: true: nothing to refresh.")
        return EXIT_OK
    if report.offline:
        raise UserError(
            f"Offline: none of the {len(report.outcomes)} pages of the files marked excerpt: true could be "
            "reached; every file stays as it was."
        )
    for outcome in report.outcomes:
        if outcome.status == REFRESHED:
            status = "would refresh" if args.dry_run else REFRESHED
            detail = f"{outcome.words_before:,} -> {outcome.words_after:,} words"
        else:
            status, detail = outcome.status, outcome.detail
        _say(f"{status + ':':<18}{_shown(outcome.path, settings)}: {detail}")
    counts = ", ".join(f"{report.count(s)} {s}" for s in STATUSES if report.count(s))
    tail = " (dry run: nothing was written)" if args.dry_run else ""
    _say(f"{len(report.outcomes)} excerpts: {counts}{tail}.")
    if report.count(REFRESHED) and not args.dry_run:
        _say("Index the refreshed files with: treatybot build")
    return EXIT_FAILURE if report.count(UNREACHABLE) else EXIT_OK


@_tool_errors
def cmd_import_pdf(args: argparse.Namespace, settings: Settings) -> int:
    from index_build.corpus_tools.import_pdf import import_pdf

    output = Path(args.output).expanduser().resolve() if args.output else None
    if output is None:
        _require_corpus(settings)
    imported = import_pdf(Path(args.file).expanduser(), args.source, settings.corpus, MANIFEST_PATH, output)
    where = _shown(imported.path, settings)
    if imported.unchanged:
        _say(f"{where} already holds this text: nothing written.")
        return EXIT_OK
    articles = f"{imported.articles} articles, " if imported.source.articles else ""
    _say(f"Wrote {where}: {articles}{imported.words:,} words, checked against the manifest.")
    if output is None:
        _say("Index it with: treatybot build")
    return EXIT_OK


@_tool_errors
def cmd_fetch(args: argparse.Namespace, settings: Settings) -> int:
    from index_build.corpus_tools.fetch_corpus import fetch_corpus
    from index_build.corpus_tools.settings import tool_settings

    target = Path(args.to).expanduser().resolve() if args.to else settings.corpus
    report = fetch_corpus(target, tool_settings(settings), MANIFEST_PATH, progress=_progress)
    _say(f"Wrote a corpus to {report.target}:")
    for path, imported in report.imported:
        articles = f"{imported.articles} articles, " if imported.source.articles else ""
        _say(f"  {path}: {articles}{imported.words:,} words, from {report.pdf_url}")
    for source_id, why in report.not_fetched.items():
        _say(f"  {source_id}: not fetched. {why}")
    fetched = len(report.pages) - len(report.failed)
    excerpts = sum(page.excerpt for page in report.pages if not page.error)
    note = f" ({excerpts} only an excerpt)" if excerpts else ""
    _say(f"  commentary: {fetched} of {len(report.pages)} pages{note}")
    for page in report.failed:
        _say(f"    failed {page.file}: {page.error}")
    if report.not_fetched:
        _say(f"Add the texts not fetched, then index with: treatybot --corpus {report.target} build")
    else:
        _say(f"Index it with: treatybot --corpus {report.target} build")
    return EXIT_FAILURE if report.failed else EXIT_OK


def _require_corpus(settings: Settings) -> None:
    if not settings.corpus.is_dir():
        raise UserError(missing_corpus(settings.corpus))


def _shown(path: Path, settings: Settings) -> str:
    try:
        return path.relative_to(settings.corpus).as_posix()
    except ValueError:
        return str(path)


def _say(line: str) -> None:
    print(terminal_safe(line), flush=True)


def _progress(line: str) -> None:
    print(terminal_safe(line), file=sys.stderr, flush=True)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_USAGE
