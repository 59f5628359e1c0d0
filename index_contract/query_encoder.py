"""The query encoder's runtime: an exported ONNX model, served without torch.

The folder holds

  model.onnx        the transformer, token embeddings out (fp32)
  model_int8.onnx   the same with dynamically quantised INT8 weights (optional)
  tokenizer.json    the `tokenizers` tokenizer, truncation and padding switched off
  encoder.json      settings: model name, dimension, max sequence length, pooling,
                    normalisation, exporter and versions, sha256 of every file

Reading needs only numpy, onnxruntime and tokenizers: importing this module and encoding
never import torch, transformers or sentence_transformers. Pooling (mean over the attention
mask) and L2 normalisation are done here in numpy, as sentence-transformers does them. The
build's exporter (`index_build.encoder_export`) writes the folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index_contract.files import sha256_file

FORMAT_VERSION = 1
SETTINGS = "encoder.json"
TOKENIZER = "tokenizer.json"
MODEL_FILES = {"fp32": "model.onnx", "int8": "model_int8.onnx"}
OUTPUT_NAME = "last_hidden_state"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
ENCODE_BATCH_SIZE = 32


class QueryEncoderUnavailable(Exception):
    """The query-encoder folder is missing, incomplete or damaged; the message says why."""


def read_settings(folder: Path) -> dict:
    """encoder.json of `folder`; QueryEncoderUnavailable when absent or of another format."""
    try:
        settings = json.loads((Path(folder) / SETTINGS).read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise QueryEncoderUnavailable(f"No query encoder at {folder} ({exc}).") from exc
    if settings.get("format") != FORMAT_VERSION:
        raise QueryEncoderUnavailable(
            f"The query encoder at {folder} has format {settings.get('format')}, "
            f"this version reads {FORMAT_VERSION}: export it again."
        )
    return settings


def verify_files(folder: Path) -> list[str]:
    """Names of files whose sha256 differs from encoder.json (empty: all intact)."""
    folder = Path(folder)
    settings = read_settings(folder)
    return [
        name
        for name, digest in settings["files"].items()
        if not (folder / name).exists() or sha256_file(folder / name) != digest
    ]


@dataclass(frozen=True)
class _Batch:
    input_ids: np.ndarray
    attention_mask: np.ndarray
    token_type_ids: np.ndarray


class OnnxQueryEncoder:
    """Encodes texts like the sentence-transformers `Embedder`: L2-normalised float32 rows.

    Safe to share between threads: the tokenizer is configured once and only read
    afterwards, and an onnxruntime session may run from several threads at once."""

    def __init__(self, folder: Path, variant: str = "fp32", threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(folder)
        settings = read_settings(folder)
        file = settings.get("variants", {}).get(variant)
        if file is None:
            raise QueryEncoderUnavailable(
                f"The query encoder at {folder} has no {variant} model (has {sorted(settings['variants'])})."
            )
        self.folder = folder
        self.variant = variant
        self.settings = settings
        self.model_name: str = settings["model"]
        self.dimension: int = int(settings["dimension"])
        self.max_seq_length: int = int(settings["max_seq_length"])
        if settings.get("pooling") != "mean":
            raise QueryEncoderUnavailable(f"Unsupported pooling {settings.get('pooling')} in {folder}.")
        try:
            self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
            options = ort.SessionOptions()
            # Idle threads must not spin after a question: the search that follows uses the cores.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            if threads:
                options.intra_op_num_threads = threads
            self._session = ort.InferenceSession(
                str(folder / file), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime and tokenizers raise their own types
            raise QueryEncoderUnavailable(f"The query encoder at {folder} is damaged ({exc}).") from exc
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._tokenizer.enable_padding(pad_id=settings["pad_id"], pad_token=settings["pad_token"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._normalize = bool(settings.get("normalize", True))

    def _tokenize(self, texts: Sequence[str]) -> _Batch:
        encodings = self._tokenizer.encode_batch(list(texts))
        return _Batch(
            input_ids=np.array([e.ids for e in encodings], dtype=np.int64),
            attention_mask=np.array([e.attention_mask for e in encodings], dtype=np.int64),
            token_type_ids=np.array([e.type_ids for e in encodings], dtype=np.int64),
        )

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        batch = self._tokenize(texts)
        feeds = {name: getattr(batch, name) for name in INPUT_NAMES if name in self._inputs}
        (tokens,) = self._session.run([OUTPUT_NAME], feeds)
        mask = batch.attention_mask[:, :, None].astype(np.float32)
        vectors = (tokens * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        if self._normalize:
            vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors.astype(np.float32, copy=False)

    def encode(
        self,
        texts: Sequence[str],
        on_batch: Callable[[int], None] | None = None,
        batch_size: int = ENCODE_BATCH_SIZE,
    ) -> np.ndarray:
        """Embed `texts` in batches; `on_batch(n)` is called after each batch of n texts."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start : start + batch_size])
            vectors[start : start + len(batch)] = self._embed(batch)
            if on_batch:
                on_batch(len(batch))
        return vectors

    def encode_query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]


def load_query_encoder(folder: Path, variant: str = "fp32", threads: int | None = None) -> OnnxQueryEncoder:
    """The encoder in `folder` ('fp32' or 'int8'); QueryEncoderUnavailable if it cannot load."""
    return OnnxQueryEncoder(folder, variant, threads)
