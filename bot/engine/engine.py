"""The answer engine: load an index, retrieve, and compose quoted, cited answers."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, zip_longest
from pathlib import Path

import numpy as np

from bot.engine.answer import Answer, ArticleView, Hit
from bot.engine.links import ComparedArticle, Comparison, Links, TermLookup
from bot.engine.notes import DefinedTerm
from bot.engine.references import COMPARISON_WORDS, Reference, find_references
from bot.engine.retrieval import Method, Ranking, Retriever, Source
from index_build.artifact import IndexData, load_index
from index_build.embedding import Embedder, load_embedder
from index_build.passages import Passage

MAX_QUESTION_CHARS = 500
MAX_TERM_CHARS = 100  # the longest defined term is well under this
DEFAULT_K = 5
MAX_K = 25
# Abstain when the best passage's evidence is below these: the cosine similarity of the
# (glossary-expanded) question for hybrid and dense, the BM25 score for BM25 alone.
# Calibrated on the dev set with `treatybot eval`: midway between the out-of-scope
# questions (cosine <= 0.25, BM25 <= 1.7) and the lowest answerable ones (0.46, 2.5).
ABSTAIN_BELOW = {Method.HYBRID: 0.35, Method.DENSE: 0.35, Method.BM25: 2.1}
# An answer shows a passage only if it is nearly as close to the question as the best one.
RELEVANCE_MARGIN = 0.2
ANALYSIS_SLOTS = 2  # at most this many of the k passages go to commentary when both kinds fit
NEAREST_SHOWN = 3  # passages listed as "nearest" when the engine abstains


class InvalidRequest(ValueError):
    """A user input the engine cannot serve; the message is fit to show to the user."""


class UnknownTerm(InvalidRequest):
    """`define` got a term no treaty defines; `suggestions` are the closest defined terms."""

    def __init__(self, message: str, suggestions: tuple[DefinedTerm, ...]) -> None:
        super().__init__(message)
        self.suggestions = suggestions


@dataclass(frozen=True)
class Retrieval:
    rows: list[int]  # passage rows, best first
    scores: np.ndarray  # ranking score of every passage row
    dense: np.ndarray  # cosine similarity of every passage row to the question
    referenced: frozenset[int]
    abstained: bool
    evidence: float
    notices: tuple[str, ...]


def clean_question(text: str | None) -> str:
    question = " ".join((text or "").split())
    if not question:
        raise InvalidRequest("Please ask a question: the text is empty.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidRequest(
            f"That question is {len(question)} characters long; the limit is "
            f"{MAX_QUESTION_CHARS}. Please shorten it."
        )
    return question


class Engine:
    """Answers from one loaded index. Safe to call from several threads at once: the index
    is read-only after loading and the embedding model serialises its own calls."""

    def __init__(self, data: IndexData, embedder: Embedder) -> None:
        self.data = data
        self.embedder = embedder
        self.retriever = Retriever(data, embedder)
        self.passages = data.passages
        self.links = Links(data.links, data.documents, data.passages)
        self._rows_by_article: dict[tuple[str, int], list[int]] = {}
        for row, passage in enumerate(self.passages):
            if passage.article is not None:
                self._rows_by_article.setdefault((passage.doc, passage.article), []).append(row)

    @classmethod
    def load(cls, index_dir: Path) -> Engine:
        data = load_index(index_dir)
        # Queries must be embedded by the model the index was built with.
        return cls(data, load_embedder(data.manifest["model"]["name"]))

    @property
    def built_at(self) -> str:
        """When the loaded index was built (ISO 8601, UTC)."""
        return self.data.manifest["built_at"]

    # --- questions ------------------------------------------------------------------------

    def ask(self, question: str, source: Source = Source.ALL, k: int = DEFAULT_K) -> Answer:
        """Treaty passages and commentary that answer `question`, at most k in all."""
        question = clean_question(question)
        k = _check_k(k)
        found = self.retrieve(question, Method.HYBRID, Source(source))
        if found.abstained:
            return self._answer(question, found, found.rows[: min(k, NEAREST_SHOWN)])
        rows = self._compose(found, k)
        return self._answer(question, found, rows, self._left_out(found, rows))

    def search(self, query: str, source: Source = Source.ALL, k: int = 10) -> Answer:
        """The k best passages in ranking order, without relevance cut-off."""
        query = clean_question(query)
        found = self.retrieve(query, Method.HYBRID, Source(source))
        return self._answer(query, found, found.rows[: _check_k(k)])

    def _compose(self, found: Retrieval, k: int) -> list[int]:
        """The provisions the question names first, then relevant passages of both kinds:
        commentary gets up to ANALYSIS_SLOTS of the places left."""
        named = [r for r in found.rows if r in found.referenced][:k]
        room = k - len(named)
        floor = max(ABSTAIN_BELOW[Method.HYBRID], found.evidence - RELEVANCE_MARGIN)
        others = [r for r in found.rows if r not in found.referenced and found.dense[r] >= floor]
        treaty = [r for r in others if self.passages[r].kind == "treaty"]
        analysis = [r for r in others if self.passages[r].kind == "analysis"]
        treaty = treaty[: room - min(ANALYSIS_SLOTS, len(analysis), room // 2)]
        chosen = set(named + treaty + analysis[: room - len(treaty)])
        return [r for r in found.rows if r in chosen]

    def _left_out(self, found: Retrieval, rows: list[int]) -> tuple[str, ...]:
        """A notice naming the articles the question names that did not fit in the answer."""
        shown = {(self.passages[r].doc, self.passages[r].article) for r in rows}
        missing = {(self.passages[r].doc, self.passages[r].article) for r in found.referenced} - shown
        if not missing:
            return ()
        names = ", ".join(f"Article {n}" for _, n in sorted(missing, key=lambda m: m[1]))
        return (f"Not shown for lack of room: {names}. Ask about them separately or show more passages.",)

    def _answer(
        self, question: str, found: Retrieval, rows: list[int], notices: tuple[str, ...] = ()
    ) -> Answer:
        return Answer(
            question=question,
            abstained=found.abstained,
            hits=self.links.annotate(
                [Hit(self.passages[r], float(found.scores[r]), r in found.referenced) for r in rows]
            ),
            notices=found.notices + notices,
            final_text_date=self.data.documents["final_text_date"],
        )

    def retrieve(
        self, question: str, method: Method = Method.HYBRID, source: Source = Source.ALL
    ) -> Retrieval:
        """Passage rows best first: the provisions the question names, then the ranking of
        `method` (every method shares the references, glossary expansion and priors)."""
        ranking = self.retriever.rank(question, method, source)
        rows = [int(r) for r in ranking.order]
        referenced: list[int] = []
        notices: list[str] = []
        if source is not Source.ANALYSIS:
            per_reference = []
            for ref in self._with_counterparts(question, find_references(question)):
                matched, notice = self._resolve(ref)
                if notice:
                    notices.append(notice)
                # Most relevant paragraphs of a named provision first.
                per_reference.append(sorted(matched, key=lambda r: -ranking.scores[r]))
            # Round robin: the best passage of every named provision before any second one.
            interleaved = (row for group in zip_longest(*per_reference) for row in group if row is not None)
            referenced = list(dict.fromkeys(interleaved))
            named = set(referenced)
            rows = referenced + [r for r in rows if r not in named]
        evidence = _evidence(ranking, method)
        abstained = not referenced and evidence < ABSTAIN_BELOW[method]
        return Retrieval(
            rows=rows,
            scores=ranking.scores,
            dense=ranking.dense,
            referenced=frozenset(referenced),
            abstained=abstained,
            evidence=evidence,
            notices=tuple(notices),
        )

    # --- articles ---------------------------------------------------------------------------

    def treaty_ids(self) -> list[str]:
        return [t for t, doc in self.data.documents["treaties"].items() if doc["articles"]]

    def article_titles(self, treaty: str = "uncc") -> list[tuple[int, str]]:
        articles = self._treaty(treaty)["articles"]
        return sorted((int(n), a["title"]) for n, a in articles.items())

    def article(self, number: int, paragraph: str | None = None, treaty: str = "uncc") -> ArticleView:
        doc = self._treaty(treaty)
        count = len(doc["articles"])
        info = doc["articles"].get(str(number))
        if info is None:
            raise InvalidRequest(
                f"The {doc['name']} has {count} articles (1 to {count}); there is no Article {number}."
            )
        paragraphs = tuple(info["paragraphs"])
        rows = self._rows_by_article.get((treaty, number), [])
        passages = [self.passages[r] for r in rows]
        if paragraph is not None:
            paragraph = str(paragraph).strip()
            if paragraph not in paragraphs:
                raise InvalidRequest(_no_paragraph(doc["name"], number, paragraph, paragraphs))
            passages = [p for p in passages if p.paragraph == paragraph]
        return ArticleView(
            doc=treaty,
            doc_name=doc["name"],
            number=number,
            title=info["title"],
            chapter=info["chapter"],
            paragraph=paragraph,
            paragraphs=paragraphs,
            passages=tuple(sorted(passages, key=lambda p: p.start)),
            link=doc["url"],
            refers_to=self.links.refers_to(treaty, number),
            referred_by=self.links.referred_by(treaty, number),
            counterparts=self.links.counterparts(treaty, number),
        )

    # --- comparison and defined terms ---------------------------------------------------------

    def compare(self, number: int, treaty: str = "uncc") -> Comparison:
        """An article beside its counterpart(s) in the other treaty (UNCC ↔ Budapest)."""
        view = self.article(number, treaty=treaty)
        others = self.links.counterparts(treaty, number)
        other = "budapest" if treaty == "uncc" else "uncc"
        return Comparison(
            article=view,
            counterparts=tuple(
                ComparedArticle(self.article(c.article, treaty=c.doc), c.basis) for c in others
            ),
            other_name=self._treaty(other)["name"],
        )

    def define(self, term: str, treaty: str | None = None) -> TermLookup:
        """The verbatim definition(s) of a defined term; UnknownTerm lists the closest ones."""
        if treaty is not None:
            self._treaty(treaty)
        query = " ".join((term or "").split())
        if not query:
            raise InvalidRequest("Please give a term to define, e.g. traffic data.")
        if len(query) > MAX_TERM_CHARS:
            raise InvalidRequest(
                f"A defined term is at most {MAX_TERM_CHARS} characters; that one is {len(query)}."
            )
        found = self.links.lookup(query, treaty)
        if found:
            return TermLookup(query, found)
        where = f"the {self._treaty(treaty)['name']}" if treaty else "either treaty"
        suggestions = self.links.suggestions(query, treaty)
        if suggestions:
            closest = "; ".join(f"{d.term} ({d.citation})" for d in suggestions)
            raise UnknownTerm(f"'{query}' is not a defined term of {where}. Closest: {closest}.", suggestions)
        names = ", ".join(d.term for d in self.defined_terms(treaty))
        raise UnknownTerm(f"'{query}' is not a defined term of {where}. Defined terms: {names}.", ())

    def defined_terms(self, treaty: str | None = None) -> list[DefinedTerm]:
        """Every defined term, e.g. for autocompletion (one entry per definition)."""
        return self.links.defined_terms(treaty)

    def _treaty(self, treaty: str) -> dict:
        doc = self.data.documents["treaties"].get(treaty)
        if doc is None or not doc["articles"]:
            names = ", ".join(self.treaty_ids())
            raise InvalidRequest(f"Unknown treaty '{treaty}'. Choose one of: {names}.")
        return doc

    def _with_counterparts(self, question: str, refs: list[Reference]) -> list[Reference]:
        """In a comparison, a named article brings its counterpart in the other treaty."""
        if not COMPARISON_WORDS.search(question):
            return refs
        extra = [
            Reference(c.doc, c.article)
            for ref in refs
            for c in self.links.counterparts(ref.doc, ref.article)
            if not any(r.doc == c.doc for r in refs)
        ]
        return refs + extra

    def _resolve(self, ref: Reference) -> tuple[list[int], str | None]:
        """Passage rows for a provision the question names, or a notice why there are none."""
        doc = self.data.documents["treaties"].get(ref.doc)
        if doc is None:
            return [], None
        info = doc["articles"].get(str(ref.article))
        if info is None:
            count = len(doc["articles"])
            return [], f"The {doc['name']} has {count} articles; there is no Article {ref.article}."
        rows = self._rows_by_article.get((ref.doc, ref.article), [])
        if ref.paragraph:
            if ref.paragraph not in info["paragraphs"]:
                notice = _no_paragraph(doc["name"], ref.article, ref.paragraph, info["paragraphs"])
                return rows, notice
            rows = [r for r in rows if self.passages[r].paragraph == ref.paragraph]
        if ref.subparagraphs:
            letter = ref.subparagraphs[0]
            letters = info.get("subparagraphs", {})
            held = letters.get(ref.paragraph, []) if ref.paragraph else list(chain(*letters.values()))
            if letter not in held:
                return rows, _no_subparagraph(doc["name"], ref, held)
            rows = [r for r in rows if _covers(self.passages[r], letter)]
        return rows, None

    # --- about --------------------------------------------------------------------------------

    def about(self) -> dict:
        manifest = self.data.manifest
        documents = self.data.documents
        return {
            "treaties": [
                {
                    "id": t["id"],
                    "name": t["name"],
                    "title": t["title"],
                    "url": t["url"],
                    "articles": len(t["articles"]),
                }
                for t in documents["treaties"].values()
            ],
            "analyses": len(documents["analyses"]),
            "passages": manifest["passages"],
            "built_at": manifest["built_at"],
            "model": manifest["model"]["name"],
            "index": str(self.data.path),
        }


def _evidence(ranking: Ranking, method: Method) -> float:
    """How strongly the best allowed passage matches: cosine, or the BM25 score for BM25."""
    if not len(ranking.order):
        return 0.0
    scores = ranking.scores if method is Method.BM25 else ranking.dense
    return float(scores[ranking.order].max())


def _covers(passage: Passage, letter: str) -> bool:
    """Does a passage hold sub-paragraph `letter` (its own, or within a run like 'c-e')?"""
    sub = passage.subparagraph
    if sub is None:
        return True  # an unsplit paragraph holds all its sub-paragraphs
    first, _, last = sub.partition("-")
    return first <= letter <= (last or first)


def _no_subparagraph(name: str, ref: Reference, letters: list[str]) -> str:
    place = f"Article {ref.article}" + (f", paragraph {ref.paragraph}," if ref.paragraph else "")
    if not letters:
        return f"{place} of the {name} has no lettered sub-paragraphs."
    return (
        f"{place} of the {name} has no sub-paragraph ({ref.subparagraphs[0]}) "
        f"(it has ({letters[0]}) to ({letters[-1]}))."
    )


def _no_paragraph(name: str, article: int, paragraph: str, paragraphs: tuple[str, ...] | list[str]) -> str:
    if not paragraphs:
        return f"Article {article} of the {name} has no numbered paragraphs."
    return (
        f"Article {article} of the {name} has no paragraph {paragraph} "
        f"(it has paragraphs {paragraphs[0]} to {paragraphs[-1]})."
    )


def _check_k(k: int) -> int:
    if not 1 <= int(k) <= MAX_K:
        raise InvalidRequest(f"The number of passages must be between 1 and {MAX_K}.")
    return int(k)
