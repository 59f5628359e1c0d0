"""Lookups over the index's links.json: see-also entries, defined terms, counterparts.

Only treaty passages are linked. Commentary is never parsed for article numbers: analyses
written before the final text (`Passage.draft_era`) number articles as the drafts did, and
later ones name organisations such as "ARTICLE 19" or mix both treaties' numbering.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from bot.engine.answer import Hit
from bot.engine.notes import ArticleLink, Counterpart, DefinedTerm, SeeAlso
from index_contract.schema import (
    FROM,
    TO,
    CrossRef,
    Definition,
    Documents,
    LinkData,
    Pair,
    Passage,
    Provision,
    cite,
    page_link,
)
from index_contract.tokenize import term_pattern

MAX_DEFINITIONS_PER_ANSWER = 3  # rarest terms first: "emergency" before "electronic data"
MAX_SUGGESTIONS = 5
SUGGEST_MIN_SIMILARITY = 0.5
QUOTES = "“”\"'‘’"


class Links:
    def __init__(self, links: LinkData, documents: Documents, passages: Sequence[Passage]) -> None:
        self.treaties = documents.treaties
        self.passages = {p.id: p for p in passages}
        self.definitions: dict[str, Definition] = {d.id: d for d in links.definitions}
        self.uses = links.uses
        self.frequency = Counter(def_id for ids in self.uses.values() for def_id in ids)
        self.references: tuple[CrossRef, ...] = links.references
        self.by_passage: dict[str, list[CrossRef]] = {}
        for ref in self.references:
            self.by_passage.setdefault(ref.passage, []).append(ref)
        self.pairs: tuple[Pair, ...] = links.crosswalk

    # --- answers ----------------------------------------------------------------------------

    def annotate(self, hits: Sequence[Hit]) -> tuple[Hit, ...]:
        """Hits with their see-also entries, defined terms and counterparts attached."""
        definitions = self.definitions_for([h.passage for h in hits])
        return tuple(
            replace(
                hit,
                see_also=self.see_also(hit.passage),
                definitions=terms,
                compare=self.counterparts(hit.passage.doc, hit.passage.article)
                if hit.passage.kind == "treaty"
                else (),
            )
            for hit, terms in zip(hits, definitions, strict=True)
        )

    def see_also(self, passage: Passage) -> tuple[SeeAlso, ...]:
        """The other articles a treaty passage cites, in order of first mention."""
        if passage.kind != "treaty":
            return ()  # commentary is never linked (see the module docstring)
        cited: dict[tuple[str, int], list[str]] = {}
        for ref in self.by_passage.get(passage.id, []):
            for target in ref.targets:
                if (target.doc, target.article) != (passage.doc, passage.article):
                    places = cited.setdefault((target.doc, target.article), [])
                    place = self._cite(target)
                    if place not in places:
                        places.append(place)
        return tuple(
            SeeAlso(doc, article, self._title(doc, article), cite(self._name(doc), article), tuple(places))
            for (doc, article), places in cited.items()
        )

    def definitions_for(self, passages: Sequence[Passage]) -> list[tuple[DefinedTerm, ...]]:
        """Defined terms to attach to each passage: each term once, under the first passage
        that uses it, at most MAX_DEFINITIONS_PER_ANSWER in all, the rarest terms first."""
        candidates: list[tuple[int, int, int, str]] = []
        seen: set[str] = set()
        for index, passage in enumerate(passages):
            for position, def_id in enumerate(self.uses.get(passage.id, ())):
                if def_id not in seen:
                    seen.add(def_id)
                    candidates.append((self.frequency[def_id], index, position, def_id))
        chosen = sorted(sorted(candidates)[:MAX_DEFINITIONS_PER_ANSWER], key=lambda c: c[1:3])
        attached: list[list[DefinedTerm]] = [[] for _ in passages]
        for _, index, _, def_id in chosen:
            attached[index].append(self._defined(self.definitions[def_id]))
        return [tuple(terms) for terms in attached]

    @staticmethod
    def partner(doc: str) -> str | None:
        """The treaty the crosswalk pairs `doc`'s articles with, if any."""
        return {FROM: TO, TO: FROM}.get(doc)

    def counterparts(self, doc: str, article: int | None) -> tuple[Counterpart, ...]:
        """The other treaty's articles paired with this one in the crosswalk."""
        if article is None or doc not in (FROM, TO):
            return ()
        other = TO if doc == FROM else FROM
        return tuple(
            Counterpart(other, *_titled(pair.end(other), self._name(other)), pair.basis)
            for pair in self.pairs
            if pair.end(doc)[0] == article
        )

    # --- articles ---------------------------------------------------------------------------

    def refers_to(self, doc: str, article: int) -> tuple[ArticleLink, ...]:
        """The other articles that `article` cites, with the provisions cited."""
        cited: dict[int, list[str]] = {}
        for ref in self.references:
            if (ref.doc, ref.article) != (doc, article):
                continue
            for target in ref.targets:
                if target.article != article:
                    places = cited.setdefault(target.article, [])
                    if self._cite(target) not in places:
                        places.append(self._cite(target))
        return tuple(
            ArticleLink(doc, n, self._title(doc, n), cite(self._name(doc), n), tuple(places))
            for n, places in sorted(cited.items())
        )

    def referred_by(self, doc: str, article: int) -> tuple[ArticleLink, ...]:
        """The articles and annex notes that cite `article`, with the passages that do."""
        citing: dict[tuple[int, str], ArticleLink] = {}
        for ref in self.references:
            if ref.doc != doc or ref.article == article:
                continue
            if not any(t.doc == doc and t.article == article for t in ref.targets):
                continue
            passage = self.passages[ref.passage]
            if ref.article is None:  # an annex note or the closing text
                key, title, citation = (10**6, passage.id), passage.title, passage.citation
            else:
                key = (ref.article, "")
                title, citation = self._title(doc, ref.article), cite(self._name(doc), ref.article)
            link = citing.get(key) or ArticleLink(doc, ref.article, title, citation, ())
            if passage.citation not in link.places:
                link = replace(link, places=(*link.places, passage.citation))
            citing[key] = link
        return tuple(citing[key] for key in sorted(citing))

    # --- defined terms ----------------------------------------------------------------------

    def defined_terms(self, doc: str | None = None) -> list[DefinedTerm]:
        """Every defined term (of one treaty, or of all), in the order of the texts."""
        return [self._defined(d) for d in self.definitions.values() if doc in (None, d.doc)]

    def lookup(self, term: str, doc: str | None = None) -> tuple[DefinedTerm, ...]:
        """The definitions of `term` (any case, singular or plural), also under the joined
        name a term defined in several forms is shown as ("Freezing or seizure")."""
        wanted = " ".join(term.strip().strip(QUOTES).split())
        return tuple(
            self._defined(d)
            for d in self.definitions.values()
            if doc in (None, d.doc)
            and (
                any(term_pattern(t).fullmatch(wanted) for t in d.terms)
                or wanted.casefold() == " or ".join(d.terms).casefold()
            )
        )

    def suggestions(self, term: str, doc: str | None = None) -> tuple[DefinedTerm, ...]:
        """The defined terms closest to an unknown one: spelling or shared words."""
        wanted = " ".join(term.lower().strip().strip(QUOTES).split())
        words = set(wanted.split())
        scored = []
        for definition in self.definitions.values():
            if doc not in (None, definition.doc):
                continue
            similarity = max(
                max(
                    difflib.SequenceMatcher(None, wanted, t.lower()).ratio(),
                    len(words & set(t.lower().split())) / max(len(words), 1),
                )
                for t in definition.terms
            )
            if similarity >= SUGGEST_MIN_SIMILARITY:
                scored.append((-similarity, definition.start, definition))
        scored.sort(key=lambda item: item[:2])
        return tuple(self._defined(d) for _, _, d in scored[:MAX_SUGGESTIONS])

    # --- helpers ----------------------------------------------------------------------------

    def _defined(self, definition: Definition) -> DefinedTerm:
        return DefinedTerm(
            doc=definition.doc,
            terms=definition.terms,
            citation=definition.citation,
            text=definition.text,
            link=page_link(
                self.treaties[definition.doc].url, self.treaties[definition.doc].pdf_url, definition.page
            ),
            scope_article=definition.scope_article,
        )

    def _name(self, doc: str) -> str:
        return self.treaties[doc].name

    def _title(self, doc: str, article: int) -> str:
        return self.treaties[doc].articles[article].title

    def _cite(self, target: Provision) -> str:
        return cite(self._name(target.doc), target.article, target.paragraph, target.subparagraphs)


def _titled(end: tuple[int, str], doc_name: str) -> tuple[int, str, str]:
    """(article, title, citation) of one side of a crosswalk pair."""
    article, title = end
    return article, title, cite(doc_name, article)
