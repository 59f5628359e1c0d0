"""Synthetic corpora for the scale benchmark: the real passages, repeated with variations.

Variant i depends only on i (its own seeded generator), so a smaller corpus is a prefix
of a larger one and embeddings cached for one size serve the others.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from index_build.embedding import EmbeddingCache  # noqa: E402

SENTENCE_END = re.compile(r"(?<=[.;:?!])\s+")
NUMBER = re.compile(r"\d+")
SEED = 20241224
EMBED_CHUNK = 2048  # texts embedded, then written to the cache, at a time (a stopped run resumes)
EMBED_BATCH = 64
MAX_TRIES = 8


def read_passages(index_dir: Path) -> list[str]:
    """`embed_text` of every passage of a built index, in row order."""
    with open(index_dir / "passages.jsonl", encoding="utf-8") as lines:
        return [json.loads(line)["embed_text"] for line in lines]


def vary(text: str, rng: random.Random) -> str:
    """One variation of `text`: some of shuffled sentences, swapped words, changed numbers,
    a dropped sentence; always at least one of them."""
    operations = [_shuffle_sentences, _swap_words, _change_numbers, _drop_sentence]
    chosen = [op for op in operations if rng.random() < 0.5] or [rng.choice(operations)]
    for operation in chosen:
        text = operation(text, rng)
    return text


def _shuffle_sentences(text: str, rng: random.Random) -> str:
    sentences = SENTENCE_END.split(text)
    rng.shuffle(sentences)
    return " ".join(sentences)


def _drop_sentence(text: str, rng: random.Random) -> str:
    sentences = SENTENCE_END.split(text)
    if len(sentences) > 2:
        del sentences[rng.randrange(len(sentences))]
    return " ".join(sentences)


def _swap_words(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(rng.randint(1, 4)):
        if len(words) > 2:
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def _change_numbers(text: str, rng: random.Random) -> str:
    if not NUMBER.search(text):
        return _swap_words(text, rng)
    return NUMBER.sub(lambda m: str(rng.randint(1, 99)) if rng.random() < 0.7 else m.group(), text)


def synthetic_corpus(passages: Sequence[str], size: int) -> list[str]:
    """`size` distinct texts: the passages themselves first, then variations of them."""
    texts = list(passages[:size])
    seen = set(texts)
    i = len(texts)
    while len(texts) < size:
        rng = random.Random(f"{SEED}-{i}")
        text = vary(passages[i % len(passages)], rng)
        for _ in range(MAX_TRIES):
            if text not in seen:
                break
            text = vary(text, rng)
        else:  # a short passage runs out of variations
            text = f"{text} (variant {i})"
        seen.add(text)
        texts.append(text)
        i += 1
    return texts


def embed_cached(
    texts: Sequence[str],
    cache_path: Path,
    model: str,
    dimension: int,
    encode: Callable[[list[str]], np.ndarray] | None,
    log: Callable[[str], None] = print,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectors for `texts` from the cache, embedding the missing ones with `encode`
    (length-sorted chunks, each written to the cache at once). With `encode` None nothing
    is embedded. Returns the matrix and a mask of the rows that have a vector."""
    cache = EmbeddingCache(cache_path)
    try:
        cached = cache.get_many(model, texts, dimension)
        vectors = np.zeros((len(texts), dimension), dtype=np.float32)
        have = np.zeros(len(texts), dtype=bool)
        for i, vector in enumerate(cached):
            if vector is not None:
                vectors[i], have[i] = vector, True
        missing = np.flatnonzero(~have)
        if encode is None or not len(missing):
            return vectors, have
        log(f"embedding {len(missing)} texts ({have.sum()} cached) into {cache_path}")
        began = time.perf_counter()
        for start in range(0, len(missing), EMBED_CHUNK):
            rows = sorted(missing[start : start + EMBED_CHUNK], key=lambda r: len(texts[r]))
            fresh = encode([texts[r] for r in rows])
            vectors[rows], have[rows] = fresh, True
            cache.put_many(model, [texts[r] for r in rows], fresh)
            done = start + len(rows)
            rate = done / (time.perf_counter() - began)
            left = (len(missing) - done) / rate / 60
            log(f"  {done}/{len(missing)} embedded, {rate:.0f}/s, {left:.0f} min left")
        return vectors, have
    finally:
        cache.close()
