"""Structural checks on converted Markdown: articles, paragraph numbers, sub-paragraph labels."""

from __future__ import annotations

from dataclasses import dataclass

from index_build.markdown import Block, iter_blocks, split_front_matter
from index_build.treaty import ARTICLE_HEADING, CLOSING_OPENERS, FOOTNOTE, LABEL, NUMBERED, ROMANS

ARTICLE_LEVEL = 3  # "### Article N. Title"


def check_converted(text: str, expected_articles: int) -> list[str]:
    """Problems found in converted treaty Markdown; an empty list when it looks right.

    Checks the article count against the manifest's `articles`, that articles run 1..N in
    order, that numbered paragraphs run 1, 2, 3 ... within each article, and that lettered
    (a), (b) ... and roman (i), (ii) ... sub-paragraphs run in order within their paragraph.
    """
    try:
        _, body_start = split_front_matter(text)
    except ValueError as exc:
        return [str(exc)]
    blocks = iter_blocks(text, body_start)
    problems: list[str] = []
    numbers: list[int] = []
    state: _Labels | None = None
    for index, block in enumerate(blocks):
        if block.heading_level:
            _check_not_empty(state, problems)
            article = ARTICLE_HEADING.match(block.heading) if block.heading_level == ARTICLE_LEVEL else None
            state = None
            if article:
                number = int(article.group(1))
                expected = numbers[-1] + 1 if numbers else 1
                if number != expected:
                    problems.append(
                        f"Article {number} follows {_after(numbers)}; expected Article {expected}"
                    )
                numbers.append(number)
                state = _Labels(f"Article {number}", problems)
        elif block.text.startswith(CLOSING_OPENERS) or FOOTNOTE.match(block.text):
            _check_not_empty(state, problems)  # the closing clause ends the last article
            state = None
        elif state is not None:
            state.read(block.text, _next_label(blocks, index))
    _check_not_empty(state, problems)
    if len(numbers) != expected_articles:
        problems.append(f"found {len(numbers)} articles; the manifest expects {expected_articles}")
    return problems


def _check_not_empty(state: _Labels | None, problems: list[str]) -> None:
    if state is not None and not state.paragraphs:
        problems.append(f"{state.where} has no text")


def _after(numbers: list[int]) -> str:
    return f"Article {numbers[-1]}" if numbers else "the start"


def _next_label(blocks: list[Block], index: int) -> str | None:
    """The label of the next sub-paragraph in the same article, to tell (i) from (i)."""
    for block in blocks[index + 1 :]:
        if block.heading_level or NUMBERED.match(block.text):
            return None
        match = LABEL.match(block.text)
        if match:
            return match.group(1)
    return None


@dataclass
class _Labels:
    """Paragraph number, letter and roman numeral seen last in one article."""

    where: str
    problems: list[str]
    paragraph: int = 0
    letter: str | None = None
    roman: str | None = None
    paragraphs: int = 0  # Markdown paragraphs read

    def read(self, text: str, next_label: str | None) -> None:
        self.paragraphs += 1
        numbered = NUMBERED.match(text)
        if numbered:
            number = int(numbered.group(1))
            if number != self.paragraph + 1:
                self._problem(f"paragraph {number} follows paragraph {self.paragraph or 'none'}")
            self.paragraph, self.letter, self.roman = number, None, None
            if numbered.group(2):
                self._label(numbered.group(2).strip("()"), next_label)
            return
        labelled = LABEL.match(text)
        if labelled:
            self._label(labelled.group(1), next_label)
            nested = LABEL.match(text, labelled.end())  # "(a) (i) ..." opens an item and its first sub-item
            if nested and nested.group(1) == ROMANS[0]:
                self.roman = ROMANS[0]

    def _label(self, token: str, next_label: str | None) -> None:
        expected_letter = chr(ord(self.letter) + 1) if self.letter else "a"
        expected_roman = ROMANS[ROMANS.index(self.roman) + 1] if self.roman in ROMANS[:-1] else "i"
        letter_fits = token == expected_letter
        roman_fits = self.letter is not None and token == expected_roman
        if letter_fits and roman_fits:  # "(i)" after "(h)": the next label decides
            letter_fits = next_label != ROMANS[ROMANS.index(token) + 1]
            roman_fits = not letter_fits
        if roman_fits:
            self.roman = token
        elif letter_fits:
            self.letter, self.roman = token, None
        else:
            place = f"paragraph {self.paragraph}" if self.paragraph else "the unnumbered paragraph"
            expected = f"({expected_letter})" + (f" or ({expected_roman})" if self.letter else "")
            self._problem(f"sub-paragraph ({token}) in {place} is out of order; expected {expected}")
            if len(token) == 1 and token not in ROMANS:
                self.letter, self.roman = token, None

    def _problem(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")
