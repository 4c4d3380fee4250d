"""SearchParams -> an Elasticsearch request body, and Elasticsearch's answer -> the API's JSON.

Pure (no I/O) so the HTTP API and ``newsflow search`` share exactly one behaviour and the logic
is unit-tested without a cluster. Users never hand us query DSL: the free text goes through
``simple_query_string`` (which never raises on bad syntax) and every filter is a fixed field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

# Query parameter -> index field. Values of one parameter are OR-ed, different parameters AND-ed.
FILTER_FIELDS: dict[str, str] = {
    "country": "countries",
    "person": "people",
    "organization": "organizations",
    "location": "locations",
    "topic": "topics",
    "source": "source",
    "language": "language",
}
# Facet name (the index field) -> how many top values it returns.
FACET_FIELDS: dict[str, int] = {
    "countries": 15,
    "people": 15,
    "organizations": 15,
    "locations": 15,
    "topics": 15,
    "source": 15,
    "language": 10,
}
# Fields the free text is looked up in, with their boosts. A quoted phrase is matched on the
# field's ``.exact`` subfield (standard analyzer, no stemming) where there is one.
TEXT_FIELDS = (
    "title^3",
    "summary^1.5",
    "body",
    "people.text^2",
    "organizations.text^2",
    "locations.text",
    "topics.text",
    "source.text",
)
# simple_query_string operators users may use: +, |, -, "phrases", (groups), prefix*.
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PRECEDENCE|PREFIX|WHITESPACE|ESCAPE"
SORTS = ("relevance", "newest", "oldest")
MAX_RESULT_WINDOW = 10_000  # Elasticsearch's index.max_result_window
MAX_HIGHLIGHT_OFFSET = 500_000  # characters of a body analysed for snippets; beyond, no highlight
SNIPPET_CHARS = 180
VERSIONS_SHOWN = 5  # other versions of a story listed with its hit
STORY_FIELD = "story_id"
VERSION_FIELDS = ["id", "title", "source", "published_at", "url"]
# Bounded cost: a prefix term (word*) expands to every indexed term it starts, on every text
# field, and highlighting repeats that; so prefixes are few and not too short, and a query has
# a bounded number of terms. Elasticsearch also stops a search at the API's deadline.
MAX_PREFIX_TERMS = 3
MIN_PREFIX_CHARS = 3
MAX_QUERY_TERMS = 32
MAX_OR_TERMS = 6  # a query with | matches (and scores, facets, highlights) nearly everything: fewer terms
MAX_EXPANSIONS = 50  # terms one fuzzy/prefix term may expand to

FilterValue = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
FilterList = Annotated[list[FilterValue], Field(default_factory=list, max_length=20)]


class SearchParams(BaseModel):
    """Everything a user may ask; validated and bounded. Also the API's query-parameter model,
    so its field aliases (``from``, ``to``) are the public parameter names and unknown
    parameters are rejected instead of silently ignored (a typo like ``contry=RU`` would
    otherwise answer with unfiltered results)."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)

    q: str = Field("", max_length=500, description="free text; supports \"phrases\", -exclude, a | b, prefix*")
    country: FilterList = Field(description="ISO 3166-1 alpha-2 code, e.g. RU; repeat for OR")
    person: FilterList = Field(description="a person's canonical name (case-insensitive)")
    organization: FilterList = Field(description="an organization's canonical name")
    location: FilterList = Field(description="a location's canonical name")
    topic: FilterList = Field(description="a topic, e.g. energy")
    source: FilterList = Field(description="a publisher, e.g. Dawn")
    language: FilterList = Field(description="a language code, e.g. en")
    date_from: date | None = Field(None, alias="from", description="published on or after (YYYY-MM-DD)")
    date_to: date | None = Field(None, alias="to", description="published on or before (YYYY-MM-DD)")
    page: int = Field(1, ge=1, le=1000, description="1-based page number")
    size: int = Field(10, ge=0, le=100, description="hits per page; 0 answers only total and facets")
    sort: Literal["relevance", "newest", "oldest"] = Field(
        "relevance", description="relevance (newest first when q is empty), newest or oldest"
    )
    collapse: bool = Field(True, description="one hit per story with its other versions; false lists every copy")

    @field_validator("q")
    @classmethod
    def _strip_query(cls, value: str) -> str:
        value = " ".join(value.split())
        check_query_cost(value)
        return value

    @field_validator(*FILTER_FIELDS)
    @classmethod
    def _drop_blank(cls, values: list[str]) -> list[str]:
        """``?country=`` means no filter, and a value given twice is one value."""
        return list(dict.fromkeys(v for v in values if v))

    @field_validator("country")
    @classmethod
    def _country_codes(cls, values: list[str]) -> list[str]:
        upper = [v.upper() for v in values]
        bad = [v for v in upper if len(v) != 2 or not v.isalpha()]
        if bad:
            raise ValueError(f"countries are ISO 3166-1 alpha-2 codes such as RU or PK, not {bad[0]!r}")
        return list(dict.fromkeys(upper))

    @model_validator(mode="after")
    def _consistent(self) -> SearchParams:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"'from' ({self.date_from}) is after 'to' ({self.date_to})")
        if self.page * max(self.size, 1) > MAX_RESULT_WINDOW:
            raise ValueError(f"page * size may not exceed {MAX_RESULT_WINDOW}; narrow the search instead")
        return self

    def filters(self) -> dict[str, list[str]]:
        """The non-empty filters by parameter name, e.g. ``{"country": ["RU"]}``."""
        return {name: getattr(self, name) for name in FILTER_FIELDS if getattr(self, name)}


_TERM = re.compile(r"[^\s\"()|+\-~]+\*?")


def check_query_cost(q: str) -> None:
    """ValueError (a 400 at the API) for free text whose cost is unbounded: too many prefix
    terms, too short a prefix, or too many terms."""
    terms = _TERM.findall(q)
    prefixes = [t for t in terms if t.endswith("*")]
    if len(prefixes) > MAX_PREFIX_TERMS:
        raise ValueError(f"at most {MAX_PREFIX_TERMS} prefix terms (word*) in a query; this one has {len(prefixes)}")
    short = [t for t in prefixes if len(t.rstrip("*")) < MIN_PREFIX_CHARS]
    if short:
        raise ValueError(f"a prefix term needs at least {MIN_PREFIX_CHARS} characters before *, not {short[0]!r}")
    if len(terms) > MAX_QUERY_TERMS:
        raise ValueError(f"at most {MAX_QUERY_TERMS} words in a query; this one has {len(terms)}")
    if "|" in q and len(terms) > MAX_OR_TERMS:
        raise ValueError(f"at most {MAX_OR_TERMS} words in a query that uses | (or); this one has {len(terms)}")


def text_query(q: str) -> dict[str, Any]:
    return {
        "simple_query_string": {
            "query": q,
            "fields": list(TEXT_FIELDS),
            "quote_field_suffix": ".exact",
            "default_operator": "and",
            "flags": QUERY_FLAGS,
            "lenient": True,
            "fuzzy_max_expansions": MAX_EXPANSIONS,
        }
    }


def value_filter(field: str, values: list[str]) -> dict[str, Any]:
    """Any of ``values`` on a keyword field, ignoring case: "sergei lavrov" finds "Sergei Lavrov"
    while facets keep showing the names as written."""
    return {
        "bool": {
            "should": [{"term": {field: {"value": v, "case_insensitive": True}}} for v in values],
            "minimum_should_match": 1,
        }
    }


def build_filters(params: SearchParams) -> list[dict[str, Any]]:
    filters = [value_filter(FILTER_FIELDS[name], values) for name, values in params.filters().items()]
    if params.date_from or params.date_to:
        bounds: dict[str, str] = {}
        if params.date_from:
            bounds["gte"] = params.date_from.isoformat()
        if params.date_to:
            bounds["lte"] = params.date_to.isoformat()  # a whole day: rounded up to its last instant
        filters.append({"range": {"published_at": {**bounds, "format": "strict_date"}}})
    return filters


def build_sort(params: SearchParams) -> list[Any] | None:
    order = params.sort
    if order == "relevance" and not params.q:
        order = "newest"  # every score is equal without words: the latest news first
    if order == "relevance":
        return None
    direction = "desc" if order == "newest" else "asc"
    return [{"published_at": {"order": direction, "missing": "_last"}}, "_score", {"id": "asc"}]


def build_query(params: SearchParams) -> dict[str, Any]:
    """Which articles match: the words and the filters, nothing about pages or order. Search
    sends it, and an alert stores it and sends it back for new articles, so both match the same articles."""
    return {
        "bool": {"must": [text_query(params.q)] if params.q else [{"match_all": {}}],
                 "filter": build_filters(params)}
    }


def build_search(params: SearchParams, with_facets: bool = True) -> dict[str, Any]:
    """The body for ``es.search(index=alias, **body)``."""
    body: dict[str, Any] = {
        "query": build_query(params),
        "from": (params.page - 1) * params.size,
        "size": params.size,
        "track_total_hits": True,
        "_source": {"excludes": ["body"]},
        "highlight": {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",  # snippets are safe HTML: only our <mark> tags are markup
            "require_field_match": False,  # a phrase matched on body.exact still lights up body
            "max_analyzed_offset": MAX_HIGHLIGHT_OFFSET,
            "fields": {
                "body": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 2, "no_match_size": SNIPPET_CHARS},
                "title": {"number_of_fragments": 0},
            },
        },
    }
    sort = build_sort(params)
    if sort:
        body["sort"] = sort
    if params.collapse:
        body["collapse"] = {
            "field": STORY_FIELD,
            "inner_hits": {
                "name": "versions", "size": VERSIONS_SHOWN + 1, "_source": VERSION_FIELDS,
                "sort": [{"story.order": {"order": "asc", "missing": "_last"}}],
            },
        }
    if with_facets:
        aggs: dict[str, Any] = {field: {"terms": {"field": field, "size": n}} for field, n in FACET_FIELDS.items()}
        aggs["per_day"] = {
            "date_histogram": {
                "field": "published_at", "calendar_interval": "day", "min_doc_count": 1, "format": "yyyy-MM-dd",
            }
        }
        aggs["undated"] = {"missing": {"field": "published_at"}}
        aggs["stories"] = {"cardinality": {"field": STORY_FIELD, "precision_threshold": 40000}}
        body["aggs"] = aggs
    return body


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def shape_hit(hit: dict[str, Any]) -> dict[str, Any]:
    """One hit; a collapsed one also has ``more_versions`` (how many other matching articles
    its story has) and ``versions`` (the first of them, oldest first, with their sources)."""
    src = hit.get("_source", {})
    highlight = hit.get("highlight", {})
    snippet = " … ".join(highlight.get("body", []))
    shaped = {
        "id": hit["_id"],
        "title": src.get("title"),
        "source": src.get("source"),
        "published_at": src.get("published_at"),
        "url": src.get("url"),
        "snippet": snippet,  # HTML: entities escaped, matches in <mark>
        "title_highlight": _first(highlight.get("title")),
        "score": hit.get("_score"),
        "language": src.get("language"),
        "authors": src.get("authors", []),
        "countries": src.get("countries", []),
        "people": src.get("people", []),
        "organizations": src.get("organizations", []),
        "locations": src.get("locations", []),
        "topics": src.get("topics", []),
        "summary": src.get("summary"),
        "word_count": src.get("word_count"),
        "story_id": src.get("story_id"),
        "duplicate_of": src.get("duplicate_of"),
    }
    versions = hit.get("inner_hits", {}).get("versions", {}).get("hits")
    if versions is not None:
        total = versions["total"]["value"] if isinstance(versions["total"], dict) else int(versions["total"])
        others = [v for v in versions["hits"] if v["_id"] != hit["_id"]][:VERSIONS_SHOWN]
        shaped["more_versions"] = max(total - 1, 0)
        shaped["versions"] = [{"id": v["_id"], **{f: v.get("_source", {}).get(f) for f in VERSION_FIELDS[1:]}}
                              for v in others]
    return shaped


def shape_response(params: SearchParams, response: dict[str, Any]) -> dict[str, Any]:
    """Elasticsearch's answer -> ``{total, hits, facets}`` as the contract describes, plus the
    page, the size, the filters applied, how many matching articles have no date, whether hits
    are collapsed by story and how many stories match (``total`` counts articles)."""
    aggregations = response.get("aggregations") or {}
    facets: dict[str, list[dict[str, Any]]] = {}
    for name in (*FACET_FIELDS, "per_day"):
        key = "key_as_string" if name == "per_day" else "key"
        buckets = aggregations.get(name, {}).get("buckets", [])
        facets[name] = [{"value": b.get(key, b["key"]), "count": b["doc_count"]} for b in buckets]
    total = response["hits"]["total"]
    result: dict[str, Any] = {
        "total": total["value"] if isinstance(total, dict) else int(total),
        "page": params.page,
        "size": params.size,
        "hits": [shape_hit(h) for h in response["hits"]["hits"]],
        "facets": facets,
        "filters": params.filters(),
    }
    result["undated"] = aggregations.get("undated", {}).get("doc_count", 0)
    result["collapse"] = params.collapse
    # Stories among the matching articles: the number of hits pages run through when collapsed.
    stories = aggregations.get("stories", {}).get("value") or result["total"]  # 0: no story_id anywhere
    result["stories"] = min(stories, result["total"])
    return result


def cannot_collapse(error: Exception) -> bool:
    """Elasticsearch refused to collapse because ``story_id`` is not mapped: an index made
    before stories, not yet reached by an indexer of this version. Search then answers without
    collapsing instead of failing."""
    return f"`{STORY_FIELD}` in order to collapse on" in str(error)


def uncollapsed(params: SearchParams) -> SearchParams:
    return params.model_copy(update={"collapse": False})


def empty_response(params: SearchParams) -> dict[str, Any]:
    """The answer when nothing has been indexed yet (the alias does not exist)."""
    return shape_response(params, {"hits": {"total": {"value": 0}, "hits": []}})
