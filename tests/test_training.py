"""The retriever's training data and training: coverage, negatives, the cache key, determinism."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from index_build import training as T


@pytest.fixture(scope="module")
def view(settings) -> T.CorpusView:
    return T.load_corpus_view(settings.corpus)


@pytest.fixture(scope="module")
def examples() -> list[T.Example]:
    return T.load_examples(T.training_files())


@pytest.fixture(scope="module")
def pairs_all(view, examples) -> list[T.Pair]:
    return T.training_pairs(examples, view.passages, view.texts, view.crosswalk, negatives=3, positive="all")


def test_every_key_names_passages(view, examples):
    unresolved = {(e.doc, e.key) for e in examples if not T.key_passages(e, view.passages, view.texts)}
    assert not unresolved


def test_pairs_cover_every_paragraph(view, pairs_all):
    keyed = {(p.doc, p.key) for p in pairs_all}
    paragraphs = {
        (p.doc, f"{p.article}({p.paragraph})")
        for p in view.passages
        if p.kind == "treaty" and p.section == "article" and p.paragraph
    }
    missing = sorted(paragraphs - keyed)
    assert not missing, missing[:20]
    # and every treaty passage (article text, preamble, annex, resolution) is someone's positive
    positives = {p.positive for p in pairs_all}
    uncovered = [p.id for p in view.passages if p.kind == "treaty" and p.embed_text not in positives]
    assert not [u for u in uncovered if ":art" in u], uncovered[:20]


def test_negatives_never_include_a_positive(view, examples):
    pairs = T.training_pairs(
        examples, view.passages, view.texts, view.crosswalk, negatives=3, positive="first"
    )
    by_text = {}
    for passage in view.passages:
        by_text.setdefault(passage.embed_text, []).append(passage)
    positives: dict[tuple[str, str], set[str]] = {}
    for e in examples:
        found = T.key_passages(e, view.passages, view.texts)
        positives[(e.doc, e.key)] = {view.passages[i].embed_text for i in found}
    for pair in pairs:
        own = positives[(pair.doc, pair.key)]
        assert pair.positive in own
        assert not own & set(pair.negatives), pair.query
        if pair.key and "(" not in pair.key and pair.key.isdigit():  # article level: not its own article
            article = int(pair.key)
            for text in pair.negatives:
                assert not any(
                    p.doc == pair.doc and p.section == "article" and p.article == article
                    for p in by_text[text]
                ), pair.query


def test_paragraph_negatives_start_with_the_same_article(view, examples):
    example = next(e for e in examples if e.doc == "uncc" and e.key == "28(4)")
    pair = T.training_pairs([example], view.passages, view.texts, view.crosswalk, negatives=2)[0]
    assert all(n.startswith("UNCC Article 28.") for n in pair.negatives)


def test_budapest_counterpart_is_a_candidate(view):
    example = T.Example("what counts as illegal access", "uncc", "7")
    pos = T.key_passages(example, view.passages, view.texts)
    counter = T.counterpart_map(T._CrossPair(*p) for p in view.crosswalk)
    cands = T.candidate_negatives(example, pos, view.passages, view.texts, counter)
    assert any(view.passages[i].doc == "budapest" and view.passages[i].article == 2 for i in cands)


def _copy_files(tmp_path: Path) -> list[Path]:
    out = []
    for path in T.training_files():
        target = tmp_path / path.name
        shutil.copyfile(path, target)
        out.append(target)
    return out


def test_cache_key(view, tmp_path):
    files = _copy_files(tmp_path)
    recipe = T.Recipe()
    texts = T.key_texts(view)
    key = T.cache_key("m", files, recipe, texts, base_digest="d")
    assert key == T.cache_key("m", files, recipe, texts, base_digest="d")
    assert key != T.cache_key("m", files, recipe, texts, base_digest="other model")
    assert key != T.cache_key("m", files, replace(recipe, epochs=2), texts, base_digest="d")
    uncc = next(f for f in files if f.name == "uncc-21-40.yaml")
    uncc.write_text(uncc.read_text().replace("\n", '\n    - "one more question"\n', 1) + "")
    changed = uncc.read_bytes()
    assert key != T.cache_key("m", files, recipe, texts, base_digest="d")
    uncc.write_bytes(changed)
    # an edited analysis file changes commentary passages only: same key
    edited = [
        replace(p, embed_text=p.embed_text + " (edited)") if p.kind == "analysis" else p
        for p in view.passages
    ]
    shutil.copyfile(T.PROJECT_CORPUS / "training" / "uncc-21-40.yaml", uncc)
    assert T.key_texts(T.CorpusView(edited, view.texts)) == texts
    assert (
        T.cache_key("m", files, recipe, T.key_texts(T.CorpusView(edited, view.texts)), base_digest="d") == key
    )
    # a changed treaty passage does change it
    treaty = [
        replace(p, embed_text=p.embed_text + ".") if p.id == "uncc:art7:p1" else p for p in view.passages
    ]
    assert (
        T.cache_key("m", files, recipe, T.key_texts(T.CorpusView(treaty, view.texts)), base_digest="d") != key
    )


def test_base_model_digest_is_stable():
    assert T.model_files_digest("all-MiniLM-L6-v2") == T.model_files_digest("all-MiniLM-L6-v2")


def _weights(folder: Path) -> bytes:
    return (folder / "model.safetensors").read_bytes()


@pytest.mark.parametrize("mode", ["mnrl", "query"])
def test_tiny_training_is_deterministic(view, examples, tmp_path, mode):
    picked = [e for e in examples if e.doc == "uncc" and e.key in ("7(1)", "8(1)", "28(4)", "41(1)")][::7][:4]
    pairs = T.training_pairs(picked, view.passages, view.texts, view.crosswalk, negatives=1)
    recipe = T.Recipe(mode=mode, batch_size=4, max_seq_length=32, negatives=1, lr=1e-4)
    texts = [p.embed_text for p in view.passages if p.doc == "uncc" and p.article in (7, 8, 28, 41)]
    a = T.train_retriever("all-MiniLM-L6-v2", pairs, tmp_path / "a", recipe, max_steps=1, candidates=texts)
    b = T.train_retriever("all-MiniLM-L6-v2", pairs, tmp_path / "b", recipe, max_steps=1, candidates=texts)
    assert a["steps"] == b["steps"] == 1
    assert _weights(tmp_path / "a") == _weights(tmp_path / "b")
    base = Path(T.resolve_base("all-MiniLM-L6-v2")) / "model.safetensors"
    assert _weights(tmp_path / "a") != base.read_bytes()  # it did train


def test_cached_retriever_reuses_and_writes_atomically(tmp_path, monkeypatch):
    calls = []

    def fake_train(base, pairs, out, recipe, log=None, candidates=()):
        calls.append(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "modules.json").write_text("[]")
        return {"steps": 0}

    monkeypatch.setattr(T, "train_retriever", fake_train)
    monkeypatch.setattr(T, "model_files_digest", lambda name: "digest")
    files = _copy_files(tmp_path / "files") if (tmp_path / "files").mkdir() is None else []
    first = T.cached_retriever("m", files, T.Recipe(), tmp_path / "cache", lambda: [])
    again = T.cached_retriever("m", files, T.Recipe(), tmp_path / "cache", lambda: [])
    assert first == again and len(calls) == 1
    assert calls[0].parent == tmp_path / "cache" and calls[0] != first  # trained in a staging folder
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [first.name]
