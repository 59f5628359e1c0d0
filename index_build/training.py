"""Fine-tuning the embedding model on the project's own questions (not wired into the build yet).

The data: `corpus/training/*.yaml` (questions written blind from the texts, keyed to the
provision or commentary file that answers them), `corpus/scenarios.yaml` and
`corpus/descriptions.yaml`. `declines.yaml` only lends its keyed lists (`answerable-twins`,
`multilingual`); its questions to decline are not positives of any passage.

- `load_examples(paths)`: every keyed question as an `Example` (query, doc, key).
- `training_pairs(examples, passages, texts, crosswalk)`: (query, positive passage text, hard
  negative texts). A key's passages are its positives; an article-level key (or a commentary
  file) has several, and one is chosen per question (`positive="best"`, the one the base
  model ranks highest; `"first"`; or `"all"`, one pair per passage). Hard negatives, hardest
  first by the base model when a scorer is given: the other paragraphs of the same article
  (never for an article-level key), the other articles of the same chapter, the Budapest
  counterpart (corpus/crosswalk.yaml) and, for commentary, the treaty passages.
- `train_retriever(base_model, pairs, out_dir, recipe)`: MultipleNegativesRankingLoss with the
  hard negatives, seeded and single-threaded in its data order: the same inputs give the
  same weights. Writes a sentence-transformers model folder.
- `cached_retriever(base_model, training_files, recipe, cache_dir, ...)`: the trained model
  folder under a key that hashes the base model's files, the training files' bytes, the
  recipe and the passage texts used; reused when present, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index_build.sources import read_data_file
from index_build.treaty import TreatyText
from index_contract.schema import Passage

PROJECT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TRAINING_DIR = "training"
DECLINES_FILE = "declines.yaml"
DECLINES_KEYED = ("answerable-twins", "multilingual")  # the keyed lists of declines.yaml
ANALYSIS_DOC = "analysis"  # top-level key of commentary.yaml
KEY = re.compile(r"^(?:(?P<section>preamble|annex)|(?P<number>\d+)(?:\((?P<paragraph>\d+)\))?)$")
EXPECT = re.compile(r"^(?P<doc>[a-z0-9-]+):(?P<key>.+)$")

# Scores questions against passage texts: (queries, texts) -> matrix of cosines.
Scorer = Callable[[Sequence[str], Sequence[str]], np.ndarray]


class TrainingDataError(ValueError):
    """A training file is malformed or names a provision the corpus lacks."""


@dataclass(frozen=True)
class Example:
    query: str
    doc: str  # "uncc", "budapest", "a-res-79-243-resolution", or a commentary file stem
    key: str  # "7", "28(4)", "preamble", "annex"; "" for a commentary file
    file: str = ""


@dataclass(frozen=True)
class Pair:
    query: str
    positive: str
    negatives: tuple[str, ...]
    doc: str = ""
    key: str = ""
    group: str = ""  # positives of one group (an article, a commentary file) share no batch


@dataclass(frozen=True)
class Recipe:
    epochs: int = 1
    batch_size: int = 32
    lr: float = 2e-5
    max_seq_length: int = 128
    negatives: int = 1  # hard negatives per question
    seed: int = 15
    max_pairs: int = 0  # 0: every pair; else a seeded sample of that many
    positive: str = "best"  # "best" | "first" | "all"
    warmup: float = 0.1  # share of steps with a linearly rising learning rate
    scale: float = 20.0  # MNRL similarity scale
    # "mnrl": MultipleNegativesRankingLoss through both sides (in-batch + hard negatives);
    # "query": the question side only, against every passage's vector computed by the model
    # itself without gradient (refreshed `refreshes` times an epoch); every passage is a
    # negative, every passage of the key a positive. Many times cheaper: questions are short.
    mode: str = "mnrl"
    refreshes: int = 1

    def fingerprint(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


# --- reading the files ---------------------------------------------------------------------------


def training_files(corpus_dir: Path = PROJECT_CORPUS) -> list[Path]:
    """scenarios.yaml, descriptions.yaml and every file of corpus/training, in a fixed order."""
    files = [corpus_dir / "scenarios.yaml", corpus_dir / "descriptions.yaml"]
    files += sorted((corpus_dir / TRAINING_DIR).glob("*.yaml"))
    return [f for f in files if f.is_file()]


def load_examples(paths: Iterable[Path]) -> list[Example]:
    found: list[Example] = []
    for path in paths:
        data = read_data_file(path, "a mapping of document ids to provisions and their questions")
        for top, value in data.items():
            top = str(top)
            if path.name == DECLINES_FILE:
                if top in DECLINES_KEYED:
                    found += _expect_list(path, top, value)
                continue
            if not isinstance(value, dict):
                raise TrainingDataError(f"{path}: '{top}' must map keys to lists of questions")
            for key, lines in value.items():
                if not isinstance(lines, list):
                    raise TrainingDataError(f"{path}: {top} '{key}' needs a list of questions")
                for line in lines:
                    text = " ".join(str(line).split())
                    if not text:
                        continue
                    if top == ANALYSIS_DOC:
                        found.append(Example(text, str(key).removesuffix(".md"), "", path.name))
                    else:
                        found.append(Example(text, top, str(key), path.name))
    return found


def _expect_list(path: Path, top: str, value: object) -> list[Example]:
    if not isinstance(value, list):
        raise TrainingDataError(f"{path}: '{top}' must be a list of {{q, expect}}")
    found = []
    for item in value:
        match = EXPECT.match(str(item.get("expect", ""))) if isinstance(item, dict) else None
        if not match or not str(item.get("q", "")).strip():
            raise TrainingDataError(f"{path}: {top}: {item!r} needs q and expect 'doc:key'")
        found.append(Example(" ".join(str(item["q"]).split()), match["doc"], match["key"], path.name))
    return found


# --- keys to passages ----------------------------------------------------------------------------


def key_passages(example: Example, passages: Sequence[Passage], texts: Mapping[str, TreatyText]) -> list[int]:
    """Indexes of the passages an example's key names (empty when the corpus lacks them)."""
    if not example.key:  # a commentary file
        return [i for i, p in enumerate(passages) if p.doc == example.doc and p.kind == "analysis"]
    match = KEY.match(example.key)
    if not match:
        raise TrainingDataError(f"{example.file}: {example.doc} '{example.key}' is not a provision key")
    text = texts.get(example.doc)
    if match["section"]:
        section = match["section"]
        if section == "preamble" and text is not None and not text.articles:  # the resolution
            return [
                i
                for i, p in enumerate(passages)
                if p.doc == example.doc and p.section in ("preamble", "body") and p.paragraph is None
            ]
        return [i for i, p in enumerate(passages) if p.doc == example.doc and p.section == section]
    number, paragraph = int(match["number"]), match["paragraph"]
    if text is not None and not text.articles:  # the resolution: its numbered paragraphs
        return [
            i
            for i, p in enumerate(passages)
            if p.doc == example.doc and p.section == "body" and p.paragraph == str(number)
        ]
    return [
        i
        for i, p in enumerate(passages)
        if p.doc == example.doc
        and p.section == "article"
        and p.article == number
        and (paragraph is None or p.paragraph == paragraph)
    ]


def _group(p: Passage) -> str:
    if p.kind == "analysis":
        return f"analysis:{p.doc}"
    if p.section == "article":
        return f"{p.doc}:art{p.article}"
    return f"{p.doc}:{p.section}"


def _paragraph_number(p: Passage) -> int:
    return int(p.paragraph) if p.paragraph and p.paragraph.isdigit() else 0


def candidate_negatives(
    example: Example,
    positives: Sequence[int],
    passages: Sequence[Passage],
    texts: Mapping[str, TreatyText],
    counterparts: Mapping[tuple[str, int], Sequence[tuple[str, int]]],
) -> list[int]:
    """Hard-negative candidates, nearest kinds first; never a positive, and never a passage of
    the same article for an article-level question."""
    excluded = set(positives)
    first = passages[positives[0]]
    article_level = bool(example.key) and "(" not in example.key
    if article_level or not example.key:
        excluded |= {i for i, p in enumerate(passages) if _group(p) == _group(first)}
    ordered: list[int] = []
    if first.kind == "analysis":  # commentary: the treaty passages (a scorer ranks them)
        ordered = [i for i, p in enumerate(passages) if p.kind == "treaty"]
        return [i for i in ordered if i not in excluded]
    if first.section == "article":
        mine = _paragraph_number(first)
        same_article = [
            i for i, p in enumerate(passages) if p.doc == first.doc and p.article == first.article
        ]
        ordered += sorted(same_article, key=lambda i: (abs(_paragraph_number(passages[i]) - mine), i))
        counter = counterparts.get((first.doc, first.article or 0), ())
        ordered += [
            i for i, p in enumerate(passages) if p.section == "article" and (p.doc, p.article) in counter
        ]
        chapter = _chapter(texts, first.doc, first.article)
        ordered += [
            i
            for i, p in enumerate(passages)
            if p.doc == first.doc
            and p.section == "article"
            and p.article != first.article
            and chapter
            and _chapter(texts, p.doc, p.article) == chapter
        ]
    else:  # preamble, annex, the resolution's paragraphs: the rest of that document
        ordered += [i for i, p in enumerate(passages) if p.doc == first.doc]
    seen: set[int] = set()
    return [i for i in ordered if not (i in excluded or i in seen or seen.add(i))]


def _chapter(texts: Mapping[str, TreatyText], doc: str, article: int | None) -> str:
    text = texts.get(doc)
    found = text.articles.get(article) if text and article is not None else None
    return found.chapter if found else ""


def counterpart_map(crosswalk_pairs: Iterable[object]) -> dict[tuple[str, int], list[tuple[str, int]]]:
    """(doc, article) -> its counterparts in the other treaty, both ways."""
    found: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for pair in crosswalk_pairs:
        uncc, budapest = int(pair.uncc), int(pair.budapest)
        found.setdefault(("uncc", uncc), []).append(("budapest", budapest))
        found.setdefault(("budapest", budapest), []).append(("uncc", uncc))
    return found


def read_crosswalk_pairs(path: Path) -> list[tuple[int, int]]:
    """The UNCC-Budapest pairs of corpus/crosswalk.yaml, read without the texts."""
    data = read_data_file(path, "a mapping with 'pairs'")
    return [(int(p["uncc"]), int(p["budapest"])) for p in data.get("pairs") or []]


@dataclass(frozen=True)
class _CrossPair:
    uncc: int
    budapest: int


def training_pairs(
    examples: Sequence[Example],
    passages: Sequence[Passage],
    texts: Mapping[str, TreatyText],
    crosswalk: Iterable[object] | Iterable[tuple[int, int]] = (),
    *,
    negatives: int = 1,
    positive: str = "best",
    scorer: Scorer | None = None,
    seed: int = 15,
    strict: bool = False,
) -> list[Pair]:
    """(query, positive text, hard negative texts) for every example whose key the passages have.

    Passage texts are `embed_text`, what the index embeds. With a scorer (the base model), the
    positive is the passage it ranks highest for the question and the negatives are the
    candidates it ranks highest; without one, the first passage and the nearest candidates.
    An example whose key names no passage is skipped (`strict`: an error)."""
    pairs_in = [p if not isinstance(p, tuple) else _CrossPair(*p) for p in crosswalk]
    counterparts = counterpart_map(pairs_in)
    resolved: list[tuple[Example, list[int]]] = []
    for example in examples:
        found = key_passages(example, passages, texts)
        if not found:
            if strict:
                raise TrainingDataError(f"{example.file}: {example.doc} '{example.key}' names no passage")
            continue
        resolved.append((example, found))
    cands = {id(e): candidate_negatives(e, pos, passages, texts, counterparts) for e, pos in resolved}
    scores: dict[int, dict[int, float]] = {}
    if scorer is not None:
        needed = sorted({i for e, pos in resolved for i in (*pos, *cands[id(e)])})
        column = {i: c for c, i in enumerate(needed)}
        matrix = scorer([e.query for e, _ in resolved], [passages[i].embed_text for i in needed])
        for row, (e, pos) in enumerate(resolved):
            scores[id(e)] = {i: float(matrix[row, column[i]]) for i in (*pos, *cands[id(e)])}
    rng = random.Random(seed)
    everything = list(range(len(passages)))
    out: list[Pair] = []
    for example, pos in resolved:
        score = scores.get(id(example))
        if positive == "all":
            chosen = list(pos)
        elif positive == "best" and score is not None:
            chosen = [max(pos, key=lambda i: (score[i], -i))]
        else:
            chosen = [pos[0]]
        cand = cands[id(example)]
        if score is not None:
            cand = sorted(cand, key=lambda i: (-score[i], i))
        picked = cand[:negatives]
        if len(picked) < negatives:  # pad from elsewhere in the corpus, never a positive
            banned = (
                set(pos)
                | set(picked)
                | {i for i in everything if _group(passages[i]) == _group(passages[pos[0]])}
            )
            pool = [i for i in everything if i not in banned]
            picked += rng.sample(pool, negatives - len(picked))
        for i in chosen:
            out.append(
                Pair(
                    example.query,
                    passages[i].embed_text,
                    tuple(passages[j].embed_text for j in picked),
                    example.doc,
                    example.key,
                    _group(passages[i]),
                )
            )
    return out


def model_scorer(model_name: str, cache_path: Path | None = None) -> Scorer:
    """Cosines by a sentence-transformers model, passage vectors through the embedding cache."""
    from index_build.embedding import EmbeddingCache
    from index_contract.models import load_embedder

    embedder = load_embedder(model_name)

    def vectors(texts: Sequence[str]) -> np.ndarray:
        if cache_path is None:
            return embedder.encode(list(texts))
        with EmbeddingCache(cache_path) as cache:
            got = cache.get_many(embedder.model_name, list(texts), embedder.dimension)
            missing = sorted({t for t, v in zip(texts, got, strict=False) if v is None})
            if missing:
                cache.put_many(embedder.model_name, missing, embedder.encode(missing))
                got = cache.get_many(embedder.model_name, list(texts), embedder.dimension)
        return np.stack(got)

    def score(queries: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        return vectors(queries) @ vectors(texts).T

    return score


# --- training ------------------------------------------------------------------------------------


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def batches(pairs: Sequence[Pair], batch_size: int, rng: random.Random) -> list[list[Pair]]:
    """Shuffled batches in which no two pairs share a group (an article, a commentary file) or a
    text: an in-batch negative is then never another question's positive of the same provision."""
    order = list(pairs)
    rng.shuffle(order)
    out: list[list[Pair]] = []
    pending = order
    while pending:
        deferred: list[Pair] = []
        batch: list[Pair] = []
        groups: set[str] = set()
        texts: set[str] = set()
        for pair in pending:
            if len(batch) == batch_size:
                out.append(batch)
                batch, groups, texts = [], set(), set()
            own = {pair.positive, *pair.negatives}
            if pair.group in groups or (pair.positive in texts) or (texts & set(pair.negatives)):
                deferred.append(pair)
                continue
            batch.append(pair)
            groups.add(pair.group)
            texts |= own
        if batch:
            if len(batch) >= 2 or not out:
                out.append(batch)
            else:
                deferred += batch
        if len(deferred) == len(pending):  # nothing fits together any more: one per batch
            out += [[p] for p in deferred]
            break
        pending = deferred
    return [b for b in out if len(b) >= 2] or out


def train_retriever(
    base_model: str,
    pairs: Sequence[Pair],
    out_dir: Path,
    recipe: Recipe = Recipe(),
    log: Callable[[str], None] | None = None,
    max_steps: int = 0,
    candidates: Sequence[str] = (),
) -> dict:
    """Fine-tune `base_model` on `pairs`; write a sentence-transformers folder to `out_dir`.
    Returns a small report (steps, seconds, pairs per second)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    from index_contract.models import resolve_model

    if recipe.mode == "query":
        return _train_query_side(base_model, pairs, out_dir, recipe, log, max_steps, candidates)

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    seed_everything(recipe.seed)
    model = SentenceTransformer(resolve_model(base_model), device="cpu")
    model.max_seq_length = recipe.max_seq_length
    loss_fn = MultipleNegativesRankingLoss(model, scale=recipe.scale)
    rng = random.Random(recipe.seed)
    data = list(pairs)
    if recipe.max_pairs and len(data) > recipe.max_pairs:
        data = rng.sample(data, recipe.max_pairs)
    n_neg = recipe.negatives
    plan = [batches(data, recipe.batch_size, rng) for _ in range(recipe.epochs)]
    total = sum(len(p) for p in plan)
    if max_steps:
        total = min(total, max_steps)
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=0.01)
    warm = max(1, int(total * recipe.warmup))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    model.train()
    began, cpu, step, seen = time.perf_counter(), time.process_time(), 0, 0
    for epoch_plan in plan:
        for batch in epoch_plan:
            if step >= total:
                break
            columns = [[p.query for p in batch], [p.positive for p in batch]]
            columns += [[p.negatives[k] for p in batch] for k in range(min(n_neg, len(batch[0].negatives)))]
            features = [_to_device(model.tokenize(c)) for c in columns]
            loss = loss_fn(features, torch.zeros(len(batch)))
            _descend(model, optimizer, scheduler, loss)
            step += 1
            seen += len(batch)
            if log and (step % 20 == 0 or step == total):
                rate = seen / (time.perf_counter() - began)
                log(f"step {step}/{total} loss {loss.item():.3f} ({rate:.1f} pairs/s)")
    model.eval()
    return _save(model, out_dir, recipe, step, seen, began, cpu)


def _descend(model: Any, optimizer: Any, scheduler: Any, loss: Any) -> None:
    """One optimisation step on `loss`, gradients clipped to norm 1."""
    import torch

    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()


def _save(
    model: Any, out_dir: Path, recipe: Recipe, steps: int, seen: int, began: float, cpu: float, **extra: float
) -> dict:
    """Write the trained model and `training.json` (recipe, steps, time) to `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(out_dir))
    seconds = time.perf_counter() - began
    report = {
        "steps": steps,
        "pairs": seen,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        **extra,
        "pairs_per_s": round(seen / max(seconds, 1e-9), 2),
    }
    (out_dir / "training.json").write_text(json.dumps({"recipe": asdict(recipe), **report}, indent=1))
    return report


def _to_device(features: dict) -> dict:
    return features  # CPU only


def _train_query_side(
    base_model: str,
    pairs: Sequence[Pair],
    out_dir: Path,
    recipe: Recipe,
    log: Callable[[str], None] | None,
    max_steps: int,
    candidates: Sequence[str] = (),
) -> dict:
    import torch
    from sentence_transformers import SentenceTransformer

    from index_contract.models import resolve_model

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    seed_everything(recipe.seed)
    model = SentenceTransformer(resolve_model(base_model), device="cpu")
    rng = random.Random(recipe.seed)
    # every text a pair names is a candidate; the positives of a question are all pairs' positives
    # with its query (the "all" paragraphs of an article key) plus the texts of its group
    texts = sorted({t for p in pairs for t in (p.positive, *p.negatives)} | set(candidates))
    column = {t: i for i, t in enumerate(texts)}
    by_query: dict[str, set[int]] = {}
    for p in pairs:
        by_query.setdefault(p.query, set()).add(column[p.positive])
    queries = sorted(by_query)
    if recipe.max_pairs and len(queries) > recipe.max_pairs:
        queries = sorted(rng.sample(queries, recipe.max_pairs))
    steps_per_epoch = (len(queries) + recipe.batch_size - 1) // recipe.batch_size
    total = steps_per_epoch * recipe.epochs
    if max_steps:
        total = min(total, max_steps)
    refresh_every = max(1, steps_per_epoch // max(1, recipe.refreshes))
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=0.01)
    warm = max(1, int(total * recipe.warmup))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    began, cpu, step, seen, refreshed = time.perf_counter(), time.process_time(), 0, 0, 0.0
    targets = None
    for _ in range(recipe.epochs):
        order = list(queries)
        rng.shuffle(order)
        for start in range(0, len(order), recipe.batch_size):
            if step >= total:
                break
            if targets is None or step % refresh_every == 0:
                t0 = time.perf_counter()
                model.eval()
                model.max_seq_length = max(recipe.max_seq_length, 256)
                with torch.no_grad():
                    targets = model.encode(
                        texts,
                        batch_size=32,
                        convert_to_tensor=True,
                        normalize_embeddings=True,
                        show_progress_bar=False,
                    ).clone()
                model.max_seq_length = recipe.max_seq_length
                refreshed += time.perf_counter() - t0
            model.train()
            batch = order[start : start + recipe.batch_size]
            features = model.tokenize(batch)
            emb = model(features)["sentence_embedding"]
            emb = torch.nn.functional.normalize(emb, dim=-1)
            logits = recipe.scale * emb @ targets.T
            mask = torch.zeros_like(logits, dtype=torch.bool)
            for row, q in enumerate(batch):
                mask[row, sorted(by_query[q])] = True
            positive = torch.logsumexp(logits.masked_fill(~mask, float("-inf")), dim=1)
            loss = (torch.logsumexp(logits, dim=1) - positive).mean()
            _descend(model, optimizer, scheduler, loss)
            step += 1
            seen += len(batch)
            if log and (step % 20 == 0 or step == total):
                rate = seen / (time.perf_counter() - began)
                log(f"step {step}/{total} loss {loss.item():.3f} ({rate:.1f} questions/s)")
    model.eval()
    model.max_seq_length = 256
    return _save(model, out_dir, recipe, step, seen, began, cpu, refresh_seconds=round(refreshed, 1))


# --- the cache -----------------------------------------------------------------------------------


def model_files_digest(base_model: str) -> str:
    """sha256 over the base model folder's files (names and bytes), or over its name when it is
    not a local folder."""
    from index_contract.models import resolve_model

    folder = Path(resolve_model(base_model))
    digest = hashlib.sha256()
    if not folder.is_dir():
        digest.update(base_model.encode())
        return digest.hexdigest()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def cache_key(
    base_model: str,
    training_files: Sequence[Path],
    recipe: Recipe,
    passage_texts: Sequence[str] = (),
    base_digest: str | None = None,
) -> str:
    digest = hashlib.sha256()
    digest.update(b"treatybot-retriever-v1\0")
    digest.update((base_digest or model_files_digest(base_model)).encode() + b"\0")
    for path in training_files:
        digest.update(Path(path).name.encode() + b"\0")
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    digest.update(recipe.fingerprint().encode() + b"\0")
    for text in passage_texts:
        digest.update(hashlib.sha256(text.encode()).digest())
    return digest.hexdigest()


def cached_retriever(
    base_model: str,
    training_files: Sequence[Path],
    recipe: Recipe,
    cache_dir: Path,
    pairs_factory: Callable[[], Sequence[Pair]],
    passage_texts: Sequence[str] = (),
    log: Callable[[str], None] | None = None,
    candidates: Callable[[], Sequence[str]] | None = None,
) -> Path:
    """The trained model folder for these inputs: reused when present, else trained into a
    temporary folder beside it and renamed into place (a killed run leaves no half model).
    `passage_texts`: the treaty passage texts the pairs are made of (the commentary's can be
    left out, so that editing an analysis file does not retrain)."""
    key = cache_key(base_model, training_files, recipe, passage_texts)
    cache_dir = Path(cache_dir)
    final = cache_dir / f"retriever-{key[:16]}"
    if (final / "modules.json").is_file():
        return final
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".retriever-", dir=cache_dir))
    try:
        report = train_retriever(
            base_model,
            pairs_factory(),
            staging,
            recipe,
            log=log,
            candidates=candidates() if candidates else (),
        )
        (staging / "cache_key.json").write_text(json.dumps({"key": key, **report}))
        try:
            staging.rename(final)
        except OSError:
            if not (final / "modules.json").is_file():  # not a concurrent build that won
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final


# --- one call for the build ----------------------------------------------------------------------


@dataclass
class CorpusView:
    """What the pairs need of a corpus: its passages, parsed texts and the crosswalk."""

    passages: list[Passage]
    texts: dict[str, TreatyText]
    crosswalk: list[tuple[int, int]] = field(default_factory=list)


def load_corpus_view(corpus_root: Path, project_corpus: Path = PROJECT_CORPUS) -> CorpusView:
    from index_build.passages import build_passages
    from index_build.sources import load_corpus
    from index_build.treaty import parse_treaties

    corpus = load_corpus(corpus_root)
    texts = parse_treaties(corpus)
    passages = build_passages(corpus, texts)
    cw = project_corpus / "crosswalk.yaml"
    return CorpusView(passages, texts, read_crosswalk_pairs(cw) if cw.is_file() else [])


def key_texts(view: CorpusView) -> list[str]:
    """The passage texts that go into the cache key: the treaty passages only (an edited
    commentary file must not retrain; its questions still train on its current text). The
    build leaves them out too (`trained_retriever`): the official texts do not change, and a
    model trained on them stays a valid retriever for a corrected text."""
    return [p.embed_text for p in view.passages if p.kind == "treaty"]


# The recipe the build trains with (q-e1 in benchmarks/train_sweep_results.md): the question
# side, one epoch, every passage of a question's provision a positive, every other a negative.
BUILD_RECIPE = Recipe(
    mode="query", epochs=1, batch_size=64, lr=5e-5, max_seq_length=64, negatives=0, positive="all", seed=15
)
RETRIEVER_CACHE_DIR = "retrievers"  # beside the embedding cache: one trained model per key


def recipe_pairs(
    files: Sequence[Path], view: CorpusView, recipe: Recipe, scorer: Scorer | None = None
) -> list[Pair]:
    """The training pairs of the project's files, as `recipe` asks for them."""
    return training_pairs(
        load_examples(files),
        view.passages,
        view.texts,
        view.crosswalk,
        negatives=max(1, recipe.negatives),
        positive=recipe.positive,
        scorer=scorer,
        seed=recipe.seed,
    )


def trained_retriever(
    base_model: str,
    passages: Sequence[Passage],
    texts: Mapping[str, TreatyText],
    crosswalk: Path,
    cache_dir: Path,
    log: Callable[[str], None] | None = None,
    project_corpus: Path = PROJECT_CORPUS,
    recipe: Recipe = BUILD_RECIPE,
) -> Path | None:
    """The build's retriever: `base_model` fine-tuned on the project's training questions
    (cached by base model, training files and recipe; trained when missing). None when the
    project has no training questions: the base model is used as it is."""
    view = CorpusView(list(passages), texts, read_crosswalk_pairs(crosswalk) if crosswalk.is_file() else [])
    files = training_files(project_corpus)
    if not files:
        return None

    return cached_retriever(
        base_model,
        files,
        recipe,
        cache_dir,
        lambda: recipe_pairs(files, view, recipe),
        log=log,
        candidates=lambda: [p.embed_text for p in view.passages],
    )


def train_cached_for_corpus(
    base_model: str,
    recipe: Recipe,
    cache_dir: Path | str,
    corpus_root: Path | None = None,
    project_corpus: Path = PROJECT_CORPUS,
    embedding_cache: Path | None = None,
    log: Callable[[str], None] | None = None,
) -> Path:
    """The trained model for this corpus and the project's training files (cached)."""
    from index_contract.config import load_settings

    settings = load_settings()
    view = load_corpus_view(corpus_root or settings.corpus, project_corpus)
    files = training_files(project_corpus)
    cache_path = embedding_cache or settings.embedding_cache

    def make_pairs() -> list[Pair]:
        ranks = recipe.positive == "best" or recipe.negatives  # the base model orders candidates
        return recipe_pairs(files, view, recipe, model_scorer(base_model, cache_path) if ranks else None)

    def all_texts() -> list[str]:
        return [p.embed_text for p in view.passages]

    return cached_retriever(
        base_model, files, recipe, Path(cache_dir), make_pairs, key_texts(view), log=log, candidates=all_texts
    )


def resolve_base(name: str) -> str:
    """The local folder of a model name (the bundled default) or the name itself."""
    from index_contract.models import resolve_model

    return resolve_model(name)
