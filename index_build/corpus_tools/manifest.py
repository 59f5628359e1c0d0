"""The commentary manifest (`corpus/fetch/commentary.yaml`): what `treatybot corpus fetch` downloads.
It sits in its own folder: the build does not read it, so editing it never makes an index stale.

It lists where the official texts come from (`official_texts`: the PDF whose parts are
converted, and the texts that cannot be fetched, with why) and every commentary piece
(`commentary`: file name, url, title, publisher, date, author). The commentary list is made
from the front matter of a corpus's analysis files:

    python -m index_build.corpus_tools.manifest ../shared/corpus            # print it
    python -m index_build.corpus_tools.manifest ../shared/corpus --write    # rewrite the file
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from index_build.corpus_tools.errors import CorpusToolError
from index_build.corpus_tools.settings import DEFAULT_COMMENTARY_MANIFEST
from index_build.markdown import load_yaml, split_front_matter
from index_build.sources import MANIFEST_PATH, CorpusError, analysis_folder, read_analysis_source
from index_contract.controls import without_controls
from index_contract.safe_yaml import short_repr

ENTRY_FIELDS = ("file", "url", "title", "publisher", "date", "author")


@dataclass(frozen=True)
class CommentaryEntry:
    file: str
    url: str
    title: str
    publisher: str
    date: dt.date
    author: str = ""
    date_note: str = ""  # how sure the date is (the corpus mirror's own note)


@dataclass(frozen=True)
class FetchManifest:
    pdf_file: str  # where the downloaded PDF is kept, under the corpus root
    from_pdf: tuple[str, ...]  # source ids converted from it
    not_fetched: dict[str, str]  # source id -> why it cannot be fetched
    commentary: tuple[CommentaryEntry, ...]


def read_fetch_manifest(path: Path) -> FetchManifest:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusToolError(f"Commentary manifest not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CorpusToolError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    official = data.get("official_texts") if isinstance(data, dict) else None
    if not isinstance(official, dict) or not isinstance(data.get("commentary"), list):
        raise CorpusToolError(f"{path}: expected 'official_texts' (a mapping) and 'commentary' (a list)")
    from_pdf = official.get("from_pdf") or []
    not_fetched = official.get("not_fetched") or {}
    if not isinstance(official.get("pdf_file"), str) or not isinstance(from_pdf, list):
        raise CorpusToolError(f"{path}: official_texts needs 'pdf_file' (a path) and 'from_pdf' (source ids)")
    if not isinstance(not_fetched, dict):
        raise CorpusToolError(f"{path}: official_texts.not_fetched must map source ids to reasons")
    if not is_inside_path(official["pdf_file"]):
        raise CorpusToolError(
            f"{path}: official_texts.pdf_file must be a relative path inside the corpus, such as "
            f"sources/A_RES_79_243.pdf; got {short_repr(official['pdf_file'])}"
        )
    entries = tuple(_entry(item, number, path) for number, item in enumerate(data["commentary"], 1))
    files = [entry.file for entry in entries]
    twice = sorted({name for name in files if files.count(name) > 1})
    if twice:
        raise CorpusToolError(f"{path}: commentary file {twice[0]} is listed twice")
    return FetchManifest(
        pdf_file=official["pdf_file"],
        from_pdf=tuple(str(s) for s in from_pdf),
        not_fetched={str(k): " ".join(str(v).split()) for k, v in not_fetched.items()},
        commentary=entries,
    )


def is_inside_path(text: str) -> bool:
    """Whether `text` is a relative path that stays where it is joined (no "..", no drive or root)."""
    parts = PurePosixPath(text).parts
    return bool(parts) and "\\" not in text and ".." not in parts and not PurePosixPath(text).is_absolute()


def _line(value: object) -> str:
    """A manifest field as one line of text, without control characters."""
    return " ".join(without_controls(str(value or "")).split())


def _entry(item: object, number: int, path: Path) -> CommentaryEntry:
    where = f"{path}: commentary entry {number}"
    if not isinstance(item, dict):
        raise CorpusToolError(f"{where} must be a mapping")
    missing = [
        name for name in ENTRY_FIELDS[:-1] if not isinstance(item.get(name), str) or not item[name].strip()
    ]
    if missing:
        raise CorpusToolError(f"{where} lacks {', '.join(missing)}")
    name = item["file"].strip()
    if "/" in name or "\\" in name or not name.endswith(".md") or name.startswith("."):
        raise CorpusToolError(f"{where}: 'file' must be a file name ending in .md, got {short_repr(name)}")
    if not item["url"].startswith(("http://", "https://")):
        raise CorpusToolError(f"{where}: 'url' must be an http(s) address")
    try:
        date = dt.date.fromisoformat(item["date"].strip())
    except ValueError:
        raise CorpusToolError(f"{where}: 'date' must be a date like 2024-07-30") from None
    return CommentaryEntry(
        name, item["url"].strip(), _line(item["title"]), _line(item["publisher"]), date,
        _line(item.get("author")), _line(item.get("date_note")),
    )  # fmt: skip


HEADER = """\
# What `treatybot corpus fetch` downloads to make a corpus on a machine that has none.
# The address of the PDF is a setting (corpus_tools.pdf_url, default https://docs.un.org/en/A/RES/79/243).
# The commentary list is generated from the analysis files' front matter:
#   python -m index_build.corpus_tools.manifest ../shared/corpus --write
"""

OFFICIAL_TEXTS = {
    # The resolution's PDF holds the resolution and, as its annex, the Convention.
    "pdf_file": "sources/A_RES_79_243.pdf",
    "from_pdf": ["uncc", "a-res-79-243-resolution"],
    "not_fetched": {
        "budapest": (
            "The Council of Europe publishes ETS No. 185 as a web page and a PDF whose layout the PDF "
            "importer does not know (it reads UN documents only), so it cannot be fetched and converted: "
            "copy treaty/budapest.md from a corpus mirror (see its PROVENANCE.md)."
        ),
    },
}


def generate(corpus_root: Path, manifest_path: Path = MANIFEST_PATH) -> str:
    """The manifest's text, its commentary list read from the corpus's analysis files."""
    entries = []
    for path in sorted(analysis_folder(corpus_root, manifest_path).glob("*.md")):
        source = read_analysis_source(path)
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        entry = {
            "file": path.name,
            "url": source.url,
            "title": source.title,
            "publisher": source.publisher,
            "date": source.date.isoformat(),
        }
        if source.author:
            entry["author"] = source.author
        if isinstance(meta.get("date_note"), str):
            entry["date_note"] = " ".join(meta["date_note"].split())
        entries.append(entry)
    body = yaml.safe_dump(
        {"official_texts": OFFICIAL_TEXTS, "commentary": entries},
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return HEADER + "\n" + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index_build.corpus_tools.manifest", description=__doc__)
    parser.add_argument("corpus", type=Path, help="corpus root whose analysis files are listed")
    parser.add_argument("--write", action="store_true", help=f"rewrite {DEFAULT_COMMENTARY_MANIFEST.name}")
    args = parser.parse_args(argv)
    try:
        text = generate(args.corpus)
    except CorpusError as exc:
        print(f"manifest: {exc}", file=sys.stderr)
        return 1
    if args.write:
        DEFAULT_COMMENTARY_MANIFEST.write_text(text, encoding="utf-8")
        print(f"Wrote {DEFAULT_COMMENTARY_MANIFEST}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
