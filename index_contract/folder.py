"""The index folder: plain files plus a manifest, written atomically, read and checked by the bot.

index/
  manifest.json     model, dimension, sha256 of every input file, counts, versions, and the
                    size and sha256 of every other file of the folder
  passages.jsonl    one passage per line, in FAISS / BM25 row order
  documents.json    document metadata and article structure
  links.json        cross-references, defined terms, the Budapest crosswalk
  dense.faiss       normalised embeddings, inner-product index: exact, or IVF for a large
                    corpus (the choice and its search settings are in the manifest)
  encoder/          the query encoder as ONNX with its tokenizer and pooling settings, so
                    that answering needs onnxruntime, not torch (absent when the model
                    could not be exported; the manifest says why)
  bm25/             bm25s index files
  descriptions.jsonl, descriptions.npy, bm25-descriptions/
                    plain-language descriptions of the provisions, their vectors and their
                    BM25 index: searched beside the passages, never shown
  units.npy         a vector for each sentence or lettered item of a treaty passage (its
                    `units`), to mark the one that best answers a question

A build holds a lock beside the index (`.index.lock`), so two builds never interleave, and
writes into a staging folder (`.index.building-*`) that it renames into place when complete.
Staging folders left by a killed build are removed by the next build. Every record is typed
(`index_contract.schema`) and checked on load: sizes, hashes and counts.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import bm25s
import faiss
import msgspec
import numpy as np

from index_contract.dense import build_dense_index, read_dense_index, write_dense_index
from index_contract.files import sha256_file, swap_into_place
from index_contract.schema import Description, Documents, LinkData, Manifest, Passage, StoredFile

FORMAT_VERSION = 7
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
DOCUMENTS = "documents.json"
LINKS = "links.json"
DENSE = "dense.faiss"
ENCODER_DIR = "encoder"
BM25_DIR = "bm25"
DESCRIPTIONS = "descriptions.jsonl"
DESCRIPTION_VECTORS = "descriptions.npy"
DESCRIPTION_BM25_DIR = "bm25-descriptions"
UNIT_VECTORS = "units.npy"  # a vector for each unit of each passage, in passage order
STAGING_TAG = "building"
RETIRED_TAG = "old"

T = TypeVar("T")
_passage_decoder = msgspec.json.Decoder(Passage)
_description_decoder = msgspec.json.Decoder(Description)


class IndexUnavailable(Exception):
    """The index folder is missing, damaged or being replaced; the message says what to do."""


class IndexBusy(Exception):
    """Another build of the same index folder is running."""


@dataclass(frozen=True)
class IndexData:
    path: Path
    manifest: Manifest
    passages: tuple[Passage, ...]
    documents: Documents
    links: LinkData
    dense: faiss.Index
    bm25: bm25s.BM25
    descriptions: tuple[Description, ...] = ()
    description_vectors: np.ndarray | None = None
    description_bm25: bm25s.BM25 | None = None
    unit_vectors: np.ndarray | None = None


@dataclass(frozen=True)
class DescriptionIndex:
    """What the build writes for the descriptions: the lines, their vectors, their BM25 index."""

    lines: Sequence[Description]
    vectors: np.ndarray
    bm25: bm25s.BM25 | None  # None when there are no descriptions


# --- writing ------------------------------------------------------------------------------------


class IndexWriter:
    """Context manager for one build of the index at `target`.

    On entry it takes the build lock, removes what killed builds left behind and creates the
    staging folder (so an unwritable location fails before any slow work). `commit` writes
    every file into staging and swaps it into place; on any failure the previous index stays.
    """

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.staging: Path | None = None
        self._lock: int | None = None

    def __enter__(self) -> IndexWriter:
        parent = self.target.parent
        parent.mkdir(parents=True, exist_ok=True)
        self._lock = _take_lock(parent / f".{self.target.name}.lock", self.target)
        try:
            for stale in _leftovers(self.target):
                shutil.rmtree(stale, ignore_errors=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.{STAGING_TAG}-", dir=parent))
            self.staging.chmod(0o755)  # mkdtemp makes it private; the index is ordinary readable data
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.staging is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self._release()

    def commit(
        self,
        *,
        manifest: Manifest,
        passages: Sequence[Passage],
        documents: Documents,
        links: LinkData,
        vectors: np.ndarray,
        bm25: bm25s.BM25,
        descriptions: DescriptionIndex,
        unit_vectors: np.ndarray,
        query_encoder: Path | None = None,
    ) -> Manifest:
        """Write every file, then the manifest (its presence marks a complete index), then swap.
        `query_encoder` is an exported encoder folder, copied in whole."""
        staging = self.staging
        assert staging is not None, "commit() is called inside the with block"
        _write_lines(staging / PASSAGES, passages)
        (staging / DOCUMENTS).write_bytes(_pretty(documents))
        (staging / LINKS).write_bytes(_pretty(links))
        dense = build_dense_index(vectors)
        write_dense_index(dense, staging / DENSE)
        if query_encoder is not None:
            shutil.copytree(query_encoder, staging / ENCODER_DIR)
        bm25.save(str(staging / BM25_DIR), show_progress=False)
        _write_lines(staging / DESCRIPTIONS, descriptions.lines)
        np.save(staging / DESCRIPTION_VECTORS, np.ascontiguousarray(descriptions.vectors, dtype=np.float32))
        if descriptions.bm25 is not None:
            descriptions.bm25.save(str(staging / DESCRIPTION_BM25_DIR), show_progress=False)
        np.save(staging / UNIT_VECTORS, np.ascontiguousarray(unit_vectors, dtype=np.float32))
        manifest = replace(
            manifest,
            format=FORMAT_VERSION,
            contents=_contents(staging, with_hashes=True),
            dense_index=dense.description,
            query_encoder=ENCODER_DIR if query_encoder is not None else "",
        )
        (staging / MANIFEST).write_bytes(_pretty(manifest))
        swap_into_place(staging, self.target, RETIRED_TAG)
        return manifest

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None


def _take_lock(path: Path, target: Path) -> int:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise IndexBusy(f"Another build of {target} is running; wait for it to finish.") from None
    return descriptor


def _leftovers(target: Path) -> list[Path]:
    """Staging and retired folders of builds that did not finish (only called under the lock)."""
    prefixes = tuple(f".{target.name}.{tag}-" for tag in (STAGING_TAG, RETIRED_TAG))
    return [p for p in target.parent.iterdir() if p.name.startswith(prefixes) and p.is_dir()]


def _write_lines(path: Path, records: Sequence[object]) -> None:
    """JSON lines: one record per line."""
    encoder = msgspec.json.Encoder()
    with open(path, "wb") as out:
        for record in records:
            out.write(encoder.encode(record) + b"\n")


def _pretty(record: object) -> bytes:
    return msgspec.json.format(msgspec.json.encode(record), indent=1)


def _contents(folder: Path, *, with_hashes: bool, unhashed: str = "") -> dict[str, StoredFile]:
    """Every file of the folder but the manifest, by relative path: its size (and sha256, but for
    the files under the subfolder `unhashed`)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            name = path.relative_to(folder).as_posix()
            hashed = with_hashes and not (unhashed and name.startswith(f"{unhashed}/"))
            files[name] = StoredFile(path.stat().st_size, sha256_file(path) if hashed else "")
    return files


# --- reading ------------------------------------------------------------------------------------


def read_manifest(path: Path) -> Manifest | None:
    """The manifest of the index at `path`; None when there is no manifest at all.

    IndexUnavailable when there is one that this version cannot read (another format, or
    a value of the wrong type)."""
    file = Path(path) / MANIFEST
    try:
        raw = file.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise IndexUnavailable(f"Cannot read {file}: {exc.strerror}.") from exc
    try:
        version = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise _damaged(path, MANIFEST, exc) from exc
    if not isinstance(version, dict) or version.get("format") != FORMAT_VERSION:
        found = version.get("format") if isinstance(version, dict) else None
        raise IndexUnavailable(
            f"The index at {path} has format {found}, this version reads format {FORMAT_VERSION}. "
            "Rebuild it with: treatybot build"
        )
    return _decode(path, MANIFEST, raw, Manifest)


def load_index(path: Path) -> IndexData:
    """Read and check the index at `path`; IndexUnavailable says what is wrong and what to do."""
    path = Path(path)
    manifest = read_manifest(path)
    if manifest is None:
        raise IndexUnavailable(f"No index at {path}. Build it with: treatybot build")
    try:
        problem = _missing_or_resized(path, manifest) or _rehashed(path, manifest)
        if problem:
            raise IndexUnavailable(f"The index at {path} is damaged ({problem}). Rebuild: treatybot build")
        data = _read_files(path, manifest)
    except IndexUnavailable:
        if read_manifest(path) != manifest:
            raise IndexUnavailable(f"The index at {path} was replaced while being read; try again.") from None
        raise
    if read_manifest(path) != manifest:  # a rebuild swapped in between: files may be mixed
        raise IndexUnavailable(f"The index at {path} was replaced while being read; try again.")
    problem = _inconsistency(data)
    if problem:
        raise IndexUnavailable(f"The index at {path} is damaged ({problem}). Rebuild: treatybot build")
    return data


def verify_index(path: Path) -> list[str]:
    """What is wrong with the files of the index at `path` (sizes, hashes, counts); [] if nothing."""
    try:
        manifest = read_manifest(path)
        if manifest is None:
            return [f"no index at {path}"]
        problem = _missing_or_resized(path, manifest)
        if problem:
            return [problem]
        changed = _rehashed(Path(path), manifest, every=True)
        if changed:
            return changed.split("; ")
        problem = _inconsistency(_read_files(Path(path), manifest))
    except IndexUnavailable as exc:
        return [str(exc)]
    return [problem] if problem else []


def _missing_or_resized(path: Path, manifest: Manifest) -> str | None:
    actual = _contents(path, with_hashes=False)
    for name, stored in manifest.contents.items():
        if name not in actual:
            return f"{name} is missing"
        if actual[name].size != stored.size:
            return f"{name} has {actual[name].size} bytes, the manifest says {stored.size}"
    return None


def _rehashed(path: Path, manifest: Manifest, every: bool = False) -> str | None:
    """Which files no longer match their hash in the manifest (the first, or `every` one). On
    load (`every` false) the query encoder's model is left out: it is nine tenths of the bytes
    (0.2 s of hashing at each start), it cannot change a quoted word, and `verify_index` (build
    --check) hashes it with the rest."""
    try:
        actual = _contents(path, with_hashes=True, unhashed="" if every else ENCODER_DIR)
    except OSError as exc:  # a file went away while being hashed
        return f"{exc.filename or 'a file'} could not be read"
    changed = [
        f"{name} does not match its hash in the manifest"
        for name, stored in manifest.contents.items()
        if name not in actual or (actual[name].sha256 or stored.sha256) != stored.sha256
    ]
    return "; ".join(changed if every else changed[:1]) or None


def _read_files(path: Path, manifest: Manifest) -> IndexData:
    try:
        passages = _read_lines(path, PASSAGES, _passage_decoder)
        documents = _decode(path, DOCUMENTS, (path / DOCUMENTS).read_bytes(), Documents)
        links = _decode(path, LINKS, (path / LINKS).read_bytes(), LinkData)
        dense = read_dense_index(path / DENSE, manifest.dense_index)
        bm25 = bm25s.BM25.load(str(path / BM25_DIR))
        descriptions = _read_lines(path, DESCRIPTIONS, _description_decoder)
        description_vectors = np.load(path / DESCRIPTION_VECTORS, allow_pickle=False)
        description_bm25 = bm25s.BM25.load(str(path / DESCRIPTION_BM25_DIR)) if descriptions else None
        unit_vectors = np.load(path / UNIT_VECTORS, allow_pickle=False)
    except (OSError, ValueError, TypeError, RuntimeError, KeyError) as exc:
        raise IndexUnavailable(f"The index at {path} is damaged ({exc}). Rebuild: treatybot build") from exc
    return IndexData(
        path,
        manifest,
        passages,
        documents,
        links,
        dense,
        bm25,
        descriptions,
        description_vectors,
        description_bm25,
        unit_vectors,
    )


def _read_lines(path: Path, name: str, decoder: msgspec.json.Decoder) -> tuple:
    with open(path / name, "rb") as lines:
        try:
            return tuple(decoder.decode(line) for line in lines)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise _damaged(path, name, exc) from exc


def _decode(path: Path, name: str, raw: bytes, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(raw, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise _damaged(path, name, exc) from exc


def _damaged(path: Path, name: str, exc: Exception) -> IndexUnavailable:
    return IndexUnavailable(f"The index at {path} is damaged ({name}: {exc}). Rebuild: treatybot build")


def _inconsistency(data: IndexData) -> str | None:
    """The first way the files disagree with each other, or None."""
    count = len(data.passages)
    counts = {
        "passages in the manifest": data.manifest.passages,
        "dense vectors": data.dense.ntotal,
        "BM25 documents": int(data.bm25.scores.get("num_docs", -1)),
    }
    for what, number in counts.items():
        if number != count:
            return f"{count} passages but {number} {what}"
    if data.dense.d != data.manifest.model.dimension:
        return f"vectors of dimension {data.dense.d}, the model gives {data.manifest.model.dimension}"
    described = len(data.descriptions)
    vectors = data.description_vectors
    if vectors is None or vectors.shape != (described, data.manifest.model.dimension):
        return f"{described} descriptions but description vectors of shape {getattr(vectors, 'shape', None)}"
    units = sum(len(p.units) for p in data.passages)
    if data.unit_vectors is None or data.unit_vectors.shape != (units, data.manifest.model.dimension):
        return f"{units} passage units but unit vectors of shape {getattr(data.unit_vectors, 'shape', None)}"
    if (
        data.description_bm25 is not None
        and int(data.description_bm25.scores.get("num_docs", -1)) != described
    ):
        return f"{described} descriptions but another number in their BM25 index"
    known = set(data.documents.treaties) | set(data.documents.analyses)
    ids = {p.id for p in data.passages}
    if len(ids) != count:
        return "passage ids repeat"
    strays = sorted({p.doc for p in data.passages} - known)
    if strays:
        return f"passages of unknown documents: {', '.join(strays[:3])}"
    definitions = {d.id for d in data.links.definitions}
    for passage_id, used in data.links.uses.items():
        if passage_id not in ids or not set(used) <= definitions:
            return f"links.json names unknown passages or definitions ({passage_id})"
    if any(ref.passage not in ids for ref in data.links.references):
        return "links.json has cross-references in unknown passages"
    return None
