"""Dead letters: what a stage could not handle, with the reason and the original bytes, replayable.

A dead letter must always fit through Kafka, or the stage would retry sending it forever and
every later message would wait behind it. The original value is kept whole when the letter
fits ``dead_letter_limit``; otherwise it is cut to a head and a tail, with the original's size
and SHA-256, and the reason says so. ``check_limits`` makes sure at start that the article
limit, the dead-letter limit and the Kafka message ceiling agree.
"""

from __future__ import annotations

import base64
import hashlib

from shared.contracts.schemas import DeadLetter
from shared.contracts.settings import Settings
from shared.runtime.envelope import Incoming

MAX_ERROR_CHARS = 8 * 1024  # a reason longer than this is cut: it explains, it does not carry data
ENVELOPE_ROOM = 64 * 1024  # Kafka record and batch overhead kept free below the message ceiling
WORST_ESCAPE = 6  # one byte of text becomes at most six in JSON (\u0000)


class LimitsError(ValueError):
    """The configured size limits contradict each other; the message says which and how."""


def message_limit(settings: Settings) -> int:
    """Kafka's per-message ceiling (producer ``max_request_size``, topics' ``max.message.bytes``):
    above newsflow's own article limit, so an oversized article still reaches the cleaner, which
    dead-letters it with the reason instead of the producer failing."""
    if settings.kafka_max_request_bytes:
        return settings.kafka_max_request_bytes
    return max(16 * 1024 * 1024, 3 * settings.max_message_bytes)


def dead_letter_limit(settings: Settings) -> int:
    """Largest dead letter (its JSON), below the Kafka ceiling."""
    return settings.dead_letter_max_bytes or message_limit(settings) - ENVELOPE_ROOM


def check_limits(settings: Settings, broker_limit: int | None = None) -> None:
    """Raise LimitsError when an accepted article could not be carried, or a dead letter could
    not be sent. ``broker_limit`` is the broker's or topic's ``max.message.bytes`` when known."""
    article, letter, kafka = settings.max_message_bytes, dead_letter_limit(settings), message_limit(settings)
    problems = []
    if article >= kafka:
        problems.append(f"the article limit (NEWSFLOW_MAX_MESSAGE_BYTES={article}) must be below the Kafka "
                        f"message ceiling (NEWSFLOW_KAFKA_MAX_REQUEST_BYTES={kafka})")
    if letter > kafka - 1024:
        problems.append(f"the dead-letter limit (NEWSFLOW_DEAD_LETTER_MAX_BYTES={letter}) must leave room for "
                        f"Kafka's record overhead below the message ceiling ({kafka})")
    if letter < 16 * 1024:
        problems.append(f"the dead-letter limit ({letter}) leaves no room for a reason and a value")
    if broker_limit is not None and broker_limit < kafka:
        problems.append(f"the broker accepts messages up to {broker_limit} bytes (max.message.bytes), below the "
                        f"producer's ceiling {kafka}: raise it on the broker/topics or lower "
                        f"NEWSFLOW_KAFKA_MAX_REQUEST_BYTES")
    if problems:
        raise LimitsError("inconsistent size limits: " + "; ".join(problems))


def encode_value(value: bytes | None) -> tuple[str, str]:
    """The original value as text when it is UTF-8, else base64 (and which one it is)."""
    if value is None:
        return "", "utf-8"
    try:
        return value.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(value).decode("ascii"), "base64"


def decode_value(letter: DeadLetter) -> bytes:
    """The original bytes back, for replay. A cut value cannot be replayed: ValueError."""
    if letter.value_truncated:
        raise ValueError(f"the dead letter holds only the head and tail of a {letter.value_size}-byte value")
    if letter.value_encoding == "base64":
        return base64.b64decode(letter.value)
    return letter.value.encode("utf-8")


def _cut(value: bytes, keep: int, encoding: str) -> tuple[str, str]:
    """Head and tail of ``value``, ``keep`` bytes in all, encoded like the whole would be."""
    head, tail = value[: keep - keep // 2], value[len(value) - keep // 2 :]
    if encoding == "base64":
        return base64.b64encode(head).decode("ascii"), base64.b64encode(tail).decode("ascii")
    # a character split at a cut is dropped, so both parts stay valid text
    return head.decode("utf-8", "ignore"), tail.decode("utf-8", "ignore")


def dead_letter(stage: str, incoming: Incoming, error_type: str, error: str, limit: int | None = None) -> DeadLetter:
    """The dead letter of ``incoming``; with ``limit``, one whose JSON is at most ``limit`` bytes."""
    if len(error) > MAX_ERROR_CHARS:
        error = error[:MAX_ERROR_CHARS] + f"... ({len(error)} characters)"
    value, encoding = encode_value(incoming.value)
    letter = DeadLetter(
        stage=stage, error_type=error_type, error=error, topic=incoming.topic, partition=incoming.partition,
        offset=incoming.offset, key=incoming.key_text, value=value, value_encoding=encoding,
    )
    if limit is None or len(letter.to_json_bytes()) <= limit:
        return letter
    original = incoming.value or b""
    key = letter.key
    if key is not None and len(key) > 1024:
        key = key[:1024]
    bare = letter.model_copy(update={"value": "", "key": key})
    room = limit - len(bare.to_json_bytes()) - 1024  # the note on the reason and the new fields
    if room < 0:
        raise ValueError(f"a dead letter cannot fit in {limit} bytes")
    keep = room * 3 // 4 - 8 if encoding == "base64" else room // WORST_ESCAPE
    digest = hashlib.sha256(original).hexdigest()
    while True:
        keep = max(min(keep, len(original)), 0)
        head, tail = _cut(original, keep, encoding)
        note = (f" [the original value of {len(original)} bytes (sha256 {digest}) was too large for a dead letter: "
                f"kept its first {keep - keep // 2} and last {keep // 2} bytes]")
        cut = bare.model_copy(update={
            "error": error + note, "value": head, "value_tail": tail, "value_truncated": True,
            "value_size": len(original), "value_sha256": digest,
        })
        if len(cut.to_json_bytes()) <= limit or keep == 0:
            return cut
        keep //= 2
