"""The build's persistent cache of passage embeddings (SQLite, keyed by model and text)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from index_contract.models import ENCODE_BATCH_SIZE, Embedder, QueryEmbedder, load_embedder

CACHE_COLUMNS = ("model", "text_sha256", "vector")
CACHE_QUERY_CHUNK = 500  # keys per SELECT ... IN (...)
UNIT_NORM_TOLERANCE = 1e-3  # stored vectors further than this from length 1 are recomputed


class EmbeddingCache:
    """SQLite store of vectors keyed by (model, sha256 of the embedded text).

    A cache only saves time, so it never fails a build: one that cannot be read (not a
    database, another layout, damaged) is replaced by a new empty one, one that cannot be
    written is used read-only, and a stored vector that is not finite or not of unit length
    is ignored and computed again. `warn` is told each of these in one line.
    """

    def __init__(self, path: Path, warn: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self._warn = warn or (lambda message: None)
        self._writable = True
        try:
            self._db = self._open()
        except (sqlite3.Error, OSError) as exc:
            self._db = self._start_over(exc)

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, model: str, texts: Sequence[str], dimension: int) -> list[np.ndarray | None]:
        """The stored vector of each text, or None where there is none (or only a bad one)."""
        keys = [self.key(t) for t in texts]
        try:
            found = self._read(model, keys, dimension)
        except sqlite3.Error as exc:
            self._db.close()
            self._db = self._start_over(exc)
            found = {}
        return [found.get(k) for k in keys]

    def put_many(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        if not self._writable:
            return
        rows = [
            (model, self.key(t), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self._writable = False
            self._warn(
                f"Could not store vectors in the embedding cache {self.path} ({exc}); going on without."
            )

    def dimension(self, model: str) -> int | None:
        """The size of the vectors stored for `model`, or None when there are none."""
        try:
            row = self._db.execute(
                "SELECT length(vector) FROM embeddings WHERE model = ? LIMIT 1", [model]
            ).fetchone()
        except sqlite3.Error:
            return None
        return int(row[0]) // np.dtype(np.float32).itemsize if row and row[0] else None

    def close(self) -> None:
        self._db.close()

    def _read(self, model: str, keys: list[str], dimension: int) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), CACHE_QUERY_CHUNK):
            chunk = keys[start : start + CACHE_QUERY_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT text_sha256, vector FROM embeddings WHERE model = ? AND text_sha256 IN ({marks})",
                [model, *chunk],
            )
            for sha, blob in rows:
                vector = np.frombuffer(blob, dtype=np.float32) if isinstance(blob, bytes) else None
                if vector is not None and _usable(vector, dimension):
                    found[sha] = vector
        return found

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path)
        try:
            db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings ("
                " model TEXT NOT NULL, text_sha256 TEXT NOT NULL, vector BLOB NOT NULL,"
                " PRIMARY KEY (model, text_sha256))"
            )
            columns = tuple(row[1] for row in db.execute("PRAGMA table_info(embeddings)"))
            if columns != CACHE_COLUMNS:
                raise sqlite3.DatabaseError(f"another layout: columns {', '.join(columns)}")
        except BaseException:
            db.close()
            raise
        return db

    def _start_over(self, reason: BaseException) -> sqlite3.Connection:
        """A new empty cache in place of one that cannot be used; in memory if the file cannot be."""
        self._warn(f"The embedding cache {self.path} cannot be used ({reason}); starting a new one.")
        try:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return self._open()
        except (sqlite3.Error, OSError) as exc:
            self._warn(f"Cannot write an embedding cache at {self.path} ({exc}); not caching this time.")
            self._writable = False
            return sqlite3.connect(":memory:")


class LazyModel:
    """The build's embedding model, loaded on first use: a rebuild after editing a commentary
    file never loads sentence-transformers and torch, which alone take seconds. Its size is
    read from the vectors the cache holds for it; the few new texts of a rebuild are embedded
    by its ONNX export (`stand_in`, checked to reproduce it) unless the model is loaded anyway."""

    def __init__(self, model_name: str, location: str | None = None, dimension: int | None = None) -> None:
        self.model_name = model_name
        self.location = location or model_name
        self._known_dimension = dimension
        self.stand_in: QueryEmbedder | None = None

    @cached_property
    def model(self) -> Embedder:
        return load_embedder(self.model_name, self.location)

    @property
    def dimension(self) -> int:
        return self._known_dimension or self.model.dimension

    def encode(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        if self.stand_in is not None and "model" not in self.__dict__:
            return self.stand_in.encode(texts, on_batch)
        return self.model.encode(texts, on_batch)


def _usable(vector: np.ndarray, dimension: int) -> bool:
    """A stored vector of the right size, finite, and of unit length as the model makes them."""
    return (
        vector.shape == (dimension,)
        and bool(np.isfinite(vector).all())
        and abs(float(np.linalg.norm(vector)) - 1.0) <= UNIT_NORM_TOLERANCE
    )


def embed_with_cache(
    embedder: Embedder | LazyModel,
    texts: Sequence[str],
    cache: EmbeddingCache,
    on_missing: Callable[[int], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts` (one row each) and how many had to be embedded.

    Cached vectors are reused; the others are embedded batch by batch and stored as they
    come, so memory stays flat and an interrupted build keeps what it computed.
    `on_missing(n)` is told how many will be embedded, `on_batch(n)` after each batch.
    """
    cached = cache.get_many(embedder.model_name, texts, embedder.dimension)
    missing = [i for i, vector in enumerate(cached) if vector is None]
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for i, vector in enumerate(cached):
        if vector is not None:
            vectors[i] = vector
    if on_missing:
        on_missing(len(missing))
    for start in range(0, len(missing), ENCODE_BATCH_SIZE):
        rows = missing[start : start + ENCODE_BATCH_SIZE]
        batch = [texts[i] for i in rows]
        fresh = embedder.encode(batch)
        cache.put_many(embedder.model_name, batch, fresh)
        vectors[rows] = fresh
        if on_batch:
            on_batch(len(rows))
    return vectors, len(missing)
