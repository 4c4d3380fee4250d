"""``POST /api/ingest``: articles pushed over HTTP into articles.raw.

The body is a RawArticle or a JSON array of them. It is validated whole before anything is
published (all or nothing, so a client can fix and resend without duplicates), then every
article is sent and acknowledged by the broker before the answer: 202 ``{"ids": [...]}``.

Errors are ``{"error": code, "detail": reason, "errors": [per item]}``: 400 (not JSON, not
articles, nested deeper than ``MAX_DEPTH``, a number beyond 64-bit integers or doubles, an id
outside the safe character set), 401 (token), 413 (too many articles, too large a body or
article), 415 (not application/json), 503 (Kafka unreachable). No body makes it answer 500.

The router holds one long-lived producer per event loop and raw topic, started on first use
and stopped by the router's lifespan, which FastAPI merges into the app that includes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import re
from collections.abc import AsyncIterator
from typing import Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from services.producer.publish import Publisher
from shared.contracts.schemas import RawArticle
from shared.contracts.settings import Settings, get_settings
from shared.runtime.metrics import PUBLISHED

MAX_DEPTH = 8  # an array of articles whose metadata is an object is 3 deep: plenty of room
# Ids an article may be given over HTTP: they appear in URLs (/api/articles/{id}) and keys, so
# no slash, backslash, whitespace, control character, quote, ?, #, % or <>; not only dots.
SAFE_ID = re.compile(r"^(?!\.+$)[\w.:@+=,~!$&'()*;-]{1,200}$")

_publishers: dict[tuple[int, str, str], Publisher] = {}
_locks: dict[tuple[int, str, str], asyncio.Lock] = {}
_loops: dict[tuple[int, str, str], asyncio.AbstractEventLoop] = {}


@contextlib.asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    await close_publishers()


router = APIRouter(tags=["ingest"], lifespan=_lifespan)


def ingest_settings(request: Request) -> Settings:
    """The app's settings (``app.state.settings``, as services/api/app.py sets them), else the
    process's; a dependency, so an app can also override it."""
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def body_limit(settings: Settings) -> int:
    """Largest accepted body: room for a few articles of the largest accepted size, and at
    least enough for ``ingest_max_articles`` small ones."""
    return max(4 * settings.max_message_bytes, settings.ingest_max_articles * 4096)


async def publisher_for(settings: Settings) -> Publisher:
    """The producer of this event loop for this broker and topic, started on first use."""
    loop = asyncio.get_running_loop()
    key = (id(loop), settings.kafka_bootstrap, settings.topic_raw)
    if key in _loops and _loops[key] is not loop:  # a closed loop's id reused: its producer is dead
        _publishers.pop(key, None)
        _locks.pop(key, None)
    _loops[key] = loop
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        publisher = _publishers.get(key)
        if publisher is None:
            publisher = Publisher(settings)
            await publisher.start()
            _publishers[key] = publisher
        return publisher


async def close_publishers() -> None:
    """Stop the producers started on the running loop (the others belong to other loops)."""
    loop_id = id(asyncio.get_running_loop())
    for key in [k for k in _publishers if k[0] == loop_id]:
        await _publishers.pop(key).stop()
        _locks.pop(key, None)
        _loops.pop(key, None)


_ERROR_CODES = {400: "invalid", 401: "unauthorized", 413: "too_large", 415: "unsupported_media_type",
                503: "unavailable"}


def _problem(status: int, detail: str, errors: list[dict[str, Any]] | None = None, **headers: str) -> JSONResponse:
    """The API's error shape, ``{"error": code, "detail": reason}``, plus reasons per item."""
    content: dict[str, Any] = {"error": _ERROR_CODES[status], "detail": detail}
    if errors:
        content["errors"] = errors
    return JSONResponse(content, status_code=status, headers=headers or None)


def check_token(settings: Settings, authorization: str | None) -> str | None:
    """Why the request is refused, or None when no token is configured or it matches."""
    if not settings.ingest_token:
        return None
    if not authorization:
        return "missing Authorization: Bearer <token>"
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), settings.ingest_token.encode()):
        return "invalid token"
    return None


def is_json_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def parse_body(body: bytes) -> tuple[Any, str | None]:
    """The decoded body, or why it is refused: not UTF-8 JSON, nested deeper than MAX_DEPTH, a
    number that is no 64-bit integer or finite double. Never raises."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        message = str(exc)
        if "depth limit" in message:
            return None, f"body is nested deeper than {MAX_DEPTH} levels"
        if "number" in message:
            return None, f"body has a number too large to represent (64-bit integers, finite doubles): {message}"
        return None, f"body is not JSON: {message}"
    depth = json_depth(data, MAX_DEPTH)
    if depth > MAX_DEPTH:
        return None, f"body is nested deeper than {MAX_DEPTH} levels"
    return data, None


def json_depth(data: Any, limit: int) -> int:
    """How deep ``data`` nests (a scalar is 0), counted up to ``limit + 1`` without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            stack.extend((child, depth) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def id_problem(raw: RawArticle) -> str | None:
    if raw.id is None or SAFE_ID.match(raw.id):
        return None
    return (f"id {raw.id[:80]!r} has characters outside letters, digits and . _ - : @ + = , ~ ! $ & ' ( ) * ; "
            "(ids appear in URLs)")


def validate_items(data: Any, settings: Settings) -> tuple[list[RawArticle], list[dict[str, Any]], int]:
    """The articles in a decoded body, the reasons per item that are not, and the status those
    reasons call for (400 invalid, 413 too many or too large)."""
    items = data if isinstance(data, list) else [data]
    if isinstance(data, list) and not data:
        return [], [{"index": None, "error": "the array is empty"}], 400
    if len(items) > settings.ingest_max_articles:
        reason = f"{len(items)} articles; at most {settings.ingest_max_articles} at once"
        return [], [{"index": None, "error": reason}], 413
    articles: list[RawArticle] = []
    errors: list[dict[str, Any]] = []
    too_large = False
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append({"index": index, "error": f"expected a JSON object, got {type(item).__name__}"})
            continue
        try:
            raw = RawArticle.model_validate(item)
        except ValidationError as exc:
            errors.append({"index": index, "id": item.get("id") if isinstance(item.get("id"), str) else None,
                           "error": "; ".join(f"{'.'.join(map(str, e['loc'])) or 'article'}: {e['msg']}"
                                              for e in exc.errors())})
            continue
        bad_id = id_problem(raw)
        if bad_id:
            errors.append({"index": index, "id": None, "error": bad_id})
            continue
        size = len(raw.to_json_bytes())
        if size > settings.max_message_bytes:
            too_large = True
            errors.append({"index": index, "id": raw.id,
                           "error": f"article is {size} bytes; at most {settings.max_message_bytes}"})
            continue
        articles.append(raw)
    if errors:
        return [], errors, 413 if too_large else 400
    return articles, [], 202


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it grows past ``limit`` (never buffered whole)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _request_schema() -> dict[str, Any]:
    """RawArticle | [RawArticle] as a self-contained schema for the OpenAPI page (the body is read
    by hand so that errors get this endpoint's statuses, not FastAPI's 422)."""
    schema = TypeAdapter(RawArticle | list[RawArticle]).json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.rsplit("/", 1)[1]])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return inline(schema)


@router.post(
    "/api/ingest",
    status_code=202,
    summary="Publish articles to articles.raw",
    responses={
        202: {"description": 'Published and acknowledged: `{"ids": [...]}`, in the order sent'},
        400: {"description": "Not JSON, or not articles: reasons per item"},
        401: {"description": "A token is configured and the request lacks it"},
        413: {"description": "Too many articles, or a body or article too large"},
        415: {"description": "Not application/json"},
        503: {"description": "Kafka did not acknowledge"},
    },
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _request_schema()}}}},
)
async def ingest(request: Request, settings: Settings = Depends(ingest_settings)) -> JSONResponse:
    """A RawArticle or an array of them; validated whole, published, acknowledged."""
    refused = check_token(settings, request.headers.get("authorization"))
    if refused:
        return _problem(401, refused, **{"WWW-Authenticate": "Bearer"})
    if not is_json_type(request.headers.get("content-type")):
        return _problem(415, f"expected Content-Type application/json, got {request.headers.get('content-type')!r}")
    limit = body_limit(settings)
    body = await _read_body(request, limit)
    if body is None:
        return _problem(413, f"body over {limit} bytes")
    data, refused = parse_body(body)
    if refused:
        return _problem(400, refused)
    articles, errors, status = validate_items(data, settings)
    if errors:
        bad = sum(1 for e in errors if e.get("index") is not None)
        detail = f"{bad} invalid article(s); nothing was published" if bad else errors[0]["error"]
        return _problem(status, detail, errors)
    try:
        publisher = await publisher_for(settings)
        sent = await publisher.publish(articles)
        PUBLISHED.labels("api").inc(len(sent))
    except Exception as exc:
        return _problem(503, f"could not publish to {settings.topic_raw}: {type(exc).__name__}: {exc}")
    return JSONResponse({"ids": [raw.id for raw in sent]}, status_code=202)
