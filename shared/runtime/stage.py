"""The one stage runner every worker uses, apart from Kafka: it takes a batch of incoming messages,
decodes and validates them, hands the good ones to the stage's pure logic, sends the results on
and the failures to the dead-letter topic through a Transport, and only then acknowledges the batch.

Delivery is at least once: a batch is acknowledged only after the transport confirmed everything
produced from it (outputs and dead letters), so a crash mid-batch redelivers rather than drops,
and the index is idempotent (document id = article id) so redelivery never duplicates.
``shared.runtime.worker`` binds this runner to a Faust agent; tests and the offline commands bind
it to an in-memory transport.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import orjson
from pydantic import ValidationError

from shared.contracts.outcomes import Failure, Result, TransientError
from shared.contracts.schemas import Message
from shared.contracts.settings import Settings
from shared.runtime.deadletter import check_limits, dead_letter, dead_letter_limit, message_limit
from shared.runtime.envelope import Incoming, Outgoing
from shared.runtime.memory import LARGE_BATCH_BYTES, pin_mmap_threshold, release_memory
from shared.runtime.metrics import StageMetrics
from shared.runtime.retry import RetriesExhausted, RetryPolicy

log = logging.getLogger("newsflow.stage")


class StageLogic(Protocol):
    """What a stage supplies: its pure work over a batch of validated input models."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def handle(self, batch: Sequence[Message]) -> list[Result]:
        """One result per message, same order. May raise TransientError to have the batch retried."""
        ...


@dataclass(frozen=True)
class StageSpec:
    """One pipeline stage, declared once: where it reads, what, where it writes, and its logic.

    Topics are read from the settings (``NEWSFLOW_TOPIC_*``) so a deployment can rename them.
    """

    name: str
    summary: str
    input_topic: Callable[[Settings], str]
    input_model: type[Message]
    output_topic: Callable[[Settings], str] | None
    output_model: type[Message] | None
    logic: Callable[[Settings], StageLogic]

    def group(self, settings: Settings) -> str:
        """The consumer group: all workers of one stage share it, and so its partitions."""
        return f"{settings.group_prefix}-{self.name}"


class Transport(Protocol):
    """The sending side of Kafka as the runner needs it."""

    async def send_all(self, outgoing: Sequence[Outgoing]) -> None:
        """Send every message and return once the broker acknowledged all of them; raise otherwise."""
        ...


def decode(incoming: Incoming, model: type[Message], max_bytes: int) -> Message | Failure:
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


class StageStopped(Exception):
    """The stage cannot go on without losing or skipping messages (an output that still cannot
    be delivered, a backend still down after the whole retry policy): the worker must exit
    without acknowledging, so the platform restarts it and the batch is read again."""


class StageRunner:
    """Runs one stage's logic over batches; Kafka comes in through ``transport`` and ``handle_batch``."""

    def __init__(self, spec: StageSpec, logic: StageLogic, settings: Settings, transport: Transport) -> None:
        self.spec = spec
        self.logic = logic
        self.settings = settings
        self.transport = transport
        self.metrics = StageMetrics(spec.name)
        self.output_topic = spec.output_topic(settings) if spec.output_topic else None
        self.policy = RetryPolicy.from_settings(settings)
        pin_mmap_threshold()  # multi-MB values must not fragment the allocator's arenas
        check_limits(settings)
        self.letter_limit = dead_letter_limit(settings)
        self.output_limit = message_limit(settings) - 1024

    async def handle_batch(self, incoming: Sequence[Incoming], ack: Callable[[], Awaitable[None]]) -> None:
        """Process one batch, deliver what it produced, then (and only then) acknowledge it."""
        outgoing = await self.process(incoming)
        await self.deliver(outgoing)
        await ack()
        if sum(len(i.value or b"") for i in incoming) + sum(len(o.value) for o in outgoing) >= LARGE_BATCH_BYTES:
            del outgoing
            release_memory()

    async def process(self, incoming: Sequence[Incoming]) -> list[Outgoing]:
        """The outputs and dead letters of one batch, in input order."""
        name = self.spec.name
        with self.metrics.batch(len(incoming)) as batch_metrics:
            decoded = [decode(i, self.spec.input_model, self.settings.max_message_bytes) for i in incoming]
            good = [(i, m) for i, m in zip(incoming, decoded, strict=True) if not isinstance(m, Failure)]
            results = await self._handle_with_retry([m for _, m in good])
            outcome: dict[int, Result] = {id(i): r for (i, _), r in zip(good, results, strict=True)}
            outgoing: list[Outgoing] = []
            for item, msg in zip(incoming, decoded, strict=True):
                result = msg if isinstance(msg, Failure) else self._checked(outcome[id(item)])
                value = result.to_json_bytes() if isinstance(result, Message) else b""
                if len(value) > self.output_limit:
                    result = Failure("OutputTooLarge", f"{name} produced {len(value)} bytes, over the "
                                                       f"{self.output_limit}-byte Kafka ceiling")
                if isinstance(result, Failure):
                    batch_metrics.dead_lettered(result.error_type)
                    log.warning(
                        "%s: %s at %s[%d]@%d: %s", name, result.error_type, item.topic,
                        item.partition, item.offset, result.error[:300],
                    )
                    letter = dead_letter(name, item, result.error_type, result.error, self.letter_limit)
                    outgoing.append(Outgoing(self.settings.topic_dlq, item.key, letter.to_json_bytes()))
                elif isinstance(result, Message) and self.output_topic is not None:
                    key = getattr(result, "id", None)
                    outgoing.append(Outgoing(self.output_topic, key.encode() if key else item.key, value))
                    batch_metrics.out += 1
                elif result is None and self.output_topic is None:
                    batch_metrics.out += 1  # a stage without an output topic stored it
            return outgoing

    def _checked(self, result: Result) -> Result:
        """A result of the wrong kind is a bug in the stage; it is dead-lettered, never sent on."""
        model = self.spec.output_model
        if result is None or isinstance(result, Failure) or (model is not None and isinstance(result, model)):
            return result
        return Failure("StageError", f"{self.spec.name} produced {type(result).__name__}, expected "
                                     f"{model.__name__ if model else 'nothing'}")

    async def deliver(self, outgoing: list[Outgoing]) -> None:
        """Send everything and wait for the broker's acknowledgements; on a failure send it all
        again (downstream is idempotent by article id) under the retry policy. When the policy
        is spent, StageStopped names the topics and the error: the batch stays unacknowledged."""
        if not outgoing:
            return
        topics = ", ".join(sorted({o.topic for o in outgoing}))
        try:
            await self.policy.run(f"{self.spec.name}: sending to {topics}",
                                  lambda: self.transport.send_all(outgoing), logger=log,
                                  on_retry=lambda: self.metrics.retried("deliver"))
        except RetriesExhausted as exc:
            raise StageStopped(f"{self.spec.name}: could not deliver to {topics} after {exc.attempts} attempts: "
                               f"{type(exc.last).__name__}: {exc.last}") from exc

    async def _handle_with_retry(self, batch: list[Message]) -> list[Result]:
        """The stage's logic over the batch; transient errors are retried under the policy, and
        an unexpected exception is narrowed down to the message that causes it."""
        if not batch:
            return []
        try:
            return await self.policy.run(f"{self.spec.name}: handling a batch", lambda: self._handle(batch),
                                         retry_on=(TransientError,), logger=log,
                                         on_retry=lambda: self.metrics.retried("handle"))
        except RetriesExhausted as exc:
            raise StageStopped(f"{self.spec.name}: {exc}") from exc
        except StageStopped:
            raise
        except Exception as exc:
            if len(batch) == 1:
                log.exception("%s: message failed", self.spec.name)
                return [Failure(type(exc).__name__, str(exc) or repr(exc))]
            log.warning("%s: batch failed (%s); retrying message by message", self.spec.name, exc)
            results: list[Result] = []
            for message in batch:
                results.extend(await self._handle_with_retry([message]))
            return results

    async def _handle(self, batch: list[Message]) -> list[Result]:
        try:
            results = await self.logic.handle(batch)
        except RetriesExhausted as exc:  # the logic's own retries (e.g. bulk writes) are spent
            raise StageStopped(f"{self.spec.name}: {exc}") from exc
        if len(results) != len(batch):
            raise RuntimeError(f"{self.spec.name} returned {len(results)} results for {len(batch)}")
        return results
