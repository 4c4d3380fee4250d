"""The alerts' pure parts: what an alert keeps, the query it stores, the prefilter's promise
(never drops an alert that can match), match ids, matched fields, webhook retry policy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.alerts.rules import (
    AlertSpec,
    alert_document,
    build_match,
    candidates,
    fields_with,
    filters_may_match,
    match_id,
    match_record,
    match_search,
    matched_fields,
    pairs_of,
    positive_words,
    retryable,
    token_index,
    webhook_delay,
    word_mode,
    words_may_match,
)
from services.search.query import SearchParams, build_query
from shared.contracts.schemas import AlertMatch, IndexedArticle

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def indexed(**fields: object) -> IndexedArticle:
    return IndexedArticle.model_validate({"id": "a1", "body": "text", "content_hash": "h", "indexed_at": NOW, **fields})


def test_an_alert_keeps_the_search_and_stores_the_query_search_sends() -> None:
    spec = AlertSpec.model_validate({"name": "energy-pk", "q": "  energy   deal ", "country": ["pk", "PK"],
                                     "from": "2024-01-01", "webhook": "https://example.org/hook"})
    assert spec.params() == {"q": "energy deal", "country": ["PK"], "from": "2024-01-01"}
    search = SearchParams.model_validate({"q": "energy deal", "country": ["PK"], "from": "2024-01-01"})
    document = alert_document(spec, NOW)
    assert document["query"] == build_query(search)
    assert document["alert"] == {"name": "energy-pk", "webhook": "https://example.org/hook",
                                 "params": spec.params(), "created_at": NOW.isoformat(), "tokens": None}


@pytest.mark.parametrize("body", [
    {"name": "has space", "q": "x"},
    {"name": "ok", "webhook": "ftp://example.org/x"},
    {"name": "ok", "country": ["Russia"]},
    {"name": "ok", "contry": ["RU"]},
])
def test_invalid_alerts_are_refused(body: dict) -> None:
    with pytest.raises(ValidationError):
        AlertSpec.model_validate(body)


def test_match_search_names_each_alert_and_limits_to_the_batch() -> None:
    queries = {"a": build_query(SearchParams(q="energy")), "b": build_query(SearchParams(country=["RU"]))}
    body = match_search(queries, ["x", "y"])
    assert body["query"]["bool"]["filter"] == [{"ids": {"values": ["x", "y"]}}]
    named = body["query"]["bool"]["should"]
    assert [n["bool"]["_name"] for n in named] == ["a", "b"]
    assert {k: v for k, v in named[0]["bool"].items() if k != "_name"} == queries["a"]["bool"]
    hits = [{"_id": "y", "matched_queries": ["b", "a"]}, {"_id": "x", "matched_queries": ["a"]}]
    assert pairs_of(hits) == [("a", "x"), ("a", "y"), ("b", "y")]


@pytest.mark.parametrize(("q", "words"), [
    ("energy deal", ["energy", "deal"]),
    ('"energy cooperation" -oil', ["energy cooperation"]),
    ("+(gas | coal) pipeline", ["gas", "coal", "pipeline"]),
    ("-oil", None),
    ("ener*", None),
    ("gas | -coal", None),
    ("-(gas coal) pipeline", None),
    (r"a\-b", None),
    ("", None),
])
def test_positive_words(q: str, words: list[str] | None) -> None:
    assert positive_words(q) == words


def test_word_modes() -> None:
    assert (word_mode("a b"), word_mode("a | b")) == ("all", "any")


def test_the_prefilter_keeps_every_alert_that_can_match() -> None:
    alerts = {
        "both": {"tokens": {"mode": "all", "groups": [["energi", "energy"], ["deal"]]}, "params": {"q": "energy deal"}},
        "either": {"tokens": {"mode": "any", "groups": [["gas"], ["coal"]]}, "params": {"q": "gas | coal"}},
        "filters": {"tokens": None, "params": {"country": ["ru"]}},
        "pk-words": {"tokens": {"mode": "all", "groups": [["deal"]]}, "params": {"q": "deal", "country": ["PK"]}},
    }
    by_token, always = token_index(alerts)
    assert always == {"filters"}
    article = indexed(countries=["PK"])
    assert candidates(alerts, by_token, always, {"energi", "deal", "coal"}, article) == {"both", "either", "pk-words"}
    assert candidates(alerts, by_token, always, {"energi"}, article) == set()
    assert candidates(alerts, by_token, always, {"deal"}, indexed(countries=["RU"])) == {"filters"}
    assert words_may_match(None, set())
    assert not words_may_match(alerts["both"]["tokens"], {"deal"})


def test_filters_ignore_case_and_need_one_value_of_each() -> None:
    article = indexed(people=["Sergei Lavrov"], source="Dawn", countries=["RU", "PK"])
    assert filters_may_match({"person": ["sergei lavrov"], "source": ["DAWN"]}, article)
    assert filters_may_match({"country": ["US", "PK"]}, article)
    assert not filters_may_match({"country": ["PK"], "topic": ["energy"]}, article)


def test_match_ids_fields_and_records() -> None:
    assert match_id("a", "1") == match_id("a", "1") != match_id("a", "2")
    assert len(match_id("a", "1")) == 32
    assert matched_fields({"q": "x", "country": ["RU"], "to": "2024-01-01"}, ["title", "body.exact", "body"]) == [
        "title", "body", "countries", "published_at"]
    vectors = {"title": {"energi"}, "body.exact": {"energy"}, "people.text": {"lavrov"}}
    tokens = {"mode": "all", "groups": [["energi", "energy"]]}
    assert fields_with(tokens, vectors) == ["title", "body"]
    article = indexed(title="T", url="https://example.org/1", source="Dawn")
    match = build_match("alert", {"q": "energy"}, article, fields_with(tokens, vectors), NOW)
    assert isinstance(match, AlertMatch)
    assert (match.match_id, match.matched_fields, match.indexed_at) == (match_id("alert", "a1"), ["title", "body"], NOW)
    assert match_record(match, None)["delivery"] == "none"
    record = match_record(match, "https://example.org/hook")
    assert (record["delivery"], record["published"], record["attempts"]) == ("pending", False, 0)


def test_webhook_retry_policy() -> None:
    assert [webhook_delay(n, 0.5, 4.0) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert [retryable(s) for s in (500, 503, 429, 408, 400, 404, 410)] == [True, True, True, True, False, False, False]
