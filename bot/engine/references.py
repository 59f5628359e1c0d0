"""Find direct references to treaty provisions in a question: 'Article 41', 'art. 6',
'Art 28(3)', 'article 2 (h)', 'paragraph 3 of article 28', 'articles 7 to 10'."""

from __future__ import annotations

import re

from bot.engine.registry import COMPARISON_WORDS, TreatyRegistry
from index_contract.schema import Provision

_SUB = r"(?:\s*\(\s*(?:[a-z]{1,4})\s*\))"
_ARTICLE_WORD = r"(?<!\w)(?:articles?|arts?\.?|§)"
# Numbers of any length: a provision that does not exist ("Article 1000") must be read, so
# that the engine can say it does not exist instead of answering something else.
SINGLE = re.compile(
    rf"{_ARTICLE_WORD}\s*(?P<article>\d+)"
    rf"(?P<para>\s*\(\s*\d+\s*\))?"
    rf"(?P<subs>{_SUB}{{0,2}})"
    rf"(?:,?\s*(?:paragraph|para\.?)\s*(?P<para2>\d+)(?P<subs2>{_SUB}{{0,2}}))?",
    re.IGNORECASE,
)
PARAGRAPH_OF = re.compile(
    rf"\b(?:paragraph|para\.?)\s*(?P<para>\d+)(?P<subs>{_SUB}{{0,2}})\s+of\s+"
    rf"{_ARTICLE_WORD}\s*(?P<article>\d+)",
    re.IGNORECASE,
)
RANGE = re.compile(
    rf"{_ARTICLE_WORD}\s*(?P<first>\d+)\s*(?:to|through|-|–)\s*(?P<last>\d+)\b",
    re.IGNORECASE,
)
LIST = re.compile(
    r"(?<!\w)(?:articles|arts\.?)\s*(?P<items>\d+(?:\s*(?:,|and|or)\s*\d+)+)\b",
    re.IGNORECASE,
)
MAX_RANGE = 20  # a longer span ("articles 1 to 100000") names only its two ends
# Provisions named relative to the article under discussion (a follow-up in a conversation):
# "what does paragraph 4 say", "ok and (c)?", "point (b)", "the next article".
PARAGRAPH_ALONE = re.compile(
    rf"\b(?:paragraph|para\.?|par\.)\s*(?P<para>\d+)(?P<subs>{_SUB}{{0,2}})", re.IGNORECASE
)
LABEL_ALONE = re.compile(
    r"(?:^|(?<=[\s,;:]))(?:(?:point|item|letter|sub-?paragraph|subpara\.?|sub|and|about)\s*)?"
    r"\(\s*(?P<label>[a-z]{1,4})\s*\)(?!\w)"
    r"|\b(?:point|item|letter|sub-?paragraph|subpara\.?|sub)\s+(?P<bare>[a-z])\b(?![.'’]\w)",
    re.IGNORECASE,
)
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
PARAGRAPH_ORDINAL = re.compile(
    rf"\b(?P<ordinal>{'|'.join(ORDINALS)}|\d+(?:st|nd|rd|th))\s+(?:paragraph|para\b|par\.)", re.IGNORECASE
)
NEIGHBOUR = re.compile(
    r"\b(?P<next>next|following)\s+(?:article|one)\b|\b(?P<previous>previous|preceding)\s+(?:article|one)\b"
    r"|\b(?:article|one)\s+(?:just\s+|right\s+|immediately\s+)?(?P<where>after|before)\b",
    re.IGNORECASE,
)
# Sub-paragraph labels: a letter, a roman numeral, or a doubled letter as drafters use after (z).
# Other bracketed words ("Article 15 (UN)") are not labels.
SUB_LABEL = re.compile(r"[a-z]|([a-z])\1|x{0,3}(?:ix|iv|v?i{0,3})")


# A provision a question names is the same kind of place a treaty cross-reference points to.


def relative_references(question: str, doc: str, article: int) -> list[Provision]:
    """Provisions a follow-up names relative to Article `article` of `doc`: its paragraphs
    and sub-paragraphs ("paragraph 4", "(c)"), or the article before or after it."""
    if SINGLE.search(question) or RANGE.search(question):
        return []  # it names an article of its own
    found: list[Provision] = []
    for match in PARAGRAPH_ALONE.finditer(question):
        labels = tuple(s.lower() for s in re.findall(r"\(\s*([a-zA-Z]{1,4})\s*\)", match["subs"] or ""))
        found.append(Provision(doc, article, str(int(match["para"])), labels))
    for match in PARAGRAPH_ORDINAL.finditer(question):
        ordinal = match["ordinal"].lower()
        number = ORDINALS.index(ordinal) + 1 if ordinal in ORDINALS else int(re.sub(r"\D", "", ordinal))
        found.append(Provision(doc, article, str(number)))
    if not found:
        for match in LABEL_ALONE.finditer(question):
            label = (match["label"] or match["bare"]).lower()
            if SUB_LABEL.fullmatch(label):
                found.append(Provision(doc, article, None, (label,)))
    neighbour = NEIGHBOUR.search(question)
    if neighbour and not found:
        step = 1 if neighbour["next"] or neighbour["where"] == "after" else -1
        found.append(Provision(doc, article + step))
    return list(dict.fromkeys(found))


def mentions_provision(text: str) -> bool:
    """Does `text` read like a reference to an article ('ARTICLE 19' in a publisher's name)?"""
    return bool(SINGLE.search(text))


class ReferenceFinder:
    """Finds the provisions a question names, and which treaty each belongs to."""

    def __init__(self, registry: TreatyRegistry) -> None:
        self.registry = registry
        names = registry.names
        self._name_after = re.compile(rf"\s*,?\s*(?:of|in|under|from)\s+(?:the\s+)?(?P<name>{names})", re.I)
        self._name_before = re.compile(rf"(?P<name>{names})(?:\s+(?:convention|treaty))?(?:['’]s)?\s*$", re.I)

    def find(self, question: str) -> list[Provision]:
        """Every provision the question names, in order of appearance, without duplicates."""
        found: list[tuple[int, Provision]] = []
        taken: list[tuple[int, int]] = []

        def add(start: int, end: int, ref: Provision) -> None:
            found.append((start, ref))
            taken.append((start, end))

        def overlaps(match: re.Match) -> bool:
            return any(match.start() < e and s < match.end() for s, e in taken)

        for match in PARAGRAPH_OF.finditer(question):
            add(match.start(), match.end(), self._ref(question, match, match["para"], match["subs"]))
        for match in RANGE.finditer(question):
            if overlaps(match):
                continue
            first, last = int(match["first"]), int(match["last"])
            doc = self._treaty_near(question, match.start(), match.end())
            numbers = range(first, last + 1) if first < last <= first + MAX_RANGE else (first, last)
            for number in numbers:
                found.append((match.start(), Provision(doc, number)))
            taken.append((match.start(), match.end()))
        for match in LIST.finditer(question):
            if overlaps(match):
                continue
            doc = self._treaty_near(question, match.start(), match.end())
            for number in re.findall(r"\d+", match["items"]):
                found.append((match.start(), Provision(doc, int(number))))
            taken.append((match.start(), match.end()))
        for match in SINGLE.finditer(question):
            if overlaps(match):
                continue
            para = match["para"] or (f"({match['para2']})" if match["para2"] else None)
            add(match.start(), match.end(), self._ref(question, match, para, match["subs"] or match["subs2"]))
        unique: dict[Provision, None] = {}
        for _, ref in sorted(found, key=lambda item: item[0]):
            unique.setdefault(ref)
        return list(unique)

    def _ref(self, question: str, match: re.Match, para: str | None, subs: str | None) -> Provision:
        digits = re.sub(r"\D", "", para) if para else ""
        paragraph = str(int(digits)) if digits else None  # '(03)' and other scripts' digits read as 3
        labels = tuple(
            label
            for label in (s.lower() for s in re.findall(r"\(\s*([a-zA-Z]{1,4})\s*\)", subs or ""))
            if SUB_LABEL.fullmatch(label)
        )
        return Provision(
            doc=self._treaty_near(question, match.start(), match.end()),
            article=int(match["article"]),
            paragraph=paragraph or None,
            subparagraphs=labels,
        )

    def _treaty_near(self, question: str, start: int, end: int) -> str:
        """The treaty a reference belongs to: one named right after it ('Article 2 of the
        Budapest Convention') or right before it ('Budapest art. 2'); otherwise the default
        treaty in a comparison ('compare article 7 with Budapest') and the question's treaty
        elsewhere."""
        named = self._name_after.match(question, end) or self._name_before.search(
            question[max(0, start - 40) : start]
        )
        if named:
            return self.registry.treaty_of(named["name"])
        if COMPARISON_WORDS.search(question):
            return self.registry.default
        return self.registry.about(question)
