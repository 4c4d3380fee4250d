"""What running sources report: one line per event on stdout, a periodic summary, and a small
JSON status file per process that ``newsflow status`` reads with :func:`read_source_status`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Awaitable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from services.sources.state import JsonState, now_iso, write_json_atomic
from shared.contracts.settings import Settings
from shared.runtime.metrics import PUBLISHED, SOURCE_ERRORS, serve_metrics


def status_dir(settings: Settings) -> Path:
    return settings.stack_home / "run" / "sources"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_source_status(settings: Settings) -> list[dict[str, Any]]:
    """Every source's status file, with ``running`` telling whether its process is still alive
    (a killed source leaves its file behind; the next source of that kind removes it)."""
    found = []
    for path in sorted(status_dir(settings).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue  # being replaced right now, or not ours
        if not isinstance(data, dict) or "pid" not in data:
            continue
        data["running"] = pid_alive(int(data["pid"]))
        found.append(data)
    return sorted(found, key=lambda d: (str(d.get("kind")), int(d.get("pid", 0))))


class Reporter:
    """Counts what a source did, prints it, and keeps its status file current."""

    def __init__(
        self, settings: Settings, kind: str, targets: list[str], out: TextIO | None = None,
        summary_every: float = 60.0,
    ) -> None:
        self.kind = kind
        self.settings = settings
        self.targets = targets
        self.out = out or sys.stdout
        self.pid = os.getpid()
        self.path = status_dir(settings) / f"{kind}-{self.pid}.json"
        self.started_at = now_iso()
        self.last_poll_at: str | None = None
        self.totals = {"published": 0, "skipped": 0, "errors": 0}
        self._window = dict(self.totals)
        self.summary_every = summary_every
        self._last_summary = time.monotonic()
        self.extra: dict[str, Any] = {}

    # --- lines ---------------------------------------------------------------------------
    def line(self, text: str) -> None:
        stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        self.out.write(f"{stamp} {self.kind}: {text}\n")
        self.out.flush()

    def count(self, what: str) -> None:
        """Count without a line: for what happens on every poll (items already published)."""
        self.totals[what] += 1
        self._window[what] += 1
        if what == "published":
            PUBLISHED.labels(self.kind).inc()
        elif what == "errors":
            SOURCE_ERRORS.labels(self.kind).inc()

    def published(self, article_id: str, where: str, title: str | None = None) -> None:
        self.count("published")
        self.line(f"published {article_id} {where}" + (f" {title!r}" if title else ""))

    def skipped(self, where: str, reason: str) -> None:
        self.count("skipped")
        self.line(f"skipped {where}: {reason}")

    def error(self, where: str, reason: str) -> None:
        self.count("errors")
        self.line(f"error {where}: {reason}")

    def note(self, text: str) -> None:
        self.line(text)

    # --- status file and summary ---------------------------------------------------------
    def polled(self, **extra: Any) -> None:
        """After each poll: refresh the status file and print a summary when one is due."""
        self.last_poll_at = now_iso()
        self.extra.update(extra)
        self.write()
        if time.monotonic() - self._last_summary >= self.summary_every:
            self.summary()

    def summary(self, final: bool = False) -> None:
        w, t = self._window, self.totals
        pending = "".join(f", {v} {k}" for k, v in self.extra.items() if isinstance(v, int) and v)
        self.line(
            f"{'final summary' if final else 'summary'}: {len(self.targets)} target(s); "
            f"since last summary {w['published']} published, {w['skipped']} skipped, {w['errors']} errors; "
            f"total {t['published']} published, {t['skipped']} skipped, {t['errors']} errors{pending}"
        )
        self._window = dict.fromkeys(self._window, 0)
        self._last_summary = time.monotonic()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "pid": self.pid, "started_at": self.started_at, "last_poll_at": self.last_poll_at,
            **self.totals, "targets": self.targets, **self.extra,
        }

    def write(self) -> None:
        with contextlib.suppress(OSError):  # status is informative; never stop a source for it
            write_json_atomic(self.path, self.as_dict())

    def start(self) -> None:
        """Remove files left by dead sources of this kind, then announce this one."""
        for stale in status_dir_glob(self.path.parent, self.kind):
            with contextlib.suppress(ValueError, OSError):
                pid = int(stale.stem.rsplit("-", 1)[1])
                if pid != self.pid and not pid_alive(pid):
                    stale.unlink()
        self.write()

    def stop(self) -> None:
        self.summary(final=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def status_dir_glob(directory: Path, kind: str) -> list[Path]:
    return list(directory.glob(f"{kind}-*.json")) if directory.is_dir() else []


async def run_source(
    reporter: Reporter, state: JsonState, stopping: asyncio.Event, banner: str, work: Awaitable[None], once: bool,
) -> int:
    """What every source does around its own work: stop on SIGINT/SIGTERM, report, save its state.
    Returns the exit code (with ``once``: 1 when something failed)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    reporter.start()
    reporter.note(banner)
    server = serve_metrics(reporter.settings, what=reporter.kind, announce=reporter.note)
    try:
        await work
    finally:
        state.save()
        reporter.stop()
        server.close()
    return 1 if once and reporter.totals["errors"] else 0
