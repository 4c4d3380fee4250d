"""``POST /api/ingest`` served by a real uvicorn on a free port (the router mounted on an app of
the test's own), publishing into a real pipeline: good bodies are indexed once, bad ones are
refused with reasons and publish nothing, the token is enforced."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from services.api.ingest import router
from shared.contracts.settings import Settings
from tests.integration.conftest import free_port
from tests.integration.sources_support import article_text, raw_messages

TOKEN = "s3cret-ingest-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def pipeline(make_pipeline: Callable[..., object]) -> object:
    return make_pipeline("ingest").start()


@contextlib.contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The router on a FastAPI app of our own, run by uvicorn on a free port; yields its base URL."""
    app = FastAPI()
    app.include_router(router)
    app.state.settings = settings
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True  # the router's lifespan stops its producer
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def api(pipeline) -> Iterator[str]:
    """With a token and small limits, so they are cheap to cross."""
    with serve(pipeline.settings.model_copy(
            update={"ingest_token": TOKEN, "ingest_max_articles": 5, "max_message_bytes": 64 * 1024})) as url:
        yield url


def article(n: int, **extra: object) -> dict:
    return {"url": f"https://ingest.example.net/story/{n}", "title": f"Story {n}", "source": "Ingest Times",
            "content": article_text(300 + n), "published_at": "2026-04-01T08:00:00Z", **extra}


def test_ingest_accepts_good_bodies_and_refuses_bad_ones(pipeline, api: str) -> None:
    before = raw_messages(pipeline.settings)
    with httpx.Client(base_url=api, timeout=60) as client:
        # Refusals first: none of them may publish anything.
        no_token = client.post("/api/ingest", json=article(1))
        assert no_token.status_code == 401 and no_token.headers["www-authenticate"] == "Bearer"
        assert client.post("/api/ingest", json=article(1), headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.post("/api/ingest", json=article(1), headers={"Authorization": TOKEN}).status_code == 401

        wrong_type = client.post("/api/ingest", content=b"plain words", headers={**AUTH, "Content-Type": "text/plain"})
        assert wrong_type.status_code == 415 and "application/json" in wrong_type.json()["detail"]

        json_type = {**AUTH, "Content-Type": "application/json"}
        not_json = client.post("/api/ingest", content=b'{"content": "cut', headers=json_type)
        assert not_json.status_code == 400 and not_json.json()["detail"].startswith("body is not JSON")

        mixed = client.post("/api/ingest", json=[article(2), {"title": "no content"}, "a string", {"content": "  "}],
                            headers=AUTH)
        assert mixed.status_code == 400
        reasons = {e["index"]: e["error"] for e in mixed.json()["errors"]}
        assert set(reasons) == {1, 2, 3}
        assert "content" in reasons[1] and "JSON object" in reasons[2] and "content is empty" in reasons[3]
        assert "nothing was published" in mixed.json()["detail"]

        empty = client.post("/api/ingest", json=[], headers=AUTH)
        assert empty.status_code == 400

        too_many = client.post("/api/ingest", json=[article(n) for n in range(10, 16)], headers=AUTH)
        assert too_many.status_code == 413 and "at most 5" in too_many.json()["errors"][0]["error"]

        big_article = client.post("/api/ingest", json=article(20, content=article_text(20) * 150), headers=AUTH)
        assert big_article.status_code == 413 and "bytes; at most 65536" in big_article.json()["errors"][0]["error"]

        big_body = client.post("/api/ingest", content=b"[" + b" " * (300 * 1024) + b"]", headers=json_type)
        assert big_body.status_code == 413 and "body over" in big_body.json()["detail"]

        assert raw_messages(pipeline.settings) == before

        # Good bodies: one article, then an array (one of them already sent, and one without any
        # text, control bytes only, that the cleaner will dead-letter).
        one = client.post("/api/ingest", json=article(1), headers=AUTH)
        assert one.status_code == 202, one.text
        [first_id] = one.json()["ids"]
        short = {"content": "\x00\x01\x02\x03\x04", "title": "No text"}
        many = client.post("/api/ingest", json=[article(1), article(2), article(3), short],
                           headers={**AUTH, "Content-Type": "application/json; charset=utf-8"})
        assert many.status_code == 202, many.text
        ids = many.json()["ids"]
        assert len(ids) == 4 and ids[0] == first_id

    docs = pipeline.wait_for_ids(ids[:3], timeout=180)
    assert {d["url"] for d in docs.values()} == {f"https://ingest.example.net/story/{n}" for n in (1, 2, 3)}
    assert all(d["source"] == "Ingest Times" for d in docs.values())
    assert ids[3] in {d.key for d in pipeline.dead_letters(minimum=1)}
    assert pipeline.count() == 3  # article 1 sent twice, indexed once
    assert raw_messages(pipeline.settings) - before == 5


def test_ingest_without_a_configured_token_needs_none(pipeline) -> None:
    """No token set: requests without one are published."""
    with serve(pipeline.settings) as url:
        answer = httpx.post(f"{url}/api/ingest", json=article(40), timeout=60)
        assert answer.status_code == 202, answer.text
        [article_id] = answer.json()["ids"]
    pipeline.wait_for_ids([article_id], timeout=180)
