"""Wording shared by every renderer (terminal and Discord), so both say the same thing."""

from __future__ import annotations

NOT_COVERED = (
    "The corpus does not seem to address this question. "
    "The nearest passages are listed below; they may not answer it."
)
DRAFT_WARNING = "Written before the final text ({date}): article numbers may refer to a draft."
DRAFT_DATE_FALLBACK = "August 2024"
TREATY_SECTION = "What the treaty says"
ANALYSIS_SECTION = "What analysts say"
NO_PASSAGES = "No passages found."
SNIPPET_CHARS = 160


def section_heading(title: str, abstained: bool) -> str:
    """'What the treaty says', or 'Nearest passages: the treaty says' when the engine abstained."""
    return f"Nearest passages: {title[5:].lower()}" if abstained else title


def draft_warning(final_text_date: str) -> str:
    return DRAFT_WARNING.format(date=final_text_date or DRAFT_DATE_FALLBACK)


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The first words of `text` up to `limit` characters, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit - 1)
    return flat[: cut if cut > 0 else limit - 1] + "…"
