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
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from shared.contracts.settings import Settings
from shared.runtime.deadletter import check_limits, message_limit

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


def new_admin(settings: Settings) -> AIOKafkaAdminClient:
    """An admin client that authenticates as every other client of newsflow does."""
    return AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=15000,
                               **security_options(settings))


@contextlib.asynccontextmanager
async def admin_client(settings: Settings) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = new_admin(settings)
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


# ------------------------------------------------------------------ group members and offsets ---


@dataclass
class GroupMember:
    """One consumer of a group as the broker knows it: wherever it runs."""

    group: str
    member_id: str
    client_id: str
    host: str
    partitions: dict[str, list[int]]  # topic -> assigned partitions


def parse_member(group: str, member: dict[str, Any]) -> GroupMember:
    """A member of a DescribeGroups answer (its ``to_object()`` form), assignment decoded."""
    partitions: dict[str, list[int]] = {}
    raw = member.get("member_assignment") or b""
    if raw:
        with contextlib.suppress(Exception):  # a non-consumer protocol: no partitions to show
            decoded = ConsumerProtocolMemberAssignment.decode(raw)
            for topic, parts in decoded.assignment:
                partitions.setdefault(topic, []).extend(sorted(parts))
    return GroupMember(group, member["member_id"], member["client_id"], member["client_host"].lstrip("/"),
                       partitions)


async def group_members(settings: Settings, groups: Iterable[str]) -> dict[str, tuple[str, list[GroupMember]]]:
    """group -> (state, members) for each group, read from the group coordinator."""
    found: dict[str, tuple[str, list[GroupMember]]] = {}
    async with admin_client(settings) as admin:
        for group in groups:
            try:
                responses = await admin.describe_consumer_groups([group])
            except Exception as exc:  # coordinator unknown yet: a group never started
                log.debug("describe %s: %s", group, exc)
                found[group] = ("Unknown", [])
                continue
            for response in responses:
                for described in response.to_object()["groups"]:
                    members = [parse_member(group, m) for m in described["members"]]
                    found[described["group"]] = (described["state"], members)
    return found


class GroupOffsets:
    """Committed and end offsets of one consumer group on one topic, clients kept open between
    reads (a worker reads them every few seconds for its lag gauge and stall check)."""

    def __init__(self, settings: Settings, group: str, topic: str) -> None:
        self.settings, self.group, self.topic = settings, group, topic
        self.admin = new_admin(settings)
        self.consumer = new_consumer(settings, group_id=None)

    async def start(self) -> None:
        await self.admin.start()
        await self.consumer.start()

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.consumer.stop()
        with contextlib.suppress(Exception):
            await self.admin.close()

    async def read(self) -> dict[int, tuple[int, int]]:
        """partition -> (committed, end); a partition never committed counts from its beginning."""
        if not self.consumer.assignment():
            # The topic's partitions, assigned by hand (no group) and paused: the consumer then
            # knows their leaders for end_offsets and never fetches their messages.
            [described] = await self.admin.describe_topics([self.topic])
            parts = sorted(p["partition"] for p in described.get("partitions", []))
            if not parts:
                return {}
            self.consumer.assign([TopicPartition(self.topic, p) for p in parts])
            self.consumer.pause(*self.consumer.assignment())
        tps = sorted(self.consumer.assignment())
        committed_all = await self.admin.list_consumer_group_offsets(self.group, partitions=tps)
        ends = await self.consumer.end_offsets(tps)
        committed = {tp.partition: meta.offset for tp, meta in committed_all.items() if tp.topic == self.topic}
        missing = [tp for tp in tps if committed.get(tp.partition, -1) < 0]
        if missing:
            starts = await self.consumer.beginning_offsets(missing)
            committed.update({tp.partition: off for tp, off in starts.items()})
        return {tp.partition: (committed[tp.partition], ends[tp]) for tp in tps}
