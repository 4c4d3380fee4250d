"""Metrics, health and status on the real Kafka and Elasticsearch: every process's /metrics moves
as articles flow, `status` lists workers from Kafka's group membership (also one started with
another stack home, as on another host) and flags a stalled stage."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.producer.samples import varied_articles
from shared.contracts.schemas import EnrichedArticle
from tests.integration.conftest import NEWSFLOW, Pipeline, free_port

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> Samples:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text) for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def probe(url: str, which: str) -> int:
    try:
        return httpx.get(f"{url}/healthz/{which}", timeout=5).status_code
    except httpx.HTTPError:
        return 0


def status(pipeline: Pipeline, window: float, **env: str) -> dict:
    done = subprocess.run([NEWSFLOW, "status", "--json", "--window", str(window)], env={**pipeline.env, **env},
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_each_worker_serves_metrics_that_move_as_articles_flow(make_pipeline: Callable[..., Pipeline]) -> None:
    pipeline = make_pipeline("metrics").start()
    urls = {stage: pipeline.metrics_url(procs[0]) for stage, procs in pipeline.workers.items()}
    pipeline.wait_for(lambda: all(probe(u, "ready") == 200 for u in urls.values()), 180,
                      "every worker ready (partitions assigned)")
    assert all(probe(u, "live") == 200 for u in urls.values())
    before = {stage: scrape(url) for stage, url in urls.items()}

    articles = list(varied_articles(6, pipeline.name))
    pipeline.publish(articles)
    pipeline.produce_raw([(b"bad-one", b"{not json")])
    pipeline.wait_for_ids([a.id for a in articles], timeout=240)

    def moved(who: str, name: str, by: float, **labels: str) -> bool:
        return value(scrape(urls[who]), name, **labels) - value(before[who], name, **labels) >= by

    pipeline.wait_for(lambda: moved("indexer", "newsflow_messages_out_total", 6, stage="indexer"), 30,
                      "the indexer's out counter")
    after = {stage: scrape(url) for stage, url in urls.items()}

    def delta(who: str, name: str, **labels: str) -> float:
        return value(after[who], name, **labels) - value(before[who], name, **labels)

    assert delta("cleaner", "newsflow_messages_in_total", stage="cleaner") == 7
    assert delta("cleaner", "newsflow_messages_out_total", stage="cleaner") == 6
    assert delta("cleaner", "newsflow_dead_letters_total", stage="cleaner", reason="InvalidJSON") == 1
    assert delta("extractor", "newsflow_messages_out_total", stage="extractor") == 6
    assert delta("extractor", "newsflow_batch_size_sum", stage="extractor") == 6
    assert delta("extractor", "newsflow_processing_seconds_count", stage="extractor") >= 1
    assert delta("indexer", "newsflow_es_bulk_items_total", outcome="indexed") == 6
    assert delta("indexer", "newsflow_publish_to_indexed_seconds_count") == 6
    assert value(after["indexer"], "newsflow_publish_to_indexed_seconds_sum") > 0
    for stage, topic in (("cleaner", pipeline.settings.topic_raw), ("indexer", pipeline.settings.topic_enriched)):
        lags = {dict(labels)["partition"] for (name, labels) in after[stage]
                if name == "newsflow_consumer_lag" and dict(labels)["topic"] == topic}
        assert lags == {str(p) for p in range(pipeline.settings.partitions)}, f"{stage}: lag of every partition"
        assert value(after[stage], "newsflow_stage_stalled", stage=stage) == 0
    assert value(after["extractor"], "process_resident_memory_bytes") > 50e6, "the process collectors come along"


@pytest.fixture
def api_process(make_pipeline: Callable[..., Pipeline], tmp_path: Path) -> Iterator[tuple[Pipeline, str, str]]:
    """`newsflow api` on a free port: (pipeline, API URL, metrics URL)."""
    pipeline = make_pipeline("apimetrics")
    port = free_port()
    log = tmp_path / "api.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([NEWSFLOW, "api", "--port", str(port)], env=pipeline.env, stdout=out,
                                stderr=subprocess.STDOUT)
    pipeline.log_paths[proc.pid] = log
    try:
        yield pipeline, f"http://127.0.0.1:{port}", pipeline.metrics_url(proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_the_api_counts_requests_and_published_articles(api_process: tuple[Pipeline, str, str]) -> None:
    pipeline, api, metrics = api_process
    pipeline.wait_for(lambda: probe(metrics, "ready") == 200, 60, "the API's metrics server")
    before = scrape(metrics)
    articles = [a.model_dump(mode="json") for a in varied_articles(3, pipeline.name)]
    answer = httpx.post(f"{api}/api/ingest", json=articles, timeout=60)
    assert answer.status_code == 202, answer.text
    assert httpx.get(f"{api}/healthz", timeout=30).status_code in (200, 503)
    after = scrape(metrics)
    assert value(after, "newsflow_published_total", source="api") - value(
        before, "newsflow_published_total", source="api") == 3
    ingest = {"method": "POST", "route": "/api/ingest", "status": "202"}
    assert value(after, "newsflow_http_requests_total", **ingest) - value(
        before, "newsflow_http_requests_total", **ingest) == 1


def test_a_live_source_counts_what_it_publishes(make_pipeline: Callable[..., Pipeline], tmp_path: Path) -> None:
    pipeline = make_pipeline("sourcemetrics")
    folder = tmp_path / "inbox"
    folder.mkdir()
    log = tmp_path / "watch.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [NEWSFLOW, "watch", str(folder), "--interval", "0.2", "--settle", "0.2",
             "--state", str(tmp_path / "state.json")],
            env=pipeline.env, stdout=out, stderr=subprocess.STDOUT)
    pipeline.log_paths[proc.pid] = log
    try:
        metrics = pipeline.metrics_url(proc)
        before = value(scrape(metrics), "newsflow_published_total", source="watch")
        for n, article in enumerate(varied_articles(2, pipeline.name)):
            (folder / f"article-{n}.txt").write_text(article.content)
        pipeline.wait_for(
            lambda: value(scrape(metrics), "newsflow_published_total", source="watch") - before == 2, 60,
            "the watch source's published counter")
        assert probe(metrics, "live") == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_status_lists_a_worker_of_another_host_and_flags_it_when_it_stalls(
    make_pipeline: Callable[..., Pipeline], tmp_path: Path,
) -> None:
    pipeline = make_pipeline("status")
    elsewhere = tmp_path / "other-host-home"  # nothing of it is visible to status's own stack home
    worker = pipeline.start_worker("cleaner", NEWSFLOW_STACK_HOME=str(elsewhere))
    url = pipeline.metrics_url(worker)
    pipeline.wait_for(lambda: probe(url, "ready") == 200, 120, "the cleaner ready")

    # status runs with yet another, empty stack home: what it shows comes from Kafka alone.
    report = status(pipeline, window=0, NEWSFLOW_STACK_HOME=str(tmp_path / "status-home"))
    [row] = [w for w in report["workers"] if w["stage"] == "cleaner"]
    assert row["pid"] == worker.pid and row["hostname"] == socket.gethostname()
    assert row["partitions"] == list(range(pipeline.settings.partitions))
    assert row["metrics_port"] == int(url.rsplit(":", 1)[1])
    assert row["stalled"] is None, "no window, no stall check"

    os.kill(worker.pid, signal.SIGSTOP)  # frozen, yet still a member until its session times out
    try:
        pipeline.publish(list(varied_articles(4, pipeline.name)))
        report = status(pipeline, window=4)
        [cleaner] = [s for s in report["stages"] if s["stage"] == "cleaner"]
        assert cleaner["lag"] >= 4 and cleaner["workers"] == 1
        assert cleaner["stalled"] is True and cleaner["state"] == "stalled", cleaner
        [row] = [w for w in report["workers"] if w["stage"] == "cleaner"]
        assert row["stalled"] is True and row["pid"] == worker.pid
    finally:
        os.kill(worker.pid, signal.SIGCONT)

    def caught_up() -> bool:
        [stage] = [s for s in status(pipeline, window=2)["stages"] if s["stage"] == "cleaner"]
        return stage["lag"] == 0 and stage["stalled"] is False

    pipeline.wait_for(caught_up, 120, "the cleaner to resume and catch up")


def test_a_worker_that_cannot_progress_reports_itself_stalled(make_pipeline: Callable[..., Pipeline]) -> None:
    """An indexer whose Elasticsearch does not answer retries its batch and commits nothing: with
    lag on its partitions it turns stalled (metric and liveness) after the stall window."""
    pipeline = make_pipeline("selfstall", stall_seconds=3, metrics_interval=0.5)
    worker = pipeline.start_worker("indexer", NEWSFLOW_ELASTICSEARCH_URL=f"http://127.0.0.1:{free_port()}")
    url = pipeline.metrics_url(worker)
    pipeline.wait_for(lambda: probe(url, "ready") == 200, 120, "the indexer ready")
    assert probe(url, "live") == 200
    article = EnrichedArticle(id="never-indexed", body="words " * 50, content_hash="h")
    pipeline.produce_raw([(b"never-indexed", article.to_json_bytes())], topic=pipeline.settings.topic_enriched)
    pipeline.wait_for(lambda: probe(url, "live") == 503, 60, "liveness to fail")
    samples = scrape(url)
    assert value(samples, "newsflow_stage_stalled", stage="indexer") == 1
    assert value(samples, "newsflow_retries_total", stage="indexer", operation="handle") >= 1
    started = time.monotonic()
    while time.monotonic() - started < 1:  # still a member, still ready: stalled is not the same as gone
        assert probe(url, "ready") == 200
        time.sleep(0.2)
