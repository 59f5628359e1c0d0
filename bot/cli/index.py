"""Building and checking the index: `treatybot build [--check]`."""

from __future__ import annotations

import argparse
import functools

from bot.cli.common import EXIT_FAILURE, EXIT_OK, UserError, add_command, err, out
from index_contract.config import Settings


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    command = functools.partial(add_command, commands, common)
    build = command("build", cmd_build, "build the index from the corpus")
    build.add_argument(
        "--check",
        action="store_true",
        help="only check the index files, and whether they are up to date with the corpus when there is one",
    )


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    if args.check:  # the index files, and the corpus when there is one: never the build code
        from index_contract.freshness import check_index

        freshness = check_index(settings.corpus, settings.index, settings.model, verify=True)
        if freshness.up_to_date and not settings.corpus.is_dir():
            out.print(
                f"The index files at {settings.index} are intact (no corpus at {settings.corpus} "
                "to compare them with).",
                markup=False,
                soft_wrap=True,
            )
            return EXIT_OK
        if freshness.up_to_date:
            out.print(f"The index at {settings.index} is up to date.")
            return EXIT_OK
        # soft_wrap: a file name is never cut across lines
        out.print(f"The index at {settings.index} is stale:", markup=False, soft_wrap=True)
        for reason in freshness.reasons:
            out.print(f"  - {reason}", markup=False, soft_wrap=True)
        return EXIT_FAILURE
    from index_build.build import build_index, missing_build_modules

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
