"""`treatybot corpus add URL`: one commentary page into the corpus's analysis folder."""

from __future__ import annotations

from pathlib import Path

from index_build.corpus_tools.errors import CorpusToolError
from index_build.corpus_tools.extract import Article, extract_article
from index_build.corpus_tools.fetch import HTML_TYPES, check_url, decode_html, fetch, looks_like_html
from index_build.corpus_tools.settings import ToolSettings
from index_build.corpus_tools.writer import Written, add_article, existing_analyses, find_duplicate


def add_page(
    url: str,
    analysis_dir: Path,
    tools: ToolSettings,
    *,
    html_file: Path | None = None,
    date: str | None = None,
    publisher: str | None = None,
    title: str | None = None,
) -> Written:
    """Fetch (or read from `html_file`) the page at `url`, extract it and write it to `analysis_dir`."""
    url = check_url(url)
    if not analysis_dir.is_dir():
        raise CorpusToolError(f"No analysis folder at {analysis_dir}: is --corpus the corpus root?")
    duplicate = find_duplicate(url, "", existing_analyses(analysis_dir))  # before any download
    if duplicate:
        raise CorpusToolError(duplicate)
    article = read_page(url, tools, html_file)
    return add_article(article, analysis_dir, date=date, publisher=publisher, title=title)


def read_page(url: str, tools: ToolSettings, html_file: Path | None = None) -> Article:
    """The article at `url`: fetched, or read from a saved copy of that page."""
    if html_file is None:
        page = fetch(url, timeout=tools.timeout, max_bytes=tools.max_page_bytes, user_agent=tools.user_agent,
                     accept=HTML_TYPES)  # fmt: skip
        body, charset, where = page.body, page.charset, url
        if not page.content_type and not looks_like_html(body):
            raise CorpusToolError(f"{url} is not an HTML page.")
    else:
        body, charset, where = _read_saved(html_file, tools.max_page_bytes), None, str(html_file)
    article = extract_article(decode_html(body, charset), url)
    if article is None:
        raise CorpusToolError(f"No article text found in {where}.")
    return article


def _read_saved(path: Path, max_bytes: int) -> bytes:
    try:
        if path.is_file():  # not a device, a FIFO or a socket: they have no end to read to
            body = read_at_most(path, max_bytes)
        elif not path.is_dir() and path.exists():
            raise CorpusToolError(f"{path} is not a regular file.")
        else:
            body = path.read_bytes()  # raises for a folder or a missing file
    except FileNotFoundError:
        raise CorpusToolError(f"File not found: {path}") from None
    except IsADirectoryError:
        raise CorpusToolError(f"{path} is a folder, not a saved page.") from None
    except OSError as exc:
        raise CorpusToolError(f"Cannot read {path}: {exc.strerror or exc}") from None
    if not looks_like_html(body):
        raise CorpusToolError(f"{path} is not an HTML page.")
    return body


def read_at_most(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; CorpusToolError when there are more than `max_bytes` (whatever its size says)."""
    with path.open("rb") as handle:
        body = handle.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise CorpusToolError(f"{path} is larger than the limit of {max_bytes:,} bytes.")
    return body
