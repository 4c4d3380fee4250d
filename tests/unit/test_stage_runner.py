"""The stage runner without a broker: decoding, validation, narrowing a raising handler down to
its one bad message, retries, dead-letter routing and acknowledgement only after delivery, over
the in-memory transport."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import orjson
import pytest

from shared.contracts.outcomes import Failure, Result, TransientError
from shared.contracts.schemas import CleanArticle, DeadLetter, RawArticle
from shared.contracts.settings import Settings
from shared.runtime.envelope import Incoming
from shared.runtime.offline import MemoryTransport
from shared.runtime.stage import StageRunner, StageSpec, StageStopped

SETTINGS = Settings(retry_initial_delay=0.001, retry_max_delay=0.002, retry_attempts=5, max_message_bytes=2048,
                    topic_raw="t.raw", topic_clean="t.clean", topic_dlq="t.dlq")


class UpperLogic:
    """Cleans by upper-casing; refuses 'refuse', raises on 'boom', fails transiently ``transient`` times."""

    def __init__(self, transient: int = 0, wrong_type: bool = False) -> None:
        self.transient = transient
        self.wrong_type = wrong_type
        self.calls: list[int] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def handle(self, batch: Sequence[RawArticle]) -> list[Result]:
        self.calls.append(len(batch))
        if self.transient:
            self.transient -= 1
            raise TransientError("store not answering")
        if any(raw.content == "boom" for raw in batch):
            raise ValueError("boom in the logic")
        results: list[Result] = []
        for raw in batch:
            if raw.content == "refuse":
                results.append(Failure("RejectedArticle", "nothing to keep"))
            elif self.wrong_type:
                results.append(raw)
            else:
                results.append(CleanArticle(id=raw.id or "x", body=raw.content.upper(), content_hash="h"))
        return results


def spec_for(logic: UpperLogic) -> StageSpec:
    return StageSpec(
        name="upper", summary="test stage", input_topic=lambda s: s.topic_raw, input_model=RawArticle,
        output_topic=lambda s: s.topic_clean, output_model=CleanArticle, logic=lambda _s: logic,
    )


def runner_with(logic: UpperLogic, transport: MemoryTransport | None = None) -> tuple[StageRunner, MemoryTransport]:
    transport = transport or MemoryTransport()
    return StageRunner(spec_for(logic), logic, SETTINGS, transport), transport


def message(offset: int, value: bytes | None, key: bytes | None = None) -> Incoming:
    return Incoming("t.raw", 3, offset, key, value)


def raw(ident: str, content: str) -> bytes:
    return orjson.dumps({"id": ident, "content": content})


def letters(transport: MemoryTransport) -> dict[int, DeadLetter]:
    found = [DeadLetter.model_validate_json(o.value) for o in transport.sent.get("t.dlq", [])]
    return {letter.offset: letter for letter in found}


def outputs(transport: MemoryTransport) -> list[CleanArticle]:
    return [CleanArticle.model_validate_json(o.value) for o in transport.sent.get("t.clean", [])]


async def run_batch(runner: StageRunner, batch: list[Incoming]) -> list[str]:
    events: list[str] = []

    async def ack() -> None:
        events.append("ack")

    await runner.handle_batch(batch, ack)
    return events


async def test_undecodable_values_are_dead_lettered_and_the_good_one_goes_on() -> None:
    runner, transport = runner_with(UpperLogic())
    batch = [
        message(1, b"not json"), message(2, b"[1, 2]"), message(3, b"   "), message(4, None),
        message(5, b'{"id": "big", "content": "' + b"x" * 4000 + b'"}'),
        message(6, raw("good", "hello"), key=b"good"), message(7, b"\xff\xfe\x00"),
    ]
    assert await run_batch(runner, batch) == ["ack"]
    dead = letters(transport)
    assert {o: d.error_type for o, d in dead.items()} == {
        1: "InvalidJSON", 2: "NotAnObject", 3: "EmptyMessage", 4: "EmptyMessage", 5: "MessageTooLarge",
        7: "InvalidJSON",
    }
    assert dead[7].value_encoding == "base64"
    assert all(d.stage == "upper" and d.topic == "t.raw" and d.partition == 3 for d in dead.values())
    assert [a.body for a in outputs(transport)] == ["HELLO"]
    assert transport.sent["t.clean"][0].key == b"good"


async def test_validation_errors_name_the_field() -> None:
    runner, transport = runner_with(UpperLogic())
    await run_batch(runner, [message(1, orjson.dumps({"id": "no-content"}), key=b"k1")])
    letter = letters(transport)[1]
    assert letter.error_type == "ValidationError"
    assert "content" in letter.error
    assert letter.key == "k1"
    assert orjson.loads(letter.value) == {"id": "no-content"}  # the original value, whole


async def test_a_raising_handler_is_narrowed_to_the_one_bad_message() -> None:
    logic = UpperLogic()
    runner, transport = runner_with(logic)
    batch = [message(1, raw("a", "one")), message(2, raw("b", "boom")), message(3, raw("c", "three"))]
    await run_batch(runner, batch)
    assert [a.id for a in outputs(transport)] == ["a", "c"]
    assert {o: (d.error_type, d.error) for o, d in letters(transport).items()} == {
        2: ("ValueError", "boom in the logic")}
    assert logic.calls == [3, 1, 1, 1]  # the batch, then message by message


async def test_failures_returned_by_the_logic_are_dead_lettered_with_their_reason() -> None:
    runner, transport = runner_with(UpperLogic())
    await run_batch(runner, [message(1, raw("a", "refuse")), message(2, raw("b", "fine"))])
    assert {o: (d.error_type, d.error) for o, d in letters(transport).items()} == {
        1: ("RejectedArticle", "nothing to keep")}
    assert [a.id for a in outputs(transport)] == ["b"]


async def test_transient_errors_are_retried_not_dead_lettered() -> None:
    logic = UpperLogic(transient=3)
    runner, transport = runner_with(logic)
    await run_batch(runner, [message(1, raw("a", "x")), message(2, raw("b", "y"))])
    assert logic.calls == [2, 2, 2, 2]
    assert not letters(transport)
    assert [a.id for a in outputs(transport)] == ["a", "b"]


async def test_a_result_of_the_wrong_model_is_dead_lettered_never_sent_on() -> None:
    runner, transport = runner_with(UpperLogic(wrong_type=True))
    await run_batch(runner, [message(1, raw("a", "x"))])
    assert letters(transport)[1].error_type == "StageError"
    assert "expected CleanArticle" in letters(transport)[1].error
    assert not outputs(transport)


async def test_the_batch_is_acknowledged_only_after_the_broker_took_everything() -> None:
    transport = MemoryTransport(fail_next=2)
    runner, _ = runner_with(UpperLogic(), transport)
    events = await run_batch(runner, [message(1, raw("a", "x")), message(2, b"bad")])
    assert transport.attempts == 3  # two failed sends, resent whole, then delivered
    assert events == ["ack"]
    assert len(outputs(transport)) == 1 and len(letters(transport)) == 1


async def test_no_acknowledgement_while_delivery_keeps_failing() -> None:
    transport = MemoryTransport(fail_next=10_000)
    patient = SETTINGS.model_copy(update={"retry_initial_delay": 5.0, "retry_max_delay": 5.0})
    logic = UpperLogic()
    runner = StageRunner(spec_for(logic), logic, patient, transport)
    acked: list[str] = []

    async def ack() -> None:
        acked.append("ack")

    task = asyncio.create_task(runner.handle_batch([message(1, raw("a", "x"))], ack))
    await asyncio.sleep(0.01)
    assert transport.attempts >= 1
    task.cancel()  # the worker stops: the batch is handed back, never acknowledged
    with pytest.raises(asyncio.CancelledError):
        await task
    assert acked == []
    assert not transport.sent


async def test_delivery_failing_past_the_policy_stops_the_stage_naming_the_topic() -> None:
    transport = MemoryTransport(fail_next=10_000)
    runner, _ = runner_with(UpperLogic(), transport)
    acked: list[str] = []

    async def ack() -> None:
        acked.append("ack")

    with pytest.raises(StageStopped, match=r"t\.clean.*ConnectionError"):
        await runner.handle_batch([message(1, raw("a", "x"))], ack)
    assert transport.attempts == SETTINGS.retry_attempts
    assert acked == []


async def test_a_transient_error_past_the_policy_stops_the_stage_instead_of_dead_lettering() -> None:
    logic = UpperLogic(transient=10_000)
    runner, transport = runner_with(logic)
    with pytest.raises(StageStopped, match="store not answering"):
        await run_batch(runner, [message(1, raw("a", "x"))])
    assert len(logic.calls) == SETTINGS.retry_attempts
    assert not transport.sent


async def test_a_batch_without_output_is_still_acknowledged() -> None:
    runner, transport = runner_with(UpperLogic())
    assert await run_batch(runner, []) == ["ack"]
    assert transport.attempts == 0

