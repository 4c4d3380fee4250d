"""Alerts and their matches in Elasticsearch: the alerts index, the match records, the
searches the API and CLI run. Async (the workers and the API) with the client passed in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError, ConflictError, NotFoundError

from services.alerts.rules import (
    TERM_FIELDS,
    AlertSpec,
    alert_document,
    alert_view,
    alerts_mappings,
    match_search,
    matches_mappings,
    pairs_of,
    positive_words,
    spec_of,
    word_mode,
)
from services.indexer.store import ensure_index
from services.search.query import build_search, empty_response, shape_response
from shared.contracts.settings import Settings

LOAD_PAGE = 1000
ALERTS_PER_SEARCH = 200
MATCH_FIELDS = ("match_id", "alert", "article_id", "title", "url", "source", "published_at", "indexed_at",
                "matched_at", "matched_fields", "delivery", "attempts", "last_error", "delivered_at")


class AlertExists(Exception):
    pass


class AlertNotFound(Exception):
    pass


def alerts_index(settings: Settings) -> str:
    return f"{settings.index_alias}-alerts"


def matches_index(settings: Settings) -> str:
    return f"{settings.index_alias}-alert-matches"


async def _create_index(es: AsyncElasticsearch, index: str, mappings: dict[str, Any], settings: Settings) -> None:
    if await es.indices.exists(index=index):
        return
    try:
        await es.indices.create(index=index, mappings=mappings, settings={
            "number_of_shards": 1, "number_of_replicas": settings.index_replicas, "refresh_interval": "1s"})
    except BadRequestError as exc:  # another process created it first
        if exc.error != "resource_already_exists_exception":
            raise


async def ensure_alert_indices(es: AsyncElasticsearch, settings: Settings) -> None:
    """Create the alerts index and the match records index when missing; safe from many processes."""
    await _create_index(es, alerts_index(settings), alerts_mappings(), settings)
    await _create_index(es, matches_index(settings), matches_mappings(), settings)


# ------------------------------------------------------------------------------- alerts ---


async def add_alert(es: AsyncElasticsearch, settings: Settings, spec: AlertSpec) -> dict[str, Any]:
    """Save an alert; AlertExists when the name is taken. Matched against articles indexed from now on."""
    await ensure_alert_indices(es, settings)
    document = alert_document(spec, datetime.now(UTC), await analysed_tokens(es, settings, spec.q))
    try:
        await es.index(index=alerts_index(settings), id=spec.name, document=document, op_type="create",
                       refresh="wait_for")
    except ConflictError as exc:
        raise AlertExists(spec.name) from exc
    return alert_view(document)


async def list_alerts(es: AsyncElasticsearch, settings: Settings) -> list[dict[str, Any]]:
    try:
        response = await es.search(index=alerts_index(settings), size=10_000, sort=[{"alert.name": "asc"}],
                                   query={"match_all": {}}, source=["alert"])
    except NotFoundError:
        return []
    return [alert_view(h["_source"]) for h in response["hits"]["hits"]]


async def get_alert(es: AsyncElasticsearch, settings: Settings, name: str) -> dict[str, Any]:
    try:
        response = await es.get(index=alerts_index(settings), id=name)
    except NotFoundError as exc:
        raise AlertNotFound(name) from exc
    return response["_source"]


async def remove_alert(es: AsyncElasticsearch, settings: Settings, name: str) -> None:
    """Delete an alert; its past matches stay on the topic and in the records."""
    try:
        await es.delete(index=alerts_index(settings), id=name, refresh="wait_for")
    except NotFoundError as exc:
        raise AlertNotFound(name) from exc


async def preview_alert(es: AsyncElasticsearch, settings: Settings, name: str, size: int = 10) -> dict[str, Any]:
    """The indexed articles the alert's search finds now (newest first), as ``/api/search`` answers."""
    params = spec_of(await get_alert(es, settings, name)).search().model_copy(update={"size": size, "sort": "newest"})
    response = await es.search(index=settings.index_alias, ignore_unavailable=True, allow_no_indices=True,
                               **build_search(params, with_facets=False))
    if not response.body.get("_shards", {}).get("total", 1):
        return empty_response(params)
    return shape_response(params, response.body)


async def latest_matches(es: AsyncElasticsearch, settings: Settings, name: str, size: int = 20) -> list[dict]:
    """The alert's most recent matches with their delivery state, newest first."""
    try:
        response = await es.search(index=matches_index(settings), size=size, query={"term": {"alert": name}},
                                   sort=[{"matched_at": "desc"}, {"match_id": "asc"}], source=list(MATCH_FIELDS))
    except NotFoundError:
        return []
    return [h["_source"] for h in response["hits"]["hits"]]


# ------------------------------------------------------------------------------ matching ---


async def alerts_stamp(es: AsyncElasticsearch, settings: Settings) -> tuple[int, int, int]:
    """Counters that change whenever an alert is saved or removed: a cheap "did the alerts change"."""
    stats = await es.indices.stats(index=alerts_index(settings), metric="docs,indexing")
    primaries = stats["_all"]["primaries"]
    return (primaries["docs"]["count"], primaries["indexing"]["index_total"], primaries["indexing"]["delete_total"])


async def load_alerts(es: AsyncElasticsearch, settings: Settings) -> dict[str, dict[str, Any]]:
    """Every alert: name -> {"query", "params", "webhook"}, read page by page."""
    found: dict[str, dict[str, Any]] = {}
    after: list[Any] | None = None
    while True:
        page = (await es.search(index=alerts_index(settings), size=LOAD_PAGE, sort=[{"alert.name": "asc"}],
                                query={"match_all": {}}, search_after=after))["hits"]["hits"]
        for hit in page:
            alert = hit["_source"]["alert"]
            found[alert["name"]] = {"query": hit["_source"]["query"], "params": alert.get("params", {}),
                                    "webhook": alert.get("webhook"), "tokens": alert.get("tokens")}
        if len(page) < LOAD_PAGE:
            return found
        after = page[-1]["sort"]


async def searchable(es: AsyncElasticsearch, settings: Settings, ids: list[str]) -> int:
    """How many of ``ids`` a search sees now (the index refreshes every second)."""
    response = await es.count(index=settings.index_alias, query={"ids": {"values": ids}},
                              ignore_unavailable=True, allow_no_indices=True)
    return int(response["count"])


async def find_matches(es: AsyncElasticsearch, settings: Settings, alerts: dict[str, dict[str, Any]],
                       ids: list[str]) -> list[tuple[str, str]]:
    """(alert, article id) for every alert whose search returns one of ``ids``: one multi-search,
    ``ALERTS_PER_SEARCH`` alerts per search to stay under Elasticsearch's clause limit."""
    names = sorted(alerts)
    chunks = [names[i:i + ALERTS_PER_SEARCH] for i in range(0, len(names), ALERTS_PER_SEARCH)]
    if not chunks or not ids:
        return []
    searches: list[dict[str, Any]] = []
    for chunk in chunks:
        searches += [{"index": settings.index_alias},
                     match_search({name: alerts[name]["query"] for name in chunk}, ids)]
    response = await es.msearch(searches=searches)
    pairs: list[tuple[str, str]] = []
    for answer in response["responses"]:
        if "error" in answer:
            raise RuntimeError(f"matching alerts failed: {answer['error']}")
        pairs += pairs_of(answer["hits"]["hits"])
    return sorted(pairs)


async def term_vectors(es: AsyncElasticsearch, settings: Settings, ids: list[str]) -> dict[str, dict[str, set[str]]]:
    """Each article's terms per text field, as the index analysed them (real time, no refresh needed)."""
    response = await es.mtermvectors(index=settings.index_alias, ids=ids, fields=list(TERM_FIELDS), positions=False,
                                     offsets=False, payloads=False, term_statistics=False, field_statistics=False,
                                     realtime=True)
    return {d["_id"]: {field: set(v["terms"]) for field, v in d.get("term_vectors", {}).items()}
            for d in response["docs"] if d.get("found")}


async def analysed_tokens(es: AsyncElasticsearch, settings: Settings, q: str) -> dict[str, Any] | None:
    """The alert's positive words, each analysed as the article fields analyse it (English stemming
    and the standard analyzer), for the prefilter; None when the prefilter cannot use them."""
    words = positive_words(q)
    if words is None:
        return None
    await ensure_index(es, settings)  # the analyzers live on the article index
    groups: list[list[str]] = []
    for word in words:
        forms: set[str] = set()
        for field in ("body", "body.exact"):
            response = await es.indices.analyze(index=settings.index_alias, field=field, text=word)
            forms |= {t["token"] for t in response["tokens"]}
        if forms:  # a word with no token adds no clause to the query
            groups.append(sorted(forms))
    return {"mode": word_mode(q), "groups": groups} if groups else None


async def claim(es: AsyncElasticsearch, settings: Settings,
                records: dict[str, dict[str, Any]]) -> tuple[list[str], dict[str, datetime]]:
    """Create a record per match id unless one exists (op_type=create). Returns the ids this call
    created (to publish), and those a worker claimed earlier but did not mark published, with
    when they were claimed: it may have died before publishing them, or just after."""
    if not records:
        return [], {}
    operations: list[dict[str, Any]] = []
    for mid, record in records.items():
        operations += [{"create": {"_index": matches_index(settings), "_id": mid}}, record]
    response = await es.bulk(operations=operations)
    fresh, existing = [], []
    for item in response["items"]:
        result = item["create"]
        if result.get("status") in (200, 201):
            fresh.append(result["_id"])
        elif result.get("status") == 409:
            existing.append(result["_id"])
        else:
            raise RuntimeError(f"match record {result['_id']}: {result.get('error')}")
    unfinished: dict[str, datetime] = {}
    if existing:
        docs = (await es.mget(index=matches_index(settings), ids=existing, source=["published", "matched_at"]))["docs"]
        unfinished = {d["_id"]: datetime.fromisoformat(d["_source"]["matched_at"]) for d in docs
                      if d.get("found") and not d["_source"].get("published")}
    return fresh, unfinished


async def mark(es: AsyncElasticsearch, settings: Settings, fields_by_id: dict[str, dict[str, Any]]) -> None:
    """Update match records (published, delivery state); raises when any update fails."""
    if not fields_by_id:
        return
    operations: list[dict[str, Any]] = []
    for mid, fields in fields_by_id.items():
        operations += [{"update": {"_index": matches_index(settings), "_id": mid}}, {"doc": fields}]
    response = await es.bulk(operations=operations)
    if response.get("errors"):
        bad = [i["update"] for i in response["items"] if i["update"].get("error")]
        raise RuntimeError(f"could not update {len(bad)} match record(s): {bad[0].get('error')}")


async def records(es: AsyncElasticsearch, settings: Settings, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The match records of ``ids`` that exist."""
    if not ids:
        return {}
    docs = (await es.mget(index=matches_index(settings), ids=list(ids)))["docs"]
    return {d["_id"]: d["_source"] for d in docs if d.get("found")}
