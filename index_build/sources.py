"""The corpus manifest (`corpus/sources.yaml`) and the documents it points to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from index_build.markdown import FrontMatterError, load_yaml, split_front_matter
from index_contract.safe_yaml import short_repr

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "corpus" / "sources.yaml"
TRAINING_DIR = "training"  # corpus/training/: questions written to teach the retriever
REQUIRED_TREATY_FIELDS = ("id", "name", "title", "url", "path")
REQUIRED_ANALYSIS_FIELDS = ("title", "publisher", "date", "url")


class CorpusError(Exception):
    """The corpus or its manifest is missing or malformed; the message says what and where."""


@dataclass(frozen=True)
class TreatySource:
    id: str
    name: str  # citation name, e.g. "UNCC"
    title: str
    url: str
    path: Path  # absolute
    articles: int  # expected article count (0: no articles, e.g. a resolution)
    aliases: tuple[str, ...] = ()  # words that name it in a question
    optional: bool = False  # the corpus may lack it (a comparison text): then built without it
    pdf: Path | None = None  # the official PDF under the corpus root (`pdf:`), for page links
    pdf_url: str = ""  # its address (`pdf_url:`): citations link to `pdf_url#page=N`

    @property
    def has_pdf(self) -> bool:
        return self.pdf is not None and self.pdf.is_file() and bool(self.pdf_url)


@dataclass(frozen=True)
class AnalysisSource:
    id: str  # file stem
    path: Path
    title: str
    publisher: str
    date: dt.date
    url: str
    author: str = ""
    excerpt: bool = False
    notes: str = ""


@dataclass(frozen=True)
class Corpus:
    root: Path
    manifest_path: Path
    final_text_date: dt.date
    treaties: tuple[TreatySource, ...]
    analyses: tuple[AnalysisSource, ...]
    data_files: tuple[Path, ...] = field(default=())  # project data the build also reads
    absent: tuple[TreatySource, ...] = ()  # optional texts the manifest lists and the corpus lacks

    def input_files(self) -> dict[str, Path]:
        """Every file the index is built from, keyed by a stable display name."""
        paths = self.source_files() + sorted({t.pdf for t in self.treaties if t.pdf and t.has_pdf})
        files = {f"corpus:{p.relative_to(self.root).as_posix()}": p for p in paths}
        data = self.manifest_path.parent
        files[f"project:{data.name}/{self.manifest_path.name}"] = self.manifest_path
        for path in self.data_files:
            files[f"project:{data.name}/{path.relative_to(data).as_posix()}"] = path
        return files

    def watched(self) -> list[str]:
        """Globs under which a new file would be a new input: analyses, the optional texts the
        corpus lacks, the project's data files."""
        analyses = analysis_folder(self.root, self.manifest_path).relative_to(self.root)
        patterns = [f"corpus:{analyses.as_posix()}/*.md"]
        patterns += [f"corpus:{t.path.relative_to(self.root).as_posix()}" for t in self.absent]
        pdfs = {t.pdf for t in self.treaties if t.pdf and not t.pdf.is_file()}  # page links once it is there
        patterns += sorted(f"corpus:{p.relative_to(self.root).as_posix()}" for p in pdfs)
        data = self.manifest_path.parent.name
        return [*patterns, f"project:{data}/*.yaml", f"project:{data}/{TRAINING_DIR}/*.yaml"]

    def data_file(self, name: str) -> Path | None:
        """The project data file of that name beside the manifest, if there is one."""
        return next(
            (p for p in self.data_files if p.parent == self.manifest_path.parent and p.name == name), None
        )

    def training_files(self) -> list[Path]:
        """The training questions (`corpus/training/*.yaml`)."""
        return [p for p in self.data_files if p.parent.name == TRAINING_DIR]

    def source_files(self) -> list[Path]:
        return [t.path for t in self.treaties] + [a.path for a in self.analyses]

    def treaty(self, doc_id: str) -> TreatySource:
        for treaty in self.treaties:
            if treaty.id == doc_id:
                return treaty
        raise KeyError(doc_id)


def load_corpus(root: Path, manifest_path: Path = MANIFEST_PATH) -> Corpus:
    """Read the manifest and check that every listed file exists and is well formed."""
    root = Path(root).expanduser().resolve()
    if not root.is_dir():
        raise CorpusError(missing_corpus(root))
    manifest = _read_manifest(manifest_path)
    listed = [_treaty_source(root, entry, manifest_path, must_exist=False) for entry in manifest["treaties"]]
    absent = tuple(t for t in listed if t.optional and not t.path.is_file())
    treaties = tuple(
        _treaty_source(root, entry, manifest_path)
        for entry, treaty in zip(manifest["treaties"], listed, strict=True)
        if treaty not in absent
    )
    analysis_dir = analysis_folder(root, manifest_path)
    if not analysis_dir.is_dir():
        raise CorpusError(f"Analysis folder not found: {analysis_dir} (expected *.md files)")
    analyses = tuple(
        read_analysis_source(inside_corpus(root, path)) for path in sorted(analysis_dir.glob("*.md"))
    )
    data = manifest_path.parent
    data_files = tuple(
        sorted(
            p
            for p in [*data.glob("*.yaml"), *(data / TRAINING_DIR).glob("*.yaml")]
            if p.resolve() != manifest_path
        )
    )
    return Corpus(
        root=root,
        manifest_path=manifest_path,
        final_text_date=_as_date(manifest.get("final_text_date"), manifest_path, "final_text_date"),
        treaties=treaties,
        analyses=analyses,
        data_files=data_files,
        absent=absent,
    )


def inside_corpus(root: Path, path: Path) -> Path:
    """`path`, if it is in the corpus once links are followed; CorpusError if it leads out of it."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        raise CorpusError(
            f"{path} leads outside the corpus {root} (to {resolved}): the corpus holds only its own files."
        )
    return path


def missing_corpus(root: Path) -> str:
    """The one line that says a corpus root does not exist, and what to do."""
    return (
        f"No corpus at {root}: fetch one with treatybot corpus fetch --to {root}, or point --corpus DIR "
        "or TREATYBOT_CORPUS at a folder with treaty/uncc.md, treaty/budapest.md and analysis/*.md."
    )


def analysis_folder(root: Path, manifest_path: Path = MANIFEST_PATH) -> Path:
    """Where the manifest says the analysis documents are, under `root` (which may not exist yet)."""
    manifest = _read_manifest(manifest_path)
    return Path(root).expanduser().resolve() / str(manifest.get("analysis_dir", "analysis"))


def manifest_treaties(root: Path, manifest_path: Path = MANIFEST_PATH) -> tuple[TreatySource, ...]:
    """The manifest's official texts, with their paths under `root`, whether or not the files exist."""
    manifest = _read_manifest(manifest_path)
    root = Path(root).expanduser().resolve()
    return tuple(
        _treaty_source(root, entry, manifest_path, must_exist=False) for entry in manifest["treaties"]
    )


def read_analysis_source(path: Path) -> AnalysisSource:
    try:
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
    except (FrontMatterError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: {exc}") from exc
    missing = [name for name in REQUIRED_ANALYSIS_FIELDS if not meta.get(name)]
    if missing:
        raise CorpusError(
            f"{path}: front matter lacks {', '.join(missing)}. Every analysis document "
            f"needs a YAML front matter with {', '.join(REQUIRED_ANALYSIS_FIELDS)}."
        )
    url = _text(meta, "url", path)
    if not url.startswith(("http://", "https://")):
        raise CorpusError(f"{path}: 'url' must be an http(s) address, got {short_repr(url)}")
    excerpt = meta.get("excerpt", False)
    if not isinstance(excerpt, bool):
        raise CorpusError(f"{path}: 'excerpt' must be true or false, got {short_repr(excerpt)}")
    return AnalysisSource(
        id=path.stem,
        path=path.resolve(),
        title=_text(meta, "title", path),
        publisher=_text(meta, "publisher", path),
        date=_as_date(meta["date"], path, "date"),
        url=url,
        author=_text(meta, "author", path),
        excerpt=excerpt,
        notes=_text(meta, "notes", path) or _text(meta, "note", path),
    )


def _text(meta: dict, name: str, where: Path) -> str:
    """A front-matter field that must be a line of text (a number is taken as text)."""
    value = meta.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CorpusError(f"{where}: '{name}' must be text, got {short_repr(value)}")
    return str(value).strip()


def read_data_file(path: Path, expected: str) -> dict:
    """A project data file (`corpus/*.yaml`) as a mapping; CorpusError names the file and says
    what was `expected` ("a mapping with a 'kinds' list") when it is not one."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CorpusError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: expected {expected}")
    return data


def _read_manifest(path: Path) -> dict:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorpusError(
            f"Corpus manifest not found: {path}\n"
            "treatybot runs from its checkout (install it with pip install -e ., as make does)."
        ) from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CorpusError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("treaties"), list):
        raise CorpusError(f"{path}: expected a mapping with a 'treaties' list")
    return data


def _treaty_source(root: Path, entry: object, manifest_path: Path, must_exist: bool = True) -> TreatySource:
    if not isinstance(entry, dict):
        raise CorpusError(f"{manifest_path}: each treaty entry must be a mapping")
    missing = [name for name in REQUIRED_TREATY_FIELDS if not entry.get(name)]
    if missing:
        raise CorpusError(f"{manifest_path}: treaty entry {entry} lacks {', '.join(missing)}")
    try:
        articles = int(entry.get("articles", 0))
    except (TypeError, ValueError):
        raise CorpusError(
            f"{manifest_path}: treaty '{entry['id']}': 'articles' must be a whole number"
        ) from None
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise CorpusError(f"{manifest_path}: treaty '{entry['id']}': 'aliases' must be a list of names")
    path = inside_corpus(root, root / str(entry["path"])).resolve()
    if must_exist and not path.is_file():
        raise CorpusError(
            f"Treaty text not found: {path}\n"
            f"The manifest {manifest_path} lists '{entry['path']}' under the corpus root {root}."
        )
    return TreatySource(
        id=str(entry["id"]),
        name=str(entry["name"]),
        title=" ".join(str(entry["title"]).split()),
        url=str(entry["url"]),
        path=path,
        articles=articles,
        aliases=tuple(a.strip() for a in aliases),
        optional=entry.get("optional") is True,
        pdf=(root / str(entry["pdf"])).resolve() if entry.get("pdf") else None,
        pdf_url=str(entry.get("pdf_url") or ""),
    )


def _as_date(value: object, where: Path, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise CorpusError(
            f"{where}: '{name}' must be a date like 2024-07-30, got {short_repr(value)}"
        ) from exc
