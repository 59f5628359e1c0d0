"""Commentary files: their names, front matter, the duplicate check and atomic writing.

A file is `DATE-PUBLISHER-TITLE.md` (the publisher as citations shorten it: "eff",
"the-record") with the front matter the build reads (`index_build.sources`), double-quoted
as in the corpus mirror, and is checked with the build's own reader before it is renamed
into place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
import unicodedata
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from index_build.corpus_tools.errors import CorpusToolError, MissingInput
from index_build.corpus_tools.extract import Article
from index_build.corpus_tools.text import normalise, same_piece, stored_text
from index_build.markdown import FrontMatterError, split_front_matter
from index_build.passages import publisher_short_name, slug
from index_build.sources import CorpusError, read_analysis_source
from index_contract.controls import without_controls

MAX_TITLE_SLUG_CHARS = 80
MAX_PUBLISHER_SLUG_CHARS = 30
EXCERPT_NOTE = "*[Excerpt ends here: the page showed only the opening of this text.]*"
# Query parameters that only say where a reader came from: the same page without them.
TRACKING_PARAMETERS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src)$", re.IGNORECASE)


@dataclass(frozen=True)
class Written:
    path: Path
    article: Article  # with the overrides applied


@dataclass(frozen=True)
class Existing:
    """A commentary file already in the corpus, as the duplicate check sees it."""

    path: Path
    urls: frozenset[str]  # normalised: its url and source_copy
    text: str  # normalised


def add_article(
    article: Article,
    folder: Path,
    *,
    date: str | None = None,
    publisher: str | None = None,
    title: str | None = None,
) -> Written:
    """Write `article` as a new commentary file in `folder` (overrides given by the user win)."""
    article = replace(
        article,
        date=parse_date(date) if date else article.date,
        publisher=_one_line(publisher) or article.publisher,
        title=_one_line(title) or article.title,
    )
    if not article.title:
        raise MissingInput(f"No title found on {article.url}: give it with --title TEXT.")
    if not article.publisher:
        raise MissingInput(f"No publisher found on {article.url}: give it with --publisher NAME.")
    if article.date is None:
        raise MissingInput(f"No publication date found on {article.url}: give it with --date YYYY-MM-DD.")
    existing = existing_analyses(folder)
    duplicate = find_duplicate(article.url, article.text, existing)
    if duplicate:
        raise CorpusToolError(duplicate)
    path = _free_path(folder, file_name(article.date, article.publisher, article.title))
    fields = {
        "title": article.title,
        "publisher": article.publisher,
        "author": article.author,
        "date": article.date.isoformat(),
        "url": article.url,
        "excerpt": article.excerpt,
    }
    write_checked(path, render_document(fields, article.title, article.text, article.excerpt))
    return Written(path, article)


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise MissingInput(f"--date must be a date like 2024-07-30, got {value!r}.") from None


def file_name(date: dt.date, publisher: str, title: str) -> str:
    who = _slug(publisher_short_name(publisher), MAX_PUBLISHER_SLUG_CHARS) or "unknown"
    what = _slug(title, MAX_TITLE_SLUG_CHARS) or "untitled"
    return f"{date.isoformat()}-{who}-{what}.md"


def render_document(fields: dict[str, object], title: str, text: str, excerpt: bool) -> str:
    """Front matter, the title as a heading, the text, and the excerpt note when it is one."""
    lines = ["---"]
    for key, value in fields.items():
        if value is None or value == "":
            continue
        lines.append(f"{key}: {'true' if value is True else 'false' if value is False else _quoted(value)}")
    lines += ["---", "", f"# {title}", "", text.strip(), ""]
    if excerpt:
        lines += [EXCERPT_NOTE, ""]
    return "\n".join(lines)


def normalise_url(url: str) -> str:
    """The address without what does not change the page: scheme, www., default port, a
    trailing slash, the fragment and tracking parameters."""
    parts = urllib.parse.urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    query = sorted(
        (k, v)
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMETERS.match(k)
    )
    path = urllib.parse.unquote(parts.path).rstrip("/")
    return f"{host}{port}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")


def existing_analyses(folder: Path) -> list[Existing]:
    found = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        source = read_analysis_source(path)  # the build's own check of the front matter
        text = path.read_text(encoding="utf-8")
        meta, _ = split_front_matter(text)
        urls = {normalise_url(source.url)}
        if isinstance(meta.get("source_copy"), str):
            urls.add(normalise_url(meta["source_copy"]))
        found.append(Existing(path, frozenset(urls), normalise(stored_text(text))))
    return found


def find_duplicate(url: str, text: str, existing: list[Existing]) -> str | None:
    """A one-line refusal when the corpus already has this address or this text; else None."""
    wanted = normalise_url(url)
    for other in existing:
        if wanted in other.urls:
            return f"Already in the corpus: {_rel(other.path)} has the same address ({url})."
    if text:
        mine = normalise(text)
        for other in existing:
            if same_piece(mine, other.text):
                return f"Already in the corpus: {_rel(other.path)} has the same text under another address."
    return None


def write_checked(path: Path, text: str) -> None:
    """Write a commentary file atomically, after the build's reader has accepted it."""
    with staged(path, text) as temporary:
        try:
            read_analysis_source(temporary)
        except CorpusError as exc:
            raise CorpusToolError(f"Refusing to write {path.name}: {str(exc).split(': ', 1)[-1]}") from None


def atomic_write(path: Path, text: str) -> None:
    with staged(path, text):
        pass


@contextlib.contextmanager
def staged(path: Path, text: str) -> Iterator[Path]:
    """A temporary file beside `path` holding `text`; renamed onto `path` if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        yield temporary
        temporary.chmod(0o644)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def front_matter_lines(file_text: str) -> tuple[list[str], str]:
    """The front matter's lines (between the --- lines) and the rest of the file."""
    if not split_front_matter(file_text)[0]:
        raise FrontMatterError("no front matter")
    _, body_start = split_front_matter(file_text)
    head = file_text[:body_start].rstrip("\n").split("\n")
    return head[1:-1], file_text[body_start:]


def _free_path(folder: Path, name: str) -> Path:
    path = folder / name
    stem = path.stem
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}.md"
        number += 1
    return path


def _slug(text: str, limit: int) -> str:
    # Accents go (é -> e); other letters and marks beyond ASCII (’, «) separate words.
    decomposed = unicodedata.normalize("NFKD", text)
    text = slug("".join(c if c.isascii() else "" if unicodedata.combining(c) else " " for c in decomposed))
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit("-", 1)[0] or text[:limit]


def _quoted(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _one_line(value: str | None) -> str:
    """The text on one line, without control characters (escape sequences, NUL, C1)."""
    return " ".join(without_controls(value or "").split())


def _rel(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"
