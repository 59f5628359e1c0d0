"""`treatybot corpus refresh`: replace stored openings (`excerpt: true`) with the full piece.

A file is rewritten only when the page at its `url` now begins with the stored opening (see
`text.normalise`), so that it is the same piece, and holds more than it. The front matter is
kept line for line, but `excerpt` becomes false, `coverage` (if any) says so, and `refreshed`
records the day. Every file is reported: refreshed, different, unreachable or still an excerpt.
"""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from index_build.corpus_tools.add import read_page
from index_build.corpus_tools.errors import CorpusToolError, FetchError
from index_build.corpus_tools.settings import ToolSettings
from index_build.corpus_tools.text import begins_with, normalise, stored_text
from index_build.corpus_tools.writer import front_matter_lines, write_checked
from index_build.markdown import iter_blocks, split_front_matter
from index_build.sources import AnalysisSource, read_analysis_source

REFRESHED = "refreshed"
DIFFERENT = "different"
UNREACHABLE = "unreachable"
STILL_EXCERPT = "still an excerpt"
STATUSES = (REFRESHED, DIFFERENT, UNREACHABLE, STILL_EXCERPT)
LEADING_HEADINGS = re.compile(r"\A(?:#{1,6}[ \t][^\n]*\n+)+")


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: str
    detail: str = ""
    words_before: int = 0
    words_after: int = 0
    network_failure: bool = False  # the address could not be reached at all


@dataclass(frozen=True)
class RefreshReport:
    outcomes: tuple[Outcome, ...]
    dry_run: bool

    @property
    def offline(self) -> bool:
        """Every page failed to connect: most likely there is no network here."""
        return bool(self.outcomes) and all(o.network_failure for o in self.outcomes)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


def refresh_excerpts(
    analysis_dir: Path, tools: ToolSettings, *, dry_run: bool = False, today: dt.date | None = None
) -> RefreshReport:
    if not analysis_dir.is_dir():
        raise CorpusToolError(f"No analysis folder at {analysis_dir}: is --corpus the corpus root?")
    sources = [read_analysis_source(path) for path in sorted(analysis_dir.glob("*.md"))]
    excerpts = [source for source in sources if source.excerpt]
    day = today or dt.date.today()
    with ThreadPoolExecutor(max_workers=tools.workers) as pool:
        outcomes = tuple(pool.map(lambda source: refresh_one(source, tools, day, dry_run), excerpts))
    return RefreshReport(outcomes, dry_run)


def refresh_one(source: AnalysisSource, tools: ToolSettings, today: dt.date, dry_run: bool) -> Outcome:
    file_text = source.path.read_text(encoding="utf-8")
    stored = stored_text(file_text)
    opening = normalise(stored)
    before = len(stored.split())
    try:
        article = read_page(source.url, tools)
    except FetchError as exc:
        return Outcome(source.path, UNREACHABLE, str(exc), before, network_failure=exc.network)
    except CorpusToolError as exc:  # reached, but not an article page
        return Outcome(source.path, DIFFERENT, str(exc), before)
    text = _matching_text(article.text, opening)
    if text is None:
        return Outcome(source.path, DIFFERENT, "the page does not begin with the stored opening", before)
    after = len(text.split())
    if article.excerpt or len(normalise(text)) <= len(opening):
        return Outcome(source.path, STILL_EXCERPT, "the page shows no more than the stored opening", before)
    if not dry_run:
        write_checked(source.path, _refreshed_file(file_text, source, text, today))
    return Outcome(source.path, REFRESHED, "", before, after)


def _matching_text(text: str, opening: str) -> str | None:
    """The page's text if it begins with the opening, perhaps after headings of its own."""
    for candidate in (text, LEADING_HEADINGS.sub("", text, count=1).lstrip()):
        if begins_with(normalise(candidate), opening):
            return candidate
    return None


def _refreshed_file(file_text: str, source: AnalysisSource, text: str, today: dt.date) -> str:
    lines, _ = front_matter_lines(file_text)
    updates = {
        "excerpt": "excerpt: false",
        "coverage": 'coverage: "Full text, fetched from the url by treatybot corpus refresh."',
        "refreshed": f'refreshed: "{today.isoformat()}"',
    }
    head: list[str] = []
    for key, entry in _entries(lines):
        if key in updates:
            head.append(updates.pop(key))
        else:
            head.extend(entry)
    head.extend(updates[key] for key in ("excerpt", "refreshed") if key in updates)
    _, body_start = split_front_matter(file_text)
    blocks = iter_blocks(file_text, body_start)
    heading = blocks[0].text if blocks and blocks[0].heading_level == 1 else f"# {source.title}"
    return "\n".join(["---", *head, "---", "", heading, "", text.strip(), ""])


def _entries(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Top-level front-matter entries: (key, its line and the indented lines that continue it)."""
    entries: list[tuple[str, list[str]]] = []
    for line in lines:
        key = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if key or not entries:
            entries.append((key.group(1) if key else "", [line]))
        else:
            entries[-1][1].append(line)
    return entries
