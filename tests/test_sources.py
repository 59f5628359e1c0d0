"""Corpus discovery and the messages for a missing or malformed corpus."""

from pathlib import Path

import pytest

from index_build.passages import build_passages
from index_build.sources import CorpusError, load_corpus
from index_build.treaty import parse_treaties


def test_manifest_lists_the_treaties(corpus):
    assert [t.id for t in corpus.treaties] == ["uncc", "budapest", "a-res-79-243-resolution"]
    assert corpus.treaty("uncc").name == "UNCC"
    assert corpus.treaty("budapest").name == "Budapest Convention"
    assert len(corpus.analyses) >= 30


def test_missing_corpus_says_what_was_expected_where(tmp_path):
    with pytest.raises(CorpusError) as excinfo:
        load_corpus(tmp_path / "nowhere")
    message = str(excinfo.value)
    assert "nowhere" in message and "treaty/uncc.md" in message and "TREATYBOT_CORPUS" in message


def test_a_missing_required_treaty_file_is_named_and_an_optional_one_is_left_out(corpus_copy):
    (corpus_copy / "treaty" / "budapest.md").unlink()
    assert [t.id for t in load_corpus(corpus_copy).absent] == ["budapest"]  # optional: true
    (corpus_copy / "treaty" / "uncc.md").unlink()
    with pytest.raises(CorpusError, match=r"uncc\.md"):
        load_corpus(corpus_copy)


def test_analysis_without_required_front_matter_is_named(corpus_copy):
    bad = corpus_copy / "analysis" / "2030-01-01-bad.md"
    bad.write_text("---\ntitle: Only a title\n---\n\nText.\n", encoding="utf-8")
    with pytest.raises(CorpusError) as excinfo:
        load_corpus(corpus_copy)
    assert "2030-01-01-bad.md" in str(excinfo.value) and "publisher" in str(excinfo.value)


def test_dropping_in_an_analysis_file_is_all_it_takes(corpus_copy):
    new = corpus_copy / "analysis" / "2026-01-15-example-new-commentary.md"
    new.write_text(
        '---\ntitle: "A New Commentary"\npublisher: "Example Institute (EXI)"\n'
        'date: "2026-01-15"\nurl: "https://example.org/new"\n---\n\n# A New Commentary\n\n'
        "The convention's article 28 raises questions about search warrants.\n",
        encoding="utf-8",
    )
    corpus = load_corpus(corpus_copy)
    passages = [p for p in build_passages(corpus, parse_treaties(corpus)) if p.doc == new.stem]
    assert len(passages) == 1
    assert passages[0].citation == 'EXI, "A New Commentary" (2026-01-15)'
    assert not passages[0].draft_era


def test_wrong_article_count_fails_loudly(corpus_copy):
    uncc = corpus_copy / "treaty" / "uncc.md"
    uncc.write_text(uncc.read_text(encoding="utf-8").replace("### Article 41. 24/7 network", "24/7 network"))
    with pytest.raises(CorpusError, match="missing \\[41\\]"):
        parse_treaties(load_corpus(corpus_copy))


def test_a_malformed_manifest_value_is_named(corpus_copy, tmp_path):
    manifest = tmp_path / "sources.yaml"
    text = (Path(__file__).resolve().parents[1] / "corpus" / "sources.yaml").read_text(encoding="utf-8")
    manifest.write_text(text.replace("articles: 68", "articles: many"), encoding="utf-8")
    with pytest.raises(CorpusError, match="'articles' must be a whole number"):
        load_corpus(corpus_copy, manifest)
