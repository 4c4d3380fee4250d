"""Kafka plumbing shared by every stage and command: topics, a producer, offsets and lag."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from shared.contracts.settings import Settings
from shared.runtime.deadletter import check_limits, message_limit
from shared.runtime.stage import StageSpec

__all__ = ["admin_client", "ensure_topics", "message_limit", "new_consumer", "new_producer", "security_options"]

log = logging.getLogger(__name__)

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def security_options(settings: Settings) -> dict[str, Any]:
    """How every Kafka client of newsflow authenticates and encrypts (aiokafka's option names):
    ``NEWSFLOW_KAFKA_SECURITY_PROTOCOL`` SASL_SSL with a SCRAM mechanism, user, password and the
    CA that signed the brokers' certificates; nothing extra for PLAINTEXT."""
    protocol = settings.kafka_security_protocol.upper()
    if protocol not in SECURITY_PROTOCOLS:
        choices = ", ".join(SECURITY_PROTOCOLS)
        raise ValueError(f"NEWSFLOW_KAFKA_SECURITY_PROTOCOL={protocol!r}: choose one of {choices}")
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile)
    if protocol.startswith("SASL"):
        mechanism = (settings.kafka_sasl_mechanism or "SCRAM-SHA-512").upper()
        if mechanism not in SASL_MECHANISMS:
            raise ValueError(f"NEWSFLOW_KAFKA_SASL_MECHANISM={mechanism!r}: choose one of {', '.join(SASL_MECHANISMS)}")
        if not settings.kafka_sasl_username or settings.kafka_sasl_password is None:
            raise ValueError(f"{protocol} needs NEWSFLOW_KAFKA_SASL_USERNAME and NEWSFLOW_KAFKA_SASL_PASSWORD")
        options.update(sasl_mechanism=mechanism, sasl_plain_username=settings.kafka_sasl_username,
                       sasl_plain_password=settings.kafka_sasl_password)
    return options


@contextlib.asynccontextmanager
async def admin_client(settings: Settings) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=15000,
                                **security_options(settings))
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def ensure_topics(settings: Settings, topics: Iterable[str] | None = None) -> list[str]:
    """Create the pipeline topics that do not exist yet; returns the names created."""
    wanted = list(topics or settings.pipeline_topics)
    async with admin_client(settings) as admin:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return []
        new_topics = [
            NewTopic(
                name=t,
                num_partitions=settings.partitions,
                replication_factor=settings.replication_factor,
                topic_configs={"max.message.bytes": str(message_limit(settings))},
            )
            for t in missing
        ]
        with contextlib.suppress(TopicAlreadyExistsError):  # another process won the race
            await admin.create_topics(new_topics)
        # Metadata for new topics reaches every client a moment later; wait for it.
        for _ in range(50):
            if set(missing) <= set(await admin.list_topics()):
                break
            await asyncio.sleep(0.1)
        return missing


def new_producer(settings: Settings, **overrides: object) -> AIOKafkaProducer:
    """A producer that waits for the broker's acknowledgement (acks=all) and is idempotent,
    so a retried send never duplicates a message."""
    options: dict[str, object] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "acks": "all",
        "enable_idempotence": True,
        "max_request_size": message_limit(settings),
        "linger_ms": 5,
        "compression_type": "gzip",
        **security_options(settings),
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


@contextlib.asynccontextmanager
async def producer(settings: Settings) -> AsyncIterator[AIOKafkaProducer]:
    prod = new_producer(settings)
    await prod.start()
    try:
        yield prod
    finally:
        await prod.stop()


def new_consumer(settings: Settings, *topics: str, **overrides: object) -> AIOKafkaConsumer:
    options: dict[str, object] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "fetch_max_bytes": message_limit(settings) * 2,
        "max_partition_fetch_bytes": message_limit(settings),
        **security_options(settings),
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


async def check_broker_limits(settings: Settings, topics: Iterable[str]) -> None:
    """At start: the broker must accept what newsflow may send on ``topics`` (outputs and dead
    letters up to the producer ceiling). Raises LimitsError naming the limits otherwise."""
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    async with admin_client(settings) as admin:
        resources = [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics]
        answers = await admin.describe_configs(resources)
    smallest: int | None = None
    for answer in answers:
        for resource in answer.resources:
            for entry in resource[4]:
                if entry[0] == "max.message.bytes":
                    value = int(entry[1])
                    smallest = value if smallest is None else min(smallest, value)
    check_limits(settings, smallest)


@dataclass
class StageLag:
    stage: str
    group: str
    topic: str
    committed: int
    end: int

    @property
    def lag(self) -> int:
        return max(self.end - self.committed, 0)


async def topic_offsets(settings: Settings, topics: Iterable[str]) -> dict[str, dict[int, int]]:
    """End offset of every partition of each topic (missing topics map to {})."""
    topics = list(topics)
    async with admin_client(settings) as admin:
        existing = set(await admin.list_topics())
    consumer = new_consumer(settings, *[t for t in topics if t in existing])  # subscribing loads metadata
    await consumer.start()
    try:
        result: dict[str, dict[int, int]] = {}
        for topic in topics:
            parts = consumer.partitions_for_topic(topic)
            tps = [TopicPartition(topic, p) for p in sorted(parts or [])]
            ends = await consumer.end_offsets(tps) if tps else {}
            result[topic] = {tp.partition: off for tp, off in ends.items()}
        return result
    finally:
        await consumer.stop()


async def stage_lags(
    settings: Settings, stages: Iterable[StageSpec], ends: dict[str, dict[int, int]] | None = None
) -> list[StageLag]:
    """Committed offsets of each stage's consumer group against its input topic's end
    (``ends`` from topic_offsets when the caller has read them already)."""
    stages = list(stages)
    if ends is None:
        ends = await topic_offsets(settings, [spec.input_topic(settings) for spec in stages])
    lags = []
    async with admin_client(settings) as admin:
        for spec in stages:
            stage, topic, group = spec.name, spec.input_topic(settings), spec.group(settings)
            try:
                committed = await admin.list_consumer_group_offsets(group)
            except Exception:  # group never started
                committed = {}
            done = sum(meta.offset for tp, meta in committed.items() if tp.topic == topic and meta.offset >= 0)
            lags.append(StageLag(stage, group, topic, done, sum(ends.get(topic, {}).values())))
    return lags
