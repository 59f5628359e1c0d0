"""The index folder: plain files plus a manifest, written atomically, read by the bot.

index/
  manifest.json     model, dimension, sha256 of every input file, counts, versions
  passages.jsonl    one passage per line, in FAISS / BM25 row order
  documents.json    document metadata and article structure
  links.json        cross-references, defined terms, the Budapest crosswalk
  dense.faiss       normalised embeddings, inner-product index
  bm25/             bm25s index files
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bm25s
import faiss
import numpy as np

from index_build.passages import Passage

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
DOCUMENTS = "documents.json"
LINKS = "links.json"
DENSE = "dense.faiss"
BM25_DIR = "bm25"


class IndexUnavailable(Exception):
    """The index folder is missing or unreadable; the message says how to fix it."""


@dataclass
class IndexData:
    path: Path
    manifest: dict
    passages: list[Passage]
    documents: dict
    links: dict
    dense: faiss.Index
    bm25: bm25s.BM25


def write_index(
    target: Path,
    *,
    manifest: dict,
    passages: list[Passage],
    documents: dict,
    links: dict,
    vectors: np.ndarray,
    bm25: bm25s.BM25,
) -> None:
    """Write every file into a temporary sibling folder, then swap it into place.

    If anything fails before the swap, the previous index at `target` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the index is ordinary readable data
    try:
        with open(staging / PASSAGES, "w", encoding="utf-8") as out:
            for passage in passages:
                out.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
        _write_json(staging / DOCUMENTS, documents)
        _write_json(staging / LINKS, links)
        dense = faiss.IndexFlatIP(vectors.shape[1])
        dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(dense, str(staging / DENSE))
        bm25.save(str(staging / BM25_DIR), show_progress=False)
        _write_json(staging / MANIFEST, manifest)  # last: its presence marks a complete index
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, target: Path) -> None:
    retired = None
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        retired.rmdir()
        os.rename(target, retired)
    try:
        os.rename(staging, target)
    except OSError:
        if retired is not None:
            os.rename(retired, target)  # put the old index back
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")


def read_manifest(path: Path) -> dict | None:
    """The manifest of the index at `path`, or None when there is no complete index."""
    try:
        return json.loads((Path(path) / MANIFEST).read_text("utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None


def load_index(path: Path) -> IndexData:
    path = Path(path)
    manifest = read_manifest(path)
    if manifest is None:
        raise IndexUnavailable(f"No index at {path}. Build it with: treatybot build")
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexUnavailable(
            f"The index at {path} has format {manifest.get('format')}, this version reads "
            f"format {FORMAT_VERSION}. Rebuild it with: treatybot build"
        )
    try:
        with open(path / PASSAGES, encoding="utf-8") as lines:
            passages = [Passage.from_dict(json.loads(line)) for line in lines]
        documents = json.loads((path / DOCUMENTS).read_text("utf-8"))
        links = json.loads((path / LINKS).read_text("utf-8"))
        dense = faiss.read_index(str(path / DENSE))
        bm25 = bm25s.BM25.load(str(path / BM25_DIR))
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        if read_manifest(path) != manifest:
            raise IndexUnavailable(f"The index at {path} was replaced while being read; try again.") from exc
        raise IndexUnavailable(f"The index at {path} is damaged ({exc}). Rebuild: treatybot build") from exc
    if read_manifest(path) != manifest:  # a rebuild swapped in between: files may be mixed
        raise IndexUnavailable(f"The index at {path} was replaced while being read; try again.")
    if dense.ntotal != len(passages):
        raise IndexUnavailable(f"The index at {path} is inconsistent. Rebuild: treatybot build")
    return IndexData(path, manifest, passages, documents, links, dense, bm25)
