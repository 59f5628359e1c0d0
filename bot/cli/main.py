"""`treatybot`: the command line. Each module registers its commands: answers (ask, chat,
search, article, define, compare, eval), index (build), discord (serve, feedback), corpus."""

from __future__ import annotations

import argparse
import os
import sys

from bot.cli import answers, corpus, discord, index
from bot.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UserError, fail
from bot.engine.ranking_settings import SettingsError
from bot.engine.request_errors import InvalidRequest
from bot.evaluation import QuestionFileError
from index_build.sources import CorpusError
from index_contract.config import ConfigError, load_settings
from index_contract.folder import IndexBusy, IndexUnavailable
from index_contract.models import ModelError

EXIT_BROKEN_PIPE = 141  # as a shell reports a command ended by SIGPIPE

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


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
        return fail(args, str(exc), exc.status)
    except InvalidRequest as exc:
        return fail(args, str(exc), EXIT_USAGE)
    except SettingsError as exc:
        return fail(args, str(exc), EXIT_USAGE)
    except (ConfigError, CorpusError, IndexBusy, IndexUnavailable, ModelError, QuestionFileError) as exc:
        return fail(args, str(exc), EXIT_FAILURE)
    except BrokenPipeError:  # the reader of a pipe went away (`treatybot eval --json | head`)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the exit's flush does not fail again
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # an unwritable --output, an index path inside a file, ...
        where = f": {exc.filename}" if exc.filename else ""
        return fail(args, f"{exc.strerror or exc}{where}", EXIT_FAILURE)
    except UnicodeDecodeError as exc:
        return fail(args, f"A file is not UTF-8 text ({exc.reason} at byte {exc.start}).", EXIT_FAILURE)
    except KeyboardInterrupt:
        return fail(args, "Interrupted.", 130)


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
    for module in (answers, index, discord, corpus):
        module.register(commands, common)
    return parser
