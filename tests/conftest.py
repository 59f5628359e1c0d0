"""Shared fixtures: the real corpus, one index built from it per session, the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.engine.engine import Engine
from index_build.build import ENCODER_CACHE_DIR, PAGE_MAP_CACHE_DIR, build_index
from index_build.sources import Corpus, load_corpus
from index_build.training import RETRIEVER_CACHE_DIR
from index_contract.config import load_settings

DEV_QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "questions.yaml"
PDF_NAME = "A_RES_79_243.pdf"  # the official UN PDF the mirror's uncc.md was made from


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def corpus(settings) -> Corpus:
    return load_corpus(settings.corpus)


@pytest.fixture(scope="session")
def index_dir(settings, tmp_path_factory) -> Path:
    """An index of the real corpus, built once per test session (embeddings cached)."""
    target = tmp_path_factory.mktemp("index") / "index"
    build_index(settings.corpus, target, settings.model, settings.embedding_cache)
    return target


@pytest.fixture(scope="session")
def engine(index_dir) -> Engine:
    return Engine.load(index_dir)


@pytest.fixture(scope="session")
def dev_questions() -> list[dict]:
    return yaml.safe_load(DEV_QUESTIONS.read_text(encoding="utf-8"))["questions"]


@pytest.fixture
def corpus_copy(settings, tmp_path) -> Path:
    """A writable copy of the corpus mirror, for tests that edit documents."""
    copy = tmp_path / "corpus"
    shutil.copytree(settings.corpus, copy)
    for path in copy.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return copy


@pytest.fixture
def warm_cache(settings, index_dir, tmp_path) -> Path:
    """A private copy of the embedding cache, already holding every passage of the corpus, and
    the query encoder exported for the index fixture."""
    cache = tmp_path / "cache" / "embeddings.sqlite3"
    cache.parent.mkdir()
    shutil.copy(settings.embedding_cache, cache)
    # The exported query encoder, the trained retriever and the PDF's page map, shared
    # read-only: builds check the encoder against the model and reuse all three.
    for shared in (ENCODER_CACHE_DIR, RETRIEVER_CACHE_DIR, PAGE_MAP_CACHE_DIR):
        (cache.parent / shared).symlink_to(settings.embedding_cache.parent / shared)
    return cache


@pytest.fixture(scope="session")
def pdf_path(corpus) -> Path:
    """The official PDF in the corpus mirror (`sources/`)."""
    path = corpus.root / "sources" / PDF_NAME
    if not path.is_file():
        pytest.skip(f"{path} is not in the corpus mirror")
    return path
