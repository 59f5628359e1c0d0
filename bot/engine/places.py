"""Places in the corpus, as question files and the out-of-corpus kinds name them.

uncc:N, budapest:N        Article N of that treaty (any paragraph); in a text without
                          articles (the resolution), its numbered paragraph N
uncc:N(P)                 paragraph P of Article N
uncc:preamble, uncc:annex the preamble or the annex of interpretative notes
a-res-79-243-resolution   any passage of that document (a document id alone)
analysis                  any passage of commentary
analysis:FILE.md          a passage of that commentary file
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index_contract.schema import Passage

PLACE = re.compile(
    r"^(?P<doc>[\w-]+)(?::(?P<where>preamble|annex|(?P<article>\d+)(?:\((?P<paragraph>\w+)\))?"
    r"|(?P<file>[\w.-]+)\.md))?$"
)


@dataclass(frozen=True)
class Place:
    doc: str  # "analysis" for any commentary
    section: str | None = None  # "preamble" | "annex" | "article"
    article: int | None = None
    paragraph: str | None = None
    file: str | None = None  # a commentary file's stem

    def holds(self, passage: Passage) -> bool:
        if self.doc == "analysis":
            return passage.kind == "analysis" and self.file in (None, passage.doc)
        if passage.doc != self.doc:
            return False
        if self.section is None:
            return True
        if self.section == "article" and passage.section == "body" and passage.article is None:
            # A numbered paragraph of a text without articles (the resolution).
            return self.paragraph is None and passage.paragraph == str(self.article)
        if self.section != passage.section:
            return False
        return self.article in (None, passage.article) and self.paragraph in (None, passage.paragraph)


def parse_place(text: str) -> Place | None:
    """The place `text` names, or None when it names none."""
    match = PLACE.match(text.strip())
    if not match or (match["file"] and match["doc"] != "analysis"):
        return None
    if match["file"]:
        return Place("analysis", file=match["file"])
    where = match["where"]
    section = where if where in ("preamble", "annex") else ("article" if match["article"] else None)
    article = int(match["article"]) if match["article"] else None
    return Place(match["doc"], section, article, match["paragraph"])
