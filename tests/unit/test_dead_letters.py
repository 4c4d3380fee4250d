"""Dead letters always fit through Kafka: a value whose letter would be over the limit is cut to
head and tail with its size and SHA-256, and the stage goes on with the next messages; limits
that contradict each other are refused at start."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import orjson
import pytest

from shared.contracts.outcomes import Result
from shared.contracts.schemas import CleanArticle, DeadLetter, RawArticle
from shared.contracts.settings import Settings
from shared.runtime.deadletter import LimitsError, check_limits, dead_letter, dead_letter_limit, decode_value
from shared.runtime.envelope import Incoming
from shared.runtime.offline import MemoryTransport
from shared.runtime.stage import StageRunner
from tests.unit.test_stage_runner import UpperLogic, message, raw, spec_for

KAFKA = 200_000
LETTER = 120_000
SETTINGS = Settings(retry_initial_delay=0.001, retry_max_delay=0.002, retry_attempts=3, max_message_bytes=60_000,
                    kafka_max_request_bytes=KAFKA, dead_letter_max_bytes=LETTER,
                    topic_raw="t.raw", topic_clean="t.clean", topic_dlq="t.dlq")


def runner(logic: UpperLogic | None = None) -> tuple[StageRunner, MemoryTransport]:
    logic = logic or UpperLogic()
    transport = MemoryTransport(max_bytes=KAFKA)  # refuses what the broker would refuse
    return StageRunner(spec_for(logic), logic, SETTINGS, transport), transport


async def test_a_control_byte_value_is_cut_and_the_good_articles_after_it_go_on() -> None:
    poison = bytes(range(1, 32)) * 1900  # ~59 KB of control bytes: ~350 KB once JSON-escaped
    stage, transport = runner()
    acked: list[bool] = []

    async def ack() -> None:
        acked.append(True)

    await stage.handle_batch([message(1, poison), message(2, raw("g1", "good one")), message(3, raw("g2", "two"))],
                             ack)
    assert acked == [True]
    sent = transport.sent["t.dlq"]
    assert len(sent) == 1 and len(sent[0].value) <= LETTER
    letter = DeadLetter.model_validate_json(sent[0].value)
    assert letter.value_truncated and letter.value_size == len(poison)
    assert letter.value_sha256 == hashlib.sha256(poison).hexdigest()
    assert letter.error_type == "InvalidJSON" and "too large for a dead letter" in letter.error
    head, tail = letter.value.encode(), (letter.value_tail or "").encode()
    assert head and tail and poison.startswith(head) and poison.endswith(tail)
    assert [CleanArticle.model_validate_json(o.value).id for o in transport.sent["t.clean"]] == ["g1", "g2"]
    with pytest.raises(ValueError, match="head and tail"):
        decode_value(letter)


async def test_a_letter_that_fits_keeps_the_value_whole() -> None:
    value = b"\x01" * 10_000  # 60 KB escaped: fits the 120 KB letter
    stage, transport = runner()
    await stage.handle_batch([message(1, value)], _noop)
    letter = DeadLetter.model_validate_json(transport.sent["t.dlq"][0].value)
    assert not letter.value_truncated and letter.value_tail is None
    assert decode_value(letter) == value


def test_binary_values_are_cut_in_base64_and_stay_decodable() -> None:
    value = b"\xff\xfe" + bytes(range(256)) * 1000
    letter = dead_letter("s", Incoming("t", 0, 7, b"k", value), "InvalidJSON", "bad", limit=50_000)
    assert len(letter.to_json_bytes()) <= 50_000 and letter.value_encoding == "base64"
    head, tail = base64.b64decode(letter.value), base64.b64decode(letter.value_tail or "")
    assert value.startswith(head) and value.endswith(tail) and len(head) > 10_000
    assert letter.value_sha256 == hashlib.sha256(value).hexdigest()


def test_an_endless_reason_is_cut_too() -> None:
    letter = dead_letter("s", Incoming("t", 0, 7, None, b"{}"), "X", "why " * 100_000, limit=50_000)
    assert len(letter.to_json_bytes()) <= 50_000 and letter.error.endswith("characters)")


class ExpandingLogic(UpperLogic):
    """Writes each article's content five times over: a stage whose output outgrows its input."""

    async def handle(self, batch: Sequence[RawArticle]) -> list[Result]:
        return [CleanArticle(id=r.id or "x", body=r.content * 5, content_hash="h") for r in batch]


async def test_an_output_too_large_for_kafka_is_dead_lettered_not_retried_forever() -> None:
    stage, transport = runner(ExpandingLogic())
    await stage.handle_batch([message(1, orjson.dumps({"id": "big", "content": "a" * 50_000})),
                              message(2, raw("small", "fine"))], _noop)
    letter = DeadLetter.model_validate_json(transport.sent["t.dlq"][0].value)
    assert letter.error_type == "OutputTooLarge"
    assert [CleanArticle.model_validate_json(o.value).id for o in transport.sent["t.clean"]] == ["small"]


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"max_message_bytes": 300_000}, "article limit"),
        ({"dead_letter_max_bytes": KAFKA}, "dead-letter limit"),
        ({"kafka_max_request_bytes": 70_000, "dead_letter_max_bytes": None, "max_message_bytes": 20_000},
         "no room"),
    ],
)
def test_contradicting_limits_are_refused_at_start(overrides: dict[str, object], complaint: str) -> None:
    settings = SETTINGS.model_copy(update=overrides)
    with pytest.raises(LimitsError, match=complaint):
        check_limits(settings)
    with pytest.raises(LimitsError):
        StageRunner(spec_for(UpperLogic()), UpperLogic(), settings, MemoryTransport())


def test_a_broker_below_the_producer_ceiling_is_refused() -> None:
    with pytest.raises(LimitsError, match=r"max\.message\.bytes"):
        check_limits(SETTINGS, broker_limit=KAFKA // 2)
    check_limits(SETTINGS, broker_limit=KAFKA)


def test_default_limits_agree() -> None:
    settings = Settings()
    check_limits(settings, broker_limit=16 * 1024 * 1024)
    assert settings.max_message_bytes < dead_letter_limit(settings) < 16 * 1024 * 1024


async def _noop() -> None:
    return None
