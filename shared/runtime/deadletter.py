"""Dead letters: what a stage could not handle, with the reason and the original bytes, replayable."""

from __future__ import annotations

import base64

from shared.contracts.schemas import DeadLetter
from shared.runtime.envelope import Incoming


def encode_value(value: bytes | None) -> tuple[str, str]:
    """The original value as text when it is UTF-8, else base64 (and which one it is)."""
    if value is None:
        return "", "utf-8"
    try:
        return value.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(value).decode("ascii"), "base64"


def decode_value(letter: DeadLetter) -> bytes:
    """The original bytes back, for replay."""
    if letter.value_encoding == "base64":
        return base64.b64decode(letter.value)
    return letter.value.encode("utf-8")


def dead_letter(stage: str, incoming: Incoming, error_type: str, error: str) -> DeadLetter:
    value, encoding = encode_value(incoming.value)
    return DeadLetter(
        stage=stage,
        error_type=error_type,
        error=error,
        topic=incoming.topic,
        partition=incoming.partition,
        offset=incoming.offset,
        key=incoming.key_text,
        value=value,
        value_encoding=encoding,
    )
