"""The errors the engine raises for what a user asked: their messages are fit to show to the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine.notes import DefinedTerm


class InvalidRequest(ValueError):
    """A user input the engine cannot serve; the message is fit to show to the user."""


class UnknownTerm(InvalidRequest):
    """`define` got a term no treaty defines; `suggestions` are the closest defined terms."""

    def __init__(self, message: str, suggestions: tuple[DefinedTerm, ...]) -> None:
        super().__init__(message)
        self.suggestions = suggestions
