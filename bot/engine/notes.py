"""Notes attached to quoted passages and articles: what they cite, the defined terms they use,
their Budapest (or UNCC) counterparts. Transport-free: the terminal and Discord render them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeeAlso:
    """An article a quoted passage refers to ("articles 7 to 10 of this Convention")."""

    doc: str
    doc_name: str
    article: int
    title: str
    provisions: tuple[str, ...]  # the exact places cited: "UNCC Art. 17(1)(b)(ii)"

    @property
    def citation(self) -> str:
        return f"{self.doc_name} Art. {self.article}"

    def to_dict(self) -> dict:
        return {
            "document": self.doc,
            "article": self.article,
            "title": self.title,
            "citation": self.citation,
            "provisions": list(self.provisions),
        }


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


@dataclass(frozen=True)
class Counterpart:
    """The corresponding article of the other treaty, and how the pair was established."""

    doc: str
    doc_name: str
    article: int
    title: str
    basis: str

    @property
    def citation(self) -> str:
        return f"{self.doc_name} Art. {self.article}"

    def to_dict(self) -> dict:
        return {
            "document": self.doc,
            "article": self.article,
            "title": self.title,
            "citation": self.citation,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class ArticleLink:
    """An article (or annex note) that an article refers to, or that refers to it."""

    doc: str
    article: int | None  # None: an interpretative note of the annex
    title: str
    citation: str  # "UNCC Art. 40", or the annex passage's citation
    places: tuple[str, ...]  # the provisions that carry the reference(s)

    def to_dict(self) -> dict:
        return {
            "document": self.doc,
            "article": self.article,
            "title": self.title,
            "citation": self.citation,
            "places": list(self.places),
        }


# --- wording shared by the renderers ---------------------------------------------------------

SEE_ALSO = "See also"
COMPARE = "Compare"
DEFINED = "Defined term"


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
