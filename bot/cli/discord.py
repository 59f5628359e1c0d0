"""The Discord bot and its votes: `treatybot serve`, `treatybot feedback`."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from bot.cli.common import EXIT_OK, UserError, add_command, err, open_engine, out
from bot.discord_app.feedback import EXPORT_FORMATS
from index_contract.config import Settings


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    command = functools.partial(add_command, commands, common)
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
    from bot.discord_app.feedback_db import FeedbackError
    from bot.discord_app.settings import discord_settings
    from bot.discord_app.vote_store import open_vote_store

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
