"""The embedded stack itself: a second, independent stack from an empty cache on other ports,
real clients against it, a clean stop, and every error path's message."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from shared.contracts.settings import Settings

NEWSFLOW = str(Path(sys.executable).parent / "newsflow")
PORTS = {"kafka_port": 19092, "kafka_controller_port": 19093, "elasticsearch_port": 19200,
         "elasticsearch_transport_port": 19300}
# The error-path tests never start anything; other ports keep them independent of the fresh stack.
IDLE_PORTS = {"kafka_port": 29092, "kafka_controller_port": 29093, "elasticsearch_port": 29200,
              "elasticsearch_transport_port": 29300}


def stack_env(home: Path, ports: dict[str, int] = PORTS, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({f"NEWSFLOW_{k.upper()}": str(v) for k, v in ports.items()})
    env.update(
        NEWSFLOW_STACK_HOME=str(home),
        NEWSFLOW_KAFKA_BOOTSTRAP=f"localhost:{ports['kafka_port']}",
        NEWSFLOW_ELASTICSEARCH_URL=f"http://localhost:{ports['elasticsearch_port']}",
        NEWSFLOW_KAFKA_HEAP="256m",
        NEWSFLOW_ELASTICSEARCH_HEAP="512m",
    )
    env.update(extra)
    return env


def newsflow(env: dict[str, str], *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSFLOW, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def fresh_stack(tmp_path_factory: pytest.TempPathFactory, base_settings: Settings) -> Iterator[dict[str, str]]:
    """A stack started from an empty cache (its own Maven repository too) on other ports."""
    home = tmp_path_factory.mktemp("fresh-stack")
    home.chmod(0o755)
    env = stack_env(home)
    result = newsflow(env, "stack", "up")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kafka: up" in result.stdout and "elasticsearch: up" in result.stdout
    assert (home / "maven").is_dir(), "artifacts are cached inside the stack home"
    yield env
    newsflow(env, "stack", "down")


def test_elasticsearch_8_answers_on_its_port(fresh_stack: dict[str, str]) -> None:
    with urllib.request.urlopen(f"http://localhost:{PORTS['elasticsearch_port']}/", timeout=10) as resp:
        info = json.load(resp)
    assert info["version"]["number"].startswith("8.")
    with urllib.request.urlopen(f"http://localhost:{PORTS['elasticsearch_port']}/_cluster/health", timeout=10) as resp:
        assert json.load(resp)["status"] in ("green", "yellow")


def test_a_message_produced_with_aiokafka_is_consumed_back(fresh_stack: dict[str, str]) -> None:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    bootstrap = fresh_stack["NEWSFLOW_KAFKA_BOOTSTRAP"]

    async def roundtrip() -> tuple[bytes, bytes, list[str]]:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        await admin.create_topics([NewTopic("stack-check", num_partitions=1, replication_factor=1)])
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        await producer.send_and_wait("stack-check", key=b"k", value=b"hello kafka")
        await producer.stop()
        consumer = AIOKafkaConsumer("stack-check", bootstrap_servers=bootstrap, auto_offset_reset="earliest")
        await consumer.start()
        try:
            message = await asyncio.wait_for(consumer.getone(), 60)
        finally:
            await consumer.stop()
        # Listed once the topic has carried a message: right after creation the
        # controller may not yet have spread the new topic to the broker's metadata.
        topics = await admin.list_topics()
        await admin.close()
        return message.key, message.value, topics

    key, value, topics = asyncio.run(roundtrip())
    assert (key, value) == (b"k", b"hello kafka")
    assert "stack-check" in topics


def test_an_index_is_created_a_document_written_and_found(fresh_stack: dict[str, str]) -> None:
    from elasticsearch import Elasticsearch

    with Elasticsearch(fresh_stack["NEWSFLOW_ELASTICSEARCH_URL"]) as es:
        mappings = {"properties": {"body": {"type": "text", "analyzer": "english"}}}
        es.indices.create(index="stack-check", mappings=mappings)
        es.index(index="stack-check", id="1", document={"body": "Ministers were signing agreements"}, refresh=True)
        hits = es.search(index="stack-check", query={"match": {"body": "agreement signed"}})["hits"]["hits"]
    assert [h["_id"] for h in hits] == ["1"], "english stemming finds 'agreements' from 'agreement'"


def test_up_twice_is_safe_and_status_reports_both(fresh_stack: dict[str, str]) -> None:
    again = newsflow(fresh_stack, "stack", "up")
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout
    status = newsflow(fresh_stack, "stack", "status", "--json")
    assert status.returncode == 0, status.stderr
    report = {c["name"]: c for c in json.loads(status.stdout)}
    assert report["kafka"]["healthy"] and report["kafka"]["port"] == PORTS["kafka_port"]
    assert report["elasticsearch"]["healthy"] and psutil.pid_exists(report["elasticsearch"]["pid"])


def test_down_leaves_no_process_and_up_comes_back(fresh_stack: dict[str, str]) -> None:
    status = {c["name"]: c for c in json.loads(newsflow(fresh_stack, "stack", "status", "--json").stdout)}
    pids = [status["kafka"]["pid"], status["elasticsearch"]["pid"]]
    home = fresh_stack["NEWSFLOW_STACK_HOME"]
    down = newsflow(fresh_stack, "stack", "down")
    assert down.returncode == 0, down.stderr
    assert not any(psutil.pid_exists(p) for p in pids)
    leftovers = [p.pid for p in psutil.process_iter(["cmdline"]) if home in " ".join(p.info["cmdline"] or [])]
    assert leftovers == [], f"processes still running from {home}: {leftovers}"
    for port in PORTS.values():
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"
    after = newsflow(fresh_stack, "stack", "status")
    assert after.returncode == 1 and "stopped" in after.stdout
    up = newsflow(fresh_stack, "stack", "up")  # data and artifacts are kept: a restart is quick
    assert up.returncode == 0, up.stdout + up.stderr


def test_a_component_that_does_not_answer_in_time_is_stopped_with_its_log(fresh_stack: dict[str, str]) -> None:
    newsflow(fresh_stack, "stack", "down")
    env = dict(fresh_stack, NEWSFLOW_STACK_START_TIMEOUT="1")
    result = newsflow(env, "stack", "up")
    assert result.returncode == 1
    assert "did not answer within 1s" in result.stderr and "Last lines of" in result.stderr
    status = json.loads(newsflow(fresh_stack, "stack", "status", "--json").stdout)
    assert not any(c["running"] for c in status), "what did not come up was stopped"


def test_a_stale_pid_file_is_cleared(fresh_stack: dict[str, str]) -> None:
    newsflow(fresh_stack, "stack", "down")
    pidfile = Path(fresh_stack["NEWSFLOW_STACK_HOME"]) / "run" / "kafka.pid"
    dead = subprocess.Popen(["true"])
    dead.wait()
    pidfile.write_text(f"{dead.pid}\n")
    status = json.loads(newsflow(fresh_stack, "stack", "status", "--json").stdout)
    assert {c["name"]: c["running"] for c in status}["kafka"] is False
    assert not pidfile.exists()


def test_a_taken_port_is_named_with_its_holder(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = stack_env(tmp_path, IDLE_PORTS, NEWSFLOW_KAFKA_PORT=str(port))
        result = newsflow(env, "stack", "up", timeout=120)
    assert result.returncode == 1
    assert f"port {port} is already in use by pid {os.getpid()}" in result.stderr.replace("\n", " ")
    assert "NEWSFLOW_KAFKA_PORT" in result.stderr.replace("\n", "")


def _path_without(tool: str, tmp_path: Path) -> str:
    """PATH with the folders holding ``tool`` replaced by a copy of them without it."""
    folders = []
    for folder in os.environ["PATH"].split(os.pathsep):
        if (Path(folder) / tool).exists():
            clone = tmp_path / f"bin-{len(folders)}"
            clone.mkdir()
            for entry in Path(folder).iterdir():
                if entry.name != tool:
                    (clone / entry.name).symlink_to(entry)
            folders.append(str(clone))
        else:
            folders.append(folder)
    return os.pathsep.join(folders)


def test_missing_java_is_reported(tmp_path: Path) -> None:
    env = stack_env(tmp_path / "home", IDLE_PORTS, PATH=_path_without("java", tmp_path))
    env.pop("JAVA_HOME", None)
    result = newsflow(env, "stack", "up", timeout=120)
    assert result.returncode == 1 and "Java was not found" in result.stderr


def test_too_old_java_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "jdk11" / "bin"
    fake.mkdir(parents=True)
    (fake / "java").write_text('#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n')
    (fake / "java").chmod(0o755)
    env = stack_env(tmp_path / "home", IDLE_PORTS, JAVA_HOME=str(fake.parent))
    result = newsflow(env, "stack", "up", timeout=120)
    assert result.returncode == 1 and "Java 11" in result.stderr and "too old" in result.stderr


def test_missing_maven_is_reported(tmp_path: Path) -> None:
    env = stack_env(tmp_path / "home", IDLE_PORTS, PATH=_path_without("mvn", tmp_path))
    result = newsflow(env, "stack", "up", timeout=120)
    assert result.returncode == 1 and "Maven was not found" in result.stderr


def test_a_maven_resolution_failure_is_reported(tmp_path: Path) -> None:
    """Real Maven, offline, with an empty repository: it cannot resolve, and says so."""
    real_mvn = subprocess.run(["which", "mvn"], capture_output=True, text=True, check=True).stdout.strip()
    wrapper = tmp_path / "offline-bin"
    wrapper.mkdir()
    (wrapper / "mvn").write_text(f'#!/bin/sh\nexec "{real_mvn}" -o "$@"\n')
    (wrapper / "mvn").chmod(0o755)
    env = stack_env(tmp_path / "home", IDLE_PORTS, PATH=f"{wrapper}{os.pathsep}{os.environ['PATH']}")
    result = newsflow(env, "stack", "up", timeout=300)
    assert result.returncode == 1
    assert "Maven could not resolve the stack's artifacts" in result.stderr
