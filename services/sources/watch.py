"""``newsflow watch``: publish every article file that appears in (or is completed in) folders.

Polling, not inotify: it works the same on every OS and on network and container mounts, costs
one ``scandir`` per interval, and needs no extra dependency. A file is read only once it has
*settled*: its size and mtime unchanged for ``settle`` seconds, so a file still being written is
never published half-way. Dotfiles and temporary names (.part, .tmp, .crdownload, ~) are
ignored; writers that write to such a name and rename when done are published after the rename.

What was handled is kept in a :class:`WatchState` (path -> sha256 of the content), so files
present at start that were not published yet are published, and nothing is published twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from services.producer.files import SUPPORTED_SUFFIXES, LoadError, load_file
from services.producer.publish import Publisher
from services.sources.state import FileStat, WatchState
from services.sources.status import Reporter, run_source
from shared.contracts.schemas import RawArticle
from shared.contracts.settings import Settings

TEMP_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", ".swx", ".bak")
BATCH_FILES = 200  # files published per round at most, so a huge backlog still reports progress
MAX_RETRY_DELAY = 60.0


def is_candidate(name: str) -> bool:
    """A file name worth reading: a supported suffix, not hidden, not an editor's or a download's
    temporary file."""
    lower = name.lower()
    if name.startswith((".", "~$", "#")) or name.endswith("~"):
        return False
    if lower.endswith(TEMP_SUFFIXES):
        return False
    return lower.endswith(SUPPORTED_SUFFIXES)


def scan(folders: Iterable[Path]) -> dict[str, FileStat]:
    """The candidate files under the folders (recursively, hidden folders and symlinked folders
    skipped), by absolute path."""
    found: dict[str, FileStat] = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d))]
            for name in files:
                if not is_candidate(name):
                    continue
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                except OSError:  # removed between listing and stat
                    continue
                found[os.path.abspath(path)] = FileStat(st.st_size, st.st_mtime_ns)
    return found


class Settler:
    """Tells when a file has stopped changing: its stat unchanged for ``settle`` seconds, counted
    from when this watcher first saw that stat or from the file's mtime, whichever is longer (so
    files that were already complete at start go at once)."""

    def __init__(self, settle: float) -> None:
        self.settle = settle
        self._seen: dict[str, tuple[FileStat, float]] = {}

    def observe(self, path: str, stat: FileStat, now: float, wall_now: float) -> bool:
        previous = self._seen.get(path)
        if previous is None or previous[0] != stat:
            self._seen[path] = (stat, now)
            first = now
        else:
            first = previous[1]
        quiet = max(now - first, wall_now - stat.mtime_ns / 1e9)
        return quiet >= self.settle

    def forget(self, path: str) -> None:
        self._seen.pop(path, None)

    def keep_only(self, paths: Iterable[str]) -> None:
        keep = set(paths)
        for path in [p for p in self._seen if p not in keep]:
            del self._seen[path]

    @property
    def pending(self) -> int:
        return len(self._seen)


@dataclass
class Loaded:
    """One settled file read: its hash, the articles in it and what in it is not an article."""

    path: str
    stat: FileStat
    sha256: str
    articles: list[RawArticle] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)


def read_settled(path: str, stat: FileStat) -> Loaded | None:
    """Hash and parse a file; None when it changed while being read (it will settle again)."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None
    loaded = Loaded(path, stat, digest)
    for item in load_file(Path(path)):
        (loaded.errors if isinstance(item, LoadError) else loaded.articles).append(item)
    try:
        st = os.stat(path)
    except OSError:
        return None
    if FileStat(st.st_size, st.st_mtime_ns) != stat:
        return None
    return loaded


class Watcher:
    def __init__(
        self, settings: Settings, folders: list[Path], state: WatchState, reporter: Reporter,
        interval: float = 1.0, settle: float = 2.0,
    ) -> None:
        self.settings = settings
        self.folders = [f.resolve() for f in folders]
        self.state = state
        self.reporter = reporter
        self.interval = interval
        self.settler = Settler(settle)
        self.publisher = Publisher(settings)
        self.stopping = asyncio.Event()
        self._retry_at: dict[str, float] = {}
        self._failures: dict[str, int] = {}

    def where(self, path: str) -> str:
        for folder in self.folders:
            with contextlib.suppress(ValueError):
                return str(Path(path).relative_to(folder.parent))
        return path

    async def poll(self) -> int:
        """One scan and the publishing of what settled; returns how many files still settle."""
        files = await asyncio.to_thread(scan, self.folders)
        self.settler.keep_only(files)
        now, wall = time.monotonic(), time.time()
        ready: list[tuple[str, FileStat]] = []
        for path, stat in files.items():
            if self.state.unchanged(path, stat):
                self.settler.forget(path)
                continue
            if self.settler.observe(path, stat, now, wall) and self._retry_at.get(path, 0) <= now:
                ready.append((path, stat))
        ready.sort(key=lambda item: (item[1].mtime_ns, item[0]))  # oldest first: arrival order
        for start in range(0, len(ready), BATCH_FILES):
            if self.stopping.is_set():
                break
            await self.handle(ready[start:start + BATCH_FILES])
        return self.settler.pending

    async def handle(self, ready: list[tuple[str, FileStat]]) -> None:
        loaded = await asyncio.to_thread(lambda: [read_settled(p, s) for p, s in ready])
        todo: list[Loaded] = []
        for item in loaded:
            if item is None:
                continue  # changed while read: settles again
            if self.state.handled(item.path, item.sha256):
                self.state.touch(item.path, item.stat)  # same content, new mtime
                self.settler.forget(item.path)
                continue
            todo.append(item)
        if not todo:
            self.state.save()
            return
        articles = [a for item in todo for a in item.articles]
        try:
            sent = await self.publisher.publish_retrying(articles) if articles else []
        except Exception as exc:
            for item in todo:
                failures = self._failures.get(item.path, 0) + 1
                self._failures[item.path] = failures
                self._retry_at[item.path] = time.monotonic() + min(self.interval * 2**failures, MAX_RETRY_DELAY)
            self.reporter.error(f"{len(todo)} file(s)", f"could not publish to {self.settings.topic_raw}: {exc}")
            return
        position = 0
        for item in todo:
            mine = sent[position:position + len(item.articles)]
            position += len(item.articles)
            where = self.where(item.path)
            for raw in mine:
                self.reporter.published(raw.id or "", where, raw.title)
            for problem in item.errors:
                self.reporter.error(self.where(problem.where), problem.error)
            self.state.record(item.path, item.sha256, item.stat, [r.id or "" for r in mine],
                              [f"{p.where}: {p.error}" for p in item.errors])
            self.settler.forget(item.path)
            self._failures.pop(item.path, None)
            self._retry_at.pop(item.path, None)
        self.state.save()

    async def run(self, once: bool = False) -> None:
        """Poll until stopped; with ``once``, until every file present has settled and been handled."""
        await self.publisher.start()
        try:
            while not self.stopping.is_set():
                pending = await self.poll()
                self.reporter.polled(settling=pending)
                if once and pending == 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), self.interval)
        finally:
            await self.publisher.stop()


async def run_watch(
    settings: Settings, folders: list[Path], state_path: Path, *, interval: float, settle: float,
    once: bool, summary_every: float,
) -> int:
    """The command's body: lock the state, watch until SIGINT/SIGTERM, report; returns the exit code."""
    state = WatchState(state_path)
    with state.held():
        reporter = Reporter(settings, "watch", [str(f.resolve()) for f in folders], summary_every=summary_every)
        watcher = Watcher(settings, folders, state, reporter, interval=interval, settle=settle)
        banner = (
            f"watching {', '.join(reporter.targets)} -> {settings.topic_raw} "
            f"(every {interval:g}s, settle {settle:g}s, state {state_path}, {len(state.files)} file(s) known)"
        )
        return await run_source(reporter, state, watcher.stopping, banner, watcher.run(once=once), once)
