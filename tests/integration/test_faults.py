"""Faults against the real stack, each with its record (sent, indexed once, lost, duplicated,
dead-lettered, recovery time): a value whose dead letter would be over the Kafka limit, a burst
of 503 and a long run of 429 from Elasticsearch on bulk writes (through a fault-injecting proxy
in front of it), Elasticsearch unreachable, an outage longer than the retry policy (the indexer
stops loudly and its replacement loses nothing), and the indexer killed mid-stream."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from shared.contracts.schemas import EnrichedArticle
from shared.contracts.settings import Settings
from tests.integration.conftest import Pipeline
from tests.integration.fault_proxy import FaultProxy
from tests.integration.fault_support import (
    FaultRecord,
    duplicated_letters,
    good_articles,
    index_counts,
    letters_for,
    since,
)
from tests.integration.sources_support import article_text


@pytest.fixture(scope="module")
def proxy(base_settings: Settings) -> Iterator[FaultProxy]:
    with FaultProxy(base_settings.elasticsearch_url) as running:
        yield running


def behind_proxy(make_pipeline: Callable[..., Pipeline], proxy: FaultProxy, label: str, **extra: object) -> Pipeline:
    """A pipeline whose workers reach Elasticsearch only through the proxy, while the test's own
    checks go to Elasticsearch directly (so they still see the index when the proxy is down)."""
    made = make_pipeline(label, elasticsearch_url=proxy.url, **extra)
    made.settings = made.settings.model_copy(update={"elasticsearch_url": proxy.target})
    return made


@pytest.fixture(scope="module")
def pipeline(make_pipeline: Callable[..., Pipeline], proxy: FaultProxy) -> Pipeline:
    """Warm (models loaded, index created) so that fault windows hit the bulk writes."""
    started = behind_proxy(make_pipeline, proxy, "faults").start()
    started.wait_for_ids(started.publish(good_articles("warm", 2)), timeout=180)
    return started


def record(pipeline: Pipeline, fault: str, ids: list[str], recovery: float | None, extra_letters: int = 0) -> None:
    letters = pipeline.dead_letters(minimum=extra_letters, timeout=60)
    mine = letters_for(letters, set(ids))
    with pipeline.es() as es:
        distinct, docs = index_counts(es, pipeline.settings.index_alias, ids)
    FaultRecord(fault, len(ids) + extra_letters, distinct, len(ids) - distinct, docs - distinct + duplicated_letters(
        letters), len(mine) + extra_letters, recovery).emit()
    assert not mine, f"good articles dead-lettered: {[(m.key, m.error[:200]) for m in mine]}"
    assert distinct == docs == len(ids)
    assert duplicated_letters(letters) == 0


def test_a_poison_value_is_dead_lettered_once_and_the_good_articles_behind_it_go_on(pipeline: Pipeline) -> None:
    poison = bytes(range(1, 32)) * (3 * 1024 * 1024 // 31)  # 3 MB of control bytes: ~18 MB escaped
    good = good_articles("poison", 10)
    start = time.monotonic()
    pipeline.produce_raw([(b"poison-value", poison)])
    ids = pipeline.publish(good)
    pipeline.wait_for_ids(ids, timeout=180)
    letters = [letter for letter in pipeline.dead_letters(minimum=1) if letter.key == "poison-value"]
    assert len(letters) == 1
    letter = letters[0]
    assert letter.stage == "cleaner" and letter.value_truncated and letter.value_size == len(poison)
    assert "too large for a dead letter" in letter.error and letter.value_sha256
    record(pipeline, "3 MB control-byte value, then 10 good articles", ids, since(start), extra_letters=1)


def test_a_burst_of_503_on_bulk_writes_is_waited_out(pipeline: Pipeline, proxy: FaultProxy) -> None:
    before = proxy.log.faulted_requests
    proxy.fail("503", 15)
    ids = pipeline.publish(good_articles("burst503", 30))
    fault_end = time.monotonic() + 15
    pipeline.wait_for_ids(ids, timeout=120)
    assert proxy.log.faulted_requests > before, "the fault was exercised"
    record(pipeline, "15 s of HTTP 503 on every bulk request", ids, round(time.monotonic() - fault_end, 1))


def test_a_partial_429_retries_only_the_refused_documents(pipeline: Pipeline, proxy: FaultProxy) -> None:
    refused_before = proxy.log.refused_items
    proxy.fail("items-429", 20, forward_every=4)
    ids = pipeline.publish(good_articles("part429", 24))
    pipeline.wait_for_ids(ids, timeout=120)
    proxy.fault = None
    assert proxy.log.refused_items > refused_before
    # Only refused documents are sent again. Resending the accepted ones with every retry would
    # write most of the articles several times over the 20 s (as retrying the whole batch when
    # its story-link updates were refused did: see the story-link test below); a batch Kafka
    # redelivers after a rebalance (at-least-once, on a busy machine) rewrites its articles once
    # more, no more. (The same requests also carry story links, so items are no measure.)
    writes = {key: n for key, n in proxy.log.writes.items() if key[1] in ids}
    again = {key: n for key, n in writes.items() if n > 1}
    assert {key[1] for key in writes}, "some articles were written while the fault lasted"
    assert len(again) <= len(ids) // 4 and all(n <= 2 for n in again.values()), f"written again: {again}"
    record(pipeline, "item-level 429 on 3 of 4 documents per bulk request", ids, None)


def linked(pipeline: Pipeline, ids: list[str], timeout: float = 120) -> dict[str, dict]:
    """The documents once they are one linked story (or the timeout has passed)."""
    deadline = time.monotonic() + timeout
    with pipeline.es() as es:
        while True:
            docs = {d["_id"]: d["_source"] for d in es.mget(index=pipeline.settings.index_alias, ids=ids)["docs"]}
            one_story = len({docs[i].get("story_id") for i in ids}) == 1
            done = one_story and all((docs[i].get("story") or {}).get("links") for i in ids)
            if done or time.monotonic() > deadline:
                return docs
            time.sleep(1)


def test_story_links_refused_with_429_are_retried_without_writing_the_articles_again(
    pipeline: Pipeline, proxy: FaultProxy
) -> None:
    linked(pipeline, ["warm-0", "warm-1"])  # the warm-up's own linking is over
    refused_before = proxy.log.refused_items
    proxy.fail("updates-429", 15)
    # the same texts as the warm-up's articles: near-duplicates, so every one gets story links
    ids = pipeline.publish(good_articles("links429", 2))
    pipeline.wait_for_ids(ids, timeout=120)
    docs = linked(pipeline, [*ids, "warm-0", "warm-1"])
    proxy.fault = None
    assert proxy.log.refused_items > refused_before, "story updates were refused with 429"
    assert all((docs[i].get("story") or {}).get("links") for i in ids), "stories linked once the fault ended"
    assert len({docs[i]["story_id"] for i in docs}) == 1, "one story for the copies"
    # Retrying the linking by itself leaves the written articles alone; retrying the whole batch
    # would write each one again with every attempt over the 15 s (a redelivery: once more).
    writes = {key[1]: n for key, n in proxy.log.writes.items() if key[1] in ids}
    assert set(writes) == set(ids) and all(n <= 2 for n in writes.values()), f"written: {writes}"
    record(pipeline, "15 s of item-level 429 on every story-link update", ids, None)


def indexer_log_lines(pipeline: Pipeline) -> int:
    return sum(len(log.read_bytes().splitlines()) for log in pipeline.logs.glob(f"{pipeline.name}-indexer-*.log"))


def test_a_long_run_of_429_per_document_is_waited_out(pipeline: Pipeline, proxy: FaultProxy) -> None:
    refused_before = proxy.log.refused_items
    lines_before = indexer_log_lines(pipeline)
    proxy.fail("items-429", 60, forward_every=0)
    fault_end = time.monotonic() + 60
    ids = pipeline.publish(good_articles("run429", 40))
    pipeline.wait_for_ids(ids, timeout=180)
    lines = indexer_log_lines(pipeline) - lines_before
    assert proxy.log.refused_items > refused_before, "documents were refused with 429"
    record(pipeline, f"60 s of item-level 429 on every document ({lines} indexer log lines)", ids,
           round(time.monotonic() - fault_end, 1))
    assert lines <= 50, f"{lines} log lines for one outage"


def test_elasticsearch_down_for_30_s_is_waited_out_quietly(pipeline: Pipeline, proxy: FaultProxy) -> None:
    lines_before = indexer_log_lines(pipeline)
    proxy.fail("down", 30)
    fault_end = time.monotonic() + 30
    ids = pipeline.publish(good_articles("esdown", 20))
    pipeline.wait_for_ids(ids, timeout=180)
    lines = indexer_log_lines(pipeline) - lines_before
    record(pipeline, f"Elasticsearch unreachable for 30 s ({lines} indexer log lines)", ids,
           round(time.monotonic() - fault_end, 1))
    assert lines <= 50, f"{lines} log lines for one outage"


def test_an_outage_past_the_retry_policy_stops_the_indexer_loudly_and_loses_nothing(
    make_pipeline: Callable[..., Pipeline], proxy: FaultProxy
) -> None:
    """An indexer with a short policy (3 attempts, 0.5 s apart) against 503s: it exits with
    status 3 naming the error, commits nothing, and its replacement indexes everything."""
    short = behind_proxy(make_pipeline, proxy, "stops", retry_attempts=3, retry_max_delay=0.5,
                         retry_initial_delay=0.5)
    articles = [EnrichedArticle(id=f"stops-{n}", body=article_text(n), content_hash=f"{n:064x}", word_count=100)
                for n in range(20)]
    ids = [a.id for a in articles]
    proxy.fail("503", 600)
    try:
        short.produce_raw([(a.id.encode(), a.to_json_bytes()) for a in articles], topic=short.settings.topic_enriched)
        indexer = short.start_worker("indexer")
        code = indexer.wait(timeout=180)
        short.workers["indexer"].remove(indexer)
        stopped_at = time.monotonic()
    finally:
        proxy.fault = None
    log = next(short.logs.glob(f"{short.name}-indexer-0.log")).read_text(errors="replace")
    assert code == 3, log[-2000:]
    assert "newsflow worker stopped" in log and "503" in log
    short.start_worker("indexer")
    short.wait_for_ids(ids, timeout=180)
    record(short, "indexer stopped by 503s past its retry policy (status 3), then restarted", ids,
           since(stopped_at))


def test_the_indexer_killed_mid_stream_indexes_everything_exactly_once(pipeline: Pipeline) -> None:
    articles = good_articles("kill", 60)
    ids = [a.id or "" for a in articles]

    def publish_slowly() -> None:  # 5 articles a second, so the restarted indexer has work left
        for i in range(0, 60, 5):
            pipeline.publish(articles[i:i + 5])
            time.sleep(1)

    publisher = threading.Thread(target=publish_slowly)
    publisher.start()

    def some_indexed() -> bool:
        with pipeline.es() as es:
            return index_counts(es, pipeline.settings.index_alias, ids)[0] >= 10

    pipeline.wait_for(some_indexed, 180, "the first articles indexed")
    indexer = pipeline.workers["indexer"].pop()
    indexer.send_signal(signal.SIGKILL)
    indexer.wait()
    killed_at = time.monotonic()
    with pipeline.es() as es:
        left = len(ids) - index_counts(es, pipeline.settings.index_alias, ids)[0]
    pipeline.start_worker("indexer")

    def more_indexed() -> bool:
        with pipeline.es() as es:
            return index_counts(es, pipeline.settings.index_alias, ids)[0] > len(ids) - left

    pipeline.wait_for(more_indexed, 120, "indexing to resume")
    resumed = since(killed_at)
    publisher.join()
    assert left > 0, "the restarted indexer had work to do"
    pipeline.wait_for_ids(ids, timeout=180)
    record(pipeline, f"indexer SIGKILLed mid-stream and restarted ({left} articles left at the kill; indexing "
                     f"resumed {resumed} s after the kill)", ids, since(killed_at))
