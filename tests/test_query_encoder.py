"""The ONNX query encoder: export, parity with sentence-transformers, serving without torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from index_build import encoder_export
from index_build.encoder_export import ExportError, export_query_encoder
from index_contract.folder import load_index
from index_contract.models import load_embedder, resolve_model
from index_contract.query_encoder import (
    QueryEncoderUnavailable,
    load_query_encoder,
    read_settings,
    verify_files,
)

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_PASSAGES = 96
LONG_TEXT = "Each State Party shall adopt such legislative and other measures as may be necessary. " * 60
QUESTIONS = [
    "Can the authorities search and seize stored electronic data?",
    "what does art 30 say",
    "is breaking into someone's computer without permission a crime?",
    "How does the Budapest Convention differ on data retention?",
    "",
    "x",
    LONG_TEXT,
]
HEAVY_MODULES = ("torch", "transformers", "sentence_transformers")


@pytest.fixture(scope="session")
def exported(settings, tmp_path_factory) -> Path:
    """The configured model exported once, with its INT8 variant."""
    folder = tmp_path_factory.mktemp("encoder") / "query-encoder"
    export_query_encoder(settings.model, folder)
    return folder


@pytest.fixture(scope="session")
def sample_texts(index_dir) -> list[str]:
    passages = load_index(index_dir).passages
    step = max(1, len(passages) // SAMPLE_PASSAGES)
    return [p.embed_text for p in passages[::step]] + QUESTIONS


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_export_writes_model_tokenizer_and_settings(exported, settings):
    described = read_settings(exported)
    assert described["model"] == settings.model
    assert described["dimension"] == 384
    assert described["max_seq_length"] == 256
    assert described["pooling"] == "mean" and described["normalize"] is True
    assert set(described["variants"]) == {"fp32", "int8"}
    assert {"model.onnx", "model_int8.onnx", "tokenizer.json"} == set(described["files"])
    assert described["exporter"]["name"]
    assert {"onnxruntime", "tokenizers", "python"} <= set(described["versions"])
    assert described["check"]["min_cosine_fp32"] >= encoder_export.EXPORT_MIN_COSINE
    assert verify_files(exported) == []
    tokenizer = json.loads((exported / "tokenizer.json").read_text("utf-8"))
    assert tokenizer["truncation"] is None and tokenizer["padding"] is None  # set by the reader


def test_fp32_vectors_match_sentence_transformers(exported, settings, sample_texts):
    expected = load_embedder(settings.model).encode(sample_texts)
    encoder = load_query_encoder(exported)
    vectors = encoder.encode(sample_texts)
    assert vectors.dtype == np.float32 and vectors.shape == expected.shape
    assert _cosines(vectors, expected).min() > 0.9999
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    one = encoder.encode_query(QUESTIONS[0])
    assert one.dtype == np.float32 and one.shape == (384,)
    assert float(one @ expected[len(sample_texts) - len(QUESTIONS)]) > 0.9999


def test_long_texts_are_truncated_as_sentence_transformers_does(exported, settings):
    expected = load_embedder(settings.model).encode_query(LONG_TEXT)
    shorter = load_embedder(settings.model).encode_query(LONG_TEXT[: len(LONG_TEXT) // 2])
    vector = load_query_encoder(exported).encode_query(LONG_TEXT)
    assert float(vector @ expected) > 0.9999
    assert float(expected @ shorter) > 0.9999  # both are cut at 256 tokens


def test_batches_give_the_same_vectors_as_single_queries(exported, sample_texts):
    encoder = load_query_encoder(exported)
    batched = encoder.encode(sample_texts, batch_size=7)
    single = np.stack([encoder.encode_query(t) for t in sample_texts[:10]])
    assert np.allclose(batched[:10], single, atol=1e-5)


def test_int8_variant_stays_close(exported, settings, sample_texts):
    expected = load_embedder(settings.model).encode(sample_texts)
    vectors = load_query_encoder(exported, "int8").encode(sample_texts)
    assert vectors.dtype == np.float32
    assert _cosines(vectors, expected).min() > 0.95


def test_encoding_from_many_threads_matches_one_thread(exported, sample_texts):
    encoder = load_query_encoder(exported)
    expected = encoder.encode(sample_texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        rows = list(pool.map(encoder.encode_query, sample_texts * 2))
    assert np.allclose(np.stack(rows), np.vstack([expected, expected]), atol=1e-5)


def test_serving_imports_neither_torch_nor_transformers(exported):
    script = (
        "import json, sys\n"
        "from index_build.encoder_export import load_query_encoder\n"
        f"encoder = load_query_encoder({str(exported)!r})\n"
        "one = encoder.encode_query('Can the police seize data?')\n"
        "many = encoder.encode(['a question', 'another one', 'x' * 2000])\n"
        f"heavy = [m for m in {HEAVY_MODULES!r} if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'shapes': [one.shape, many.shape], 'dtype': str(many.dtype)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"heavy": [], "shapes": [[384], [3, 384]], "dtype": "float32"}


def test_a_model_with_another_pooling_cannot_be_exported(tmp_path):
    model = tmp_path / "cls-model"
    shutil.copytree(resolve_model("all-MiniLM-L6-v2"), model)
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text("utf-8"))
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config), "utf-8")
    with pytest.raises(ExportError, match="cls pooling"):
        export_query_encoder(str(model), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_model_that_does_not_load_cannot_be_exported(tmp_path):
    with pytest.raises(ExportError, match="cannot load"):
        export_query_encoder(str(tmp_path / "no-such-model"), tmp_path / "out")


def test_when_every_exporter_fails_the_error_names_each_and_the_old_folder_stays(
    exported, settings, tmp_path, monkeypatch
):
    target = tmp_path / "query-encoder"
    shutil.copytree(exported, target)

    def broken(model, staging, quantize):
        raise RuntimeError("unsupported operator")

    monkeypatch.setattr(encoder_export, "EXPORTER_FUNCTIONS", dict.fromkeys(encoder_export.EXPORTERS, broken))
    with pytest.raises(ExportError) as caught:
        export_query_encoder(settings.model, target)
    for name in encoder_export.EXPORTERS:
        assert f"{name}: RuntimeError: unsupported operator" in str(caught.value)
    assert verify_files(target) == []
    assert [p.name for p in tmp_path.iterdir()] == ["query-encoder"]  # no staging left behind


def test_reading_a_missing_or_incomplete_folder_says_so(exported, tmp_path):
    with pytest.raises(QueryEncoderUnavailable, match="No query encoder"):
        load_query_encoder(tmp_path / "nothing")
    with pytest.raises(QueryEncoderUnavailable, match="no bf16 model"):
        load_query_encoder(exported, "bf16")
    broken = tmp_path / "broken"
    shutil.copytree(exported, broken)
    (broken / "model.onnx").write_bytes(b"not a model")
    assert verify_files(broken) == ["model.onnx"]
    with pytest.raises(QueryEncoderUnavailable, match="damaged"):
        load_query_encoder(broken)
