"""``/api/alerts``: save a search as an alert, list, read, delete, test it, see its latest matches.

Uses the app's settings and Elasticsearch client (``request.app.state``). Errors are the API's
``{"error": code, "detail": ...}``: 404 unknown alert, 409 name taken, 422 invalid alert,
503 Elasticsearch unreachable.
"""

from __future__ import annotations

from typing import Annotated, Any

from elasticsearch import ApiError, TransportError
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response

from services.alerts import store
from services.alerts.rules import NAME_PATTERN, AlertSpec, alert_view

router = APIRouter(prefix="/api/alerts", tags=["alerts"])

AlertName = Annotated[str, PathParam(pattern=NAME_PATTERN, description="the alert's name")]


def _error(status: int, code: str, detail: Any) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    settings = request.app.state.settings
    status = f"answered {exc.meta.status}: {exc.message}" if isinstance(exc, ApiError) else "is not reachable"
    return _error(503, "search_unavailable", f"Elasticsearch at {settings.elasticsearch_url} {status}")


def _missing(name: str) -> JSONResponse:
    return _error(404, "not_found", f"no alert named {name!r}")


@router.post("", status_code=201)
async def create_alert(request: Request, spec: AlertSpec) -> Any:
    """Save a search (the parameters of ``/api/search`` plus ``name`` and an optional ``webhook``)
    as an alert. From now on every newly indexed article it finds is published to the alerts
    topic, and POSTed to the webhook when there is one."""
    try:
        return await store.add_alert(request.app.state.es, request.app.state.settings, spec)
    except store.AlertExists:
        return _error(409, "exists", f"an alert named {spec.name!r} exists; remove it first or pick another name")
    except (ApiError, TransportError) as exc:
        return _unavailable(request, exc)


@router.get("")
async def list_alerts(request: Request) -> Any:
    """Every alert: name, search parameters, webhook, creation time."""
    try:
        return {"alerts": await store.list_alerts(request.app.state.es, request.app.state.settings)}
    except (ApiError, TransportError) as exc:
        return _unavailable(request, exc)


@router.get("/{name}")
async def get_alert(request: Request, name: AlertName) -> Any:
    try:
        return alert_view(await store.get_alert(request.app.state.es, request.app.state.settings, name))
    except store.AlertNotFound:
        return _missing(name)
    except (ApiError, TransportError) as exc:
        return _unavailable(request, exc)


@router.delete("/{name}", status_code=204, response_class=Response)
async def delete_alert(request: Request, name: AlertName) -> Response:
    """Remove an alert; its past matches stay on the topic."""
    try:
        await store.remove_alert(request.app.state.es, request.app.state.settings, name)
    except store.AlertNotFound:
        return _missing(name)
    except (ApiError, TransportError) as exc:
        return _unavailable(request, exc)
    return Response(status_code=204)


@router.get("/{name}/test")
async def test_alert(request: Request, name: AlertName,
                     size: Annotated[int, Query(ge=0, le=100)] = 10) -> Any:
    """The already indexed articles the alert would match, newest first (the answer of ``/api/search``)."""
    try:
        return await store.preview_alert(request.app.state.es, request.app.state.settings, name, size)
    except store.AlertNotFound:
        return _missing(name)
    except (ApiError, TransportError) as exc:
        return _unavailable(request, exc)


@router.get("/{name}/matches")
async def alert_matches(request: Request, name: AlertName,
                        size: Annotated[int, Query(ge=1, le=100)] = 20) -> Any:
    """The alert's latest matches (newest first) with their webhook delivery state."""
    es, settings = request.app.state.es, request.app.state.settings
    try:
        await store.get_alert(es, settings, name)
        return {"alert": name, "matches": await store.latest_matches(es, settings, name, size)}
    except store.AlertNotFound:
        return _missing(name)
    except (ApiError, TransportError) as exc:
        return _unavailable(request, exc)
