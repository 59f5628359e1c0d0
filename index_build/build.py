"""Build the index from the corpus, and tell whether an existing index is up to date."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import bm25s
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from index_build.descriptions import load_descriptions
from index_build.embedding import EmbeddingCache, LazyModel, embed_with_cache
from index_build.encoder_export import ExportError, checked_encoder, encoder_folder_name, export_query_encoder
from index_build.glossary import GLOSSARY_FILE, load_glossary
from index_build.link_data import describe_links
from index_build.out_of_corpus_kinds import load_out_of_corpus
from index_build.passages import build_passages, publisher_short_name
from index_build.pdf_pages import definition_pages, passage_pages, read_page_map, with_pages
from index_build.sources import MANIFEST_PATH, Corpus, load_corpus
from index_build.training import RETRIEVER_CACHE_DIR, trained_retriever
from index_build.treaty import TreatyText, parse_treaties
from index_contract.files import package_versions, sha256_file
from index_contract.folder import (
    FORMAT_VERSION,
    DescriptionIndex,
    IndexWriter,
)
from index_contract.freshness import code_fingerprint
from index_contract.query_encoder import OnnxQueryEncoder
from index_contract.schema import (
    AbsentText,
    AnalysisInfo,
    ArticleInfo,
    Documents,
    Manifest,
    ModelInfo,
    Passage,
    TreatyInfo,
)
from index_contract.tokenize import TOKENIZER_VERSION, tokenize

BUILD_MODULES = ("sentence_transformers", "countryinfo")  # from the `build` extra
ENCODER_CACHE_DIR = "encoders"  # beside the embedding cache: one exported query encoder per model
PAGE_MAP_CACHE_DIR = "pdf-pages"  # beside the embedding cache: the page map of each official PDF
VERSIONED_PACKAGES = ("sentence-transformers", "torch", "faiss-cpu", "bm25s", "numpy")


@dataclass
class BuildReport:
    index_dir: Path
    passages: int
    embedded: int
    reused: int
    seconds: float


def input_hashes(corpus: Corpus) -> dict[str, str]:
    return {name: sha256_file(path) for name, path in sorted(corpus.input_files().items())}


def missing_build_modules() -> list[str]:
    """What a serving-only install lacks to build (the `build` extra); [] when all is there.
    The ONNX exporter is not needed: without it queries fall back to sentence-transformers."""
    from importlib.util import find_spec

    return [name for name in BUILD_MODULES if find_spec(name) is None]


def build_index(
    corpus_root: Path,
    index_dir: Path,
    model_name: str,
    cache_path: Path,
    console: Console | None = None,
    manifest_path: Path = MANIFEST_PATH,
) -> BuildReport:
    console = console or Console(stderr=True)
    began = time.perf_counter()
    # The lock and the staging folder come first: a busy or unwritable location fails before the work.
    with IndexWriter(index_dir) as writer:
        corpus = load_corpus(corpus_root, manifest_path)
        texts = parse_treaties(corpus)
        passages = add_pages(
            corpus, build_passages(corpus, texts), console, cache_path.parent / PAGE_MAP_CACHE_DIR
        )
        console.print(f"Read {len(corpus.source_files())} documents: {len(passages)} passages.")
        for treaty in corpus.absent:
            console.print(
                f"{treaty.name}: {treaty.path} is not in the corpus; built without it (optional).",
                markup=False,
            )
        links = describe_links(corpus, texts, passages)  # before embedding: a bad crosswalk fails fast
        links = replace(links, definitions=tuple(definition_pages(links.definitions, passages)))
        documents = describe_documents(corpus, texts)
        descriptions = load_descriptions(corpus, texts, [k.id for k in documents.out_of_corpus.kinds])
        retriever = trained_retriever(
            model_name,
            passages,
            texts,
            corpus.manifest_path.parent / "crosswalk.yaml",
            cache_path.parent / RETRIEVER_CACHE_DIR,
            log=lambda line: console.print(f"Training the retriever: {line}", markup=False),
            project_corpus=corpus.manifest_path.parent,
        )
        # A trained model is named by its base and its cache key, wherever its folder lies.
        name = f"{model_name}@{retriever.name}" if retriever else model_name
        units = [p.quote[s:e] for p in passages for s, e in p.units]
        texts_to_embed = [p.embed_text for p in passages] + [d.text for d in descriptions] + units
        with EmbeddingCache(cache_path, warn=partial(console.print, style="yellow", markup=False)) as cache:
            embedder = LazyModel(name, str(retriever) if retriever else None, cache.dimension(name))
            encoder, embedder.stand_in, no_encoder = _query_encoder(
                embedder,
                lambda probes: embed_with_cache(embedder, probes, cache)[0],
                cache_path.parent / ENCODER_CACHE_DIR,
                console,
            )
            vectors, embedded = _embed(embedder, texts_to_embed, cache, console)
        described = len(passages) + len(descriptions)
        writer.commit(
            manifest=_manifest(
                corpus,
                ModelInfo(model_name, embedder.dimension, str(retriever)),
                len(passages),
                began,
                no_encoder,
            ),
            passages=passages,
            documents=documents,
            links=links,
            vectors=vectors[: len(passages)],
            bm25=_bm25([p.embed_text for p in passages]),
            descriptions=DescriptionIndex(
                descriptions,
                vectors[len(passages) : described],
                _bm25([d.text for d in descriptions]) if descriptions else None,
            ),
            unit_vectors=vectors[described:],
            query_encoder=encoder,
        )
    seconds = time.perf_counter() - began
    return BuildReport(Path(index_dir), len(passages), embedded, len(texts_to_embed) - embedded, seconds)


def _query_encoder(
    embedder: LazyModel, encode: Callable[[list[str]], np.ndarray], cache: Path, console: Console
) -> tuple[Path | None, OnnxQueryEncoder | None, str]:
    """The model exported to ONNX for answering without torch (its folder, and the encoder
    loaded): kept in the embedding cache's folder (one per model) and checked on every build
    against the model's vectors (`encode`, through the embedding cache), exported again when it
    is missing or no longer matches. A model that cannot be exported is one line: queries then
    use sentence-transformers."""
    folder = cache / encoder_folder_name(embedder.model_name)
    encoder = checked_encoder(folder, encode)
    if encoder is None:
        console.print(f"Exporting the query encoder of {embedder.model_name} to ONNX...")
        try:
            export_query_encoder(embedder.location, folder, quantize=False)
        except (ExportError, OSError) as exc:
            note = f"the model could not be exported to ONNX ({exc})"
            console.print(f"Queries will be embedded with sentence-transformers: {note}.", markup=False)
            return None, None, note
        # Checked once more through the cache: the model's vectors of the probe texts are kept,
        # so that the next build checks the encoder without loading the model.
        encoder = checked_encoder(folder, encode)
        if encoder is None:
            note = "the exported model does not reproduce it"
            console.print(f"Queries will be embedded with sentence-transformers: {note}.", markup=False)
            return None, None, note
    return folder, encoder, ""


def _manifest(corpus: Corpus, model: ModelInfo, passages: int, began: float, no_encoder: str) -> Manifest:
    return Manifest(
        format=FORMAT_VERSION,
        code=code_fingerprint(),
        tokenizer=TOKENIZER_VERSION,
        model=model,
        corpus_root=str(corpus.root),
        files=input_hashes(corpus),
        project_root=str(corpus.manifest_path.parent.parent),
        watched=corpus.watched(),
        passages=passages,
        built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - began, 2),
        versions=package_versions(VERSIONED_PACKAGES),
        contents={},  # the writer fills in the files it writes,
        dense_index={},  # the dense index it chose
        query_encoder="",  # and where it put the query encoder
        query_encoder_note=no_encoder,
    )


def _bm25(texts: list[str]) -> bm25s.BM25:
    index = bm25s.BM25()
    index.index([tokenize(text) for text in texts], show_progress=False)
    return index


def _embed(
    embedder: LazyModel, texts: list[str], cache: EmbeddingCache, console: Console
) -> tuple[np.ndarray, int]:
    """A vector for every text, through the embedding cache, with a progress bar for the new ones."""
    progress = Progress(
        TextColumn("Embedding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task("embed", total=None)

    def start(missing: int) -> None:
        if missing:
            progress.update(task, total=missing)
            progress.start()

    try:
        vectors, embedded = embed_with_cache(
            embedder, texts, cache, on_missing=start, on_batch=lambda n: progress.advance(task, n)
        )
    finally:
        progress.stop()
    console.print(f"Embedded {embedded} texts, reused {len(texts) - embedded} from cache.")
    return vectors, embedded


def add_pages(
    corpus: Corpus, passages: list[Passage], console: Console, cache_dir: Path | None = None
) -> list[Passage]:
    """Each passage of a text made from a PDF in the corpus, with its page and a link to it
    (the PDFs' page maps kept in `cache_dir`)."""
    for source in (t for t in corpus.treaties if t.has_pdf):
        own = [p for p in passages if p.doc == source.id]
        pages = passage_pages(own, read_page_map(source.pdf, cache_dir))
        if len(pages) < len(own):
            missing = ", ".join(p.citation for p in own if p.id not in pages)
            note = f"{source.name}: no PDF page found for {missing}; they link to {source.url}."
            console.print(note, markup=False)
        pages_of = with_pages(own, pages, source.url, source.pdf_url)
        by_id = {p.id: p for p in pages_of}
        passages = [by_id.get(p.id, p) for p in passages]
    return passages


def describe_documents(corpus: Corpus, texts: Mapping[str, TreatyText]) -> Documents:
    """Metadata the bot needs without the corpus: titles, links, article structure."""
    treaties = {
        source.id: TreatyInfo(
            id=source.id,
            name=source.name,
            title=source.title,
            url=source.url,
            articles={
                n: ArticleInfo(
                    title=a.title,
                    chapter=a.chapter,
                    parts=tuple(a.parts),
                    paragraphs=tuple(a.paragraph_numbers()),
                    subparagraphs={p: tuple(letters) for p, letters in a.subparagraph_letters().items()},
                )
                for n, a in texts[source.id].articles.items()
            },
            chapters=tuple(texts[source.id].chapters),
            aliases=source.aliases,
            pdf_url=source.pdf_url if source.has_pdf else "",
        )
        for source in corpus.treaties
    }
    analyses = {
        a.id: AnalysisInfo(
            id=a.id,
            title=a.title,
            publisher=a.publisher,
            publisher_short=publisher_short_name(a.publisher),
            author=a.author,
            date=a.date.isoformat(),
            url=a.url,
            excerpt=a.excerpt,
            draft_era=a.date < corpus.final_text_date,
        )
        for a in corpus.analyses
    }
    return Documents(
        treaties=treaties,
        analyses=analyses,
        final_text_date=corpus.final_text_date.isoformat(),
        glossary=load_glossary(corpus.data_file(GLOSSARY_FILE)),
        absent=tuple(
            AbsentText(t.name, t.path.relative_to(corpus.root).as_posix(), t.aliases) for t in corpus.absent
        ),
        out_of_corpus=load_out_of_corpus(corpus, texts),
    )
