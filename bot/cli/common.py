"""What every command shares: exit statuses, the consoles, the one user error, the options
declared once (`--json`, `--source`, `--k`), opening the engine, printing JSON or text."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from rich.console import Console

from bot.engine.engine import Engine
from bot.engine.ranking_settings import DEFAULT_RANKING, RankingSettings, SettingsError
from bot.engine.retrieval import Source
from bot.terminal_io import safe_consoles, terminal_safe
from index_contract.config import Settings

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
TREATY_HELP = "the treaty, by id or name: uncc (the default), budapest, 'Budapest Convention', ..."

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)
safe_consoles(out, err)

Handler = Callable[[argparse.Namespace, Settings], int]


class UserError(Exception):
    """Ends the command with this message and exit status, never a traceback."""

    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


def add_command(
    commands: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    name: str,
    handler: Handler,
    help_text: str,
) -> argparse.ArgumentParser:
    """One subcommand with the options every command takes; `handler(args, settings)` runs it."""
    sub = commands.add_parser(name, help=help_text, description=help_text, parents=[common])
    sub.set_defaults(handler=handler)
    return sub


def fail(args: argparse.Namespace, message: str, status: int) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"error": message}, ensure_ascii=False))
    print(f"treatybot: {terminal_safe(message)}", file=sys.stderr)
    return status


def add_json(parser: argparse.ArgumentParser, help_text: str = "print one JSON object") -> None:
    parser.add_argument("--json", action="store_true", help=help_text)


def add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        choices=[s.value for s in Source],
        default=Source.ALL.value,
        help="the documents to answer from: treaty texts, analysis (commentary) or all (default)",
    )


def add_k(parser: argparse.ArgumentParser, default: int, help_text: str) -> None:
    help_text = f"{help_text} (default {default})"
    parser.add_argument("--k", type=int, default=default, metavar="N", help=help_text)


def open_engine(settings: Settings, assignments: Sequence[str] = ()) -> Engine:
    """Load the index with the ranking settings of the config's `ranking:` section and then
    `assignments` ('name=value'); warn (and keep going) when it is older than the corpus."""
    from index_contract.folder import read_manifest

    ranking = ranking_settings(settings).assigned(assignments)
    if read_manifest(settings.index) is None:
        raise UserError(f"No index at {settings.index}. Build it first with: treatybot build")
    warn_if_stale(settings)
    return Engine.load(settings.index, ranking)


def ranking_settings(settings: Settings) -> RankingSettings:
    section = settings.sections.get("ranking") or {}
    if not isinstance(section, dict):
        raise SettingsError(f"{settings.config_file}: 'ranking' must be a mapping of setting: number")
    return DEFAULT_RANKING.updated(section)


def warn_if_stale(settings: Settings) -> None:
    from index_contract.freshness import check_index

    freshness = check_index(settings.corpus, settings.index, settings.model)
    if not freshness.up_to_date:
        err.print(
            f"Warning: the index is stale ({'; '.join(freshness.reasons[:3])}"
            f"{'; ...' if len(freshness.reasons) > 3 else ''}). Answering from it anyway; "
            "rebuild with: treatybot build",
            style="yellow",
            markup=False,
        )


def emit(args: argparse.Namespace, payload: dict, render: Callable[[], None]) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        render()
