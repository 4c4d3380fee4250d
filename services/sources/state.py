"""What a source has already published, kept on disk so a restart neither loses nor repeats.

A state file is one JSON document, replaced atomically (write a temp file beside it, fsync,
rename), so a crash leaves either the old or the new file, never half of one. An exclusive
``flock`` on a ``.lock`` file beside it keeps two sources from writing the same state.

Order of events: a source publishes, waits for the broker's acks, then records. A crash between
the acks and the record can only make it publish again on restart, and article ids are derived
from the article, so the index still holds it once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.contracts.settings import Settings

STATE_VERSION = 1
# Feed items remembered at most; the oldest are forgotten first (feeds list recent items only).
MAX_SEEN_ITEMS = 100_000


class StateLocked(RuntimeError):
    """Another running source holds this state file."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def default_state_path(settings: Settings, kind: str) -> Path:
    """One state per source kind and raw topic: what was published to *that* topic."""
    safe_topic = "".join(c if c.isalnum() or c in "-._" else "_" for c in settings.topic_raw)
    return settings.stack_home / "state" / f"{kind}-{safe_topic}.json"


def write_json_atomic(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON so readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class JsonState:
    """A lockable JSON document on disk; subclasses give it meaning."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        self._lock_handle: Any = None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Locked and loaded for the life of a source; unlocked after."""
        self.lock()
        try:
            self.load()
            yield
        finally:
            self.unlock()

    def lock(self) -> None:
        """Take the file for this process, or raise StateLocked naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path.with_name(self.path.name + ".lock"), "a+")  # noqa: SIM115 - held until unlock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise StateLocked(f"state file {self.path} is in use by pid {holder}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_handle = handle

    def unlock(self) -> None:
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def load(self) -> None:
        """Read the file; a missing file is an empty state, an unreadable one an error (never
        silently reset, which would republish everything)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.data = self.empty()
            return
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"state file {self.path} is not JSON ({exc}); move it away to start afresh") from exc
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError(f"state file {self.path} has an unknown format")
        self.data = self.empty() | data

    def save(self) -> None:
        write_json_atomic(self.path, self.data)

    def empty(self) -> dict[str, Any]:
        return {"version": STATE_VERSION}


@dataclass(frozen=True)
class FileStat:
    """What tells cheaply whether a file changed: size and modification time."""

    size: int
    mtime_ns: int


class WatchState(JsonState):
    """Per file path: the sha256 of the content last handled, its stat, and what came of it."""

    def empty(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "files": {}}

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.data["files"]

    def unchanged(self, path: str, stat: FileStat) -> bool:
        """True when the file has the size and mtime it had when last handled: no need to read it."""
        entry = self.files.get(path)
        return entry is not None and entry.get("size") == stat.size and entry.get("mtime_ns") == stat.mtime_ns

    def handled(self, path: str, sha256: str) -> bool:
        """True when exactly this content of this path was already handled."""
        entry = self.files.get(path)
        return entry is not None and entry.get("sha256") == sha256

    def touch(self, path: str, stat: FileStat) -> None:
        """Same content, new mtime (e.g. ``touch``): remember the stat so it is not read again."""
        self.files[path].update(size=stat.size, mtime_ns=stat.mtime_ns)

    def record(self, path: str, sha256: str, stat: FileStat, ids: list[str], errors: list[str]) -> None:
        self.files[path] = {
            "sha256": sha256, "size": stat.size, "mtime_ns": stat.mtime_ns,
            "ids": ids, "errors": errors, "at": now_iso(),
        }


class FeedState(JsonState):
    """Per feed its HTTP validators; per item (canonical URL) whether it was published or failed."""

    def empty(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "feeds": {}, "items": {}, "attempts": {}}

    @property
    def feeds(self) -> dict[str, dict[str, Any]]:
        return self.data["feeds"]

    @property
    def items(self) -> dict[str, dict[str, Any]]:
        return self.data["items"]

    @property
    def attempts(self) -> dict[str, int]:
        return self.data["attempts"]

    def feed(self, url: str) -> dict[str, Any]:
        return self.feeds.setdefault(url, {})

    def seen(self, canonical: str) -> bool:
        return canonical in self.items

    def mark(self, canonical: str, feed_url: str, *, article_id: str | None = None, error: str | None = None) -> None:
        """Remember an item for good: published (with its id) or given up on (with why)."""
        self.items[canonical] = {
            "feed": feed_url, "at": now_iso(), "status": "failed" if error else "published",
            **({"id": article_id} if article_id else {}), **({"error": error} if error else {}),
        }
        self.attempts.pop(canonical, None)
        overflow = len(self.items) - MAX_SEEN_ITEMS
        if overflow > 0:  # dicts keep insertion order: the first keys are the oldest
            for key in list(self.items)[:overflow]:
                del self.items[key]

    def failed_attempt(self, canonical: str) -> int:
        """Count a transient failure of an item; returns how many there have been."""
        self.attempts[canonical] = self.attempts.get(canonical, 0) + 1
        return self.attempts[canonical]
