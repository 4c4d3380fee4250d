"""The HTTP API and the search page: ``create_app(settings)`` builds one app per settings, so
tests (and several namespaces) can each have their own.

Routes (the contract's, and newsflow's own): ``GET /`` the page, ``GET /articles/{id}`` an article
as HTML, ``GET /api/search``, ``GET /api/articles/{id}``, ``GET /api/stories/{story_id}``,
``/api/alerts`` (services/alerts/api.py), ``POST /api/ingest`` (services/api/ingest.py, which finds
the settings in ``request.app.state.settings``), ``GET /healthz``, ``/docs``.

Errors are JSON ``{"error": <code>, "detail": ...}``: 400 for a bad query or path parameter
(unknown parameters included), 404 for a missing article, 503 when Elasticsearch (or, for
/healthz, Kafka) does not answer.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from elasticsearch import ApiError, AsyncElasticsearch, BadRequestError, TransportError
from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from services.alerts.api import router as alerts_router
from services.api.health import check_health
from services.api.ingest import router as ingest_router
from services.api.pages import article_page, not_found_page
from services.search.query import (
    STORY_FIELD,
    VERSION_FIELDS,
    SearchParams,
    build_search,
    cannot_collapse,
    empty_response,
    shape_response,
    uncollapsed,
)
from shared.contracts.settings import Settings, get_settings
from shared.runtime.elastic import client_options
from shared.runtime.metrics import HTTP_REQUESTS

log = logging.getLogger("newsflow.api")

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_ID_LENGTH = 200  # RawArticle.id's limit

MAX_STORY_ARTICLES = 1000
StoryId = Annotated[str, PathParam(min_length=1, max_length=MAX_ID_LENGTH, description="a story id")]
ArticleId = Annotated[str, PathParam(min_length=1, max_length=MAX_ID_LENGTH, description="the article id")]


class SearchUnavailable(Exception):
    """Elasticsearch did not answer; the API says so with a 503 instead of a stack trace."""


def search_deadline(settings: Settings) -> str:
    """Elasticsearch's own time limit for one search: half the client's, so a costly search
    answers with what it found in time rather than the client giving up (whole milliseconds:
    Elasticsearch refuses fractional seconds)."""
    return f"{max(int(settings.search_timeout * 500), 100)}ms"


def error(status: int, code: str, detail: Any) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """400 for bad query/path parameters, each problem named by its parameter; body errors
    keep FastAPI's 422 (well-formed request, unacceptable content) in the same JSON shape."""
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        where = loc[0] if loc else "request"
        name = ".".join(loc[1:]) or where
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            message = f"unknown parameter; allowed: {', '.join(_public_params())}"
        problems.append({"in": where, "parameter": name, "message": message, "type": err.get("type")})
    status = 400 if all(p["in"] in ("query", "path") for p in problems) else 422
    return error(status, "invalid_request", problems)


def _public_params() -> list[str]:
    return [field.alias or name for name, field in SearchParams.model_fields.items()]


def _es_failure(settings: Settings, exc: Exception) -> SearchUnavailable:
    if isinstance(exc, ApiError):
        return SearchUnavailable(f"Elasticsearch at {settings.elasticsearch_url} answered {exc.meta.status}: "
                                 f"{exc.message}")
    return SearchUnavailable(f"Elasticsearch is not reachable at {settings.elasticsearch_url} ({type(exc).__name__})")


def create_app(settings: Settings | None = None) -> FastAPI:
    """One app bound to one settings object (its alias, its Elasticsearch, its Kafka)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One client per app: it holds the connection pool and lives on the server's loop.
        # The searches' deadline is the health check's (NEWSFLOW_SEARCH_TIMEOUT): when /healthz would
        # say 503, a search says it too, as fast, instead of hanging on a frozen cluster.
        options = {**client_options(settings), "request_timeout": settings.search_timeout, "max_retries": 0,
                   "retry_on_timeout": False}
        app.state.es = AsyncElasticsearch(**options)
        try:
            yield
        finally:
            await app.state.es.close()

    app = FastAPI(
        title="newsflow",
        summary="Search news articles streamed through Kafka into Elasticsearch.",
        version="1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_exception_handler(RequestValidationError, _validation_error)

    @app.middleware("http")
    async def count_requests(request: Request, call_next):  # type: ignore[no-untyped-def]
        """newsflow_http_requests_total by route template (not the raw path: ids would explode it)."""
        response = await call_next(request)
        route = request.scope.get("route")
        HTTP_REQUESTS.labels(request.method, getattr(route, "path", "unmatched"), str(response.status_code)).inc()
        return response

    @app.exception_handler(SearchUnavailable)
    async def _unavailable(_request: Request, exc: SearchUnavailable) -> JSONResponse:
        return error(503, "search_unavailable", str(exc))

    def es_of(request: Request) -> AsyncElasticsearch:
        return request.app.state.es

    @app.get("/api/search", tags=["search"])
    async def search(request: Request, params: Annotated[SearchParams, Query()]) -> dict[str, Any]:
        """Full-text search with filters, facets (top values per entity field, articles per day)
        and highlighted snippets. Unknown parameters are rejected with 400."""
        try:
            search = {"index": settings.index_alias, "ignore_unavailable": True, "allow_no_indices": True,
                      "timeout": search_deadline(settings)}
            try:
                response = await es_of(request).search(**search, **build_search(params))
            except BadRequestError as exc:
                if not (params.collapse and cannot_collapse(exc)):
                    raise
                params = uncollapsed(params)
                response = await es_of(request).search(**search, **build_search(params))
        except (ApiError, TransportError) as exc:
            raise _es_failure(settings, exc) from exc
        if not response.body.get("_shards", {}).get("total", 1):
            return empty_response(params)  # nothing indexed yet: no alias, so no index
        return shape_response(params, response.body)

    async def find_article(request: Request, article_id: str) -> dict[str, Any] | None:
        # A search by id, not GET: it works whatever number of indices the alias covers.
        try:
            response = await es_of(request).search(
                index=settings.index_alias, ignore_unavailable=True, allow_no_indices=True,
                query={"ids": {"values": [article_id]}}, size=1,
            )
        except (ApiError, TransportError) as exc:
            raise _es_failure(settings, exc) from exc
        hits = response.body["hits"]["hits"]
        if not hits:
            return None
        return {"id": hits[0]["_id"], **hits[0]["_source"]}

    @app.get("/api/articles/{article_id:path}", tags=["search"])
    async def get_article(request: Request, article_id: ArticleId) -> Any:
        """The indexed document (EnrichedArticle fields plus indexed_at); 404 when absent."""
        doc = await find_article(request, article_id)
        if doc is None:
            return error(404, "not_found", f"no article with id {article_id!r}")
        return doc

    @app.get("/api/stories/{story_id}", tags=["search"])
    async def get_story(request: Request, story_id: StoryId) -> Any:
        """A story's articles, oldest first (by publication date, undated last, then id): the
        original and its near-identical copies. 404 when no article has that story_id."""
        try:
            response = await es_of(request).search(
                index=settings.index_alias, ignore_unavailable=True, allow_no_indices=True,
                query={"term": {STORY_FIELD: story_id}}, size=MAX_STORY_ARTICLES, track_total_hits=True,
                sort=[{"story.order": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
                source_includes=[*VERSION_FIELDS, "duplicate_of", "story_id", "word_count"],
            )
        except (ApiError, TransportError) as exc:
            raise _es_failure(settings, exc) from exc
        hits = response.body["hits"]["hits"]
        if not hits:
            return error(404, "not_found", f"no story with id {story_id!r}")
        return {
            "story_id": story_id,
            "total": response.body["hits"]["total"]["value"],
            "articles": [{**h["_source"], "id": h["_id"]} for h in hits],
        }

    @app.get("/healthz", tags=["operations"])
    async def healthz(request: Request) -> JSONResponse:
        """200 when Kafka and Elasticsearch answer, 503 naming what does not."""
        report = await check_health(settings, es_of(request))
        return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/articles/{article_id:path}", include_in_schema=False, response_class=HTMLResponse)
    async def article_html(request: Request, article_id: ArticleId) -> HTMLResponse:
        doc = await find_article(request, article_id)
        if doc is None:
            return HTMLResponse(not_found_page(article_id), status_code=404)
        return HTMLResponse(article_page(doc))

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.include_router(ingest_router)
    app.include_router(alerts_router)

    return app
