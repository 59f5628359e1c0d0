"""The one error the PDF importer raises."""

from __future__ import annotations


class PdfImportError(Exception):
    """The PDF cannot be converted; the message says why, in words fit for the user."""
