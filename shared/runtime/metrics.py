"""Per-worker stage metrics: counts and batch latency, logged periodically and written to a
small JSON file per process that ``newsflow status`` reads."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shared.contracts.settings import Settings

log = logging.getLogger("newsflow.metrics")


@dataclass
class BatchMetrics:
    size: int
    failed: int = 0


@dataclass
class StageMetrics:
    stage: str
    settings: Settings
    processed: int = 0
    failed: int = 0
    batches: int = 0
    busy_seconds: float = 0.0
    started_at: float = field(default_factory=time.time)
    last_batch_at: float | None = None

    @contextlib.contextmanager
    def batch(self, size: int) -> Iterator[BatchMetrics]:
        current = BatchMetrics(size)
        started = time.perf_counter()
        yield current
        self.busy_seconds += time.perf_counter() - started
        self.batches += 1
        self.processed += current.size
        self.failed += current.failed
        self.last_batch_at = time.time()

    def snapshot(self) -> dict[str, object]:
        uptime = max(time.time() - self.started_at, 1e-9)
        return {
            "stage": self.stage,
            "pid": os.getpid(),
            "processed": self.processed,
            "dead_lettered": self.failed,
            "batches": self.batches,
            "busy_ratio": round(self.busy_seconds / uptime, 3),
            "per_second_busy": round(self.processed / self.busy_seconds, 1) if self.busy_seconds else None,
            "started_at": self.started_at,
            "last_batch_at": self.last_batch_at,
        }

    @property
    def path(self) -> Path:
        return self.settings.stack_home / "run" / "workers" / f"{self.stage}-{os.getpid()}.json"

    def report(self) -> None:
        snap = self.snapshot()
        log.info(
            "%s: %d processed, %d dead-lettered, %d batches, busy %.0f%%", self.stage, snap["processed"],
            snap["dead_lettered"], snap["batches"], 100 * float(snap["busy_ratio"]),  # type: ignore[arg-type]
        )
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(snap))


def read_worker_metrics(settings: Settings) -> list[dict[str, object]]:
    """Metrics files of workers whose process is still alive."""
    import psutil

    folder = settings.stack_home / "run" / "workers"
    found = []
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text())
            if psutil.pid_exists(int(data["pid"])):
                found.append(data)
            else:
                path.unlink()
    return found
