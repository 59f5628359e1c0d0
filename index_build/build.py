"""Build the index from the corpus, and tell whether an existing index is up to date."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import bm25s
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from index_build.artifact import FORMAT_VERSION, read_manifest, write_index
from index_build.embedding import Embedder, EmbeddingCache, load_embedder
from index_build.glossary import load_glossary
from index_build.links import describe_links
from index_build.passages import Passage, build_passages, publisher_short_name
from index_build.sources import Corpus, load_corpus, sha256_file
from index_build.tokenize import TOKENIZER_VERSION, tokenize
from index_build.treaty import parse_treaty

CODE_DIR = Path(__file__).resolve().parent
VERSIONED_PACKAGES = ("sentence-transformers", "torch", "faiss-cpu", "bm25s", "numpy")


@dataclass
class BuildReport:
    index_dir: Path
    passages: int
    embedded: int
    reused: int
    seconds: float


@dataclass
class Freshness:
    up_to_date: bool
    reasons: list[str] = field(default_factory=list)


def code_fingerprint() -> str:
    """sha256 over the build code: an index built by other code is stale."""
    digest = hashlib.sha256()
    for path in sorted(CODE_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hashes(corpus: Corpus) -> dict[str, str]:
    return {name: sha256_file(path) for name, path in sorted(corpus.input_files().items())}


def build_index(
    corpus_root: Path,
    index_dir: Path,
    model_name: str,
    cache_path: Path,
    console: Console | None = None,
) -> BuildReport:
    console = console or Console(stderr=True)
    began = time.perf_counter()
    Path(index_dir).parent.mkdir(parents=True, exist_ok=True)  # an unusable path fails before the work
    corpus = load_corpus(corpus_root)
    passages = build_passages(corpus)
    console.print(f"Read {len(corpus.source_files())} documents: {len(passages)} passages.")
    links = describe_links(corpus, passages)  # before embedding: a bad crosswalk fails fast
    embedder = load_embedder(model_name)
    vectors, embedded = _embed_with_cache(embedder, passages, cache_path, console)
    bm25 = bm25s.BM25()
    bm25.index([tokenize(p.embed_text) for p in passages], show_progress=False)
    manifest = {
        "format": FORMAT_VERSION,
        "code": code_fingerprint(),
        "tokenizer": TOKENIZER_VERSION,
        "model": {"name": model_name, "dimension": embedder.dimension},
        "corpus_root": str(corpus.root),
        "files": input_hashes(corpus),
        "passages": len(passages),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - began, 2),
        "versions": _versions(),
    }
    write_index(
        index_dir,
        manifest=manifest,
        passages=passages,
        documents=describe_documents(corpus),
        links=links,
        vectors=vectors,
        bm25=bm25,
    )
    seconds = time.perf_counter() - began
    return BuildReport(Path(index_dir), len(passages), embedded, len(passages) - embedded, seconds)


def _embed_with_cache(
    embedder: Embedder, passages: list[Passage], cache_path: Path, console: Console
) -> tuple[np.ndarray, int]:
    texts = [p.embed_text for p in passages]
    cache = EmbeddingCache(cache_path)
    try:
        cached = cache.get_many(embedder.model_name, texts, embedder.dimension)
        missing = [i for i, vector in enumerate(cached) if vector is None]
        vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
        for i, vector in enumerate(cached):
            if vector is not None:
                vectors[i] = vector
        if missing:
            with Progress(
                TextColumn("Embedding"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task("embed", total=len(missing))
                fresh = embedder.encode(
                    [texts[i] for i in missing], on_batch=lambda n: progress.advance(task, n)
                )
            vectors[missing] = fresh
            cache.put_many(embedder.model_name, [texts[i] for i in missing], fresh)
    finally:
        cache.close()
    console.print(f"Embedded {len(missing)} passages, reused {len(texts) - len(missing)} from cache.")
    return vectors, len(missing)


def describe_documents(corpus: Corpus) -> dict:
    """Metadata the bot needs without the corpus: titles, links, article structure."""
    treaties = {}
    for source in corpus.treaties:
        treaty = parse_treaty(source)
        treaties[source.id] = {
            "id": source.id,
            "name": source.name,
            "title": source.title,
            "url": source.url,
            "articles": {
                str(n): {
                    "title": a.title,
                    "chapter": a.chapter,
                    "parts": list(a.parts),
                    "paragraphs": a.paragraph_numbers(),
                    "subparagraphs": a.subparagraph_letters(),
                }
                for n, a in treaty.articles.items()
            },
            "chapters": treaty.chapters,
        }
    analyses = {
        a.id: {
            "id": a.id,
            "title": a.title,
            "publisher": a.publisher,
            "publisher_short": publisher_short_name(a.publisher),
            "author": a.author,
            "date": a.date.isoformat(),
            "url": a.url,
            "excerpt": a.excerpt,
            "draft_era": a.date < corpus.final_text_date,
        }
        for a in corpus.analyses
    }
    return {
        "treaties": treaties,
        "analyses": analyses,
        "final_text_date": corpus.final_text_date.isoformat(),
        "glossary": load_glossary(),
    }


def check_index(corpus_root: Path, index_dir: Path, model_name: str) -> Freshness:
    """Compare an index's manifest with the corpus, the build code and the configured model."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        return Freshness(False, [f"no index at {index_dir}"])
    corpus = load_corpus(corpus_root)
    reasons = []
    built, current = manifest.get("files", {}), input_hashes(corpus)
    for name in sorted(set(built) | set(current)):
        if name not in built:
            reasons.append(f"new file: {name}")
        elif name not in current:
            reasons.append(f"removed file: {name}")
        elif built[name] != current[name]:
            reasons.append(f"changed file: {name}")
    if manifest.get("model", {}).get("name") != model_name:
        reasons.append(f"model changed: {manifest.get('model', {}).get('name')} -> {model_name}")
    if manifest.get("code") != code_fingerprint() or manifest.get("format") != FORMAT_VERSION:
        reasons.append("index_build code changed since the index was built")
    return Freshness(not reasons, reasons)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
