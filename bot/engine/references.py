"""Find direct references to treaty provisions in a question: 'Article 41', 'art. 6',
'Art 28(3)', 'article 2 (h)', 'paragraph 3 of article 28', 'articles 7 to 10'."""

from __future__ import annotations

import re

from index_build.schema import Target

BUDAPEST_NAMES = re.compile(
    r"\bbudapest\b|\bcouncil of europe\b|\bets\s*(?:no\.?\s*)?185\b|\bcoe\b", re.IGNORECASE
)
UNCC_NAMES = re.compile(r"\buncc\b|\bun\b|\bunited nations\b|\bhanoi\b|\bun cybercrime\b", re.IGNORECASE)
COMPARISON_WORDS = re.compile(
    r"\b(compar\w*|differ\w*|versus|vs\.?|counterpart|equivalent|similar\w*)\b", re.I
)
_NAMES = (
    r"budapest(?:\s+convention)?|council\s+of\s+europe(?:\s+convention)?|ets\s*(?:no\.?\s*)?185|coe"
    r"|uncc|un|united\s+nations|hanoi(?:\s+convention)?"
)
NAME_AFTER = re.compile(rf"\s*,?\s*(?:of|in|under|from)\s+(?:the\s+)?(?P<name>{_NAMES})\b", re.I)
NAME_BEFORE = re.compile(rf"(?<!\w)(?P<name>{_NAMES})(?:\s+(?:convention|treaty))?(?:['’]s)?\s*$", re.I)
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
# Sub-paragraph labels: a letter, a roman numeral, or a doubled letter as drafters use after (z).
# Other bracketed words ("Article 15 (UN)") are not labels.
SUB_LABEL = re.compile(r"[a-z]|([a-z])\1|x{0,3}(?:ix|iv|v?i{0,3})")


# A provision a question names is the same kind of place a treaty cross-reference points to.
Reference = Target


def default_treaty(question: str) -> str:
    """'budapest' when the question names the Budapest Convention and not the UN one."""
    if BUDAPEST_NAMES.search(question) and not UNCC_NAMES.search(question):
        return "budapest"
    return "uncc"


def find_references(question: str) -> list[Reference]:
    """Every provision the question names, in order of appearance, without duplicates."""
    found: list[tuple[int, Reference]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, ref: Reference) -> None:
        found.append((start, ref))
        taken.append((start, end))

    def overlaps(match: re.Match) -> bool:
        return any(match.start() < e and s < match.end() for s, e in taken)

    for match in PARAGRAPH_OF.finditer(question):
        add(match.start(), match.end(), _ref(question, match, match["para"], match["subs"]))
    for match in RANGE.finditer(question):
        if overlaps(match):
            continue
        first, last = int(match["first"]), int(match["last"])
        doc = _treaty_near(question, match.start(), match.end())
        numbers = range(first, last + 1) if first < last <= first + MAX_RANGE else (first, last)
        for number in numbers:
            found.append((match.start(), Reference(doc, number)))
        taken.append((match.start(), match.end()))
    for match in LIST.finditer(question):
        if overlaps(match):
            continue
        doc = _treaty_near(question, match.start(), match.end())
        for number in re.findall(r"\d+", match["items"]):
            found.append((match.start(), Reference(doc, int(number))))
        taken.append((match.start(), match.end()))
    for match in SINGLE.finditer(question):
        if overlaps(match):
            continue
        para = match["para"] or (f"({match['para2']})" if match["para2"] else None)
        add(match.start(), match.end(), _ref(question, match, para, match["subs"] or match["subs2"]))
    unique: dict[Reference, None] = {}
    for _, ref in sorted(found, key=lambda item: item[0]):
        unique.setdefault(ref)
    return list(unique)


def _ref(question: str, match: re.Match, para: str | None, subs: str | None) -> Reference:
    digits = re.sub(r"\D", "", para) if para else ""
    paragraph = str(int(digits)) if digits else None  # '(03)' and other scripts' digits read as 3
    labels = tuple(
        label
        for label in (s.lower() for s in re.findall(r"\(\s*([a-zA-Z]{1,4})\s*\)", subs or ""))
        if SUB_LABEL.fullmatch(label)
    )
    return Reference(
        doc=_treaty_near(question, match.start(), match.end()),
        article=int(match["article"]),
        paragraph=paragraph or None,
        subparagraphs=labels,
    )


def _treaty_near(question: str, start: int, end: int) -> str:
    """The treaty a reference belongs to: one named right after it ('Article 2 of the
    Budapest Convention') or right before it ('Budapest art. 2'); otherwise the UNCC in a
    comparison ('compare article 7 with Budapest') and the question's treaty elsewhere."""
    named = NAME_AFTER.match(question, end) or NAME_BEFORE.search(question[max(0, start - 40) : start])
    if named:
        return "budapest" if BUDAPEST_NAMES.search(named["name"]) else "uncc"
    if COMPARISON_WORDS.search(question):
        return "uncc"
    return default_treaty(question)
