"""The index's typed schema: every record the index folder holds, as frozen dataclasses.

The build modules make these records (`passages.py`, `crossrefs.py`, `definitions.py`,
`crosswalk/`, `glossary.py`, `build.py`), `folder.py` writes and reads the folder, and the
engine reads the records. JSON is encoded and decoded by msgspec, which checks the type of
every field on load: a damaged or hand-edited file fails with the path of the bad value
(`$.treaties[...].articles`) instead of a KeyError somewhere in the engine.

`cite()` is the one place a citation such as "UNCC Art. 28(3)(b)" is spelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# --- citations ---------------------------------------------------------------------------------


def cite(
    name: str, article: int | None = None, paragraph: str | None = None, subparagraphs: Iterable[str] = ()
) -> str:
    """'UNCC Art. 28(3)(b)'; a run of sub-paragraphs 'c-e' reads '(c)–(e)'; `name` may be ''."""
    text = f"{name} Art. {article}" if article is not None else name
    if paragraph:
        text += f"({paragraph})"
    for label in subparagraphs:
        first, _, last = label.partition("-")
        text += f"({first})–({last})" if last else f"({first})"
    return text.strip()


# --- passages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """The unit that is retrieved, quoted and cited: `quote` is `source_text[start:end]`."""

    id: str
    doc: str  # document id: "uncc", "budapest", or the analysis file stem
    kind: str  # "treaty" | "analysis"
    section: str  # article | preamble | annex | closing | body | analysis
    article: int | None
    paragraph: str | None
    subparagraph: str | None  # "c", or "c-e" for a run of sub-paragraphs
    title: str  # article title, annex note title or analysis section heading
    quote: str  # exact source text, quoted character for character
    lead: str  # exact lead-in of the paragraph when the quote is a split piece, else ""
    source: str  # file path relative to the corpus root
    start: int
    end: int
    embed_text: str
    citation: str
    link: str
    date: str = ""  # analysis publication date (ISO)
    draft_era: bool = False  # analysis written before the final text
    # Treaty text: its sentences and lettered items, as (start, end) offsets into `quote`; an
    # answer marks the one that best answers the question.
    units: tuple[tuple[int, int], ...] = ()
    page: int | None = None  # page of the official PDF the passage starts on, when the corpus has it
    excerpt_ends: bool = False  # commentary whose stored copy is an excerpt that breaks off here


def page_link(url: str, pdf_url: str, page: int | None) -> str:
    """The link to a provision: its page of the official PDF when known, else the document."""
    return f"{pdf_url}#page={page}" if pdf_url and page else url


DECLINE = "decline"  # the section of a description line that is a question the corpus cannot answer


@dataclass(frozen=True)
class Description:
    """One plain-language line about a provision (`corpus/descriptions.yaml`), or a question it
    answers (`corpus/scenarios.yaml`, `corpus/training/`): searched beside the passages it
    covers, never shown. A line of section DECLINE is a question the corpus cannot answer, of the
    out-of-corpus kind in `doc`: it covers no passage."""

    doc: str
    section: str  # "article" | "preamble" | "annex" | "body"
    article: int | None
    paragraph: str | None  # None: every paragraph of the article (or section)
    text: str

    def covers(self, passage: Passage) -> bool:
        return (
            passage.doc == self.doc
            and passage.section == self.section
            and self.article in (None, passage.article)
            and self.paragraph in (None, passage.paragraph)
        )


# --- links: cross-references, definitions, the crosswalk ----------------------------------------


@dataclass(frozen=True, order=True)
class Provision:
    """A provision of a treaty: Article 17, Art. 17(1), Art. 17(1)(b)(ii). What a reference or a
    question names, and what an answer showed (the one type for a place in a treaty)."""

    doc: str
    article: int
    paragraph: str | None = None
    subparagraphs: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """'Art. 17(1)(b)(ii)', without the treaty's name."""
        return cite("", self.article, self.paragraph, self.subparagraphs)


@dataclass(frozen=True)
class CrossRef:
    """A reference in a treaty passage: its exact text and where it points."""

    passage: str  # id of the passage it occurs in
    doc: str
    article: int | None  # article the passage belongs to (None in the annex)
    text: str  # the reference as written, e.g. "articles 7 to 10 of this Convention"
    start: int  # offsets in the source file
    end: int
    targets: tuple[Provision, ...]


@dataclass(frozen=True)
class Definition:
    id: str  # "uncc:traffic-data"
    doc: str
    terms: tuple[str, ...]  # as written: ("Freezing", "seizure")
    article: int
    paragraph: str | None
    subparagraph: str | None
    citation: str  # "UNCC Art. 2(c)"
    text: str  # exact source text, without the paragraph / sub-paragraph label
    start: int
    end: int
    scope_article: int | None  # None: the whole treaty
    page: int | None = None  # page of the official PDF it stands on, when the corpus has it

    @property
    def term(self) -> str:
        """The terms as one display name: "Freezing” or “seizure" -> "Freezing or seizure"."""
        return " or ".join(self.terms)


PAIRED_TREATIES = FROM, TO = "uncc", "budapest"  # the two sides of a crosswalk pair


@dataclass(frozen=True)
class Pair:
    """A UNCC article and its Budapest Convention counterpart, and how the pair was established."""

    uncc: int
    uncc_title: str
    budapest: int
    budapest_title: str
    basis: str

    @property
    def reviewed(self) -> bool:
        return self.basis.startswith("reviewed:")

    def end(self, doc: str) -> tuple[int, str]:
        """(article, title) on the side of `doc`: "uncc" or "budapest"."""
        return (self.uncc, self.uncc_title) if doc == "uncc" else (self.budapest, self.budapest_title)


@dataclass(frozen=True)
class LinkData:
    """`links.json`: how provisions relate."""

    references: tuple[CrossRef, ...]
    definitions: tuple[Definition, ...]
    uses: dict[str, tuple[str, ...]]  # treaty passage id -> ids of the definitions it uses
    crosswalk: tuple[Pair, ...]


# --- documents -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleInfo:
    title: str
    chapter: str  # "Chapter IV. Procedural measures and law enforcement"
    parts: tuple[str, ...]  # Section / Title headings under the chapter
    paragraphs: tuple[str, ...]  # numbered paragraphs, in order
    subparagraphs: dict[str, tuple[str, ...]]  # letters by paragraph ('' for an unnumbered one)


@dataclass(frozen=True)
class TreatyInfo:
    id: str
    name: str  # citation name: "UNCC", "Budapest Convention"
    title: str
    url: str
    articles: dict[int, ArticleInfo]  # empty for a text without articles (a resolution)
    chapters: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # words that name it in a question (corpus/sources.yaml)
    pdf_url: str = ""  # the official PDF, linked with '#page=N' when a provision's page is known

    def cite(self, article: int | None = None, paragraph: str | None = None) -> str:
        return cite(self.name, article, paragraph)


@dataclass(frozen=True)
class AnalysisInfo:
    id: str
    title: str
    publisher: str
    publisher_short: str
    author: str
    date: str  # ISO
    url: str
    excerpt: bool
    draft_era: bool


@dataclass(frozen=True)
class GlossaryAlias:
    treaty: tuple[str, ...]  # the treaties' own terms
    everyday: tuple[str, ...]  # the words people use


@dataclass(frozen=True)
class Glossary:
    """`corpus/glossary.yaml`: everyday expressions and the words that show what is asked for."""

    aliases: tuple[GlossaryAlias, ...] = ()
    commentary: tuple[str, ...] = ()
    background: tuple[str, ...] = ()
    chit_chat: tuple[str, ...] = ()  # fillers dropped from what is searched ("lol", "asking for a friend")
    follow_up: tuple[str, ...] = ()  # words of a question that leans on the one before ("that", "they")
    definition: tuple[str, ...] = ()  # expressions that ask what a term means


@dataclass(frozen=True)
class Pointer:
    """Where an answer the corpus does not hold can be found."""

    label: str
    url: str = ""
    treaty: str = ""  # the treaty it is about (shown to questions about that one), "" for any


@dataclass(frozen=True)
class OutOfCorpusKind:
    """A kind of question the corpus cannot answer (`corpus/out_of_corpus.yaml`)."""

    id: str
    title: str
    explanation: str
    where: tuple[Pointer, ...]
    related: tuple[str, ...]  # places that govern the matter: "uncc:64", "uncc:63(3)", a document id
    phrases: tuple[str, ...]  # any one of these marks a question of this kind...
    about: tuple[str, ...]  # ...as does one of these
    facts: tuple[str, ...]  # together with one of these
    unless: tuple[str, ...]  # but never with one of these


@dataclass(frozen=True)
class OutOfCorpus:
    kinds: tuple[OutOfCorpusKind, ...] = ()
    places: tuple[str, ...] = ()  # country and place names and their adjectives, any case
    codes: tuple[str, ...] = ()  # place codes that count only in capitals: "US", "UK"
    corpus_ends: str = ""  # ISO date of the newest document


@dataclass(frozen=True)
class AbsentText:
    """An optional official text the manifest lists and the corpus lacked at build time."""

    name: str
    path: str  # under the corpus root, as the manifest gives it
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Documents:
    """`documents.json`: what the bot needs to know of the corpus without reading it."""

    treaties: dict[str, TreatyInfo]
    analyses: dict[str, AnalysisInfo]
    final_text_date: str  # ISO; analyses before it discuss drafts
    glossary: Glossary = field(default_factory=Glossary)
    out_of_corpus: OutOfCorpus = field(default_factory=OutOfCorpus)
    absent: tuple[AbsentText, ...] = ()


# --- the manifest ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    name: str  # the configured (base) model
    dimension: int
    trained: str = ""  # the folder of the model fine-tuned from it that embedded the index, if any

    @property
    def embedded_with(self) -> str:
        return self.trained or self.name


@dataclass(frozen=True)
class StoredFile:
    """Size and hash of one file of the index folder, to tell a complete index from a damaged one."""

    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format: int
    code: str  # sha256 of the build code
    tokenizer: str
    model: ModelInfo
    corpus_root: str
    files: dict[str, str]  # input file (display name) -> sha256
    passages: int
    built_at: str  # ISO 8601, UTC
    build_seconds: float
    versions: dict[str, str]
    contents: dict[str, StoredFile]  # every other file of the index folder, by relative path
    dense_index: dict[str, Any]  # the FAISS index chosen by passage count (index_build/dense_index.py)
    query_encoder: str  # folder of the ONNX query encoder in the index; "" when queries need the model
    query_encoder_note: str  # why there is none, when there is none
    project_root: str = ""  # the folder the 'project:' input files lie in
    watched: list[str] = field(default_factory=list)  # globs ('corpus:analysis/*.md') for new inputs
