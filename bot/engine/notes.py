"""Notes attached to quoted passages and articles: what they cite, the defined terms they use,
their Budapest (or UNCC) counterparts. Transport-free: the terminal and Discord render them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArticlePointer:
    """An article a note points to: its document, number (None for an interpretative note of
    the annex), title and citation ("UNCC Art. 40", or the annex passage's citation)."""

    doc: str
    article: int | None
    title: str
    citation: str

    def to_dict(self) -> dict:
        return {"document": self.doc, "article": self.article, "title": self.title, "citation": self.citation}


@dataclass(frozen=True)
class SeeAlso(ArticlePointer):
    """An article a quoted passage refers to ("articles 7 to 10 of this Convention")."""

    provisions: tuple[str, ...] = ()  # the exact places cited: "UNCC Art. 17(1)(b)(ii)"

    def to_dict(self) -> dict:
        return {**super().to_dict(), "provisions": list(self.provisions)}


@dataclass(frozen=True)
class Counterpart(ArticlePointer):
    """The corresponding article of the other treaty, and how the pair was established."""

    basis: str = ""

    def to_dict(self) -> dict:
        return {**super().to_dict(), "basis": self.basis}


@dataclass(frozen=True)
class ArticleLink(ArticlePointer):
    """An article (or annex note) that an article refers to, or that refers to it."""

    places: tuple[str, ...] = ()  # the provisions that carry the reference(s)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "places": list(self.places)}


@dataclass(frozen=True)
class DefinedTerm:
    """A term the treaty defines, with its definition quoted verbatim."""

    doc: str
    terms: tuple[str, ...]  # as written: ("Freezing", "seizure")
    citation: str  # "UNCC Art. 2(k)"
    text: str  # exact source text
    link: str
    scope_article: int | None = None  # the definition applies only within this article

    @property
    def term(self) -> str:
        return " or ".join(self.terms)

    def to_dict(self) -> dict:
        return {
            "document": self.doc,
            "term": self.term,
            "terms": list(self.terms),
            "citation": self.citation,
            "definition": self.text,
            "link": self.link,
            "scope_article": self.scope_article,
        }
