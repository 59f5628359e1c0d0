"""Cross-references inside a treaty: "articles 7 to 10 of this Convention", "paragraph 1 (a) (ii)
of this article", Budapest's "Articles 2 through 5" or "paragraph 1 a.ii of this article".

The grammar reads the formal drafting language of treaty text, not questions (for those see
`bot.engine.references`): a reference starts at the word article / paragraph / subparagraph
and runs over numbers, sub-paragraph labels ("(a)", "(ii)", "a.ii", "9.1.a", "d."),
ranges ("to", "through"), lists ("and", "or", commas) and a closing scope ("of this article",
"of this paragraph", "of this Convention", "above", "of article N"). A reference followed by
"of the <another instrument>" ("article 2 of the Charter") is not a reference to the treaty.

Targets without an article are relative: they are resolved against the article and paragraph
of the passage the reference occurs in. Only treaty passages are read: commentary, above all
commentary on drafts, numbers articles differently from the final text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from index_build.treaty import ROMANS, TreatyText
from index_contract.schema import CrossRef, Passage, Provision

MAX_RANGE = 40  # "paragraphs 8 to 31 of this article" is the longest run in the corpus
HEAD = re.compile(r"\b(?:articles?|paragraphs?|sub-?paragraphs?)\b", re.IGNORECASE)
# Tokens, tried in this order at each position (whitespace skipped).
TOKEN = re.compile(
    r"""
      (?P<art>articles?\b)
    | (?P<sub>sub-?paragraphs?\b)
    | (?P<para>paragraphs?\b)
    | (?P<dotnum>\d{1,3}(?:\.\d{1,3})?(?:\.[a-z]{1,4}\b)+)          # 9.1.a  1.b  9.e
    | (?P<dotlabel>[a-z]\.(?:[ivx]{1,4})\b)                          # a.ii
    | (?P<num>\d{1,3}\b)
    | (?P<label>\(\s*[a-z]{1,4}\s*\))                                # (a)  (ii)
    | (?P<self>of\s+(?:this|the\s+present)\s+Convention\b
        |of\s+the\s+Convention\b(?!\s+(?:on|against|for|of)\b))
    | (?P<this_article>of\s+this\s+article\b)
    | (?P<this_paragraph>of\s+this\s+paragraph\b)
    | (?P<of_article>of\s+article\s+(?P<of_number>\d{1,3})\b)
    | (?P<above>above\b)
    | (?P<range>(?:to|through)\b|[-–](?=\s*[\d(]))
    | (?P<joint>(?:and|or)\b|,)
    """,
    re.IGNORECASE | re.VERBOSE,
)
BARE_LABEL = re.compile(r"([a-z]{1,4})(\.|(?=,))?(?=[\s,;:]|$)")  # Budapest "sub-paragraphs d. and e"
LABELS = ("label", "dotlabel", "dotnum")
# "article 2 of the Charter", "Article 20.d. of the Statute of the Council of Europe"
OTHER_INSTRUMENT = re.compile(r"\.?\s*,?\s*of\s+(?:the|its|that)\s+(?!present\s+Convention\b)")
SPACES = re.compile(r"\s*")


# --- parsing ----------------------------------------------------------------------------------

THIS = "this"  # placeholder paragraph: "subparagraph (b) of this paragraph"


@dataclass
class _Item:
    article: int | None = None  # None: this article
    paragraph: str | None = None  # THIS: the paragraph the reference occurs in
    letter: str | None = None
    roman: str | None = None


@dataclass
class Mention:
    """A parsed reference before it is resolved against the passage it occurs in."""

    start: int  # offsets in the parsed text
    end: int
    items: list[_Item] = field(default_factory=list)
    scope_article: int | None = None  # "of article N"


def parse_mentions(text: str) -> list[Mention]:
    """Every reference to the treaty itself in `text`, in order."""
    mentions: list[Mention] = []
    position = 0
    while (head := HEAD.search(text, position)) is not None:
        mention = _Reader(text, head.start()).read()
        position = max(mention.end, head.end())
        if mention.items and not OTHER_INSTRUMENT.match(text, mention.end):
            mentions.append(mention)
    return mentions


class _Reader:
    """Reads one reference token by token, building its items."""

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.mention = Mention(start=start, end=start)
        self.items = self.mention.items
        self.level = "article"  # what a bare number counts: articles or paragraphs
        self.in_articles = False  # the reference names articles ("Article 6, paragraph 1.b, 7")
        self.single_paragraph = False  # "paragraph" (singular) in such a list takes one number
        self.previous = ""  # kind of the last token
        self.before_joint = ""  # kind of the token before the last list word
        self.pending_range = False

    def read(self) -> Mention:
        position = self.mention.start
        while True:
            position = SPACES.match(self.text, position).end()
            token = TOKEN.match(self.text, position)
            if token is not None:
                kind = "of_article" if token.lastgroup == "of_number" else str(token.lastgroup)
                if not self._take(kind, token):
                    break
            else:
                token = BARE_LABEL.match(self.text, position) if self._expects_bare_label() else None
                if token is None or not self._bare_label(token):
                    break
                kind = "label"
            position = token.end()
            if kind not in ("joint", "range"):
                self.mention.end = position
            if kind == "joint":
                self.before_joint = self.previous
            self.previous = kind
        return self.mention

    def _take(self, kind: str, token: re.Match) -> bool:
        """Apply one token; False when it ends the reference."""
        value = token.group(0)
        if kind in ("art", "para", "sub") and not self.items:
            self.mention.start = token.start()  # "this article and article 50": start at the second
        if kind == "art":
            self.level, self.in_articles, self.single_paragraph = "article", True, False
        elif kind == "para":
            self.level = "paragraph"
            self.single_paragraph = self.in_articles and not value.lower().endswith("s")
        elif kind == "num":
            self._number(int(value))
        elif kind == "dotnum":
            self._dotted_number(value.lower())
        elif kind == "dotlabel":
            letter, roman = value.lower().split(".")
            self._label("letter", letter)
            self.previous = "label"
            self._label("roman", roman)
        elif kind == "label":
            label = value.strip("() \t").lower()
            kind_of_label = self._label_kind(label)
            if kind_of_label is None:
                return False
            self._label(kind_of_label, label)
        elif kind in ("this_article", "this_paragraph", "self", "above"):
            self.mention.end = token.end()
            return False  # a scope closes the reference
        elif kind == "of_article":
            self.mention.scope_article = int(token.group("of_number"))
            if not self.items:  # "the relevant paragraphs of article 40"
                self.items.append(_Item(article=self.mention.scope_article))
            self.mention.end = token.end()
            return False
        elif kind == "range":
            self.pending_range = self.previous in ("num", "dotnum", *LABELS)
            return self.pending_range
        elif kind == "joint":
            return self.previous != "range"
        return True

    # --- numbers -------------------------------------------------------------------------------

    def _number(self, number: int) -> None:
        last = self.items[-1] if self.items else None
        if self.level == "article":
            first = last.article if last and self.pending_range else None
            self.items.extend(_Item(article=n) for n in self._run(first, number))
            return
        if last and last.paragraph is None and last.letter is None and not self.pending_range:
            last.paragraph = str(number)  # "article 40, paragraph 15": narrows the article
            self._after_paragraph()
            return
        first = last.paragraph if last and self.pending_range else None
        start = int(first) if first and first.isdigit() else None
        self.items.extend(_Item(self._article(), str(n)) for n in self._run(start, number))
        self._after_paragraph()

    def _dotted_number(self, value: str) -> None:
        """Budapest style: "9.1.a" (article 9, paragraph 1, a), "1.b" (paragraph 1, b)."""
        parts = value.split(".")
        numbers = [p for p in parts if p.isdigit()]
        labels = [p for p in parts if not p.isdigit()]
        if self.pending_range and self.items:  # "paragraphs 1.b through 1.d"
            self._label("letter", labels[0])
            return
        last = self.items[-1] if self.items else None
        if self.level == "article":
            item = _Item(int(numbers[0]), numbers[1] if len(numbers) > 1 else None)
            self.items.append(item)
        elif last and last.paragraph is None and last.letter is None:
            item, item.paragraph = last, numbers[0]  # "Article 6, paragraph 1.b"
            self._after_paragraph()
        else:
            item = _Item(self._article(), numbers[0])
            self.items.append(item)
            self._after_paragraph()
        item.letter = labels[0]
        item.roman = labels[1] if len(labels) > 1 and labels[1] in ROMANS else None

    def _after_paragraph(self) -> None:
        if self.single_paragraph:
            self.level, self.single_paragraph = "article", False

    def _run(self, first: int | None, last: int) -> list[int]:
        ranged = self.pending_range and first is not None and first < last <= first + MAX_RANGE
        self.pending_range = False
        return list(range(first + 1, last + 1)) if ranged else [last]

    def _article(self) -> int | None:
        return self.items[-1].article if self.items else None

    # --- sub-paragraph labels ------------------------------------------------------------------

    def _expects_bare_label(self) -> bool:
        return self.previous == "sub" or (self.previous == "joint" and self.before_joint in LABELS)

    def _bare_label(self, token: re.Match) -> bool:
        label = token.group(1).lower()
        kind = self._label_kind(label)
        # A bare letter needs a following stop or comma unless "sub-paragraph" announced it.
        if kind is None or (kind == "letter" and token.group(2) is None and self.previous != "sub"):
            return False
        self._label(kind, label)
        return True

    def _label_kind(self, label: str) -> str | None:
        """Right after a letter a label is its roman sub-item; after a list word it is of the
        same kind as the label before it; otherwise a letter."""
        last = self.items[-1] if self.items else None
        if last and self.previous in LABELS and last.letter and not last.roman:
            return "roman" if label in ROMANS else None
        if last and self.previous in ("joint", "range") and last.roman and label in ROMANS:
            return "roman"
        return "letter" if len(label) == 1 else None

    def _label(self, kind: str, label: str) -> None:
        last = self.items[-1] if self.items else None
        if self.pending_range and last is not None and getattr(last, kind):
            self.pending_range = False
            for value in _label_run(getattr(last, kind), label, kind)[1:]:
                item = replace(last, **{kind: value})
                item.roman = value if kind == "roman" else None  # "(a) (ii) to (c)": (b), (c)
                self.items.append(item)
            return
        self.pending_range = False
        after_number = self.previous in ("num", "sub") and last is not None and last.paragraph != THIS
        if (
            last is not None
            and getattr(last, kind) is None
            and (
                (kind == "letter" and after_number and last.roman is None)
                or (kind == "roman" and self.previous in LABELS and last.letter)
            )
        ):
            setattr(last, kind, label)  # "paragraph 1 (a)", "(a) (ii)"
        elif kind == "roman" and last is not None:
            self.items.append(replace(last, roman=label))  # "(i) or (ii)"
        elif last is not None and self.previous in ("joint", "range"):
            self.items.append(_Item(last.article, last.paragraph, label))  # "(b) and (c)"
        else:  # "subparagraph (b) of this paragraph"
            self.items.append(_Item(self._article(), THIS, label if kind == "letter" else None))
            if kind == "roman":
                self.items[-1].roman = label


def _label_run(first: str | None, last: str, kind: str) -> list[str]:
    """'(a) to (c)' -> a, b, c; '(i) to (iii)' -> i, ii, iii."""
    if first is None:
        return [last]
    if kind == "roman" and first in ROMANS and last in ROMANS:
        return list(ROMANS[ROMANS.index(first) : ROMANS.index(last) + 1]) or [last]
    if len(first) == 1 and len(last) == 1 and first <= last:
        return [chr(c) for c in range(ord(first), ord(last) + 1)]
    return [first, last]


# --- resolving --------------------------------------------------------------------------------


def resolve(mention: Mention, doc: str, article: int | None, paragraph: str | None) -> tuple[Provision, ...]:
    """Exact targets of a mention found in `doc`, Article `article`, paragraph `paragraph`."""
    targets: dict[Provision, None] = {}
    for item in mention.items:
        number = item.article if item.article is not None else (mention.scope_article or article)
        if number is None:
            continue  # a relative reference outside any article (annex): nothing to anchor it
        para = paragraph if item.paragraph == THIS else item.paragraph
        subs = tuple(s for s in (item.letter, item.roman) if s)
        targets.setdefault(Provision(doc, number, para, subs))
    return tuple(targets)


def passage_references(passage: Passage) -> list[CrossRef]:
    """The references in one treaty passage, resolved relative to it.

    Commentary is never read: a draft's "Article 17" is not the final Article 17.
    """
    if passage.kind != "treaty" or passage.draft_era:
        return []
    found = []
    for mention in parse_mentions(passage.quote):
        targets = resolve(mention, passage.doc, passage.article, passage.paragraph)
        if targets:
            found.append(
                CrossRef(
                    passage=passage.id,
                    doc=passage.doc,
                    article=passage.article,
                    text=passage.quote[mention.start : mention.end],
                    start=passage.start + mention.start,
                    end=passage.start + mention.end,
                    targets=targets,
                )
            )
    return found


def treaty_references(passages: Iterable[Passage], treaties: dict[str, TreatyText]) -> list[CrossRef]:
    """References in the passages of the given treaties (documents with articles)."""
    return [ref for p in passages if p.doc in treaties for ref in passage_references(p)]


def unresolved(
    refs: Iterable[CrossRef], treaties: dict[str, TreatyText]
) -> Iterator[tuple[CrossRef, Provision]]:
    """Targets that name no existing article, paragraph or sub-paragraph of their treaty."""
    places = {doc: _places(treaty) for doc, treaty in treaties.items()}
    for ref in refs:
        for target in ref.targets:
            key = (target.article, target.paragraph, *target.subparagraphs)
            if key not in places[target.doc]:
                yield ref, target


def _places(treaty: TreatyText) -> set[tuple]:
    """Every addressable place: (article,), (article, paragraph), ... (article, para, letter, roman)."""
    places: set[tuple] = set()
    for number, article in treaty.articles.items():
        places.add((number, None))
        for unit in article.units:
            places.add((number, unit.paragraph))
            if unit.letter:
                places.add((number, unit.paragraph, unit.letter))
                if unit.roman:
                    places.add((number, unit.paragraph, unit.letter, unit.roman))
            elif unit.roman:
                places.add((number, unit.paragraph, unit.roman))
    return places
