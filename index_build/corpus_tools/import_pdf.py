"""`treatybot corpus import-pdf`: an official PDF converted, checked, and written atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index_build.corpus_tools.errors import CorpusToolError
from index_build.corpus_tools.writer import atomic_write
from index_build.pdf_import import PdfImportError, check_converted, convert_pdf, front_matter
from index_build.sources import TreatySource, manifest_treaties


class CheckFailed(CorpusToolError):
    """The converted text does not pass its check; `problems` has one line each."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__("\n".join([message, *(f"  - {problem}" for problem in problems)]))
        self.problems = problems


@dataclass(frozen=True)
class Imported:
    path: Path
    source: TreatySource
    articles: int
    words: int
    unchanged: bool  # the file already held exactly this text


def import_pdf(
    pdf: Path, source_id: str, root: Path, manifest_path: Path, output: Path | None = None
) -> Imported:
    """Convert source `source_id` from `pdf`, check it against the manifest, write it to the
    manifest's path under `root` (or to `output`); nothing is written when the check fails."""
    source = manifest_source(source_id, root, manifest_path)
    target = output if output is not None else source.path
    check_output(target, source, root, manifest_path)
    try:
        body = convert_pdf(pdf, source_id)
        text = front_matter(source, pdf) + "\n" + body
    except PdfImportError as exc:
        raise CorpusToolError(str(exc)) from None
    problems = check_converted(text, source.articles)
    if problems:
        raise CheckFailed(
            f"{pdf.name}: the converted text of '{source_id}' fails its check against the manifest; "
            "nothing was written:",
            problems,
        )
    unchanged = target.is_file() and target.read_bytes() == text.encode("utf-8")
    if not unchanged:
        atomic_write(target, text)
    articles = sum(line.startswith("### Article ") for line in body.splitlines())
    return Imported(target, source, articles, len(body.split()), unchanged)


def check_output(target: Path, source: TreatySource, root: Path, manifest_path: Path) -> None:
    """CorpusToolError unless `target` is a regular file (or none yet) that is not another
    official text of the corpus."""
    if target.is_dir():
        raise CorpusToolError(f"{target} is a folder: give a file name with --output.")
    if target.exists() and not target.is_file():
        raise CorpusToolError(f"{target} is not a regular file: give a file name with --output.")
    for other in manifest_treaties(root, manifest_path):
        if other.id != source.id and target.resolve() == other.path.resolve():
            raise CorpusToolError(
                f"{target} is the corpus's text of '{other.id}': the '{source.id}' text may not replace it."
            )


def manifest_source(source_id: str, root: Path, manifest_path: Path) -> TreatySource:
    treaties = manifest_treaties(root, manifest_path)
    for treaty in treaties:
        if treaty.id == source_id:
            return treaty
    known = ", ".join(t.id for t in treaties)
    raise CorpusToolError(f"No source '{source_id}' in {manifest_path.name}; it lists: {known}.")
