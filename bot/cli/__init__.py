"""The `treatybot` command line (entry point `bot.cli:main`)."""

from bot.cli.main import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, build_parser, main

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]
