"""The errors the corpus tools raise: one line each, fit to show to the user as they are."""

from __future__ import annotations


class CorpusToolError(Exception):
    """A corpus tool could not do what was asked; the message says why, in one line."""


class MissingInput(CorpusToolError):
    """The page lacks something the corpus needs (a date, a title): the user must give it."""


class FetchError(CorpusToolError):
    """A page or file could not be fetched. `kind` is one of FETCH_ERROR_KINDS."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def network(self) -> bool:
        """The address could not be reached at all (as when the machine is offline)."""
        return self.kind in NETWORK_KINDS


# connection: DNS, refused, reset; timeout: no answer in time; http: an error status;
# size: over the limit; type: not the kind of file expected; address: not a usable URL.
FETCH_ERROR_KINDS = ("connection", "timeout", "http", "size", "type", "address")
NETWORK_KINDS = ("connection", "timeout")
