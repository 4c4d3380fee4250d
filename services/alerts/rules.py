"""Saved searches as percolator queries, and what a match says: pure, no I/O.

An alert is a search kept under a name. Its query is built by ``services.search.query.build_query``,
the builder ``/api/search`` uses, and stored in an index whose mapping carries the article fields
(``services.indexer.mapping``), so Elasticsearch's percolator answers "which alerts would find
this new article" exactly as a search would.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from services.indexer.mapping import MAPPING_VERSION, index_mappings
from services.search.query import FILTER_FIELDS, TEXT_FIELDS, SearchParams, build_query
from shared.contracts.schemas import AlertMatch, IndexedArticle

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
# The search parameters an alert keeps: what matches, never pages or order.
SEARCH_KEYS = ("q", *FILTER_FIELDS, "from", "to")
PAGING = {"page", "size", "sort"}
# Fields highlighted on a percolated article to tell which ones the words matched.
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
    """The percolator document stored for an alert (its id is the alert's name)."""
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
    """The percolator index: the article fields (so stored queries parse against the same
    analyzers and types) plus the query itself and the alert's own fields under ``alert``."""
    articles = index_mappings()
    return {
        "dynamic": False,
        "_meta": {"mapping_version": MAPPING_VERSION},
        "properties": {
            **articles["properties"],
            "query": {"type": "percolator"},
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


def percolate_body(documents: list[dict[str, Any]], size: int, after: list[Any] | None = None) -> dict[str, Any]:
    """One page of the alerts matching any of ``documents``, with the matched words highlighted."""
    body: dict[str, Any] = {
        "query": {"constant_score": {"filter": {"percolate": {"field": "query", "documents": documents}}}},
        "size": size,
        "sort": [{"alert.name": "asc"}],
        "_source": ["alert.name", "alert.webhook", "alert.params"],
        "highlight": {
            "require_field_match": False,
            "number_of_fragments": 1,
            "fragment_size": 40,
            "max_analyzed_offset": 100_000,
            "fields": {field: {} for field in HIGHLIGHT_FIELDS},
        },
    }
    if after is not None:
        body["search_after"] = after
    return body


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


def slot_highlights(hit: dict[str, Any], slot: int, single: bool) -> list[str]:
    """The highlighted fields of one percolated document in a hit. Elasticsearch prefixes them
    with the document's slot (``0_title``) when several documents were percolated at once."""
    highlight = hit.get("highlight", {})
    if single:
        return list(highlight)
    prefix = f"{slot}_"
    return [key[len(prefix):] for key in highlight if key.startswith(prefix)]


def matches_of(hits: list[dict[str, Any]], batch: list[IndexedArticle], matched_at: datetime) -> list[AlertMatch]:
    """Percolate hits (one per alert) -> one AlertMatch per (alert, article), in batch order."""
    found: list[tuple[int, AlertMatch]] = []
    single = len(batch) == 1
    for hit in hits:
        alert = hit["_source"]["alert"]
        slots = hit.get("fields", {}).get("_percolator_document_slot", [0])
        for slot in slots:
            article = batch[slot]
            found.append((slot, AlertMatch(
                match_id=match_id(alert["name"], article.id),
                alert=alert["name"],
                article_id=article.id,
                title=article.title,
                url=article.url,
                source=article.source,
                published_at=article.published_at,
                matched_fields=matched_fields(alert.get("params", {}), slot_highlights(hit, slot, single)),
                indexed_at=article.indexed_at,
                matched_at=matched_at,
            )))
    found.sort(key=lambda pair: (pair[0], pair[1].alert))
    return [m for _, m in found]


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
