"""The pure parts of newsflow's reliability: the retry policy (backoff, cap, jitter, bounded,
quiet), which bulk answers are retried and which dead-lettered, hostile ingest bodies refused
with reasons, and search queries of bounded cost."""

from __future__ import annotations

import logging

import pytest

from services.api.ingest import MAX_DEPTH, SAFE_ID, parse_body
from services.indexer.bulk import sort_items
from services.search.query import MAX_PREFIX_TERMS, SearchParams
from shared.runtime.retry import RETRY_COUNTS, RETRY_OBSERVERS, RateLimitFilter, RetriesExhausted, RetryPolicy


def test_backoff_doubles_up_to_the_cap_with_jitter_below_it() -> None:
    policy = RetryPolicy(attempts=10, initial_delay=0.5, max_delay=4.0, jitter=0.5)
    assert [policy.delay(a, lambda: 0.0) for a in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.delay(5, lambda: 1.0) == 2.0  # jitter takes at most half off
    assert policy.delay(10_000, lambda: 0.0) == 4.0  # no overflow on long outages


async def test_the_policy_retries_then_recovers_logging_state_changes_only(caplog: pytest.LogCaptureFixture) -> None:
    policy = RetryPolicy(attempts=50, initial_delay=0.0001, max_delay=0.0002, jitter=0.5)
    failures = iter(range(30))
    seen: list[int] = []
    RETRY_OBSERVERS.append(lambda op, attempt, exc: seen.append(attempt))
    before = RETRY_COUNTS["test: flaky"]

    async def flaky() -> str:
        if next(failures, None) is not None:
            raise ConnectionError("not yet")
        return "done"

    try:
        with caplog.at_level(logging.INFO, logger="newsflow.retry"):
            assert await policy.run("test: flaky", flaky) == "done"
    finally:
        RETRY_OBSERVERS.pop()
    assert seen == list(range(1, 31)) and RETRY_COUNTS["test: flaky"] - before == 30
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages  # down once, back up once: not thirty lines
    assert "down" in messages[0] and "back up" in messages[1] and "30 retries" in messages[1]


async def test_the_policy_is_bounded_and_other_errors_pass_through() -> None:
    policy = RetryPolicy(attempts=4, initial_delay=0.0001, max_delay=0.0001)
    calls = 0

    async def down() -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError("down")

    with pytest.raises(RetriesExhausted) as caught:
        await policy.run("test: down", down, retry_on=(ConnectionError,))
    assert calls == 4 and caught.value.attempts == 4 and isinstance(caught.value.last, ConnectionError)

    async def bug() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await policy.run("test: bug", bug, retry_on=(ConnectionError,))


def test_client_library_repeats_are_rate_limited() -> None:
    limiter = RateLimitFilter(interval=60)
    records = [logging.LogRecord("aiokafka.conn", logging.ERROR, __file__, 1, "Unable connect to %s", ("b",), None)
               for _ in range(500)]
    passed = [r for r in records if limiter.filter(r)]
    assert len(passed) == 1
    own = logging.LogRecord("newsflow.stage", logging.WARNING, __file__, 1, "x", (), None)
    assert all(limiter.filter(own) for _ in range(5))  # newsflow's own lines are not touched


def test_messages_a_client_formats_itself_are_rate_limited_by_their_template() -> None:
    """The Elasticsearch transport logs each request already formatted, durations included:
    one line per request and path passes, not one per duration."""
    limiter = RateLimitFilter(interval=60)
    lines = [f"PUT http://127.0.0.1:9200/_bulk [status:200 duration:0.{n:03d}s]" for n in range(40)]
    records = [logging.LogRecord("elastic_transport.transport", logging.INFO, __file__, 1, line, (), None)
               for line in lines]
    assert sum(map(limiter.filter, records)) == 1
    other = logging.LogRecord("elastic_transport.transport", logging.INFO, __file__, 1,
                              "POST http://127.0.0.1:9200/a/_mget [status:200 duration:0.010s]", (), None)
    assert limiter.filter(other)  # another request is another kind of line


def test_bulk_items_are_sorted_into_written_retried_refused_and_lost() -> None:
    items = [
        {"index": {"_id": "a", "status": 201}},
        {"index": {"_id": "b", "status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "q"}}},
        {"index": {"_id": "c", "status": 503, "error": {"type": "unavailable_shards_exception", "reason": "r"}}},
        {"index": {"_id": "d", "status": 400, "error": {"type": "mapper_parsing_exception", "reason": "bad date"}}},
        {"index": {"_id": "e", "status": 200}},
        {"index": {"_id": "f", "status": 409, "error": {"type": "version_conflict_engine_exception"}}},
    ]
    answer = sort_items(items)
    assert answer.written == {"a", "e"}
    assert set(answer.retry) == {"b", "c"}
    assert answer.refused == {"d": "400 mapper_parsing_exception: bad date"}
    assert answer.lost == {"f"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"content": "x", "n": ' + b"9" * 5000 + b"}", "number too large"),
        (b'{"content": "x", "n": 1e400}', "number too large"),
        (b'{"content": "x", "m": ' + b'{"a": ' * 9 + b"1" + b"}" * 9 + b"}", "nested deeper"),
        (b'{"content": "\\ud800"}', "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b"", "not JSON"),
        (b'{"content": NaN}', "not JSON"),
    ],
)
def test_hostile_bodies_are_refused_with_a_reason(body: bytes, reason: str) -> None:
    data, refused = parse_body(body)
    assert data is None and refused and reason in refused


def test_ordinary_bodies_parse_including_a_bom() -> None:
    assert parse_body(b'\xef\xbb\xbf[{"content": "x", "metadata": {"a": "b"}}]') == (
        [{"content": "x", "metadata": {"a": "b"}}], None)
    nested = b'{"content": "x", "m": ' + b'{"a": ' * (MAX_DEPTH - 2) + b"1" + b"}" * (MAX_DEPTH - 2) + b"}"
    assert parse_body(nested)[1] is None


@pytest.mark.parametrize("ident", ["3f2a9c0d1e4b5a67", "reuters-2024-01-01", "doc:1", "a_b.c", "ünïcode-id",
                                   "user@example.com", "x" * 200])
def test_usual_ids_stay_valid(ident: str) -> None:
    assert SAFE_ID.match(ident)


@pytest.mark.parametrize("ident", ["a/b", "a b", "..", "a?b", "a#b", "50%", "a\\b", "a\nb", "x" * 201, "<x>"])
def test_ids_that_break_urls_are_refused(ident: str) -> None:
    assert not SAFE_ID.match(ident)


@pytest.mark.parametrize(
    ("q", "reason"),
    [
        (" ".join(["a*"] * 166), "prefix terms"),
        (" ".join(["energ*"] * (MAX_PREFIX_TERMS + 1)), "prefix terms"),
        ("oil a*", "at least"),
        (" ".join(["word"] * 40), "words"),
        (" | ".join(["word"] * 7), "uses \\|"),
    ],
)
def test_costly_queries_are_refused(q: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        SearchParams(q=q)


def test_ordinary_queries_pass() -> None:
    for q in ('"oil prices" -opec', "energ* | gas*", "ukraine russia talks", "covid-19 vaccine*"):
        assert SearchParams(q=q).q == q
