"""Index build: manifest, staleness check, incremental re-embedding, atomic replacement."""

import bm25s
import pytest

from index_build import artifact
from index_build.artifact import load_index, read_manifest
from index_build.build import build_index, check_index
from index_build.sources import CorpusError


def test_manifest_describes_the_build(index_dir, settings, corpus):
    manifest = read_manifest(index_dir)
    assert manifest["model"] == {"name": settings.model, "dimension": 384}
    assert manifest["passages"] == len(load_index(index_dir).passages) > 500
    assert "corpus:treaty/uncc.md" in manifest["files"]
    assert "project:corpus/sources.yaml" in manifest["files"]
    assert len(manifest["files"]) >= len(corpus.analyses) + 3
    assert {"python", "sentence-transformers", "faiss-cpu", "bm25s", "torch"} <= set(manifest["versions"])
    assert manifest["built_at"].endswith("+00:00")


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
    assert first.embedded == 0 and first.reused == first.passages
    edited = sorted((corpus_copy / "analysis").glob("*.md"))[3]
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\n## A new section\n\nA new paragraph about article 28.\n",
        "utf-8",
    )
    second = build_index(corpus_copy, index, settings.model, warm_cache)
    assert second.passages == first.passages + 1
    assert second.embedded == 1
    assert second.reused == second.passages - 1
    assert check_index(corpus_copy, index, settings.model).up_to_date


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
    assert len(load_index(index).passages) == before["passages"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".index")] == []


def test_a_cross_reference_to_a_missing_article_fails_the_build(corpus_copy, tmp_path, warm_cache, settings):
    uncc = corpus_copy / "treaty" / "uncc.md"
    text = uncc.read_text(encoding="utf-8")
    marker = "the access to the whole or any part of an information and communications technology system"
    uncc.write_text(text.replace(marker, marker + " subject to article 99 of this Convention", 1), "utf-8")
    with pytest.raises(CorpusError, match=r"article 99 of this Convention' -> Art\. 99"):
        build_index(corpus_copy, tmp_path / "index", settings.model, warm_cache)


def test_a_reader_that_catches_a_rebuild_half_way_is_told_to_try_again(index_dir, monkeypatch):
    real = artifact.read_manifest
    calls = []

    def manifest_changes_after_the_first_read(path):
        calls.append(path)
        manifest = real(path)
        return manifest if len(calls) == 1 else {**manifest, "built_at": "a later build"}

    monkeypatch.setattr(artifact, "read_manifest", manifest_changes_after_the_first_read)
    with pytest.raises(artifact.IndexUnavailable, match="replaced while being read"):
        artifact.load_index(index_dir)
