"""Hostile input against the real API: every malformed ingest body is a 4xx with a reason and
publishes nothing; costly searches are refused with 400; a search on a frozen Elasticsearch
answers 503 at the health check's deadline instead of hanging; an id with a slash, stored by a
foreign producer, can still be fetched."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import httpx
import orjson
import pytest

from services.api.app import create_app
from services.indexer.store import ensure_index
from shared.contracts.settings import Settings
from shared.runtime.elastic import async_client
from tests.integration.conftest import Pipeline
from tests.integration.fault_proxy import FaultProxy
from tests.integration.sources_support import article_text, raw_messages
from tests.integration.test_ingest import serve

JSON = {"Content-Type": "application/json"}
SEARCH_TIMEOUT = 2.0

HOSTILE: dict[str, tuple[bytes, dict[str, str], int, str]] = {
    "100,000-deep arrays": (b"[" * 100_000 + b"]" * 100_000, JSON, 400, "nested deeper"),
    "100,000-deep objects": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, JSON, 400, "nested deeper"),
    "5,000-digit number": (b'{"content": "x", "n": ' + b"9" * 5000 + b"}", JSON, 400, "number too large"),
    "5,000-digit fraction": (b'{"content": "x", "n": 0.' + b"1" * 5000 + b"e999}", JSON, 400, "number too large"),
    "number out of range": (b'{"content": "x", "n": 1e400}', JSON, 400, "number too large"),
    "NaN": (b'{"content": NaN}', JSON, 400, "not JSON"),
    "lone surrogate": (b'{"content": "\\ud800 text"}', JSON, 400, "not JSON"),
    "invalid UTF-8": (b'{"content": "\xff\xfe"}', JSON, 400, "not JSON"),
    "empty body": (b"", JSON, 400, "not JSON"),
    "id with a slash": (orjson.dumps({"id": "world/2026/story", "content": article_text(1)}), JSON, 400, "id "),
    "id with a newline": (orjson.dumps({"id": "a\nb", "content": article_text(1)}), JSON, 400, "id "),
    "id of dots": (orjson.dumps({"id": "..", "content": article_text(1)}), JSON, 400, "id "),
    "metadata not strings": (orjson.dumps({"content": "x", "metadata": {"a": [1]}}), JSON, 400, "metadata"),
    "content a number": (orjson.dumps({"content": 5}), JSON, 400, "content"),
    "body over the limit": (b"[" + b" " * (5 * 1024 * 1024) + b"]", JSON, 413, "body over"),
    "not JSON media type": (b"{}", {"Content-Type": "text/plain"}, 415, "application/json"),
}


@pytest.fixture(scope="module")
def pipeline(make_pipeline: Callable[..., Pipeline]) -> Pipeline:
    return make_pipeline("hostile")


@pytest.fixture(scope="module")
def ingest_url(pipeline: Pipeline) -> Iterator[str]:
    with serve(pipeline.settings.model_copy(update={"max_message_bytes": 256 * 1024})) as url:
        # a first good article creates the topic, so the count below is of a real topic
        assert httpx.post(f"{url}/api/ingest", json={"content": article_text(2)}, timeout=60).status_code == 202
        yield url


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_body_is_refused_with_a_reason_and_publishes_nothing(
    pipeline: Pipeline, ingest_url: str, case: str
) -> None:
    body, headers, status, reason = HOSTILE[case]
    before = raw_messages(pipeline.settings)
    started = time.monotonic()
    answer = httpx.post(f"{ingest_url}/api/ingest", content=body, headers=headers, timeout=60)
    assert answer.status_code == status, answer.text[:500]
    problem = answer.json()
    assert reason in (problem["detail"] + " ".join(str(e) for e in problem.get("errors", [])))
    assert time.monotonic() - started < 10
    assert raw_messages(pipeline.settings) == before


def test_usual_ids_are_still_accepted(pipeline: Pipeline, ingest_url: str) -> None:
    ids = ["reuters-2026-04-01:1234", "3f2a9c0d1e4b5a67", "AP_world.story~2"]
    answer = httpx.post(f"{ingest_url}/api/ingest", json=[{"id": i, "content": article_text(5)} for i in ids],
                        timeout=60)
    assert answer.status_code == 202, answer.text
    assert answer.json()["ids"] == ids


@pytest.fixture(scope="module")
def proxy(base_settings: Settings) -> Iterator[FaultProxy]:
    with FaultProxy(base_settings.elasticsearch_url) as running:
        yield running


@pytest.fixture(scope="module")
def api(pipeline: Pipeline, proxy: FaultProxy) -> Iterator[httpx.Client]:
    settings = pipeline.settings.model_copy(update={"elasticsearch_url": proxy.url, "search_timeout": SEARCH_TIMEOUT})

    async def stored_by_a_foreign_producer() -> None:
        es = async_client(pipeline.settings)
        try:
            await ensure_index(es, pipeline.settings)
            await es.index(index=pipeline.settings.index_alias, id="desk/2026/slash", refresh=True,
                           document={"id": "desk/2026/slash", "title": "Slash", "body": "A slash in the id.",
                                     "content_hash": "h", "word_count": 5})
        finally:
            await es.close()

    asyncio.run(stored_by_a_foreign_producer())
    with serve_app(settings) as client:
        yield client


def serve_app(settings: Settings) -> httpx.Client:
    from fastapi.testclient import TestClient

    return TestClient(create_app(settings))


def test_costly_searches_are_refused_with_400(api: httpx.Client) -> None:
    for q in (" ".join(["a*"] * 166), "oil a*", " ".join(["word"] * 40)):
        answer = api.get("/api/search", params={"q": q})
        assert answer.status_code == 400, answer.text
        assert answer.json()["detail"][0]["parameter"] == "q"


def test_an_id_with_a_slash_can_be_fetched(api: httpx.Client) -> None:
    answer = api.get("/api/articles/desk/2026/slash")
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == "desk/2026/slash"


def test_a_frozen_elasticsearch_gives_a_quick_503(api: httpx.Client, proxy: FaultProxy) -> None:
    assert api.get("/api/search", params={"q": "slash"}).status_code == 200
    proxy.fail("hang", 3 * SEARCH_TIMEOUT + 5)
    try:
        started = time.monotonic()
        answer = api.get("/api/search", params={"q": "slash"})
        search_seconds = time.monotonic() - started
        started = time.monotonic()
        health = api.get("/healthz")
        health_seconds = time.monotonic() - started
    finally:
        proxy.fault = None
    assert answer.status_code == 503 and answer.json()["error"] == "search_unavailable"
    assert health.status_code == 503
    assert search_seconds < SEARCH_TIMEOUT + 1.5, search_seconds
    assert health_seconds < SEARCH_TIMEOUT + 1.5, health_seconds
