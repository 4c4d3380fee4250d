"""The pipeline end to end on a Kafka of its own that requires SASL_SSL with SCRAM-SHA-512 (what
``newsflow stack up --secure`` starts), on other ports than the shared stack: clients without the
credentials are refused, the workers' clients (aiokafka and Faust) authenticate from the
settings; then that Kafka is stopped for 30 s mid-stream and started again: every article is
indexed exactly once, and the workers log the outage in a few lines. Elasticsearch is the
shared one (its credentials and CA are checked at the unit level, in test_secure_settings.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.stages import stage
from shared.contracts.settings import Settings
from shared.devstack.components import Kafka, kafka_health
from shared.devstack.tools import find_java_home, find_maven
from shared.runtime.kafka import GroupOffsets
from tests.integration.conftest import Pipeline
from tests.integration.fault_support import FaultRecord, good_articles, index_counts, since

PORT, CONTROLLER_PORT = 19492, 19493
OUTAGE = 30.0
MAX_OUTAGE_LINES = 50


@pytest.fixture(scope="module")
def secure_kafka(base_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kafka]:
    home = tmp_path_factory.mktemp("secure-kafka")
    settings = base_settings.model_copy(update={
        "stack_home": Path(home), "kafka_port": PORT, "kafka_controller_port": CONTROLLER_PORT, "kafka_heap": "256m",
        "maven_repo": base_settings.maven_repo or base_settings.stack_home / "maven",  # artifacts already cached
    })
    kafka = Kafka(settings, secure=True)
    java_home = find_java_home()
    kafka.prepare(find_maven(), java_home)
    kafka.launch(java_home)
    try:
        kafka.wait_healthy(180)
        yield kafka
    finally:
        kafka.stop()


@pytest.fixture(scope="module")
def pipeline(make_pipeline: Callable[..., Pipeline], secure_kafka: Kafka) -> Pipeline:
    assert secure_kafka.material is not None
    security = secure_kafka.material.client_env_values()
    started = make_pipeline("secure", kafka_bootstrap=f"localhost:{PORT}", **security).start()
    started.wait_for_ids(started.publish(good_articles("secure-warm", 2)), timeout=240)
    return started


def test_clients_without_credentials_are_refused(secure_kafka: Kafka) -> None:
    ok, detail = kafka_health(f"localhost:{PORT}", timeout=3)
    assert not ok, detail
    assert secure_kafka.healthy()[0]


def test_the_pipeline_runs_end_to_end_over_sasl_ssl(pipeline: Pipeline) -> None:
    assert pipeline.settings.kafka_security_protocol == "SASL_SSL"
    good = good_articles("secure", 10)
    start = time.monotonic()
    ids = pipeline.publish(good)
    docs = pipeline.wait_for_ids(ids, timeout=180)
    assert {d["url"] for d in docs.values()} == {a.url for a in good}
    with pipeline.es() as es:
        assert index_counts(es, pipeline.settings.index_alias, ids) == (10, 10)
    FaultRecord("none: pipeline over SASL_SSL/SCRAM-SHA-512", 10, 10, 0, 0, 0, since(start)).emit()


def test_the_workers_read_their_groups_offsets_over_sasl_ssl(pipeline: Pipeline) -> None:
    """Each worker reads its group's committed and end offsets every few seconds (the lag gauge,
    readiness, the stall check) with the same credentials as its other clients: the reading works,
    and no client is left unclosed behind a failed start."""
    settings = pipeline.settings

    async def read() -> dict[int, tuple[int, int]]:
        reader = GroupOffsets(settings, stage("cleaner").group(settings), settings.topic_raw)
        await reader.start()
        try:
            return await reader.read()
        finally:
            await reader.stop()

    offsets = asyncio.run(read())
    assert offsets and all(0 <= committed <= end for committed, end in offsets.values()), offsets
    assert sum(committed for committed, _ in offsets.values()) >= 2  # the warm-up articles at least
    time.sleep(2 * settings.metrics_interval)  # the workers' own checks have run meanwhile
    logs = {log.name: log.read_text(errors="replace") for log in pipeline.logs.glob(f"{pipeline.name}-*.log")}
    assert logs and not [name for name, text in logs.items() if "Unclosed AIOKafkaConsumer" in text]


def test_kafka_stopped_mid_stream_loses_nothing_and_logs_little(pipeline: Pipeline, secure_kafka: Kafka) -> None:
    articles = good_articles("kafka-restart", 40)
    ids = [a.id or "" for a in articles]
    pipeline.publish(articles[:20])
    logs = sorted(pipeline.logs.glob(f"{pipeline.name}-*.log"))
    before = {log: len(log.read_bytes().splitlines()) for log in logs}

    secure_kafka.stop()
    time.sleep(OUTAGE)
    secure_kafka.launch(find_java_home())
    secure_kafka.wait_healthy(180)
    back = time.monotonic()
    outage_lines = {log.name: len(log.read_bytes().splitlines()) - before[log] for log in logs}

    published = threading.Event()

    def publish_rest() -> None:
        pipeline.publish(articles[20:])
        published.set()

    with pipeline.es() as es:
        at_restart = index_counts(es, pipeline.settings.index_alias, ids)[0]

    def more_indexed() -> bool:
        with pipeline.es() as es:
            return index_counts(es, pipeline.settings.index_alias, ids)[0] > at_restart

    threading.Thread(target=publish_rest, daemon=True).start()
    if at_restart < len(ids):
        pipeline.wait_for(more_indexed, 120, "indexing to resume")
    resumed = since(back)
    pipeline.wait_for_ids(ids, timeout=240)
    assert published.is_set()
    with pipeline.es() as es:
        distinct, docs = index_counts(es, pipeline.settings.index_alias, ids)
    letters = [letter for letter in pipeline.dead_letters(minimum=0) if letter.key in set(ids)]
    what = f"Kafka (SASL_SSL) stopped {OUTAGE:g} s mid-stream and restarted; indexing resumed {resumed} s after "
    what += f"it was back; log lines per worker during the outage: {outage_lines}"
    FaultRecord(what, len(ids), distinct, len(ids) - distinct, docs - distinct, len(letters), since(back)).emit()
    assert distinct == docs == len(ids) and not letters
    assert all(p.poll() is None for group in pipeline.workers.values() for p in group), "workers survived"
    assert max(outage_lines.values()) <= MAX_OUTAGE_LINES, outage_lines
