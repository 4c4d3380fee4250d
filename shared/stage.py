"""The one stage runner every worker uses: a Faust agent that takes a batch from its input topic,
decodes and validates it, hands the good messages to the stage's pure logic, sends the results
on and the failures to the dead-letter topic, and only then acknowledges the batch.

Delivery is at least once: offsets are committed only for messages whose outputs (or dead
letters) the broker has acknowledged, so a crash mid-batch redelivers rather than drops, and the
index is idempotent (document id = article id) so redelivery never duplicates.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import faust
import orjson
from pydantic import BaseModel, ValidationError

from shared.deadletter import dead_letter
from shared.kafka import STAGE_INPUTS, ensure_topics, message_limit, stage_group
from shared.metrics import StageMetrics
from shared.schemas import Message
from shared.settings import Settings

log = logging.getLogger("newsflow.stage")

InT = TypeVar("InT", bound=Message)


@dataclass
class Incoming:
    """One message as it came off the input topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None

    @property
    def key_text(self) -> str | None:
        return self.key.decode("utf-8", "replace") if self.key else None


@dataclass
class Failure:
    """Why one message could not be handled; it becomes a DeadLetter."""

    error_type: str
    error: str


class TransientError(Exception):
    """A failure of something outside the message (a store not answering): retry, never dead-letter."""


Result = BaseModel | Failure | None  # to send on | to dead-letter | done, nothing to send


class StageLogic(Protocol, Generic[InT]):
    """What a stage supplies; the runner does the Kafka, retries and dead letters."""

    name: str
    input_model: type[InT]
    output_topic: str | None

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def handle(self, batch: Sequence[InT]) -> list[Result]:
        """One result per message, same order. May raise TransientError to have the batch retried."""
        ...


def decode(incoming: Incoming, model: type[InT], max_bytes: int) -> InT | Failure:
    """Bytes -> model, or the reason it is not one. Never raises."""
    value = incoming.value
    if value is None or not value.strip():
        return Failure("EmptyMessage", "the message value is empty")
    if len(value) > max_bytes:
        return Failure("MessageTooLarge", f"the value is {len(value)} bytes, over the {max_bytes}-byte limit")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        return Failure("InvalidJSON", f"the value is not JSON: {exc}")
    if not isinstance(data, dict):
        return Failure("NotAnObject", f"the value is JSON {type(data).__name__}, not an object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())
        return Failure("ValidationError", f"{model.__name__} validation failed: {problems}")


async def backoff_sleep(attempt: int, settings: Settings) -> None:
    delay = min(settings.retry_max_delay, settings.retry_initial_delay * 2**attempt)
    await asyncio.sleep(delay * (0.5 + random.random() / 2))


class StageRunner:
    """Runs one StageLogic inside a Faust app (consumer group ``newsflow-<stage>``)."""

    def __init__(self, logic: StageLogic, settings: Settings) -> None:
        self.logic = logic
        self.settings = settings
        self.metrics = StageMetrics(logic.name, settings)
        datadir = settings.stack_home / "faust" / stage_group(settings, logic.name)
        datadir.mkdir(parents=True, exist_ok=True)  # Faust keeps its small local state here
        self.app = faust.App(
            stage_group(settings, logic.name),
            broker=[f"kafka://{h.strip()}" for h in settings.kafka_bootstrap.split(",")],
            web_enabled=False,
            store="memory://",
            datadir=str(datadir),
            topic_partitions=settings.partitions,
            topic_replication_factor=settings.replication_factor,
            consumer_auto_offset_reset="earliest",
            broker_commit_interval=settings.commit_interval,
            broker_commit_every=settings.batch_size,
            producer_acks=-1,
            producer_max_request_size=message_limit(settings),
            consumer_max_fetch_size=message_limit(settings),
            stream_wait_empty=False,
            stream_buffer_maxsize=max(4 * settings.batch_size, 64),
        )
        raw = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}
        self.source = self.app.topic(getattr(settings, STAGE_INPUTS[logic.name]), allow_empty=True, **raw)
        self.sink = self.app.topic(logic.output_topic, **raw) if logic.output_topic else None
        self.dlq = self.app.topic(settings.topic_dlq, **raw)
        self.app.agent(self.source, name=f"{logic.name}-agent")(self._agent)

    async def _agent(self, stream: faust.StreamT) -> None:
        await self.logic.start()
        try:
            async for events in stream.noack_take(self.settings.batch_size, within=self.settings.batch_timeout):
                await self.process(events)
                for event in events:
                    await stream.ack(event)
        finally:
            await self.logic.stop()

    async def process(self, events: Sequence[faust.types.EventT]) -> None:
        """Handle one batch until every output and dead letter is acknowledged by the broker."""
        incoming = [
            Incoming(e.message.topic, e.message.partition, e.message.offset, e.message.key, e.message.value)
            for e in events
        ]
        with self.metrics.batch(len(incoming)) as batch_metrics:
            decoded = [decode(i, self.logic.input_model, self.settings.max_message_bytes) for i in incoming]
            good = [(i, m) for i, m in zip(incoming, decoded, strict=True) if not isinstance(m, Failure)]
            results = await self._handle_with_retry([m for _, m in good])
            outcome: dict[int, Result] = {id(i): r for (i, _), r in zip(good, results, strict=True)}
            outgoing: list[tuple[faust.TopicT, bytes | None, bytes]] = []
            for item, msg in zip(incoming, decoded, strict=True):
                result = msg if isinstance(msg, Failure) else outcome[id(item)]
                if isinstance(result, Failure):
                    batch_metrics.failed += 1
                    log.warning(
                        "%s: %s at %s[%d]@%d: %s", self.logic.name, result.error_type, item.topic,
                        item.partition, item.offset, result.error[:300],
                    )
                    letter = dead_letter(self.logic.name, item, result.error_type, result.error)
                    outgoing.append((self.dlq, item.key, letter.to_json_bytes()))
                elif isinstance(result, Message) and self.sink is not None:
                    key = getattr(result, "id", None)
                    outgoing.append((self.sink, key.encode() if key else item.key, result.to_json_bytes()))
            await self._deliver(outgoing)

    async def _deliver(self, outgoing: list[tuple[faust.TopicT, bytes | None, bytes]]) -> None:
        """Send everything and wait for the broker's acknowledgements; on a failure send it all
        again (downstream is idempotent by article id) until it goes through or the worker stops."""
        attempt = 0
        while True:
            try:
                futures = [await topic.send(key=key, value=value, force=True) for topic, key, value in outgoing]
                await asyncio.gather(*futures)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("%s: sending failed, retrying (attempt %d): %s", self.logic.name, attempt + 1, exc)
                await backoff_sleep(attempt, self.settings)
                attempt += 1

    async def _handle_with_retry(self, batch: list[Message]) -> list[Result]:
        """The stage's logic over the batch; transient errors are retried with backoff, and an
        unexpected exception is narrowed down to the message that causes it."""
        if not batch:
            return []
        attempt = 0
        while True:
            try:
                results = await self.logic.handle(batch)
                if len(results) != len(batch):
                    raise RuntimeError(f"{self.logic.name} returned {len(results)} results for {len(batch)}")
                return results
            except TransientError as exc:
                log.warning("%s: transient error, retrying (attempt %d): %s", self.logic.name, attempt + 1, exc)
                await backoff_sleep(attempt, self.settings)
                attempt += 1
            except Exception as exc:
                if len(batch) == 1:
                    log.exception("%s: message failed", self.logic.name)
                    return [Failure(type(exc).__name__, str(exc) or repr(exc))]
                log.warning("%s: batch failed (%s); retrying message by message", self.logic.name, exc)
                results = []
                for message in batch:
                    results.extend(await self._handle_with_retry([message]))
                return results

    def run(self) -> None:
        """Run until SIGTERM/SIGINT; the batch in hand is then finished or handed back unacknowledged."""
        asyncio.run(ensure_topics(self.settings))
        worker = faust.Worker(self.app, loglevel=self.settings.log_level.lower(), quiet=True)
        self.app.timer(self.settings.metrics_interval)(self._report)
        worker.execute_from_commandline()

    async def _report(self) -> None:
        self.metrics.report()
