"""Index build: manifest, staleness check, incremental re-embedding, atomic replacement, and an
index that checks itself: damaged files, wrong JSON, a corrupt embedding cache, killed builds."""

import dataclasses
import io
import json
import shutil
import sqlite3
from pathlib import Path

import bm25s
import numpy as np
import pytest
from rich.console import Console

from bot.cli import EXIT_FAILURE, EXIT_OK, main
from bot.engine.engine import Engine
from index_build import build, embedding
from index_build.build import ENCODER_CACHE_DIR, build_index
from index_build.embedding import EmbeddingCache
from index_build.sources import CorpusError
from index_build.training import RETRIEVER_CACHE_DIR
from index_contract import folder as index_folder
from index_contract.folder import IndexBusy, IndexUnavailable, IndexWriter, load_index, read_manifest
from index_contract.freshness import check_index
from index_contract.models import load_embedder


def test_manifest_describes_the_build(index_dir, settings, corpus):
    manifest = read_manifest(index_dir)
    assert manifest.model.name == settings.model and manifest.model.dimension == 384
    assert Path(manifest.model.trained).name.startswith("retriever-")  # fine-tuned by the build
    assert manifest.passages == len(load_index(index_dir).passages) > 500
    assert "corpus:treaty/uncc.md" in manifest.files
    assert "project:corpus/sources.yaml" in manifest.files
    assert len(manifest.files) >= len(corpus.analyses) + 3
    assert {"python", "sentence-transformers", "faiss-cpu", "bm25s", "torch"} <= set(manifest.versions)
    assert manifest.built_at.endswith("+00:00")
    stored = {name: (index_dir / name).stat().st_size for name in manifest.contents}
    assert {"passages.jsonl", "documents.json", "links.json", "dense.faiss"} <= set(stored)
    assert any(name.startswith("bm25/") for name in stored)
    assert all(manifest.contents[name].size == size for name, size in stored.items())
    assert all(len(entry.sha256) == 64 for entry in manifest.contents.values())


def test_fresh_index_is_up_to_date(index_dir, settings):
    assert check_index(settings.corpus, index_dir, settings.model).up_to_date


def test_check_names_changed_new_and_removed_files(corpus_copy, tmp_path, warm_cache, settings):
    index = tmp_path / "index"
    build_index(corpus_copy, index, settings.model, warm_cache)
    assert check_index(corpus_copy, index, settings.model).up_to_date
    analyses = sorted((corpus_copy / "analysis").glob("*.md"))
    analyses[0].write_text(analyses[0].read_text(encoding="utf-8") + "\nAn added sentence.\n", "utf-8")
    analyses[1].unlink()
    (corpus_copy / "analysis" / "2026-02-02-x.md").write_text(
        '---\ntitle: X\npublisher: Y\ndate: "2026-02-02"\nurl: "https://x.example"\n---\n\nText.\n', "utf-8"
    )
    freshness = check_index(corpus_copy, index, settings.model)
    assert not freshness.up_to_date
    assert f"changed file: corpus:analysis/{analyses[0].name}" in freshness.reasons
    assert f"removed file: corpus:analysis/{analyses[1].name}" in freshness.reasons
    assert "new file: corpus:analysis/2026-02-02-x.md" in freshness.reasons
    assert not check_index(corpus_copy, index, "some-other-model").up_to_date


def test_rebuild_after_editing_one_document_embeds_only_its_changed_passages(
    corpus_copy, tmp_path, warm_cache, settings
):
    index = tmp_path / "index"
    first = build_index(corpus_copy, index, settings.model, warm_cache)
    data = load_index(index)
    texts = first.passages + len(data.descriptions) + sum(len(p.units) for p in data.passages)
    assert first.embedded == 0 and first.reused == texts > first.passages
    edited = sorted((corpus_copy / "analysis").glob("*.md"))[3]
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\n## A new section\n\nA new paragraph about article 28.\n",
        "utf-8",
    )
    second = build_index(corpus_copy, index, settings.model, warm_cache)
    assert second.passages == first.passages + 1
    assert second.embedded == 1  # only the new passage: an analysis passage has no units
    assert second.reused == texts
    assert check_index(corpus_copy, index, settings.model).up_to_date


def test_a_rebuild_after_editing_commentary_never_loads_the_model(
    corpus_copy, tmp_path, warm_cache, settings, monkeypatch
):
    """Loading sentence-transformers and torch takes seconds: a rebuild embeds its few new texts
    with the ONNX export of the model, checked to reproduce it, and loads nothing else."""
    index = tmp_path / "index"
    build_index(corpus_copy, index, settings.model, warm_cache)
    edited = sorted((corpus_copy / "analysis").glob("*.md"))[3]
    added = "A new paragraph about the retention of traffic data by service providers."
    edited.write_text(edited.read_text(encoding="utf-8") + f"\n## A new section\n\n{added}\n", "utf-8")

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded")

    with monkeypatch.context() as patch:
        patch.setattr(embedding, "load_embedder", no_model)
        again = build_index(corpus_copy, index, settings.model, warm_cache)
    assert again.embedded == 1
    data = load_index(index)
    assert data.manifest.query_encoder  # still carries its checked ONNX encoder
    row = next(i for i, p in enumerate(data.passages) if added in p.quote)
    model = load_embedder(data.manifest.model.name, data.manifest.model.trained or None)
    expected = model.encode([data.passages[row].embed_text])[0]
    assert float(data.dense.reconstruct(row) @ expected) >= 0.9999  # as the model embeds it


def test_failed_build_leaves_the_previous_index_loadable(
    corpus_copy, tmp_path, warm_cache, settings, monkeypatch
):
    index = tmp_path / "index"
    build_index(corpus_copy, index, settings.model, warm_cache)
    before = read_manifest(index)

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bm25s.BM25, "save", broken_save)
    (corpus_copy / "analysis" / "2026-02-02-x.md").write_text(
        '---\ntitle: X\npublisher: Y\ndate: "2026-02-02"\nurl: "https://x.example"\n---\n\nText.\n', "utf-8"
    )
    with pytest.raises(OSError, match="disk full"):
        build_index(corpus_copy, index, settings.model, warm_cache)
    assert read_manifest(index) == before
    assert len(load_index(index).passages) == before.passages
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".index")] == [".index.lock"]


def test_a_cross_reference_to_a_missing_article_fails_the_build(corpus_copy, tmp_path, warm_cache, settings):
    uncc = corpus_copy / "treaty" / "uncc.md"
    text = uncc.read_text(encoding="utf-8")
    marker = "the access to the whole or any part of an information and communications technology system"
    uncc.write_text(text.replace(marker, marker + " subject to article 99 of this Convention", 1), "utf-8")
    with pytest.raises(CorpusError, match=r"article 99 of this Convention' -> Art\. 99"):
        build_index(corpus_copy, tmp_path / "index", settings.model, warm_cache)


def test_a_reader_that_catches_a_rebuild_half_way_is_told_to_try_again(index_dir, monkeypatch):
    real = index_folder.read_manifest
    calls = []

    def manifest_changes_after_the_first_read(path):
        calls.append(path)
        manifest = real(path)
        return manifest if len(calls) == 1 else dataclasses.replace(manifest, built_at="a later build")

    monkeypatch.setattr(index_folder, "read_manifest", manifest_changes_after_the_first_read)
    with pytest.raises(index_folder.IndexUnavailable, match="replaced while being read"):
        index_folder.load_index(index_dir)


# --- an index that checks itself ------------------------------------------------------------------


@pytest.fixture
def built(corpus_copy, tmp_path, warm_cache, settings):
    """A private index of the real corpus (from the warm cache), to damage."""
    index = tmp_path / "index"
    build_index(corpus_copy, index, settings.model, warm_cache)
    return index


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda index: _truncate(index / "dense.faiss"), "dense.faiss"),
        (lambda index: shutil.rmtree(index / "bm25"), "bm25/"),
        (lambda index: _truncate(index / "passages.jsonl"), "passages.jsonl"),
    ],
    ids=["truncated-dense", "deleted-bm25", "cut-passages"],
)
def test_a_damaged_index_is_not_up_to_date_and_does_not_load(built, corpus_copy, settings, damage, named):
    assert check_index(corpus_copy, built, settings.model, verify=True).up_to_date
    damage(built)
    freshness = check_index(corpus_copy, built, settings.model, verify=True)
    assert not freshness.up_to_date and named in " ".join(freshness.reasons)
    with pytest.raises(IndexUnavailable, match=f"damaged.*{named}"):
        load_index(built)


def test_a_file_changed_in_place_fails_its_hash(built, corpus_copy, settings):
    documents = built / "documents.json"
    text = documents.read_text("utf-8")
    documents.write_text(text.replace("Illegal access", "Illegal acce$$", 1), "utf-8")  # same size
    freshness = check_index(corpus_copy, built, settings.model, verify=True)
    assert freshness.reasons == ["documents.json does not match its hash in the manifest"]


def test_build_check_exits_1_on_a_damaged_index_so_make_rebuilds_it(built, corpus_copy, capsys):
    args = ["--corpus", str(corpus_copy), "--index", str(built), "build", "--check"]
    assert main(args) == EXIT_OK
    _truncate(built / "dense.faiss")
    assert main(args) == EXIT_FAILURE
    assert "dense.faiss" in capsys.readouterr().out


def _rewrite_json(index, name, text):
    """Replace one JSON file and record its new size and hash, so only its content is wrong."""
    (index / name).write_text(text, "utf-8")
    manifest = read_manifest(index)
    contents = {**manifest.contents, name: index_folder._contents(index, with_hashes=True)[name]}
    rewritten = dataclasses.replace(manifest, contents=contents)
    (index / "manifest.json").write_bytes(index_folder._pretty(rewritten))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("documents.json", "", "documents.json"),
        ("documents.json", "[]", r"documents.json: Expected `object`, got `array`"),
        ("links.json", "{}", r"links.json: Object missing required field `references`"),
        ("links.json", "", "links.json"),
    ],
)
def test_structurally_wrong_index_json_is_a_damaged_index(built, name, text, message):
    _rewrite_json(built, name, text)
    with pytest.raises(IndexUnavailable, match=message):
        load_index(built)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("[]", "has format None"),
        (f'{{"format": {index_folder.FORMAT_VERSION}}}', "missing required field"),
        (
            f'{{"format": {index_folder.FORMAT_VERSION}, "model": "x"}}',
            r"Expected `object`, got `str` - at `\$.model`",
        ),
        ("not json", "manifest.json"),
    ],
)
def test_a_wrong_manifest_is_one_line_in_ask_and_build_check(built, corpus_copy, capsys, manifest, message):
    (built / "manifest.json").write_text(manifest, "utf-8")
    with pytest.raises(IndexUnavailable, match=message):
        load_index(built)
    assert main(["--index", str(built), "ask", "what is traffic data?"]) == EXIT_FAILURE
    assert main(["--corpus", str(corpus_copy), "--index", str(built), "build", "--check"]) == EXIT_FAILURE
    err = capsys.readouterr().err
    assert "Traceback" not in err and message.split()[0] in err


def test_a_manifest_missing_its_model_is_named(built):
    manifest = json.loads((built / "manifest.json").read_text("utf-8"))
    del manifest["model"]
    (built / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(IndexUnavailable, match="missing required field `model`"):
        load_index(built)


def test_a_corrupt_embedding_cache_is_replaced_with_one_line(
    corpus_copy, tmp_path, settings, index_dir, capsys
):
    cache = tmp_path / "cache.sqlite3"
    cache.write_bytes(b"this is not a database" * 100)
    # The query encoder the index fixture exported, shared (this test is about the vector cache).
    for shared in (ENCODER_CACHE_DIR, RETRIEVER_CACHE_DIR):
        (tmp_path / shared).symlink_to(settings.embedding_cache.parent / shared)
    report = build_index(corpus_copy, tmp_path / "index", settings.model, cache)
    assert report.embedded > report.passages and report.reused == 0
    assert "cannot be used" in capsys.readouterr().err
    assert build_index(corpus_copy, tmp_path / "index", settings.model, cache).embedded == 0  # usable again


def test_an_embedding_cache_of_another_layout_is_replaced(tmp_path):
    path = tmp_path / "cache.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE embeddings (key TEXT, blob BLOB)")
    warnings = []
    with EmbeddingCache(path, warn=warnings.append) as cache:
        assert cache.get_many("m", ["text"], 3) == [None]
    assert len(warnings) == 1 and "another layout" in warnings[0]


@pytest.mark.parametrize(
    "vector",
    [np.array([np.nan, 0.0, 0.0]), np.array([2.0, 0.0, 0.0]), np.array([1.0, 0.0])],
    ids=["nan", "norm-2", "wrong-dimension"],
)
def test_cached_vectors_that_are_not_unit_vectors_are_recomputed(tmp_path, vector):
    with EmbeddingCache(tmp_path / "cache.sqlite3") as cache:
        cache.put_many("m", ["bad", "good"], [vector.astype(np.float32), np.array([0.0, 1.0, 0.0])])
        bad, good = cache.get_many("m", ["bad", "good"], 3)
    assert bad is None and good is not None


def test_a_bad_front_matter_date_names_the_file_and_the_field(corpus_copy, tmp_path, warm_cache, settings):
    bad = corpus_copy / "analysis" / "2026-01-01-bad.md"
    bad.write_text("---\ntitle: T\npublisher: P\ndate: 2024-13-45\nurl: https://x.example\n---\n\nText.\n")
    expected = r"2026-01-01-bad\.md: 'date' must be a date like 2024-07-30, got '2024-13-45'"
    with pytest.raises(CorpusError, match=expected):
        build_index(corpus_copy, tmp_path / "index", settings.model, warm_cache)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "[a, b]", "'title' must be text"),
        ("excerpt", "maybe", "'excerpt' must be true or false"),
        ("url", "ftp://x", "'url' must be an http"),
    ],
)
def test_bad_front_matter_values_name_the_file_and_the_field(corpus_copy, settings, field, value, message):
    fields = {"title": "T", "publisher": "P", "date": "2024-01-02", "url": "https://x.example", field: value}
    front = "\n".join(f"{k}: {v}" for k, v in fields.items())
    (corpus_copy / "analysis" / "2026-01-01-bad.md").write_text(f"---\n{front}\n---\n\nText.\n")
    with pytest.raises(CorpusError, match=f"2026-01-01-bad.md: {message}"):
        build.load_corpus(corpus_copy)


def test_the_next_build_clears_what_a_killed_build_left(built, corpus_copy, warm_cache, settings):
    leftovers = [built.parent / ".index.building-abc123", built.parent / ".index.old-def456"]
    for folder in leftovers:
        folder.mkdir()
        (folder / "passages.jsonl").write_text("half")
    build_index(corpus_copy, built, settings.model, warm_cache)
    assert not any(folder.exists() for folder in leftovers)
    assert sorted(p.name for p in built.parent.iterdir() if p.name.startswith(".index")) == [".index.lock"]


def test_two_builds_of_one_index_do_not_run_at_once(built, corpus_copy, warm_cache, settings):
    with IndexWriter(built), pytest.raises(IndexBusy, match="Another build"):
        build_index(corpus_copy, built, settings.model, warm_cache)
    assert load_index(built).passages  # the first build's index is untouched


def test_an_unusable_index_location_fails_before_embedding(corpus_copy, tmp_path, settings, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(embedding, "load_embedder", lambda *args: pytest.fail("embedding started"))
    with pytest.raises(OSError):
        build_index(corpus_copy, blocker / "index", settings.model, tmp_path / "cache.sqlite3")


def test_an_optional_text_the_corpus_lacks_is_left_out_with_one_line(
    corpus_copy, tmp_path, warm_cache, settings
):
    """A corpus from `treatybot corpus fetch` has no Budapest text: it builds, and says so."""
    (corpus_copy / "treaty" / "budapest.md").unlink()
    output = io.StringIO()
    index = tmp_path / "index"
    build_index(corpus_copy, index, settings.model, warm_cache, Console(file=output, width=300))
    said = [line for line in output.getvalue().splitlines() if "not in the corpus" in line]
    assert len(said) == 1 and said[0].startswith("Budapest Convention: ")
    engine = Engine.load(index)
    assert engine.treaty_ids() == ["uncc"] and "budapest" not in {p.doc for p in engine.passages}
    assert check_index(corpus_copy, index, settings.model, verify=True).up_to_date
    assert engine.ask("What is a production order?").hits[0].passage.article == 27
    (notice,) = engine.ask("How does the Budapest Convention define traffic data?").notices
    assert notice.startswith("The Budapest Convention is not in this corpus (treaty/budapest.md was missing")
