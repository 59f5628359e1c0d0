"""A commentary page's main text and metadata, read with trafilatura, as an `Article`.

The text is trafilatura's Markdown (headings, paragraphs, lists, bold and italics; no links,
images or comments), so that it reads like the corpus files written by hand. Whether it is
the whole piece or only its opening is judged from how it ends (`TRUNCATION_ENDINGS`,
`TEASER_LINES`): a teaser line such as "Read more" is dropped, and the article is marked
`excerpt`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import trafilatura
from trafilatura.metadata import extract_metadata

# Dates only from what the page says it was published (meta tags, structured data, <time>,
# a dated URL): never "extensive" guesses from dates that happen to be in the text.
DATE_SEARCH = {"extensive_search": False, "original_date": True}
# A text that ends like this stops mid-way.
TRUNCATION_ENDINGS = ("…", "...", "[…]", "[...]", "(…)", "(...)")
# A short last paragraph holding one of these (any case) is the page's way of saying that the
# rest is elsewhere or behind a paywall: it is not the author's text.
TEASER_LINES = (
    "read more",
    "continue reading",
    "keep reading",
    "read the full",
    "read full",
    "full story",
    "subscribe to continue",
    "subscribe to read",
    "subscribers only",
    "for subscribers",
    "to continue reading",
    "sign in to read",
    "log in to read",
    "register to read",
    "already a subscriber",
    "this content is for members",
)
MAX_TEASER_CHARS = 200
# Fewer words than this is not an article: a page of navigation, a cookie wall, an error page.
MIN_ARTICLE_WORDS = 25
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# trafilatura's Markdown escapes punctuation ("3\\.", "\\*"): the corpus keeps the page's own
# characters, except a "#" opening a line, which would turn the line into a heading.
MARKDOWN_ESCAPE = re.compile(r"(?<!\\)\\([!-/:-@\[-`{-~])")
LINE_START_HASH = re.compile(r"^\\#", re.MULTILINE)


@dataclass(frozen=True)
class Article:
    url: str
    title: str
    author: str
    publisher: str  # the site's name, else its host name
    date: dt.date | None  # None when the page does not say
    text: str  # Markdown body, without the title heading
    excerpt: bool  # only the opening of the piece

    @property
    def words(self) -> int:
        return len(self.text.split())


def extract_article(html: str, url: str) -> Article | None:
    """The page's main text and metadata; None when it has no main text."""
    text = trafilatura.extract(
        html,
        url=url,
        output_format="markdown",
        include_comments=False,
        include_links=False,
        include_images=False,
        include_tables=True,
        date_extraction_params=DATE_SEARCH,
    )
    if not text or not text.strip():
        return None
    meta = extract_metadata(html, default_url=url, date_config=DATE_SEARCH, extensive=False)
    title = _line(meta.title if meta else None)
    body, excerpt = cut_teaser(_without_title(_clean(unescape_markdown(text)), title))
    if len(body.split()) < MIN_ARTICLE_WORDS:
        return None
    return Article(
        url=url,
        title=title,
        author=_line(meta.author if meta else None),
        publisher=_line((meta.sitename or meta.hostname) if meta else None),
        date=_date(meta.date if meta else None),
        text=body,
        excerpt=excerpt,
    )


def unescape_markdown(text: str) -> str:
    """The text with trafilatura's backslash escapes undone (see `MARKDOWN_ESCAPE`)."""
    kept = "\x00"  # a control character: never in trafilatura's output, removed by _clean
    protected = LINE_START_HASH.sub(kept, text)
    return MARKDOWN_ESCAPE.sub(r"\1", protected).replace(kept, "\\#")


def cut_teaser(text: str) -> tuple[str, bool]:
    """(the text without a closing teaser line, whether it is visibly cut short)."""
    paragraphs = text.split("\n\n")
    last = paragraphs[-1].strip().lower()
    if len(paragraphs) > 1 and len(last) <= MAX_TEASER_CHARS and any(t in last for t in TEASER_LINES):
        return "\n\n".join(paragraphs[:-1]).rstrip(), True
    return text, text.rstrip().endswith(TRUNCATION_ENDINGS)


def _clean(text: str) -> str:
    text = CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _without_title(text: str, title: str) -> str:
    """The body without a first heading that repeats the title (the file writes its own)."""
    first, _, rest = text.partition("\n")
    heading = re.match(r"#{1,6}\s+(.*)$", first)
    if heading and title and _squash(heading.group(1)) == _squash(title):
        return rest.strip()
    return text


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", text).split()).casefold()


def _line(value: str | None) -> str:
    return " ".join(CONTROL_CHARS.sub("", value or "").split())


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None
