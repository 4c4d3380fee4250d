"""Integration fixtures: the real local stack (started once per session, reused when already up)
and pipelines of real worker processes, each in its own namespace of topics, consumer groups
and index alias so tests never see each other's data."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from elasticsearch import Elasticsearch, NotFoundError
from pydantic import BaseModel

from services.stages import STAGE_NAMES
from shared.contracts.schemas import DeadLetter, RawArticle
from shared.contracts.settings import PROJECT_ROOT, Settings, namespace_overrides
from shared.devstack import Stack
from shared.runtime.elastic import sync_client
from shared.runtime.kafka import admin_client, new_consumer

M = TypeVar("M", bound=BaseModel)
NEWSFLOW = str(Path(sys.executable).parent / "newsflow")
SEEDS = PROJECT_ROOT / "seeds"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def base_settings() -> Iterator[Settings]:
    """The stack of the default settings: reused when it is up, else started and stopped after."""
    settings = Settings()
    stack = Stack(settings, echo=lambda m: print(f"[stack] {m}", file=sys.stderr))
    started = not stack.is_up()
    if started:
        stack.up()  # raises StackError with the reason: a broken stack fails the suite, never skips it
    yield settings
    if started and not os.environ.get("NEWSFLOW_KEEP_STACK"):
        stack.down()


@dataclass
class Pipeline:
    """A namespace (topics, groups, alias) and the worker processes running in it."""

    name: str
    settings: Settings
    env: dict[str, str]
    logs: Path
    workers: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)
    log_paths: dict[int, Path] = field(default_factory=dict)  # pid -> its output

    def start_worker(self, stage: str, **env: str) -> subprocess.Popen[bytes]:
        """A worker process of ``stage``; ``env`` adds or replaces environment variables."""
        index = len(self.workers.get(stage, []))
        path = self.logs / f"{self.name}-{stage}-{index}.log"
        log = open(path, "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([NEWSFLOW, "worker", stage], env={**self.env, **env}, stdout=log,
                                stderr=subprocess.STDOUT)
        self.workers.setdefault(stage, []).append(proc)
        self.log_paths[proc.pid] = path
        return proc

    def metrics_url(self, proc: subprocess.Popen[bytes], timeout: float = 180) -> str:
        """http://127.0.0.1:<port> of a process's metrics server, from the line it prints at start."""
        path = self.log_paths[proc.pid]
        found: list[str] = []

        def printed() -> bool:
            match = re.search(rb"metrics on http://[^:/]+:(\d+)/metrics", path.read_bytes())
            found[:] = [f"http://127.0.0.1:{int(match[1])}"] if match else []
            return bool(match)

        self.wait_for(printed, timeout, f"the metrics port in {path}")
        return found[0]

    def start(self, stages: Sequence[str] = STAGE_NAMES) -> Pipeline:
        for stage in stages:
            self.start_worker(stage)
        return self

    def stop(self) -> None:
        procs = [p for group in self.workers.values() for p in group if p.poll() is None]
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def run_cli(self, *args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [NEWSFLOW, *args], env=self.env, input=stdin, capture_output=True, timeout=timeout, check=False
        )

    def publish(self, articles: Sequence[RawArticle]) -> list[str]:
        from services.producer.publish import publish

        return asyncio.run(publish(self.settings, articles))

    def produce_raw(self, values: Sequence[tuple[bytes | None, bytes | None]], topic: str | None = None) -> None:
        """Put exact bytes on a topic (default: raw), the way a foreign producer might."""
        from shared.runtime.kafka import ensure_topics, producer

        async def send() -> None:
            await ensure_topics(self.settings)
            async with producer(self.settings) as prod:
                futures = [await prod.send(topic or self.settings.topic_raw, key=k, value=v) for k, v in values]
                await asyncio.gather(*futures)

        asyncio.run(send())

    def es(self) -> Elasticsearch:
        return sync_client(self.settings)

    def count(self) -> int:
        with self.es() as es:
            try:
                es.indices.refresh(index=self.settings.index_alias)
                return es.count(index=self.settings.index_alias)["count"]
            except NotFoundError:
                return 0

    def documents(self) -> dict[str, dict]:
        with self.es() as es:
            es.indices.refresh(index=self.settings.index_alias)
            hits = es.search(index=self.settings.index_alias, size=1000, query={"match_all": {}})["hits"]["hits"]
            return {h["_id"]: h["_source"] for h in hits}

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 120, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            dead = [(s, p.returncode) for s, ps in self.workers.items() for p in ps if p.poll() not in (None, 0, -15)]
            if dead:
                raise AssertionError(f"worker(s) died while waiting for {what}: {dead}; logs in {self.logs}")
            time.sleep(0.5)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; logs in {self.logs}")

    def wait_for_ids(self, ids: Sequence[str], timeout: float = 120) -> dict[str, dict]:
        wanted = set(ids)

        def present() -> bool:
            with self.es() as es:
                try:
                    found = es.mget(index=self.settings.index_alias, ids=list(wanted))["docs"]
                except NotFoundError:
                    return False
                return all(d.get("found") for d in found)

        self.wait_for(present, timeout, f"{len(wanted)} documents in {self.settings.index_alias}")
        docs = self.documents()
        return {i: docs[i] for i in ids}

    def read_topic(self, topic: str, model: type[M]) -> list[M]:
        """Every message on ``topic``, from the start, as ``model``."""

        async def read() -> list[M]:
            consumer = new_consumer(self.settings, topic, group_id=None)
            await consumer.start()
            try:
                found: list[M] = []
                batches = await consumer.getmany(timeout_ms=2000)
                while batches:
                    found += [model.model_validate_json(m.value) for msgs in batches.values() for m in msgs]
                    batches = await consumer.getmany(timeout_ms=1000)
                return found
            finally:
                await consumer.stop()

        return asyncio.run(read())

    def dead_letters(self, minimum: int = 1, timeout: float = 60) -> list[DeadLetter]:
        """Every dead letter in this namespace, waiting until at least ``minimum`` are there."""
        letters: list[DeadLetter] = []

        def enough() -> bool:
            letters[:] = self.read_topic(self.settings.topic_dlq, DeadLetter)
            return len(letters) >= minimum

        self.wait_for(enough, timeout, f"{minimum} dead letters")
        return letters


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def api_server(pipeline: Pipeline, log: Path) -> Iterator[str]:
    """``newsflow api`` as users run it, on a free port over the pipeline's namespace, until
    /healthz answers; yields its base URL and stops it afterwards."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([NEWSFLOW, "api", "--host", "127.0.0.1", "--port", str(port)],
                                env=pipeline.env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"newsflow api did not come up: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def new_namespace(base: Settings, label: str, tmp_root: Path, **extra: object) -> Pipeline:
    name = f"t{uuid.uuid4().hex[:8]}-{label}"
    overrides: dict[str, object] = {
        **namespace_overrides(name),
        "batch_timeout": 0.2,
        "commit_interval": 0.5,
        "metrics_port": 0,  # many processes on one machine: each takes a free port and prints it
        **extra,
    }
    settings = base.model_copy(update=overrides)
    env = dict(os.environ)
    env.update({f"NEWSFLOW_{k.upper()}": str(v) for k, v in overrides.items()})
    env["NEWSFLOW_LOG_LEVEL"] = "INFO"
    logs = tmp_root / "worker-logs"
    logs.mkdir(parents=True, exist_ok=True)
    return Pipeline(name, settings, env, logs)


@pytest.fixture(scope="session")
def make_pipeline(
    base_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Pipeline]]:
    """Factory for isolated pipelines; everything they started is stopped at the end."""
    created: list[Pipeline] = []
    root = tmp_path_factory.mktemp("pipelines")

    def make(label: str, **extra: object) -> Pipeline:
        pipeline = new_namespace(base_settings, label, root, **extra)
        created.append(pipeline)
        return pipeline

    yield make
    for pipeline in created:
        pipeline.stop()
    remove_namespaces(base_settings, [p.name for p in created])


def remove_namespaces(settings: Settings, names: Sequence[str]) -> None:
    """Deletes the tests' topics and indices once they are done, so a reused local stack does not
    gather thousands of topics and run into Elasticsearch's shard limit."""
    if not names:
        return
    prefixes = tuple(f"{name}{sep}" for name in names for sep in ".-")

    async def delete_topics() -> None:
        async with admin_client(settings) as admin:
            topics = [t for t in await admin.list_topics() if t.startswith(prefixes)]
            for start in range(0, len(topics), 100):
                await admin.delete_topics(topics[start:start + 100])

    try:
        asyncio.run(delete_topics())
        with sync_client(settings) as es:  # by name: wildcard deletes are refused by default
            indices = sorted(es.indices.get(index=[f"{name}-*" for name in names], allow_no_indices=True,
                                            expand_wildcards="all"))
            for start in range(0, len(indices), 50):
                es.indices.delete(index=indices[start:start + 50])
    except Exception as exc:  # leftovers cost disk, not correctness: say so and go on
        print(f"[cleanup] could not remove the tests' topics and indices: {exc}", file=sys.stderr)


@pytest.fixture(scope="session")
def seeds_pipeline(make_pipeline: Callable[..., Pipeline]) -> Pipeline:
    """One worker per stage, shared by the tests that publish into it."""
    return make_pipeline("seeds").start()


def seed_articles() -> list[RawArticle]:
    from services.producer.files import iter_files, load_file

    return [a for p in iter_files([SEEDS]) for a in load_file(p) if isinstance(a, RawArticle)]


@pytest.fixture(scope="session")
def indexed_seeds(seeds_pipeline: Pipeline) -> dict[str, dict]:
    """The five seeds published once and searchable: id -> indexed document."""
    ids = seeds_pipeline.publish(seed_articles())
    return seeds_pipeline.wait_for_ids(ids, timeout=180)
