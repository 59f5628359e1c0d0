"""Propose UNCC → Budapest Convention counterpart pairs from the two texts themselves.

- structure: only articles in the same part are compared (offences with offences, procedural
  powers with procedural powers, international cooperation, jurisdiction, final clauses);
- title similarity: overlap of the stemmed title words, after mapping each UNCC defined term
  to the Budapest term with the closest definition ("information and communications technology
  system" → "computer system", "electronic data" → "computer data");
- content similarity: how well the paragraphs of one article are matched, paragraph by
  paragraph, in the other (cosine of the bundled embedding model, `CROSSWALK_MODEL`, whatever
  model the index uses, so that the file does not change with the index's model).

A pair is proposed when the titles are the same, or when the two articles are each other's
best match with a combined score of at least `MIN_SCORE`, or when one is the other's best match
with that score by a clear margin (`CLEAR_MARGIN` over the runner-up), so that one article can
gather several: Art. 40 ↔ Budapest Arts. 25 and 27. `merge` keeps the reviewed pairs and the
rejections of the existing file (`index_build.crosswalk.file`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index_build.crosswalk.file import Crosswalk, read_crosswalk
from index_build.definitions import extract_definitions
from index_build.embedding import EmbeddingCache, embed_with_cache
from index_build.sources import load_corpus
from index_build.treaty import Article, TreatyText, parse_treaty
from index_contract.models import DEFAULT_MODEL, load_embedder
from index_contract.schema import FROM, TO, Definition, Pair
from index_contract.tokenize import tokenize

CROSSWALK_MODEL = DEFAULT_MODEL
TITLE_WEIGHT = 0.5  # combined score = TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * content
MIN_SCORE = 0.5
CLEAR_MARGIN = 0.1
TERM_ALIAS_MIN_OVERLAP = 0.5  # definitions this similar make two terms the same concept
# Keywords of chapter (else section) headings that put an article in a part of the treaty.
PARTS = (
    ("jurisdiction", "jurisdiction"),
    ("criminali", "offences"),
    ("criminal law", "offences"),
    ("procedur", "procedure"),
    ("cooperation", "cooperation"),
    ("co-operation", "cooperation"),
    ("final provisions", "final"),
    ("general provisions", "general"),
    ("use of terms", "general"),
)


def part_of(article: Article) -> str | None:
    """The part of its treaty an article belongs to, from its chapter or else its nearest
    section heading (Budapest's Chapter II holds Sections 1 to 3)."""
    for heading in (article.chapter, *reversed(article.parts)):
        for keyword, part in PARTS:
            if keyword in heading.lower():
                return part
    return None


def term_aliases(source: list[Definition], target: list[Definition]) -> dict[str, str]:
    """UNCC term -> Budapest term, when their definitions say nearly the same thing."""
    aliases = {}
    for definition in source:
        scored = [(_overlap(definition.text, other.text), other) for other in target]
        score, best = max(scored, key=lambda item: item[0], default=(0.0, None))
        if best is not None and score >= TERM_ALIAS_MIN_OVERLAP:
            for term in definition.terms:
                aliases[term.lower()] = best.terms[0].lower()
    return aliases


def title_words(title: str, aliases: dict[str, str] | None = None) -> set[str]:
    """Stemmed content words of a title, defined terms mapped to their counterparts."""
    text = title.lower()
    for term, alias in sorted((aliases or {}).items(), key=lambda item: -len(item[0])):
        text = re.sub(rf"\b{re.escape(term)}\b", alias, text)
    text = re.sub(r"\bco-", "co", text).replace("-", " ")  # co-operation; system-related
    return set(tokenize(text)) - {"relat"}  # "Offences related to", "computer-related"


def title_similarity(a: set[str], b: set[str]) -> float:
    """Dice coefficient of two word sets."""
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def content_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """How well the paragraphs of one article find a match in the other (either way round)."""
    cosines = a @ b.T
    return float(max(cosines.max(axis=0).mean(), cosines.max(axis=1).mean()))


def _overlap(a: str, b: str) -> float:
    return title_similarity(set(tokenize(a)), set(tokenize(b)))


@dataclass(frozen=True)
class Candidate:
    uncc: Article
    budapest: Article
    title: float
    content: float

    @property
    def score(self) -> float:
        return TITLE_WEIGHT * self.title + (1 - TITLE_WEIGHT) * self.content


def score_candidates(uncc: TreatyText, budapest: TreatyText, embed) -> list[Candidate]:
    """Every same-part (UNCC article, Budapest article) with its title and content similarity.

    `embed(texts)` returns L2-normalised vectors, one per text.
    """
    aliases = term_aliases(extract_definitions(uncc), extract_definitions(budapest))
    vectors = {
        (doc, n): embed(_paragraphs(a))
        for doc, treaty in ((FROM, uncc), (TO, budapest))
        for n, a in treaty.articles.items()
        if part_of(a)
    }
    candidates = []
    for u in uncc.articles.values():
        for b in budapest.articles.values():
            if part_of(u) is None or part_of(u) != part_of(b):
                continue
            title = title_similarity(title_words(u.title, aliases), title_words(b.title))
            content = content_similarity(vectors[FROM, u.number], vectors[TO, b.number])
            candidates.append(Candidate(u, b, title, content))
    return candidates


def propose(candidates: list[Candidate]) -> list[Pair]:
    """The pairs the scores support (see the module docstring for the rule)."""
    for_uncc = _ranked(candidates, lambda c: c.uncc.number)
    for_budapest = _ranked(candidates, lambda c: c.budapest.number)
    pairs = []
    for c in candidates:
        uncc_best = _lead(for_uncc[c.uncc.number], c)
        budapest_best = _lead(for_budapest[c.budapest.number], c)
        similarity = f"title similarity {c.title:.2f}, content similarity {c.content:.2f}"
        if c.title == 1.0:
            basis = "same title" if c.uncc.title.lower() == c.budapest.title.lower() else "same title words"
        elif c.score < MIN_SCORE:
            continue
        elif uncc_best is not None and budapest_best is not None:
            basis = f"{similarity}; best match both ways"
        elif (budapest_best or 0.0) >= CLEAR_MARGIN:
            basis = f"{similarity}; clearly the best UNCC match of Budapest Art. {c.budapest.number}"
        elif (uncc_best or 0.0) >= CLEAR_MARGIN:
            basis = f"{similarity}; clearly the best Budapest match of UNCC Art. {c.uncc.number}"
        else:
            continue
        pairs.append(Pair(c.uncc.number, c.uncc.title, c.budapest.number, c.budapest.title, basis))
    return sorted(pairs, key=lambda p: (p.uncc, p.budapest))


def _ranked(candidates: list[Candidate], key) -> dict[int, list[Candidate]]:
    ranked: dict[int, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: -c.score):
        ranked.setdefault(key(c), []).append(c)
    return ranked


def _lead(ranking: list[Candidate], candidate: Candidate) -> float | None:
    """How far `candidate` leads the runner-up of `ranking`, or None if it is not first."""
    if ranking[0] is not candidate:
        return None
    return candidate.score - ranking[1].score if len(ranking) > 1 else 1.0


def merge(proposed: list[Pair], existing: Crosswalk) -> Crosswalk:
    """Proposed pairs, minus rejected ones, plus the reviewed pairs of the existing file."""
    rejected = {(r.uncc, r.budapest) for r in existing.rejected}
    reviewed = {(p.uncc, p.budapest): p for p in existing.pairs if p.reviewed}
    pairs = {(p.uncc, p.budapest): p for p in proposed if (p.uncc, p.budapest) not in rejected}
    pairs.update(reviewed)
    return Crosswalk(tuple(pairs[key] for key in sorted(pairs)), existing.rejected)


def _paragraphs(article: Article) -> list[str]:
    groups: dict[str, list[str]] = {}
    for unit in article.units:
        groups.setdefault(unit.paragraph or unit.letter or "", []).append(unit.text)
    return [" ".join(texts) for texts in groups.values()]


def generate(corpus_root: Path, path: Path, cache_path: Path) -> tuple[str, str]:
    """(current text of the crosswalk file at `path`, the text the generator writes)."""
    corpus = load_corpus(corpus_root)
    treaties = {doc: parse_treaty(corpus.treaty(doc)) for doc in (FROM, TO)}
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    existing = read_crosswalk(path, treaties) if current else Crosswalk(())
    embedder = load_embedder(CROSSWALK_MODEL)
    with EmbeddingCache(cache_path) as cache:
        candidates = score_candidates(
            treaties[FROM], treaties[TO], lambda texts: embed_with_cache(embedder, texts, cache)[0]
        )
    return current, merge(propose(candidates), existing).to_yaml()
