"""Transport-free answer objects: what the terminal and Discord both render."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.conversation import Turn
from bot.engine.notes import ArticleLink, Counterpart, DefinedTerm, SeeAlso
from index_contract.schema import OutOfCorpusKind, Passage, cite


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    referenced: bool = False  # the question named this provision directly
    see_also: tuple[SeeAlso, ...] = ()  # other articles the passage cites
    definitions: tuple[DefinedTerm, ...] = ()  # defined terms it uses (a few per answer)
    compare: tuple[Counterpart, ...] = ()  # the other treaty's corresponding article(s)
    highlight: tuple[int, int] | None = None  # the sentence or item that best answers: offsets into quote
    shown: bool = True  # False: relevant too, but only listed ("More: ...") under the answer

    def to_dict(self) -> dict:
        p = self.passage
        return {
            "id": p.id,
            "document": p.doc,
            "kind": p.kind,
            "section": p.section,
            "article": p.article,
            "paragraph": p.paragraph,
            "subparagraph": p.subparagraph,
            "title": p.title,
            "citation": p.citation,
            "quote": p.quote,
            "lead": p.lead,
            "link": p.link,
            "date": p.date or None,
            "draft_era": p.draft_era,
            "referenced": self.referenced,
            "score": round(float(self.score), 4),
            "see_also": [s.to_dict() for s in self.see_also],
            "definitions": [d.to_dict() for d in self.definitions],
            "compare": [c.to_dict() for c in self.compare],
            "highlight": None
            if self.highlight is None
            else {"start": self.highlight[0], "end": self.highlight[1]},
            "shown": self.shown,
        }


@dataclass(frozen=True)
class Answer:
    """Passages that answer a question, treaty text and commentary kept apart.

    When `abstained` is true the corpus does not seem to address the question and
    `hits` are only the nearest passages, to be presented as such.
    """

    question: str
    abstained: bool
    hits: tuple[Hit, ...]
    notices: tuple[str, ...] = ()
    final_text_date: str = ""
    out_of_corpus: OutOfCorpusKind | None = None  # a question the corpus cannot answer: hits are related
    turn: Turn | None = None  # this question as a turn of its conversation (for the next question)
    language: str = "en"  # another language: the answer is one line saying to ask in English

    @property
    def treaty_hits(self) -> list[Hit]:
        """The treaty passages shown in full."""
        return [h for h in self.hits if h.shown and h.passage.kind == "treaty"]

    @property
    def analysis_hits(self) -> list[Hit]:
        """The commentary shown in full."""
        return [h for h in self.hits if h.shown and h.passage.kind == "analysis"]

    @property
    def leads_with_commentary(self) -> bool:
        """A question about what people say: its commentary comes before the treaty text."""
        return bool(self.hits) and self.hits[0].shown and self.hits[0].passage.kind == "analysis"

    @property
    def listed_hits(self) -> list[Hit]:
        """Relevant passages that are only listed under the answer ("More: ...")."""
        return [h for h in self.hits if not h.shown]

    def to_dict(self) -> dict:
        kind = self.out_of_corpus
        return {
            "question": self.question,
            "abstained": self.abstained,
            "language": self.language,
            "notices": list(self.notices),
            "out_of_corpus": None
            if kind is None
            else {
                "kind": kind.id,
                "title": kind.title,
                "explanation": kind.explanation,
                "where": [{"label": p.label, "url": p.url or None} for p in kind.where],
            },
            "passages": [hit.to_dict() for hit in self.hits],
        }


@dataclass(frozen=True)
class ArticleView:
    """The exact text of one article (or one of its paragraphs)."""

    doc: str
    doc_name: str
    number: int
    title: str
    chapter: str
    paragraph: str | None
    paragraphs: tuple[str, ...]  # every paragraph number of the article
    passages: tuple[Passage, ...]
    link: str
    refers_to: tuple[ArticleLink, ...] = ()  # other articles this one cites
    referred_by: tuple[ArticleLink, ...] = ()  # articles and annex notes that cite this one
    counterparts: tuple[Counterpart, ...] = ()  # the other treaty's corresponding article(s)

    @property
    def citation(self) -> str:
        return cite(self.doc_name, self.number, self.paragraph)

    def to_dict(self) -> dict:
        return {
            "question": f"{self.doc_name} Article {self.number}"
            + (f", paragraph {self.paragraph}" if self.paragraph else ""),
            "abstained": False,
            "notices": [],  # same shape as an answer's JSON
            "document": self.doc,
            "article": self.number,
            "title": self.title,
            "chapter": self.chapter,
            "paragraph": self.paragraph,
            "citation": self.citation,
            "link": self.link,
            "passages": [Hit(p, 1.0, referenced=True).to_dict() for p in self.passages],
            "refers_to": [link.to_dict() for link in self.refers_to],
            "referred_by": [link.to_dict() for link in self.referred_by],
            "counterparts": [c.to_dict() for c in self.counterparts],
        }


@dataclass(frozen=True)
class DocumentSummary:
    """One official text in the index, for `about`."""

    id: str
    name: str
    title: str
    url: str
    articles: int  # 0 for a text without articles (the adopting resolution)


@dataclass(frozen=True)
class About:
    """What the loaded index covers."""

    treaties: tuple[DocumentSummary, ...]
    analyses: int
    passages: int
    built_at: str
    model: str
    index: str


@dataclass(frozen=True)
class TermLookup:
    """The definitions of one term (a term both treaties define has two)."""

    query: str
    definitions: tuple[DefinedTerm, ...]

    def to_dict(self) -> dict:
        return {
            "question": self.query,
            "abstained": False,
            "notices": [],
            "definitions": [d.to_dict() for d in self.definitions],
        }


@dataclass(frozen=True)
class ComparedArticle:
    view: ArticleView
    basis: str

    def to_dict(self) -> dict:
        return {**self.view.to_dict(), "basis": self.basis}


@dataclass(frozen=True)
class Comparison:
    """An article and its counterpart(s) in the other treaty, to show side by side."""

    article: ArticleView
    counterparts: tuple[ComparedArticle, ...]
    other_name: str  # "Budapest Convention" or "UNCC"

    @property
    def notices(self) -> tuple[str, ...]:
        if self.counterparts:
            return ()
        return (
            f"{self.article.citation} ({self.article.title}) has no counterpart in the "
            f"{self.other_name} in the crosswalk.",
        )

    def to_dict(self) -> dict:
        return {
            "question": f"Compare {self.article.citation} with the {self.other_name}",
            "abstained": False,
            "notices": list(self.notices),
            "article": self.article.to_dict(),
            "counterparts": [c.to_dict() for c in self.counterparts],
        }
