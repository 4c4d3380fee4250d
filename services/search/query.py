"""SearchParams -> an Elasticsearch request body. Pure: no I/O, no raw DSL from users."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

FILTER_FIELDS = {
    "country": "countries",
    "person": "people",
    "organization": "organizations",
    "location": "locations",
    "topic": "topics",
    "source": "source",
    "language": "language",
}
FACET_FIELDS = ("countries", "people", "organizations", "locations", "topics", "source", "language")


class SearchParams(BaseModel):
    """Everything a user may ask; validated, bounded, nothing passed through as query DSL."""

    q: str = Field("", max_length=500)
    country: list[str] = Field(default_factory=list, max_length=20)
    person: list[str] = Field(default_factory=list, max_length=20)
    organization: list[str] = Field(default_factory=list, max_length=20)
    location: list[str] = Field(default_factory=list, max_length=20)
    topic: list[str] = Field(default_factory=list, max_length=20)
    source: list[str] = Field(default_factory=list, max_length=20)
    language: list[str] = Field(default_factory=list, max_length=20)
    date_from: date | None = None
    date_to: date | None = None
    page: int = Field(1, ge=1, le=500)
    size: int = Field(10, ge=1, le=100)
    sort: Literal["relevance", "newest", "oldest"] = "relevance"


def build_search(params: SearchParams, with_facets: bool = True) -> dict[str, Any]:
    must: list[dict[str, Any]] = []
    if params.q.strip():
        must.append(
            {
                "multi_match": {
                    "query": params.q,
                    "fields": ["title^3", "title.exact^2", "summary^1.5", "body", "body.exact",
                               "people.text^2", "organizations.text^2", "locations.text"],
                    "type": "best_fields",
                    "operator": "and",
                }
            }
        )
    filters: list[dict[str, Any]] = []
    for param, field in FILTER_FIELDS.items():
        values = [v for v in getattr(params, param) if v.strip()]
        if values:
            if param == "country":
                values = [v.upper() for v in values]
            filters.append({"terms": {field: values}})
    if params.date_from or params.date_to:
        bounds = {}
        if params.date_from:
            bounds["gte"] = params.date_from.isoformat()
        if params.date_to:
            bounds["lte"] = params.date_to.isoformat()
        filters.append({"range": {"published_at": {**bounds, "format": "date_optional_time"}}})
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
        "from": (params.page - 1) * params.size,
        "size": params.size,
        "track_total_hits": True,
        "_source": {"excludes": ["body"]},
        "highlight": {
            "fields": {"body": {"fragment_size": 180, "number_of_fragments": 2}, "title": {"number_of_fragments": 0}},
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
        },
    }
    if params.sort == "newest":
        body["sort"] = [{"published_at": {"order": "desc", "missing": "_last"}}, "_score"]
    elif params.sort == "oldest":
        body["sort"] = [{"published_at": {"order": "asc", "missing": "_last"}}, "_score"]
    if with_facets:
        body["aggs"] = {f: {"terms": {"field": f, "size": 10}} for f in FACET_FIELDS}
        body["aggs"]["per_day"] = {
            "date_histogram": {"field": "published_at", "calendar_interval": "day", "min_doc_count": 1}
        }
    return body


def shape_response(params: SearchParams, response: dict[str, Any]) -> dict[str, Any]:
    """Elasticsearch's answer -> {total, hits, facets}, as the contract describes."""
    hits = []
    for hit in response["hits"]["hits"]:
        src = hit.get("_source", {})
        highlight = hit.get("highlight", {})
        snippet = " … ".join(highlight.get("body", [])) or (src.get("summary") or "")[:300]
        hits.append(
            {
                "id": hit["_id"],
                "title": src.get("title"),
                "source": src.get("source"),
                "published_at": src.get("published_at"),
                "url": src.get("url"),
                "snippet": snippet,
                "title_highlight": (highlight.get("title") or [None])[0],
                "score": hit.get("_score"),
                "countries": src.get("countries", []),
                "people": src.get("people", []),
                "organizations": src.get("organizations", []),
                "topics": src.get("topics", []),
            }
        )
    facets: dict[str, Any] = {}
    for name, agg in (response.get("aggregations") or {}).items():
        key = "key_as_string" if name == "per_day" else "key"
        facets[name] = [{"value": b.get(key, b["key"]), "count": b["doc_count"]} for b in agg["buckets"]]
    return {"total": response["hits"]["total"]["value"], "page": params.page, "size": params.size,
            "hits": hits, "facets": facets}
