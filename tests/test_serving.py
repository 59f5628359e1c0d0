"""Answering from a built index without torch: the ONNX query encoder the build exports into
the index, the same rankings as sentence-transformers, and the fallback when there is none."""

import io
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

import index_build.build
from bot.engine.engine import Engine, query_embedder
from bot.engine.retrieval import Method
from bot.evaluation import load_questions
from index_build.build import build_index
from index_build.encoder_export import ExportError
from index_build.training import RETRIEVER_CACHE_DIR
from index_contract.folder import load_index, verify_index
from index_contract.models import Embedder, load_embedder
from index_contract.query_encoder import OnnxQueryEncoder
from tests.conftest import DEV_QUESTIONS

PROJECT = Path(__file__).resolve().parents[1]
HEAVY_MODULES = ("torch", "transformers", "sentence_transformers")
TOP = 10
SERVING_COMMANDS = [
    ["ask", "Can the authorities search and seize stored electronic data?"],
    ["search", "intimate images"],
    ["article", "28(3)"],
    ["define", "traffic data"],
    ["compare", "28"],
]


def _imports_after(index_dir: Path, commands: list[list[str]], stdin: str = "") -> list[str]:
    """Run CLI commands in one fresh process; the heavy modules it imported."""
    script = (
        "import sys\nfrom bot.cli import main\n"
        f"for args in {commands!r}:\n"
        f"    assert main(['--index', {str(index_dir)!r}, *args]) == 0, args\n"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, input=stdin, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_the_index_carries_its_query_encoder(index_dir):
    data = load_index(index_dir)
    assert data.manifest.query_encoder and data.manifest.dense_index["type"] == "flat"
    assert isinstance(query_embedder(data), OnnxQueryEncoder)
    assert any(name.startswith(data.manifest.query_encoder + "/") for name in data.manifest.contents)


def test_answering_imports_neither_torch_nor_transformers(index_dir):
    assert _imports_after(index_dir, SERVING_COMMANDS) == []


def test_chat_and_eval_import_neither(index_dir, tmp_path):
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "version: 1\nquestions:\n  - question: What is a production order?\n    expect: [uncc:27]\n", "utf-8"
    )
    commands = [["chat", "--json"], ["eval", str(questions)]]
    assert (
        _imports_after(index_dir, commands, stdin="What is Article 25?\nwhat does paragraph 2 say?\n") == []
    )


@pytest.fixture(scope="module")
def both_engines(engine):
    assert isinstance(engine.embedder, OnnxQueryEncoder)
    model = engine.data.manifest.model
    return engine, Engine(engine.data, load_embedder(model.name, model.embedded_with))


@pytest.mark.parametrize(
    "path",
    [
        DEV_QUESTIONS,
        PROJECT / "benchmarks" / "heldout_questions.yaml",
        PROJECT / "benchmarks" / "blind_questions.yaml",
    ],
    ids=["dev", "heldout", "blind"],
)
def test_onnx_and_sentence_transformers_give_identical_rankings(both_engines, path):
    onnx, torch = both_engines
    for question in load_questions(path).questions:
        served = onnx.retrieve(question.text, Method.HYBRID)
        built = torch.retrieve(question.text, Method.HYBRID)
        assert list(served.rows[:TOP]) == list(built.rows[:TOP]), question.text
        assert served.abstained == built.abstained


def test_a_model_that_cannot_be_exported_falls_back_to_sentence_transformers(
    corpus_copy, tmp_path, settings, index_dir, monkeypatch, caplog
):
    def refuse(*_args, **_kwargs):
        raise ExportError("no exporter for this model")

    monkeypatch.setattr(index_build.build, "export_query_encoder", refuse)
    output = io.StringIO()
    index, cache = tmp_path / "index", tmp_path / "cache" / "embeddings.sqlite3"
    cache.parent.mkdir()
    shutil.copy(settings.embedding_cache, cache)  # and no exported encoder beside it
    (cache.parent / RETRIEVER_CACHE_DIR).symlink_to(settings.embedding_cache.parent / RETRIEVER_CACHE_DIR)
    build_index(corpus_copy, index, settings.model, cache, Console(file=output, width=200))
    said = [line for line in output.getvalue().splitlines() if "sentence-transformers" in line]
    assert said == [
        "Queries will be embedded with sentence-transformers: the model could not be exported to ONNX "
        "(no exporter for this model)."
    ]
    assert load_index(index).manifest.query_encoder == "" and not (index / "encoder").exists()
    with caplog.at_level(logging.WARNING, logger="bot.engine.engine"):
        engine = Engine.load(index)
    assert isinstance(engine.embedder, Embedder)
    assert [r.getMessage() for r in caplog.records if r.name == "bot.engine.engine"] == [
        "Queries are embedded with sentence-transformers: the model could not be exported to ONNX "
        "(no exporter for this model)"
    ]
    assert engine.ask("What is a production order?").hits[0].passage.article == 27


def test_the_exported_encoder_is_reused_and_a_damaged_one_is_caught(
    index_dir, corpus_copy, tmp_path, warm_cache, settings, monkeypatch
):
    def must_not_export(*_args, **_kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(index_build.build, "export_query_encoder", must_not_export)
    index = tmp_path / "index"
    build_index(corpus_copy, index, settings.model, warm_cache, Console(file=io.StringIO()))
    model = index / "encoder" / "model.onnx"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    assert verify_index(index) == ["encoder/model.onnx does not match its hash in the manifest"]
