"""Prometheus metrics and a health check, for operators: off unless `discord.metrics_address`
(or `serve --metrics HOST:PORT`) is set.

`/metrics` reports requests by command and outcome, deferral and answer latency, the engine's
queue, the loaded index (build time, passages, reloads) and, per shard, whether it is connected
and its gateway latency. `/health` answers 200 once the index is loaded and every shard this
process runs is connected, and 503 otherwise, with the reason in a small JSON body.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from index_contract.schema import Manifest

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)  # seconds
METRICS_PATH = "/metrics"
HEALTH_PATH = "/health"

REQUESTS = Counter(
    "treatybot_requests",
    "Requests handled, by command and outcome",
    ["command", "outcome"],
    registry=REGISTRY,
)
DEFERRAL_SECONDS = Histogram(
    "treatybot_deferral_seconds",
    "From receiving an interaction to acknowledging it (Discord allows 3 s)",
    ["command"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
ANSWER_SECONDS = Histogram(
    "treatybot_answer_seconds",
    "From receiving a request to its last reply",
    ["command"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
ENGINE_QUEUE = Gauge(
    "treatybot_engine_queue_depth",
    "Questions waiting for or running in the engine's threads",
    registry=REGISTRY,
)
RELOADS = Counter("treatybot_index_reloads", "Index reloads, by outcome", ["outcome"], registry=REGISTRY)
INDEX_BUILD_SECONDS = Gauge(
    "treatybot_index_build_seconds", "How long the loaded index took to build", registry=REGISTRY
)
INDEX_PASSAGES = Gauge("treatybot_index_passages", "Passages in the loaded index", registry=REGISTRY)


def index_loaded(manifest: Manifest) -> None:
    INDEX_BUILD_SECONDS.set(manifest.build_seconds)
    INDEX_PASSAGES.set(manifest.passages)


def request_done(command: str, outcome: str, seconds: float) -> None:
    REQUESTS.labels(command, outcome).inc()
    ANSWER_SECONDS.labels(command).observe(seconds)


@dataclass(frozen=True)
class ShardState:
    shard_id: int
    connected: bool
    latency: float  # seconds; nan before the first heartbeat


@dataclass(frozen=True)
class Health:
    ok: bool
    index_loaded: bool
    shards: tuple[ShardState, ...]

    def to_dict(self) -> dict:
        return {
            "status": "ok" if self.ok else "unavailable",
            "index_loaded": self.index_loaded,
            "shards": {str(s.shard_id): "connected" if s.connected else "down" for s in self.shards},
        }


class ShardCollector(Collector):
    """Per-shard connection and gateway latency, read from the bot at each scrape."""

    def __init__(self, shards: Callable[[], tuple[ShardState, ...]]) -> None:
        self._shards = shards

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "treatybot_shard_connected", "1 when the shard's gateway is connected", labels=["shard"]
        )
        latency = GaugeMetricFamily(
            "treatybot_gateway_latency_seconds", "Heartbeat latency of the shard's gateway", labels=["shard"]
        )
        for shard in self._shards():
            up.add_metric([str(shard.shard_id)], 1.0 if shard.connected else 0.0)
            if not math.isnan(shard.latency) and not math.isinf(shard.latency):
                latency.add_metric([str(shard.shard_id)], shard.latency)
        yield up
        yield latency


def parse_address(text: str) -> tuple[str, int]:
    """`HOST:PORT` (port 0 picks a free one); ValueError with what is expected."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected HOST:PORT such as 127.0.0.1:9108, got {text!r}")
    return host.strip("[]"), int(port)


class OperatorServer:
    """`/metrics` and `/health` on one address, in the bot's event loop."""

    def __init__(
        self, address: str, health: Callable[[], Health], shards: Callable[[], tuple[ShardState, ...]]
    ):
        self.host, self.port = parse_address(address)
        self._health = health
        self._collector = ShardCollector(shards)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        REGISTRY.register(self._collector)
        app = web.Application()
        app.router.add_get(METRICS_PATH, self._metrics)
        app.router.add_get(HEALTH_PATH, self._health_check)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info(
            "metrics and health endpoint listening",
            extra={"fields": {"event": "metrics", "address": f"{self.host}:{self.port}"}},
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            REGISTRY.unregister(self._collector)

    async def _metrics(self, _request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _health_check(self, _request: web.Request) -> web.Response:
        health = self._health()
        return web.Response(
            body=json.dumps(health.to_dict()).encode(),
            status=200 if health.ok else 503,
            headers={"Content-Type": "application/json"},
        )
