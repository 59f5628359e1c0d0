"""The engine the bot serves: answers computed off the event loop, and hot reload of the index.

Queries run in a thread pool, so the event loop keeps acknowledging other users' commands
while one question is embedded and searched. A reload loads the new index in its own thread
and swaps it in only if it loaded and answered a test query; otherwise the old one keeps
serving and the reason is reported.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.discord_app import metrics
from bot.engine.engine import Engine
from index_contract.folder import MANIFEST, IndexUnavailable
from index_contract.models import ModelError

log = logging.getLogger(__name__)
T = TypeVar("T")
SMOKE_QUERY = "cybercrime"  # a new index must answer this before it replaces the old one


class EngineUnavailable(Exception):
    """No index is loaded (the first load failed and none has succeeded since)."""


@dataclass(frozen=True)
class ReloadOutcome:
    loaded: bool
    message: str


def manifest_signature(index_dir: Path) -> str | None:
    """A fingerprint of the index folder's manifest, or None if there is none."""
    try:
        return hashlib.sha256((index_dir / MANIFEST).read_bytes()).hexdigest()
    except OSError:
        return None


def describe(engine: Engine) -> str:
    about = engine.about()
    return f"the index built {about.built_at} ({about.passages} passages)"


class EngineHost:
    def __init__(
        self,
        index_dir: Path,
        engine: Engine | None = None,
        *,
        workers: int = 2,
        loader: Callable[[Path], Engine] = Engine.load,
    ) -> None:
        self.index_dir = index_dir
        self._engine = engine
        self._loader = loader
        self._signature = manifest_signature(index_dir) if engine else None
        self._failed_signature: str | None = None
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="treatybot-engine")
        self._reload_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="treatybot-reload")
        self._reload_lock: asyncio.Lock | None = None

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise EngineUnavailable(f"No index is loaded from {self.index_dir}.")
        return self._engine

    @engine.setter
    def engine(self, engine: Engine) -> None:
        """Serve `engine`, loaded from the index folder as it is now."""
        self._engine = engine
        self._signature = manifest_signature(self.index_dir)
        metrics.index_loaded(engine.data.manifest)

    async def run(self, work: Callable[[Engine], T]) -> T:
        """Run `work(engine)` in the query thread pool, off the event loop."""
        engine = self.engine  # the engine current now serves this request, even if a reload follows
        metrics.ENGINE_QUEUE.inc()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work, engine)
        finally:
            metrics.ENGINE_QUEUE.dec()

    def changed(self) -> bool:
        """Has the manifest changed since the last load (and not to a version that failed)?"""
        signature = manifest_signature(self.index_dir)
        return signature is not None and signature not in (self._signature, self._failed_signature)

    async def reload_if_changed(self) -> ReloadOutcome | None:
        return await self.reload() if self.changed() else None

    async def reload(self) -> ReloadOutcome:
        """Load the index folder again; keep the current engine if that fails."""
        if self._reload_lock is None:
            self._reload_lock = asyncio.Lock()
        async with self._reload_lock:
            # Read before loading, so that a change during the load is noticed by the next check.
            signature = manifest_signature(self.index_dir)
            loop = asyncio.get_running_loop()
            try:
                engine = await loop.run_in_executor(self._reload_pool, self._load_checked)
            except Exception as exc:  # any failure must leave the old index serving
                self._failed_signature = signature
                metrics.RELOADS.labels("failed").inc()
                old = self._engine
                log.warning("index reload failed", exc_info=True, extra={"fields": {"event": "reload"}})
                failure = f"Could not load the index at {self.index_dir}: {_reason(exc)}."
                serving = f"Still serving {describe(old)}." if old else "No index is loaded."
                return ReloadOutcome(False, f"{failure} {serving}")
            self._engine = engine
            self._signature = signature
            self._failed_signature = None
            metrics.RELOADS.labels("loaded").inc()
            metrics.index_loaded(engine.data.manifest)
            message = f"Loaded {describe(engine)}."
            log.info(message, extra={"fields": {"event": "reload"}})
            return ReloadOutcome(True, message)

    def _load_checked(self) -> Engine:
        engine = self._loader(self.index_dir)
        engine.search(SMOKE_QUERY, k=1)  # the embedder, the dense index and BM25 all answer
        return engine

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._reload_pool.shutdown(wait=False, cancel_futures=True)


def _reason(exc: BaseException) -> str:
    """A one-line reason; index and model errors already say what is wrong, others get their type."""
    text = str(exc).strip().rstrip(".")
    if isinstance(exc, (IndexUnavailable, ModelError)) and text:
        return text
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__
