"""The presentation vocabulary: every label, notice and note text an answer shows, with their
limits, used by the terminal and Discord renderers alike so that both say the same thing.

Renderers decide only how a line looks in their medium (colours, embeds); what it says comes
from here. Citations are spelled by `cite` (from the index schema, which spells the stored ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.engine.answer import Answer, ArticleView, Hit
from bot.engine.notes import ArticleLink, Counterpart, SeeAlso
from index_contract.schema import cite

__all__ = ["cite"]  # re-exported: adapters spell citations through this module

TREATY_SECTION = "What the treaty says"
ANALYSIS_SECTION = "What analysts say"
NOT_COVERED = (
    "The corpus does not seem to address this question. "
    "The nearest passages are listed below; they may not answer it."
)
NO_PASSAGES = "No passages found."
DRAFT_WARNING = "Written before the final text ({date}): article numbers may refer to a draft."
DRAFT_DATE_FALLBACK = "August 2024"
SEE_ALSO = "See also"
COMPARE = "Compare"
DEFINED = "Defined term"
REFERS_TO = "Refers to"
REFERRED_TO_BY = "Referred to by"
LEAD_GAP = "[…]"  # between a split paragraph's lead-in and its piece
MORE = "More"  # the relevant passages an answer lists without quoting them
MORE_SEPARATOR = " · "
RELATED_SECTION = "Related provisions: they govern the matter, they do not answer the question"
OUT_OF_CORPUS = "Not in the corpus: {title}."
EXCERPT_ENDS = "The stored copy of this text is an excerpt: it breaks off here."
SNIPPET_CHARS = 160  # a passage's opening in search results
NOTE_DEFINITION_CHARS = 300  # a definition under an answer is cut (…); `define` shows it whole


class NoteKind(StrEnum):
    DEFINITION = "definition"
    SEE_ALSO = "see_also"
    COMPARE = "compare"
    REFERS_TO = "refers_to"
    REFERRED_TO_BY = "referred_to_by"
    MORE = "more"


@dataclass(frozen=True)
class Note:
    """One compact line under a passage or an article: '<label>: <text>'."""

    kind: NoteKind
    label: str
    text: str


def hit_notes(hit: Hit) -> list[Note]:
    """Under a quoted passage: the defined terms it uses, the articles it cites, its counterparts."""
    notes = [
        Note(NoteKind.DEFINITION, f"{DEFINED} ({d.citation})", snippet(d.text, NOTE_DEFINITION_CHARS))
        for d in hit.definitions
    ]
    notes.append(Note(NoteKind.SEE_ALSO, SEE_ALSO, see_also_text(hit.see_also)))
    notes.append(Note(NoteKind.COMPARE, COMPARE, compare_text(hit.compare)))
    return [note for note in notes if note.text.strip()]


def article_notes(view: ArticleView) -> list[Note]:
    """Under an article: the articles it cites, those that cite it, its counterparts."""
    notes = [
        Note(NoteKind.REFERS_TO, REFERS_TO, links_text(view.refers_to)),
        Note(NoteKind.REFERRED_TO_BY, REFERRED_TO_BY, links_text(view.referred_by)),
        Note(NoteKind.COMPARE, COMPARE, compare_text(view.counterparts)),
    ]
    return [note for note in notes if note.text.strip()]


def see_also_text(items: tuple[SeeAlso, ...]) -> str:
    """'UNCC Art. 40(21)(b), (22) (General principles ...); UNCC Art. 41 (24/7 network)'."""
    return "; ".join(f"{_cited(s.citation, s.provisions)} ({s.title})" for s in items)


def compare_text(items: tuple[Counterpart, ...]) -> str:
    """'Budapest Convention Art. 19 (Search and seizure of stored computer data)'."""
    return "; ".join(f"{c.citation} ({c.title})" for c in items)


def links_text(items: tuple[ArticleLink, ...]) -> str:
    """'UNCC Art. 2(m) (Use of terms); UNCC Art. 22(2) (Jurisdiction)' for an article's links."""
    return "; ".join(
        _cited(link.citation, link.places) + (f" ({link.title})" if link.title not in link.citation else "")
        for link in items
    )


def _cited(citation: str, places: tuple[str, ...]) -> str:
    """'UNCC Art. 40' at 'UNCC Art. 40(21)(b)' and 'UNCC Art. 40(22)' -> 'UNCC Art. 40(21)(b), (22)'."""
    rests = [p[len(citation) :] if p.startswith(citation) else f" {p}" for p in places]
    rests = [rest for rest in rests if rest]
    return citation + ", ".join(rests)


def section_heading(title: str, answer: Answer) -> str:
    """'What the treaty says'; 'Nearest passages: the treaty says' when the engine abstained;
    the related provisions' heading when the corpus cannot answer the question."""
    if answer.out_of_corpus is not None:
        return RELATED_SECTION
    return f"Nearest passages: {title[5:].lower()}" if answer.abstained else title


@dataclass(frozen=True)
class Line:
    """A line an answer says before its passages: a warning (the corpus does not answer) or a note."""

    text: str
    warning: bool = False


def answer_lines(answer: Answer) -> list[Line]:
    """The refusal of a question the corpus cannot answer (its kind, the explanation, where to
    look), else the notices, and "not covered" when the engine abstained."""
    notes = [Line(notice) for notice in answer.notices]
    if answer.language != "en" or (answer.out_of_corpus is not None and not answer.out_of_corpus.where):
        return notes  # one line: ask in English, or what treatybot answers (off-topic)
    if answer.out_of_corpus is not None:
        return [Line(OUT_OF_CORPUS.format(title=answer.out_of_corpus.title), warning=True), *notes]
    return [*notes, Line(NOT_COVERED, warning=True)] if answer.abstained else notes


def says_no_passages(answer: Answer) -> bool:
    """An answer without passages says so, unless its one line already says why (another
    language, a question the corpus cannot answer)."""
    return not answer.hits and answer.language == "en" and answer.out_of_corpus is None


def more_citations(answer: Answer) -> list[str]:
    """The citations of the relevant passages an answer lists without quoting them."""
    return list(dict.fromkeys(hit.passage.citation for hit in answer.listed_hits))


def draft_warning(final_text_date: str) -> str:
    return DRAFT_WARNING.format(date=final_text_date or DRAFT_DATE_FALLBACK)


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The first words of `text` up to `limit` characters, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit - 1)
    return flat[: cut if cut > 0 else limit - 1] + "…"
