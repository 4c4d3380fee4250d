"""A message as it came off a topic, and one about to be sent: the runtime's own records."""

from __future__ import annotations

from dataclasses import dataclass


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
class Outgoing:
    """One message to send: a stage's output or a dead letter."""

    topic: str
    key: bytes | None
    value: bytes
