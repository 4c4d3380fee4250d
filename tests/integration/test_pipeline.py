"""The streaming pipeline end to end, on the real Kafka and Elasticsearch."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable

import pytest

from services.producer.samples import varied_articles
from shared.contracts.identity import article_id
from shared.contracts.schemas import EnrichedArticle, RawArticle
from shared.contracts.settings import PROJECT_ROOT
from shared.devstack.components import Kafka
from shared.devstack.tools import find_java_home
from tests.integration.conftest import Pipeline

GOLD = json.loads((PROJECT_ROOT / "eval" / "gold" / "seeds-gold.json").read_text())["articles"]
TITLES = re.compile(r"^(mr|mrs|ms|dr|pm|general|gen|president|prime minister)\.?\s+", re.IGNORECASE)


def name_matches(expected: str, found: list[str]) -> bool:
    """The gold's rule: case and punctuation ignored, titles dropped, every token of one in the other;
    'A | B' is met by either form."""

    def tokens(name: str) -> set[str]:
        return set(re.sub(r"[^\w\s]", " ", TITLES.sub("", name.strip())).casefold().split())

    for option in expected.split("|"):
        want = tokens(option)
        for candidate in found:
            have = tokens(candidate)
            if want and have and (want <= have or have <= want):
                return True
    return False


def by_file(docs: dict[str, dict]) -> dict[str, dict]:
    return {d["metadata"]["file"]: d for d in docs.values()}


def test_seeds_are_indexed_with_their_fields(indexed_seeds: dict[str, dict]) -> None:
    docs = by_file(indexed_seeds)
    assert sorted(docs) == sorted(GOLD), "every seed is one document"
    for name, gold in GOLD.items():
        doc = EnrichedArticle.model_validate(docs[name])
        assert doc.body and doc.word_count > 100, name
        if gold["title"]:
            assert doc.title == gold["title"], name
        if gold["published_date"]:
            assert doc.published_at is not None and doc.published_at.date().isoformat() == gold["published_date"], name
        if gold["source"]:
            assert doc.source == gold["source"], name
        for person in gold["people"]:
            assert name_matches(person, doc.people), f"{name}: {person} not in {doc.people}"
        assert set(gold["countries"]) <= set(doc.countries), f"{name}: {doc.countries}"
        assert "indexed_at" in docs[name]


def test_publishing_again_keeps_one_document_per_article(
    seeds_pipeline: Pipeline, indexed_seeds: dict[str, dict]
) -> None:
    from tests.integration.conftest import seed_articles

    before = {i: d["indexed_at"] for i, d in seeds_pipeline.documents().items() if i in indexed_seeds}
    ids = seeds_pipeline.publish(seed_articles())
    assert sorted(ids) == sorted(indexed_seeds), "ids are derived from the articles, not random"

    def reindexed() -> bool:
        docs = seeds_pipeline.documents()
        return all(docs[i]["indexed_at"] > before[i] for i in ids)

    seeds_pipeline.wait_for(reindexed, 120, "the republished seeds to pass through the pipeline again")
    assert set(ids) <= set(seeds_pipeline.documents())
    assert seeds_pipeline.count() == len(seeds_pipeline.documents())
    assert len([i for i in seeds_pipeline.documents() if i in indexed_seeds]) == 5


@pytest.fixture(scope="module")
def misc_pipeline(make_pipeline: Callable[..., Pipeline]) -> Pipeline:
    """A pipeline for odd traffic, so the seeds' namespace holds exactly the seeds."""
    return make_pipeline("misc").start()


def test_bad_input_goes_to_the_dead_letter_topic_and_the_stream_goes_on(misc_pipeline: Pipeline) -> None:
    good = RawArticle(
        id="after-the-bad-ones",
        content=(PROJECT_ROOT / "seeds" / "003_b34446580c40c96b.txt").read_text() + "\n\nA closing line added here.",
    )
    too_large = json.dumps({"content": "word " * (misc_pipeline.settings.max_message_bytes // 5 + 10)}).encode()
    bad_values = {
        b"k-not-json": b"this is not json {",
        b"k-not-object": b'["a", "list"]',
        b"k-invalid": b'{"title": "no content field"}',
        b"k-empty": b"",
        b"k-binary": b"\xff\xfe\x00binary",
        b"k-too-large": too_large,
        b"k-rejected": json.dumps({"content": "\x00\x01\x02\x03"}).encode(),  # control bytes, no text
    }
    misc_pipeline.produce_raw(list(bad_values.items()))
    # An enriched article Elasticsearch must refuse (an int field out of range).
    poisoned = EnrichedArticle(
        id="es-rejects-me", body="x " * 50, word_count=3_000_000_000, content_hash="0" * 64
    ).to_json_bytes()
    misc_pipeline.produce_raw([(b"es-rejects-me", poisoned)], topic=misc_pipeline.settings.topic_enriched)
    [good_id] = misc_pipeline.publish([good])
    misc_pipeline.wait_for_ids([good_id])

    letters = {letter.key: letter for letter in misc_pipeline.dead_letters(minimum=len(bad_values) + 1)}
    expected = {
        "k-not-json": ("cleaner", "InvalidJSON"),
        "k-not-object": ("cleaner", "NotAnObject"),
        "k-invalid": ("cleaner", "ValidationError"),
        "k-empty": ("cleaner", "EmptyMessage"),
        "k-binary": ("cleaner", "InvalidJSON"),
        "k-too-large": ("cleaner", "MessageTooLarge"),
        "k-rejected": ("cleaner", "RejectedArticle"),
        "es-rejects-me": ("indexer", "ElasticsearchRejected"),
    }
    for key, (stage, error_type) in expected.items():
        assert key in letters, f"no dead letter for {key}: {sorted(letters)}"
        letter = letters[key]
        assert (letter.stage, letter.error_type) == (stage, error_type), letter
        assert letter.error and letter.offset is not None and letter.partition is not None
    assert letters["k-binary"].value_encoding == "base64"
    assert letters["k-not-json"].value == "this is not json {"
    assert "word_count" in letters["es-rejects-me"].error
    assert "content" in letters["k-invalid"].error


def kafka_console_producer(settings, topic: str, lines: list[str]) -> None:
    kafka = Kafka(settings)
    java = find_java_home() / "bin" / "java"
    log4j = f"-Dlog4j.configuration=file:{kafka.config.parent}/log4j.properties"
    subprocess.run(
        [str(java), "-Xmx256m", "-cp", f"{kafka.libs}/*", log4j,
         "kafka.tools.ConsoleProducer", "--bootstrap-server", settings.kafka_bootstrap, "--topic", topic],
        input="\n".join(lines).encode() + b"\n", check=True, timeout=120, capture_output=True,
    )


def test_an_article_from_a_foreign_producer_is_indexed(misc_pipeline: Pipeline) -> None:
    text = (PROJECT_ROOT / "seeds" / "002_ceec6d890d34f096.txt").read_text()
    url = "https://example.org/news/console-producer-article?utm_source=feed"
    value = json.dumps({"url": url, "content": text, "source": "Console Wire"})
    kafka_console_producer(misc_pipeline.settings, misc_pipeline.settings.topic_raw, [value])
    expected_id = article_id(url, "")
    doc = misc_pipeline.wait_for_ids([expected_id])[expected_id]
    assert doc["source"] == "Console Wire"
    assert doc["url"] == url


def wait_for_count(pipeline: Pipeline, predicate: Callable[[int], bool], timeout: float, what: str) -> int:
    seen = 0

    def check() -> bool:
        nonlocal seen
        seen = pipeline.count()
        return predicate(seen)

    pipeline.wait_for(check, timeout, what)
    return seen


def test_a_worker_killed_mid_stream_loses_and_duplicates_nothing(make_pipeline: Callable[..., Pipeline]) -> None:
    pipeline = make_pipeline("sigkill", batch_size=4)
    total = 80
    articles = list(varied_articles(total, pipeline.name))
    pipeline.publish(articles)
    pipeline.start()
    partial = wait_for_count(pipeline, lambda n: n >= 8, 180, "the first documents")
    assert partial < total, "the stream should still be flowing when the worker is killed"
    victim = pipeline.workers["extractor"][0]
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    pipeline.workers["extractor"].remove(victim)
    pipeline.start_worker("extractor")
    wait_for_count(pipeline, lambda n: n >= total, 240, f"all {total} documents after the restart")
    time.sleep(3)  # anything redelivered has landed by now
    docs = pipeline.documents()
    assert sorted(docs) == sorted(a.id for a in articles)
    assert pipeline.count() == total


def test_two_workers_of_one_stage_share_the_partitions(make_pipeline: Callable[..., Pipeline]) -> None:
    from tests.integration.test_observability import scrape, value

    pipeline = make_pipeline("scale", batch_size=4)
    pipeline.start(("cleaner", "indexer"))
    first, second = pipeline.start_worker("extractor"), pipeline.start_worker("extractor")
    urls = {proc.pid: pipeline.metrics_url(proc) for proc in (first, second)}
    time.sleep(12)  # both join the group before traffic arrives
    total = 60
    pipeline.publish(list(varied_articles(total, pipeline.name)))
    wait_for_count(pipeline, lambda n: n >= total, 240, f"all {total} documents")
    processed = {pid: value(scrape(url), "newsflow_messages_in_total", stage="extractor") for pid, url in urls.items()}
    assert all(n > 0 for n in processed.values()), f"each worker handled a share: {processed}"
    assert sum(processed.values()) >= total
    assert pipeline.count() == total


def test_a_worker_stops_cleanly_on_sigterm(make_pipeline: Callable[..., Pipeline]) -> None:
    from tests.integration.test_observability import probe

    pipeline = make_pipeline("sigterm")
    worker = pipeline.start_worker("cleaner")
    url = pipeline.metrics_url(worker)
    pipeline.wait_for(lambda: probe(url, "ready") == 200, 180, "the cleaner running (ready)")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0


def test_dead_letters_are_replayed_after_a_fix(make_pipeline: Callable[..., Pipeline]) -> None:
    pipeline = make_pipeline("replay", max_message_bytes=20_000).start()
    filler = "\n\n".join(
        f"In paragraph {n}, officials from both delegations described item {n} of the agreement on trade, "
        f"energy and transport, saying that technical teams would meet again before the end of the year."
        for n in range(150)
    )
    big = RawArticle(id="big-one", content=(PROJECT_ROOT / "seeds" / "001_de591d6ebb0430a2.txt").read_text() + filler)
    pipeline.publish([big])
    [letter] = pipeline.dead_letters(minimum=1)
    assert (letter.key, letter.stage, letter.error_type) == ("big-one", "cleaner", "MessageTooLarge")

    # The fix: the limit raised, the workers restarted.
    pipeline.stop()
    pipeline.workers.clear()
    pipeline.env["NEWSFLOW_MAX_MESSAGE_BYTES"] = str(5 * 1024 * 1024)
    pipeline.start()
    listed = pipeline.run_cli("dlq", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout.splitlines()[0])["key"] == "big-one"
    replayed = pipeline.run_cli("dlq", "replay", "--stage", "cleaner", "--yes")
    assert replayed.returncode == 0, replayed.stderr
    assert b"replayed 1 dead letter" in replayed.stdout
    doc = pipeline.wait_for_ids(["big-one"], timeout=180)["big-one"]
    assert doc["word_count"] > 2000
