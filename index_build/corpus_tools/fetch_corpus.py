"""`treatybot corpus fetch`: a corpus made from the official PDF and the commentary pages.

Everything is written into a temporary folder beside the target and renamed into place at
the end, so a failure (no network: the PDF cannot be downloaded) leaves nothing behind.
The commentary manifest (`manifest.py`) says which texts come from the PDF, which cannot be
fetched, and which commentary pages to fetch. A commentary page that fails is reported; the
others are kept.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from index_build.corpus_tools.add import read_page
from index_build.corpus_tools.errors import CorpusToolError, FetchError
from index_build.corpus_tools.fetch import PDF_MAGIC, PDF_TYPES, fetch
from index_build.corpus_tools.import_pdf import Imported, import_pdf
from index_build.corpus_tools.manifest import CommentaryEntry, FetchManifest, read_fetch_manifest
from index_build.corpus_tools.settings import ToolSettings
from index_build.corpus_tools.writer import render_document, write_checked
from index_build.sources import analysis_folder

RECONSTRUCTED_TITLE_MARKS = ("[...]", "[…]", "[Untitled")  # a title the mirror rebuilt from the URL
# The temporary folder beside the target: ".corpus.fetch-PID-random"; one whose process is gone
# (killed mid-way) is removed by the next fetch to the same target.
STAGING_NAME = ".{target}.fetch-{pid}-"


@dataclass(frozen=True)
class PageResult:
    file: str
    words: int = 0
    excerpt: bool = False
    error: str = ""


@dataclass
class FetchReport:
    target: Path
    pdf_url: str
    imported: list[tuple[str, Imported]] = field(default_factory=list)  # (path in the corpus, what)
    not_fetched: dict[str, str] = field(default_factory=dict)  # source path -> why
    pages: list[PageResult] = field(default_factory=list)

    @property
    def failed(self) -> list[PageResult]:
        return [page for page in self.pages if page.error]


def fetch_corpus(
    target: Path, tools: ToolSettings, manifest_path: Path, progress: Callable[[str], None] = lambda _: None
) -> FetchReport:
    manifest = read_fetch_manifest(tools.commentary_manifest)
    target = target.expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CorpusToolError(f"{target} already exists and is not empty: choose another --to.")
    created = _make_parents(target.parent)
    remove_abandoned_staging(target)
    prefix = STAGING_NAME.format(target=target.name, pid=os.getpid())
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    try:
        report = _fill(staging, target, manifest, tools, manifest_path, progress)
        if target.exists():
            target.rmdir()  # an empty folder: replaced by the complete one
        staging.chmod(0o755)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(created):
            _remove_if_empty(folder)
        raise
    return report


def _fill(
    staging: Path,
    target: Path,
    manifest: FetchManifest,
    tools: ToolSettings,
    manifest_path: Path,
    progress: Callable[[str], None],
) -> FetchReport:
    report = FetchReport(target, tools.pdf_url)
    try:
        pdf = fetch(tools.pdf_url, timeout=tools.timeout, max_bytes=tools.max_pdf_bytes,
                    user_agent=tools.user_agent, accept=PDF_TYPES)  # fmt: skip
    except FetchError as exc:
        raise CorpusToolError(f"Cannot download the Convention's PDF: {exc} Nothing was written.") from None
    if not pdf.body.startswith(PDF_MAGIC):
        raise CorpusToolError(f"{tools.pdf_url} did not send a PDF file. Nothing was written.")
    pdf_path = staging / manifest.pdf_file  # a path inside: the manifest reader checks it
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.write_bytes(pdf.body)
    progress(f"Downloaded {tools.pdf_url} ({len(pdf.body):,} bytes); converting it ...")
    for source_id in manifest.from_pdf:
        imported = import_pdf(pdf_path, source_id, staging, manifest_path)
        report.imported.append((imported.path.relative_to(staging).as_posix(), imported))
    report.not_fetched = dict(manifest.not_fetched)
    folder = analysis_folder(staging, manifest_path)
    folder.mkdir(parents=True, exist_ok=True)
    if manifest.commentary:
        progress(f"Fetching {len(manifest.commentary)} commentary pages ...")
    with ThreadPoolExecutor(max_workers=tools.workers) as pool:
        report.pages = list(pool.map(lambda entry: _fetch_page(entry, folder, tools), manifest.commentary))
    return report


def _fetch_page(entry: CommentaryEntry, folder: Path, tools: ToolSettings) -> PageResult:
    try:
        article = read_page(entry.url, tools)
    except CorpusToolError as exc:
        return PageResult(entry.file, error=str(exc))
    reconstructed = any(mark in entry.title for mark in RECONSTRUCTED_TITLE_MARKS)
    title = article.title if reconstructed and article.title else entry.title
    fields = {
        "title": title,
        "publisher": entry.publisher,
        "author": entry.author or article.author,
        "date": entry.date.isoformat(),
        "date_note": entry.date_note,
        "url": entry.url,
        "excerpt": article.excerpt,
    }
    try:
        write_checked(folder / entry.file, render_document(fields, title, article.text, article.excerpt))
    except CorpusToolError as exc:
        return PageResult(entry.file, error=str(exc))
    return PageResult(entry.file, article.words, article.excerpt)


def remove_abandoned_staging(target: Path) -> list[Path]:
    """Remove the temporary folders of earlier fetches to `target` whose process is gone."""
    removed = []
    for folder in target.parent.glob(f".{target.name}.fetch-*"):  # older ones have no PID: gone too
        pid = folder.name.removeprefix(f".{target.name}.fetch-").split("-")[0]
        if folder.is_dir() and not folder.is_symlink() and not (pid.isdigit() and _running(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a process id we can ask about: left alone
    return True


def _make_parents(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; the ones created, outermost first."""
    missing = [p for p in [folder, *folder.parents] if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()
