"""Prometheus metrics and health over HTTP, one server per process (every worker, the API, the
live sources), on ``NEWSFLOW_METRICS_PORT``:

- ``GET /metrics``: the Prometheus text format (official ``prometheus_client``, default registry,
  so the process collectors such as ``process_resident_memory_bytes`` come along);
- ``GET /healthz/ready``: 200 when the process is connected to Kafka and, for a worker, holds
  assigned partitions; 503 otherwise;
- ``GET /healthz/live``: 200 unless the process is stalled (a worker with lag whose committed
  offsets stopped moving); 503 then.

The metric names are a contract with the Helm chart and the Grafana dashboard (deploy/): change
them only together.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics, make_wsgi_app

from shared.contracts.settings import Settings

log = logging.getLogger("newsflow.metrics")
disable_created_metrics()  # no *_created series: they double the exposition and nothing here reads them

# Seconds: from a few milliseconds (a cleaner batch of short texts) to minutes (a backlog).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)

MESSAGES_IN = Counter("newsflow_messages_in", "Messages a stage took off its input topic.", ["stage"])
MESSAGES_OUT = Counter(
    "newsflow_messages_out",
    "Messages a stage handled successfully: sent on to its output topic, or stored by a stage without one.",
    ["stage"],
)
DEAD_LETTERS = Counter(
    "newsflow_dead_letters", "Messages a stage sent to the dead-letter topic, by error type.", ["stage", "reason"]
)
BATCH_SIZE = Histogram("newsflow_batch_size", "Messages per batch a stage handled.", ["stage"], buckets=BATCH_BUCKETS)
PROCESSING_SECONDS = Histogram(
    "newsflow_processing_seconds",
    "Seconds a stage spent on one batch: decode, logic, checks, until its outputs are built.",
    ["stage"], buckets=LATENCY_BUCKETS,
)
PUBLISH_TO_INDEXED = Histogram(
    "newsflow_publish_to_indexed_seconds",
    "Seconds from an article's ingest time (ingested_at) until Elasticsearch accepted it.",
    buckets=LATENCY_BUCKETS,
)
CONSUMER_LAG = Gauge(
    "newsflow_consumer_lag",
    "Messages of a partition of a stage's input topic that its consumer group has not committed yet.",
    ["stage", "topic", "partition"],
)
ES_BULK_ITEMS = Counter(
    "newsflow_es_bulk_items", "Documents sent in Elasticsearch bulk requests, by outcome "
    "(indexed, rejected: refused for good and dead-lettered, failed: the request failed and is retried).",
    ["outcome"],
)
RETRIES = Counter(
    "newsflow_retries", "Retries of a failed operation (handle: the stage's logic, deliver: sending its outputs).",
    ["stage", "operation"],
)
STAGE_STALLED = Gauge(
    "newsflow_stage_stalled",
    "1 while this worker's partitions have lag and their committed offsets have not moved for the stall window.",
    ["stage"],
)
PUBLISHED = Counter("newsflow_published", "Articles a source or the API published to the raw topic.", ["source"])
SOURCE_ERRORS = Counter("newsflow_source_errors", "Failures a live source reported (fetch, read, publish).",
                        ["source"])
HTTP_REQUESTS = Counter("newsflow_http_requests", "Requests the API answered.", ["method", "route", "status"])


def retried(stage: str, operation: str) -> None:
    """The one hook for retries: call it each time ``operation`` of ``stage`` is tried again."""
    RETRIES.labels(stage, operation).inc()


@dataclass
class BatchRecord:
    """What one batch did, filled in by the runner while it handles the batch."""

    size: int
    out: int = 0
    dead: dict[str, int] = field(default_factory=dict)

    def dead_lettered(self, reason: str) -> None:
        self.dead[reason] = self.dead.get(reason, 0) + 1


class StageMetrics:
    """One stage's series, with their labels bound once (the per-message path only adds numbers)."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self._in = MESSAGES_IN.labels(stage)
        self._out = MESSAGES_OUT.labels(stage)
        self._size = BATCH_SIZE.labels(stage)
        self._seconds = PROCESSING_SECONDS.labels(stage)
        self._stalled = STAGE_STALLED.labels(stage)
        self._stalled.set(0)
        # Running totals kept here too, for logs and tests without parsing the exposition.
        self.processed = 0
        self.dead_lettered = 0
        self.batches = 0

    @contextlib.contextmanager
    def batch(self, size: int) -> Iterator[BatchRecord]:
        record = BatchRecord(size)
        started = time.perf_counter()
        self._in.inc(size)
        try:
            yield record
        finally:
            self._seconds.observe(time.perf_counter() - started)
            self._size.observe(size)
            self.batches += 1
            self.processed += size
            if record.out:
                self._out.inc(record.out)
            for reason, count in record.dead.items():
                DEAD_LETTERS.labels(self.stage, reason).inc(count)
                self.dead_lettered += count

    def retried(self, operation: str) -> None:
        retried(self.stage, operation)

    def stalled(self, value: bool) -> None:
        self._stalled.set(1 if value else 0)

    def lag(self, topic: str, lags: dict[int, int]) -> None:
        for partition, lag in lags.items():
            CONSUMER_LAG.labels(self.stage, topic, str(partition)).set(lag)


# ------------------------------------------------------------------------------------ health ---


class Health:
    """What the probes answer. Written by the process's event loop, read by the server's threads
    (plain attribute reads and writes, so no lock is needed)."""

    def __init__(self, ready: bool = False) -> None:
        self.ready = ready
        self.stalled = False
        self.detail = "starting"

    def set(self, *, ready: bool | None = None, stalled: bool | None = None, detail: str | None = None) -> None:
        if ready is not None:
            self.ready = ready
        if stalled is not None:
            self.stalled = stalled
        if detail is not None:
            self.detail = detail


class StallDetector:
    """A worker is stalled when its partitions have lag and none of their committed offsets moved
    for ``window`` seconds (a consumer stuck in a rebalance keeps its partitions and does nothing).
    Pure: it is fed observations with their time."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._committed: dict[int, int] = {}
        self._moved_at: float | None = None

    def observe(self, committed: dict[int, int], lags: dict[int, int], now: float) -> bool:
        """``committed`` and ``lags`` per assigned partition; True when stalled."""
        if self._moved_at is None or committed != self._committed or not any(lags.values()):
            self._moved_at = now  # progress, a new assignment, or nothing to do: not stalled
        self._committed = dict(committed)
        return bool(committed) and any(lags.values()) and now - self._moved_at >= self.window


# ------------------------------------------------------------------------------------ server ---


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes and probes every few seconds would drown the log."""


def health_app(health: Health) -> Any:
    """The WSGI app: /metrics from prometheus_client, /healthz/ready and /healthz/live from ``health``."""
    metrics = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in ("/healthz/ready", "/healthz/live"):
            ok = health.ready if path.endswith("ready") else not health.stalled
            body = f"{'ok' if ok else 'not ok'}: {health.detail}\n".encode()
            start_response("200 OK" if ok else "503 Service Unavailable",
                           [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
            return [body]
        if path in ("/metrics", "/"):
            return metrics(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: /metrics, /healthz/ready, /healthz/live\n"]

    return app


@dataclass
class MetricsServer:
    """The process's metrics and health server, running in a daemon thread."""

    server: _ThreadingServer
    thread: threading.Thread
    health: Health

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve_metrics(
    settings: Settings, health: Health | None = None, what: str = "newsflow",
    announce: Callable[[str], None] | None = None,
) -> MetricsServer:
    """Start the server on ``settings.metrics_port`` (0: a free port) and print where it listens.
    When the port is taken (several processes on one machine with the default port), a free port
    is used instead and the log says so: a process never fails for its metrics."""
    health = health or Health(ready=True)
    app = health_app(health)
    try:
        server = make_server(settings.metrics_host, settings.metrics_port, app, _ThreadingServer, _QuietHandler)
    except OSError as exc:
        log.warning("metrics port %d is not free (%s); using a free port instead", settings.metrics_port, exc)
        server = make_server(settings.metrics_host, 0, app, _ThreadingServer, _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True)
    thread.start()
    running = MetricsServer(server, thread, health)
    host = settings.metrics_host if settings.metrics_host not in ("0.0.0.0", "::", "") else socket.gethostname()
    # Printed (not only logged) so that a caller reading the output finds the port.
    line = f"metrics on http://{host}:{running.port}/metrics (health: /healthz/ready, /healthz/live)"
    if announce is not None:
        announce(line)
    else:
        print(f"{what}: {line}", flush=True)
    return running
