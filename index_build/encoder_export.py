"""Exporting the query side of the model to ONNX at build time (the folder that
`index_contract.query_encoder` reads and serves without torch).

Writing (`export_query_encoder`) loads the sentence-transformers model, so it imports
torch, lazily.

A model that cannot be exported raises `ExportError`; the caller then keeps the
sentence-transformers `Embedder`, e.g.:

    try:
        export_query_encoder(model, folder)
    except ExportError as exc:
        console.print(f"Queries use sentence-transformers: {exc}")
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index_contract.files import package_versions, sha256_file, swap_into_place
from index_contract.query_encoder import (
    FORMAT_VERSION,
    INPUT_NAMES,
    MODEL_FILES,
    OUTPUT_NAME,
    SETTINGS,
    TOKENIZER,
    OnnxQueryEncoder,
    QueryEncoderUnavailable,
    load_query_encoder,
    verify_files,
)

ONNX_OPSET = 18
# Probe texts checked right after export: the ONNX vectors must match sentence-transformers.
PROBE_TEXTS = (
    "Can the authorities search and seize stored electronic data?",
    "what does art 30 say",
    "Article 7. Illegal access. Each State Party shall adopt such legislative and other measures "
    "as may be necessary to establish as criminal offences under its domestic law, when committed "
    "intentionally, the access to the whole or any part of an information and communications "
    "technology system without right. " * 4,  # longer than the maximum sequence length: truncated
    "x",
)
# sentence-transformers' dynamic-quantisation preset (optimum's: uint8 weights, per channel);
# avx2 runs on any x86-64 CPU of the last decade, avx512_vnni only on some.
ST_QUANTIZATION = "avx2"
EXPORT_MIN_COSINE = 0.9999  # fp32 export must reproduce sentence-transformers this closely
VERSIONED_PACKAGES = (
    "sentence-transformers",
    "transformers",
    "torch",
    "optimum",
    "optimum-onnx",
    "onnx",
    "onnxscript",
    "onnxruntime",
    "tokenizers",
)
SUPPORTED_MODULES = ("Transformer", "Pooling", "Normalize")


class ExportError(Exception):
    """The model cannot be exported to an ONNX query encoder; keep sentence-transformers."""


class _ExporterUnavailable(Exception):
    """This exporter is not installed; try the next one."""


def export_query_encoder(
    model_name: str,
    target: Path,
    *,
    quantize: bool = True,
    exporters: Sequence[str] | None = None,
) -> dict:
    """Export `model_name` (a sentence-transformers name or folder) into `target`.

    Exporters are tried in order (default `EXPORTERS`): sentence-transformers' ONNX
    backend, optimum, then `torch.onnx.export`. The folder is written beside `target`
    and swapped in whole, so a failed export leaves an existing folder untouched.
    Returns the settings written to encoder.json. Raises ExportError.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    model = _load_sentence_transformer(model_name)
    spec = _describe_model(model, model_name)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.exporting-", dir=target.parent))
    staging.chmod(0o755)
    try:
        exporter, quantizer = _run_exporters(model, spec, staging, quantize, exporters or EXPORTERS)
        _write_tokenizer(model, staging / TOKENIZER)
        files = {name: sha256_file(staging / name) for name in sorted(os.listdir(staging))}
        settings = {
            "format": FORMAT_VERSION,
            **spec,
            "exporter": exporter,
            "quantizer": quantizer,
            "variants": {v: f for v, f in MODEL_FILES.items() if f in files},
            "inputs": list(INPUT_NAMES),
            "output": OUTPUT_NAME,
            "files": files,
            "versions": package_versions(VERSIONED_PACKAGES),
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        _write_json(staging / SETTINGS, settings)
        settings["check"] = _check_export(model, staging)
        _write_json(staging / SETTINGS, settings)
        swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return settings


def _load_sentence_transformer(model_name: str) -> Any:
    from index_contract.models import ModelError, resolve_model

    try:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(resolve_model(model_name), device="cpu")
    except (ModelError, ImportError, OSError, ValueError) as exc:
        raise ExportError(f"cannot load '{model_name}' to export it: {exc}") from exc


def _describe_model(model: Any, model_name: str) -> dict:
    """The settings the serving side needs; ExportError for what it cannot reproduce."""
    kinds = [type(module).__name__ for module in model]
    if not kinds or kinds[0] != "Transformer" or any(k not in SUPPORTED_MODULES for k in kinds):
        raise ExportError(f"'{model_name}' has modules {kinds}; only Transformer, mean Pooling, Normalize")
    if len(kinds) < 2 or kinds[1] != "Pooling":
        raise ExportError(f"'{model_name}' has no pooling module after the transformer")
    mode = _pooling_mode(model[1])
    if mode != "mean":
        raise ExportError(f"'{model_name}' uses {mode} pooling; the ONNX encoder does mean pooling only")
    transformer = model[0]
    tokenizer = getattr(transformer, "tokenizer", None)
    if tokenizer is None or not getattr(tokenizer, "is_fast", False):
        raise ExportError(f"'{model_name}' has no fast (tokenizers) tokenizer")
    dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return {
        "model": model_name,
        "dimension": int(dimension()),
        "max_seq_length": int(transformer.max_seq_length),
        "pooling": "mean",
        "normalize": True,  # the Embedder always L2-normalises, Normalize module or not
        "pad_token": tokenizer.pad_token,
        "pad_id": int(tokenizer.pad_token_id or 0),
    }


def _pooling_mode(pooling: Any) -> str:
    """'mean', 'cls', ... across sentence-transformers versions."""
    mode = getattr(pooling, "pooling_mode", None)  # 6.x: a name or a tuple of names
    if mode is None and hasattr(pooling, "get_pooling_mode_str"):  # 3.x to 5.x
        mode = pooling.get_pooling_mode_str()
    if isinstance(mode, (list, tuple)):
        return "+".join(mode)
    mode = str(mode)
    return {"mean_tokens": "mean", "cls_token": "cls"}.get(mode, mode)


def _run_exporters(
    model: Any, spec: dict, staging: Path, quantize: bool, exporters: Sequence[str]
) -> tuple[dict, dict | None]:
    failures = []
    for name in exporters:
        try:
            exporter, quantizer = EXPORTER_FUNCTIONS[name](model, staging, quantize)
        except _ExporterUnavailable as exc:
            failures.append(f"{name}: not installed ({exc})")
            continue
        except Exception as exc:  # an exporter's own failure: try the next one
            failures.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
            for leftover in staging.iterdir():
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
            continue
        exporter["tried"] = failures
        return exporter, quantizer
    raise ExportError(f"no exporter could export '{spec['model']}': " + "; ".join(failures))


def _export_sentence_transformers(model: Any, staging: Path, quantize: bool) -> tuple[dict, dict | None]:
    """sentence-transformers' own ONNX backend (needs optimum-onnx[onnxruntime])."""
    _require("optimum.onnxruntime", "onnxruntime")
    from sentence_transformers import SentenceTransformer

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source"
        model.save(str(source))
        onnx_model = SentenceTransformer(str(source), backend="onnx", device="cpu")
        onnx_model.save(str(Path(tmp) / "onnx-model"))
        shutil.copy(_only(Path(tmp) / "onnx-model" / "onnx", "model.onnx"), staging / MODEL_FILES["fp32"])
        quantizer = None
        if quantize:
            from sentence_transformers import export_dynamic_quantized_onnx_model

            export_dynamic_quantized_onnx_model(
                onnx_model, ST_QUANTIZATION, str(Path(tmp) / "onnx-model"), file_suffix="int8"
            )
            quantized = _only(Path(tmp) / "onnx-model" / "onnx", MODEL_FILES["int8"])
            shutil.copy(quantized, staging / MODEL_FILES["int8"])
            quantizer = {
                "name": "sentence_transformers.export_dynamic_quantized_onnx_model",
                "config": ST_QUANTIZATION,
            }
    return {"name": "sentence-transformers ONNX backend"}, quantizer


def _export_optimum(model: Any, staging: Path, quantize: bool) -> tuple[dict, dict | None]:
    """optimum's ONNX exporter, called directly on the transformer."""
    _require("optimum.exporters.onnx", "onnxruntime")
    from optimum.exporters.onnx import main_export

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source"
        model[0].auto_model.save_pretrained(source)
        model[0].tokenizer.save_pretrained(source)
        main_export(str(source), output=Path(tmp) / "out", task="feature-extraction", opset=ONNX_OPSET)
        shutil.copy(_only(Path(tmp) / "out", "model.onnx"), staging / MODEL_FILES["fp32"])
    quantizer = _quantize_dynamic(staging) if quantize else None
    return {"name": "optimum.exporters.onnx.main_export", "opset": ONNX_OPSET}, quantizer


def _export_torch(model: Any, staging: Path, quantize: bool) -> tuple[dict, dict | None]:
    """torch.onnx.export of the transformer (dynamo exporter, else the TorchScript one)."""
    _require("onnx")
    import torch

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self, auto_model: torch.nn.Module) -> None:
            super().__init__()
            self.auto_model = auto_model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            out = self.auto_model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    wrapper = TokenEmbeddings(model[0].auto_model).eval()
    example = tuple(torch.ones(2, 16, dtype=torch.long) for _ in INPUT_NAMES)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUT_NAMES, OUTPUT_NAME)}
    path = staging / MODEL_FILES["fp32"]
    errors = []
    dynamic = torch.export.Dim.DYNAMIC
    for dynamo in (True, False):
        if dynamo:  # the maintained exporter: shapes named per argument
            shapes = {"dynamic_shapes": {name: {0: dynamic, 1: dynamic} for name in INPUT_NAMES}}
            options: dict[str, Any] = {"dynamo": True, "external_data": False, "verbose": False, **shapes}
        else:  # the TorchScript exporter, deprecated but still shipped
            options = {"dynamo": False, "dynamic_axes": axes}
        try:
            with torch.no_grad(), _quiet_exporter():
                torch.onnx.export(
                    wrapper,
                    example,
                    str(path),
                    input_names=list(INPUT_NAMES),
                    output_names=[OUTPUT_NAME],
                    opset_version=ONNX_OPSET,
                    **options,
                )
        except Exception as exc:
            errors.append(f"dynamo={dynamo}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
            path.unlink(missing_ok=True)
            continue
        quantizer = _quantize_dynamic(staging) if quantize else None
        described = {"name": "torch.onnx.export", "dynamo": dynamo, "opset": ONNX_OPSET, "errors": errors}
        return described, quantizer
    raise RuntimeError("; ".join(errors))


@contextlib.contextmanager
def _quiet_exporter() -> Iterator[None]:
    """The exporter's own notes (skipped torchvision ops, deprecations) are not the user's business."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


EXPORTERS = ("sentence-transformers", "optimum", "torch")
EXPORTER_FUNCTIONS: dict[str, Callable[[Any, Path, bool], tuple[dict, dict | None]]] = {
    "sentence-transformers": _export_sentence_transformers,
    "optimum": _export_optimum,
    "torch": _export_torch,
}


def _quantize_dynamic(staging: Path) -> dict:
    """INT8 weights per output channel, activations quantised at run time (no calibration
    data). Per-tensor weights cost far more accuracy on MiniLM: min cosine 0.92 against 0.986."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(staging / MODEL_FILES["fp32"]),
        str(staging / MODEL_FILES["int8"]),
        weight_type=QuantType.QInt8,
        per_channel=True,
    )
    return {"name": "onnxruntime.quantization.quantize_dynamic", "weight_type": "QInt8", "per_channel": True}


def _write_tokenizer(model: Any, path: Path) -> None:
    """The backend tokenizer sentence-transformers uses, without its own truncation/padding:
    the reader sets both from encoder.json (the bundled file says 128 tokens, the model 256)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(model[0].tokenizer.backend_tokenizer.to_str())
    tokenizer.no_truncation()
    tokenizer.no_padding()
    tokenizer.save(str(path))


def _check_export(model: Any, folder: Path) -> dict:
    """Compare the exported encoder with sentence-transformers on `PROBE_TEXTS`."""
    expected = model.encode(list(PROBE_TEXTS), normalize_embeddings=True, convert_to_numpy=True)
    check = {"probe_texts": len(PROBE_TEXTS)}
    for variant in MODEL_FILES:
        if not (folder / MODEL_FILES[variant]).exists():
            continue
        try:
            vectors = load_query_encoder(folder, variant).encode(list(PROBE_TEXTS))
        except Exception as exc:
            raise ExportError(f"the exported {variant} model does not run: {exc}") from exc
        check[f"min_cosine_{variant}"] = round(float(np.min(np.sum(vectors * expected, axis=1))), 6)
    if check.get("min_cosine_fp32", 0.0) < EXPORT_MIN_COSINE:
        raise ExportError(f"the exported model does not reproduce sentence-transformers: {check}")
    return check


def _require(*modules: str) -> None:
    from importlib.util import find_spec

    for name in modules:
        try:
            found = find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            raise _ExporterUnavailable(f"no module {name}")


def _only(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.exists():
        raise FileNotFoundError(f"the exporter wrote no {name} in {folder}: {os.listdir(folder)}")
    return path


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")


def encoder_folder_name(model_name: str) -> str:
    """A folder name for the encoder of `model_name` (a hub name or a path), one per model."""
    readable = "".join(c if c.isalnum() or c in "-_." else "-" for c in Path(model_name).name)[:40]
    return f"{readable}-{hashlib.sha256(model_name.encode()).hexdigest()[:12]}"


def checked_encoder(folder: Path, encode: Callable[[list[str]], np.ndarray]) -> OnnxQueryEncoder | None:
    """The encoder in `folder`, loaded, if it is intact and embeds the probe texts as the model
    does (`encode(texts)`: the model's vectors); else None."""
    try:
        if verify_files(folder):
            return None
        encoder = load_query_encoder(folder)
        vectors = encoder.encode(list(PROBE_TEXTS))
    except QueryEncoderUnavailable:
        return None
    expected = encode(list(PROBE_TEXTS))
    return encoder if float(np.min(np.sum(vectors * expected, axis=1))) >= EXPORT_MIN_COSINE else None
