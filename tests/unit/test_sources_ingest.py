"""The request checks of POST /api/ingest that need no broker: token, media type, validation with
reasons per item, limits, and the OpenAPI description of the body."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.api.ingest import body_limit, check_token, is_json_type, router, validate_items
from shared.contracts.settings import Settings

SETTINGS = Settings(ingest_max_articles=4, max_message_bytes=2048, ingest_token="t0k")


def test_token_is_needed_only_when_configured() -> None:
    assert check_token(Settings(ingest_token=None), None) is None
    assert check_token(SETTINGS, None) == "missing Authorization: Bearer <token>"
    assert check_token(SETTINGS, "Bearer nope") == "invalid token"
    assert check_token(SETTINGS, "Basic t0k") == "invalid token"
    assert check_token(SETTINGS, "Bearer t0k") is None and check_token(SETTINGS, "bearer  t0k") is None


def test_json_media_types() -> None:
    assert is_json_type("application/json") and is_json_type("application/json; charset=utf-8")
    assert is_json_type("application/vnd.newsflow+json")
    assert not is_json_type("text/plain") and not is_json_type(None) and not is_json_type("multipart/form-data")


def test_one_article_or_an_array_validates() -> None:
    articles, errors, status = validate_items({"content": "words"}, SETTINGS)
    assert status == 202 and not errors and articles[0].content == "words"
    articles, errors, status = validate_items([{"content": "a"}, {"content": "b", "url": "https://x/1"}], SETTINGS)
    assert status == 202 and [a.url for a in articles] == [None, "https://x/1"]


def test_reasons_per_item_and_all_or_nothing() -> None:
    articles, errors, status = validate_items(
        [{"content": "ok"}, {"id": "x1"}, 7, {"content": "ok", "published_at": "yesterday-ish"}], SETTINGS)
    assert status == 400 and articles == []
    assert [e["index"] for e in errors] == [1, 2, 3]
    assert errors[0]["id"] == "x1" and "content" in errors[0]["error"]
    assert "JSON object" in errors[1]["error"] and "published_at" in errors[2]["error"]


def test_limits() -> None:
    assert validate_items([], SETTINGS)[2] == 400
    assert validate_items([{"content": "a"}] * 5, SETTINGS)[2] == 413
    _articles, errors, status = validate_items({"content": "w " * 2000}, SETTINGS)
    assert status == 413 and "at most 2048" in errors[0]["error"]
    assert body_limit(SETTINGS) >= 4 * SETTINGS.max_message_bytes
    assert body_limit(Settings()) >= Settings().ingest_max_articles * 4096


async def test_refusals_happen_before_any_broker_is_needed() -> None:
    app = FastAPI()
    app.include_router(router)
    app.state.settings = SETTINGS.model_copy(update={"kafka_bootstrap": "127.0.0.1:1"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
        assert (await client.post("/api/ingest", json={"content": "x"})).status_code == 401
        auth = {"Authorization": "Bearer t0k"}
        answer = await client.post("/api/ingest", content=b"x", headers={**auth, "Content-Type": "text/csv"})
        assert answer.status_code == 415 and answer.json()["error"] == "unsupported_media_type"
        answer = await client.post("/api/ingest", json=[{"title": "no content"}], headers=auth)
        assert answer.status_code == 400 and answer.json()["errors"][0]["index"] == 0
        schema = (await client.get("/openapi.json")).json()["paths"]["/api/ingest"]["post"]
        body = schema["requestBody"]["content"]["application/json"]["schema"]
        assert "$ref" not in str(body) and "content" in str(body)
        assert set(schema["responses"]) >= {"202", "400", "401", "413", "415", "503"}
