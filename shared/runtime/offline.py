"""Stages run in this process without a broker: the same StageRunner, logic, validation and dead
letters as a worker, over an in-memory transport. The offline ``clean``/``extract`` commands use
it, and so do the runner's unit tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from shared.contracts.outcomes import Failure
from shared.contracts.schemas import DeadLetter
from shared.contracts.settings import Settings
from shared.runtime.envelope import Incoming, Outgoing
from shared.runtime.stage import StageRunner, StageSpec


@dataclass
class MemoryTransport:
    """Keeps what is sent, per topic, in order; ``fail_next`` makes the next sends raise, and
    ``max_bytes`` refuses larger values the way a broker's ``max.message.bytes`` does."""

    sent: dict[str, list[Outgoing]] = field(default_factory=lambda: defaultdict(list))
    fail_next: int = 0
    attempts: int = 0
    max_bytes: int | None = None

    async def send_all(self, outgoing: Sequence[Outgoing]) -> None:
        self.attempts += 1
        if self.fail_next > 0:
            self.fail_next -= 1
            raise ConnectionError("broker not available (simulated)")
        for message in outgoing:
            if self.max_bytes is not None and len(message.value) > self.max_bytes:
                raise ValueError(f"message of {len(message.value)} bytes is over the {self.max_bytes}-byte limit")
        for message in outgoing:
            self.sent[message.topic].append(message)

    def take(self, topic: str) -> list[Outgoing]:
        """What was sent to ``topic`` since the last take."""
        return self.sent.pop(topic, [])


class OfflineChain:
    """Stages in pipeline order, each fed the previous one's output; one value in, one result out."""

    def __init__(self, stages: Sequence[StageSpec], settings: Settings) -> None:
        self.settings = settings
        self.transport = MemoryTransport()
        self.runners = [StageRunner(spec, spec.logic(settings), settings, self.transport) for spec in stages]
        self.offset = 0

    async def __aenter__(self) -> OfflineChain:
        for runner in self.runners:
            await runner.logic.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for runner in self.runners:
            await runner.logic.stop()

    async def run(self, value: bytes, key: bytes | None = None) -> BaseModel | Failure | None:
        """The last stage's output for ``value``, or the Failure of the first stage that refused it."""
        for runner in self.runners:
            self.offset += 1
            incoming = Incoming(runner.spec.input_topic(self.settings), 0, self.offset, key, value)
            outgoing = await runner.process([incoming])
            await runner.deliver(outgoing)
            letters = self.transport.take(self.settings.topic_dlq)
            if letters:
                letter = DeadLetter.model_validate_json(letters[0].value)
                return Failure(letter.error_type, letter.error)
            sent = self.transport.take(runner.output_topic) if runner.output_topic else []
            if not sent:
                return None
            key, value = sent[0].key, sent[0].value
        # Only the last output is parsed: each stage validates its own input on the way.
        last = self.runners[-1].spec.output_model
        return last.model_validate_json(value) if last else None
