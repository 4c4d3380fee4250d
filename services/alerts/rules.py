"""Saved searches as stored queries, and what a match says: pure, no I/O.

An alert is a search kept under a name. Its query is built by ``services.search.query.build_query``,
the builder ``/api/search`` uses, and stored as built. New articles are matched by sending the
stored queries back to the article index, each under its alert's name and limited to the new
articles' ids: an article matches an alert exactly when the alert's search returns it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from services.search.query import FILTER_FIELDS, TEXT_FIELDS, SearchParams, build_query
from shared.contracts.schemas import AlertMatch, IndexedArticle

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
# The search parameters an alert keeps: what matches, never pages or order.
SEARCH_KEYS = ("q", *FILTER_FIELDS, "from", "to")
PAGING = {"page", "size", "sort"}
# Fields highlighted on a matched article to tell which ones the alert's words were found in.
HIGHLIGHT_FIELDS = tuple(field.split("^")[0] for field in TEXT_FIELDS)
MATCH_ID_CHARS = 32


class AlertSpec(SearchParams):
    """An alert as users give it: a name, the search (the parameters of ``/api/search``) and
    optionally a webhook URL that receives each match as JSON."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)

    name: str = Field(..., pattern=NAME_PATTERN, description="letters, digits, _ . -; up to 80 characters")
    webhook: str | None = Field(None, max_length=2048, description="http(s) URL that receives each match")

    @field_validator("webhook")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("http://", "https://")) or len(value) < 10:
            raise ValueError("the webhook must be an http:// or https:// URL")
        return value

    def search(self) -> SearchParams:
        """The search this alert saves, as ``/api/search`` would take it."""
        return SearchParams.model_validate(self.params())

    def params(self) -> dict[str, Any]:
        """The non-empty search parameters by their public names, e.g. ``{"q": "energy", "country": ["PK"]}``."""
        dumped = self.model_dump(mode="json", by_alias=True, exclude={"name", "webhook", *PAGING})
        return {k: v for k, v in dumped.items() if k in SEARCH_KEYS and v not in (None, "", [])}


def alert_document(spec: AlertSpec, created_at: datetime) -> dict[str, Any]:
    """The document stored for an alert (its id is the alert's name): its query as built, and itself."""
    return {
        "query": build_query(spec.search()),
        "alert": {
            "name": spec.name,
            "webhook": spec.webhook,
            "params": spec.params(),
            "created_at": created_at.isoformat(),
        },
    }


def alert_view(source: dict[str, Any]) -> dict[str, Any]:
    """A stored alert as the API and CLI show it."""
    alert = source.get("alert", {})
    return {"name": alert.get("name"), "params": alert.get("params", {}), "webhook": alert.get("webhook"),
            "created_at": alert.get("created_at")}


def spec_of(source: dict[str, Any]) -> AlertSpec:
    """A stored alert back as a spec (to run its search)."""
    alert = source["alert"]
    return AlertSpec.model_validate({"name": alert["name"], "webhook": alert.get("webhook"), **alert.get("params", {})})


def alerts_mappings() -> dict[str, Any]:
    """The alerts index: each alert's own fields, and its query kept as built (not indexed:
    it is sent back to Elasticsearch as the query it is)."""
    return {
        "dynamic": False,
        "properties": {
            "query": {"type": "object", "enabled": False},
            "alert": {
                "properties": {
                    "name": {"type": "keyword"},
                    "webhook": {"type": "keyword", "index": False},
                    "params": {"type": "object", "enabled": False},
                    "created_at": {"type": "date"},
                }
            },
        },
    }


def matches_mappings() -> dict[str, Any]:
    """One record per (alert, article): the idempotency key and the delivery state."""
    return {
        "dynamic": False,
        "properties": {
            "match_id": {"type": "keyword"},
            "alert": {"type": "keyword"},
            "article_id": {"type": "keyword"},
            "title": {"type": "text"},
            "url": {"type": "keyword", "index": False},
            "source": {"type": "keyword"},
            "published_at": {"type": "date"},
            "indexed_at": {"type": "date"},
            "matched_at": {"type": "date"},
            "matched_fields": {"type": "keyword"},
            "published": {"type": "boolean"},
            "webhook": {"type": "keyword", "index": False},
            "delivery": {"type": "keyword"},
            "attempts": {"type": "integer"},
            "last_error": {"type": "text"},
            "delivered_at": {"type": "date"},
        },
    }


def match_id(alert: str, article_id: str) -> str:
    """The idempotency key of a match: the same alert and article always give the same id."""
    return hashlib.sha256(f"{alert}\x00{article_id}".encode()).hexdigest()[:MATCH_ID_CHARS]


def named(name: str, query: dict[str, Any]) -> dict[str, Any]:
    """The alert's query under its name, so a hit says which alerts it matched (``matched_queries``)."""
    [(kind, body)] = query.items()
    return {kind: {**body, "_name": name}}


def match_search(alerts: dict[str, dict[str, Any]], ids: list[str]) -> dict[str, Any]:
    """One search of the article index: the articles of ``ids`` that any of ``alerts`` (name ->
    stored query) finds. Each alert's query is the one its search sends, so an article matches an
    alert exactly when that search would return it."""
    return {
        "query": {"bool": {
            "filter": [{"ids": {"values": ids}}],
            "should": [named(name, query) for name, query in alerts.items()],
            "minimum_should_match": 1,
        }},
        "size": len(ids),
        "_source": False,
    }


def fields_search(query: dict[str, Any], article_id: str) -> dict[str, Any]:
    """Which text fields of one article one alert's words were found in: the highlighted ones."""
    return {
        "query": {"bool": {"filter": [{"ids": {"values": [article_id]}}], "must": [query]}},
        "size": 1,
        "_source": False,
        "highlight": {
            "require_field_match": False,
            "number_of_fragments": 1,
            "fragment_size": 20,
            "max_analyzed_offset": 100_000,
            "fields": {field: {} for field in HIGHLIGHT_FIELDS},
        },
    }


def field_name(highlighted: str) -> str:
    """``people.text`` -> ``people``: the article field, not the subfield that was searched."""
    return highlighted.split(".")[0]


def matched_fields(params: dict[str, Any], highlighted: list[str]) -> list[str]:
    """The article fields an alert matched on: those its words were found in, then those its
    filters constrain (every filter holds when the alert matched)."""
    fields = [field_name(h) for h in highlighted]
    fields += [FILTER_FIELDS[name] for name in FILTER_FIELDS if params.get(name)]
    if params.get("from") or params.get("to"):
        fields.append("published_at")
    return list(dict.fromkeys(fields))


def pairs_of(hits: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """``match_search`` hits -> (alert name, article id) pairs, sorted so output order is stable."""
    return sorted((name, hit["_id"]) for hit in hits for name in hit.get("matched_queries", []))


def build_match(alert: str, params: dict[str, Any], article: IndexedArticle, highlighted: list[str],
                matched_at: datetime) -> AlertMatch:
    return AlertMatch(
        match_id=match_id(alert, article.id),
        alert=alert,
        article_id=article.id,
        title=article.title,
        url=article.url,
        source=article.source,
        published_at=article.published_at,
        matched_fields=matched_fields(params, highlighted),
        indexed_at=article.indexed_at,
        matched_at=matched_at,
    )


def match_record(match: AlertMatch, webhook: str | None) -> dict[str, Any]:
    """The match as first claimed: not yet on the topic, its webhook delivery pending (if any)."""
    return {
        **match.model_dump(mode="json"),
        "published": False,
        "webhook": webhook,
        "delivery": "pending" if webhook else "none",
        "attempts": 0,
    }


def webhook_delay(attempt: int, initial: float, ceiling: float) -> float:
    """Seconds to wait after failed try number ``attempt`` (0-based): doubling, capped."""
    return min(ceiling, initial * 2**attempt)


def retryable(status: int) -> bool:
    """A webhook answer worth trying again: server errors, timeouts, rate limits. Any other
    4xx means the receiver refuses this request as it is, so it goes to the dead letters."""
    return status >= 500 or status in (408, 425, 429)
