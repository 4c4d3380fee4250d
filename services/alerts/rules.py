"""Saved searches as stored queries, and what a match says: pure, no I/O.

An alert is a search kept under a name. Its query is built by ``services.search.query.build_query``,
the builder ``/api/search`` uses, and stored as built. New articles are matched by sending the
stored queries back to the article index, each under its alert's name and limited to the new
articles' ids: an article matches an alert exactly when the alert's search returns it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from services.search.query import FILTER_FIELDS, TEXT_FIELDS, SearchParams, build_query
from shared.contracts.schemas import AlertMatch, IndexedArticle

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
# The search parameters an alert keeps: what matches, never pages or order.
SEARCH_KEYS = ("q", *FILTER_FIELDS, "from", "to")
PAGING = {"page", "size", "sort"}
# Fields whose terms tell which ones an alert's words were found in (phrases search ``.exact``).
TERM_FIELDS = (*(field.split("^")[0] for field in TEXT_FIELDS), "title.exact", "body.exact")
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


def alert_document(spec: AlertSpec, created_at: datetime, tokens: dict[str, Any] | None = None) -> dict[str, Any]:
    """The document stored for an alert (its id is the alert's name): its query as built, and
    itself. ``tokens``: its words as the index analyses them, for the prefilter (None: no prefilter),
    ``{"mode": "all" | "any", "groups": [[forms of a word], ...]}``."""
    return {
        "query": build_query(spec.search()),
        "alert": {
            "name": spec.name,
            "webhook": spec.webhook,
            "params": spec.params(),
            "created_at": created_at.isoformat(),
            "tokens": tokens,
        },
    }


# A simple_query_string term: a phrase (with its leading operators) or a run of other characters.
QUERY_TERM = re.compile(r'[-+|()]*"[^"]*"\)*|[^\s"]+')


def word_mode(q: str) -> str:
    """``any`` when the words are alternatives (``a | b``), else ``all`` (AND is the default operator)."""
    return "any" if "|" in q else "all"


def positive_words(q: str) -> list[str] | None:
    """The words of ``q`` an article must contain at least one of (in some text field) for the
    query to match it; None when no such word can be named: no words, a prefix*, an escape, a
    negated group, or an OR with a negation (``a | -b`` also matches articles without ``a``)."""
    if not q or "\\" in q or re.search(r"-\s*\(", q) or ("|" in q and re.search(r"(^|[\s(|])-", q)):
        return None
    words: list[str] = []
    for term in QUERY_TERM.findall(q):
        negated = False
        while term and term[0] in "-+|(":
            negated = negated or term[0] == "-"
            term = term[1:]
        term = term.rstrip(")")
        if term.endswith("*"):
            return None
        term = term.strip('"').strip()
        if term and term != "|" and not negated:
            words.append(term)
    return words or None


def token_index(alerts: dict[str, dict[str, Any]]) -> tuple[dict[str, set[str]], set[str]]:
    """Analysed token -> the alerts that contain it, and the alerts every article is a candidate
    for as far as words go (no words, or words the prefilter cannot reason about)."""
    by_token: dict[str, set[str]] = {}
    always: set[str] = set()
    for name, alert in alerts.items():
        groups = (alert.get("tokens") or {}).get("groups")
        if not groups:
            always.add(name)
            continue
        for group in groups:
            for token in group:
                by_token.setdefault(token, set()).add(name)
    return by_token, always


def words_may_match(tokens: dict[str, Any] | None, terms: set[str]) -> bool:
    """Whether an article with ``terms`` can hold the alert's words: every word (``all``: words
    joined by AND, the default) or one of them (``any``: an OR), each word in one of its analysed
    forms. A necessary condition only: the search decides."""
    groups = (tokens or {}).get("groups")
    if not groups:
        return True
    present = (bool(terms.intersection(group)) for group in groups)
    return all(present) if tokens.get("mode") == "all" else any(present)


def filters_may_match(params: dict[str, Any], article: IndexedArticle) -> bool:
    """Whether the article has one of the values of each filter the alert sets (ignoring case,
    as the search does). Dates are left to the search."""
    for name, field in FILTER_FIELDS.items():
        wanted = params.get(name)
        if not wanted:
            continue
        value = getattr(article, field, None)
        have = {v.casefold() for v in ([value] if isinstance(value, str) else value or [])}
        if not have & {w.casefold() for w in wanted}:
            return False
    return True


def candidates(alerts: dict[str, dict[str, Any]], by_token: dict[str, set[str]], always: set[str],
               terms: set[str], article: IndexedArticle) -> set[str]:
    """The alerts that may match an article with these terms; never too few (see words_may_match)."""
    found = set(always)
    for term in terms & by_token.keys():
        found |= by_token[term]
    return {name for name in found if words_may_match(alerts[name].get("tokens"), terms)
            and filters_may_match(alerts[name]["params"], article)}


def fields_with(tokens: dict[str, Any] | None, term_vectors: dict[str, set[str]]) -> list[str]:
    """The article's text fields that contain one of the alert's words (``body.exact`` -> body)."""
    if not tokens or not tokens.get("groups"):
        return []
    wanted = {token for group in tokens["groups"] for token in group}
    return list(dict.fromkeys(field_name(f) for f in TERM_FIELDS if wanted & term_vectors.get(f, set())))


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
                    "tokens": {"type": "object", "enabled": False},
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
