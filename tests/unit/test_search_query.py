"""The query builder shared by the API and the CLI: what users may ask, and the exact request
Elasticsearch receives. No cluster needed."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.search.query import (
    FACET_FIELDS,
    FILTER_FIELDS,
    MAX_RESULT_WINDOW,
    SearchParams,
    build_search,
    empty_response,
    shape_response,
)


def filters_of(body: dict) -> list[dict]:
    return body["query"]["bool"]["filter"]


def test_no_words_matches_everything_newest_first() -> None:
    body = build_search(SearchParams())
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"][0] == {"published_at": {"order": "desc", "missing": "_last"}}
    assert filters_of(body) == []
    assert (body["from"], body["size"]) == (0, 10)


def test_words_go_through_simple_query_string_never_raw_dsl() -> None:
    body = build_search(SearchParams(q='  energy   "Sergei Lavrov" -dawn '))
    sqs = body["query"]["bool"]["must"][0]["simple_query_string"]
    assert sqs["query"] == 'energy "Sergei Lavrov" -dawn'
    assert sqs["default_operator"] == "and"
    assert sqs["quote_field_suffix"] == ".exact"  # phrases match word for word, unstemmed
    assert sqs["lenient"] is True
    assert "title^3" in sqs["fields"] and "body" in sqs["fields"] and "people.text^2" in sqs["fields"]
    assert "FUZZY" not in sqs["flags"] and "SLOP" not in sqs["flags"]
    assert "sort" not in body  # relevance


@pytest.mark.parametrize("sort,order", [("newest", "desc"), ("oldest", "asc")])
def test_date_sorts_put_undated_articles_last(sort: str, order: str) -> None:
    body = build_search(SearchParams(q="x", sort=sort))
    assert body["sort"][0] == {"published_at": {"order": order, "missing": "_last"}}
    assert body["sort"][-1] == {"id": "asc"}  # a stable order for pagination


def test_filters_are_case_insensitive_terms_or_within_and_across() -> None:
    params = SearchParams(country=["ru", "PK"], person=["sergei lavrov"], topic=["energy"])
    filters = filters_of(build_search(params))
    assert len(filters) == 3
    country, person, topic = filters
    assert country == {"bool": {"minimum_should_match": 1, "should": [
        {"term": {"countries": {"value": "RU", "case_insensitive": True}}},
        {"term": {"countries": {"value": "PK", "case_insensitive": True}}},
    ]}}
    assert person["bool"]["should"] == [{"term": {"people": {"value": "sergei lavrov", "case_insensitive": True}}}]
    assert topic["bool"]["should"][0]["term"]["topics"]["value"] == "energy"


def test_every_filter_parameter_maps_to_its_field() -> None:
    params = SearchParams(**{name: ["x" if name != "country" else "XX"] for name in FILTER_FIELDS})
    fields = [next(iter(f["bool"]["should"][0]["term"])) for f in filters_of(build_search(params))]
    assert fields == list(FILTER_FIELDS.values())


def test_blank_and_repeated_values_are_dropped() -> None:
    params = SearchParams(source=["", "  ", "Dawn", " Dawn "], country=["ru", "RU"])
    assert params.filters() == {"source": ["Dawn"], "country": ["RU"]}


def test_date_range_uses_public_names_from_and_to() -> None:
    params = SearchParams.model_validate({"from": "2024-01-01", "to": "2024-12-31"})
    assert (params.date_from, params.date_to) == (date(2024, 1, 1), date(2024, 12, 31))
    assert filters_of(build_search(params)) == [
        {"range": {"published_at": {"gte": "2024-01-01", "lte": "2024-12-31", "format": "strict_date"}}}
    ]
    only_to = SearchParams(date_to=date(2020, 1, 1))  # by field name too (the CLI)
    assert filters_of(build_search(only_to)) == [{"range": {"published_at": {"lte": "2020-01-01",
                                                                            "format": "strict_date"}}}]


def test_pagination_offsets() -> None:
    body = build_search(SearchParams(page=3, size=20))
    assert (body["from"], body["size"]) == (40, 20)


def test_size_zero_answers_only_counts_and_facets() -> None:
    body = build_search(SearchParams(size=0))
    assert body["size"] == 0 and "aggs" in body


def test_facets_and_articles_per_day() -> None:
    aggs = build_search(SearchParams())["aggs"]
    for field in FACET_FIELDS:
        assert aggs[field]["terms"]["field"] == field
    assert aggs["per_day"]["date_histogram"] == {
        "field": "published_at", "calendar_interval": "day", "min_doc_count": 1, "format": "yyyy-MM-dd"}
    assert aggs["undated"] == {"missing": {"field": "published_at"}}
    assert "aggs" not in build_search(SearchParams(), with_facets=False)


def test_body_stays_out_of_hits_and_snippets_are_escaped_html() -> None:
    body = build_search(SearchParams(q="x"))
    assert body["_source"] == {"excludes": ["body"]}
    highlight = body["highlight"]
    assert highlight["encoder"] == "html" and highlight["pre_tags"] == ["<mark>"]
    assert highlight["fields"]["body"]["no_match_size"] > 0  # a snippet even when only the title matched
    assert highlight["max_analyzed_offset"] > 0  # huge bodies never make the search fail


@pytest.mark.parametrize(
    "raw,problem",
    [
        ({"from": "2024-02-01", "to": "2024-01-01"}, "after"),
        ({"from": "yesterday"}, "date"),
        ({"country": ["Russia"]}, "alpha-2"),
        ({"page": 0}, "greater than or equal"),
        ({"size": 101}, "less than or equal"),
        ({"page": 200, "size": 100}, str(MAX_RESULT_WINDOW)),
        ({"sort": "random"}, "relevance"),
        ({"q": "x" * 501}, "at most 500"),
        ({"person": ["p"] * 21}, "at most 20"),
        ({"person": ["p" * 201]}, "at most 200"),
        ({"query": {"match_all": {}}}, "Extra inputs"),  # no raw DSL, no unknown parameter
        ({"contry": "RU"}, "Extra inputs"),
    ],
)
def test_bad_input_is_refused_with_a_reason(raw: dict, problem: str) -> None:
    with pytest.raises(ValidationError) as info:
        SearchParams.model_validate(raw)
    assert problem in str(info.value)


def es_answer() -> dict:
    return {
        "_shards": {"total": 1},
        "hits": {
            "total": {"value": 7, "relation": "eq"},
            "hits": [{
                "_id": "a1", "_score": 2.5,
                "_source": {"title": "Pakistan, Russia sign MoU", "source": "Dawn", "published_at": "2024-09-20",
                            "url": "https://example.org/a1", "countries": ["PK", "RU"], "summary": "s"},
                "highlight": {"body": ["<mark>energy</mark> one", "two &amp; <mark>energy</mark>"],
                              "title": ["Pakistan, Russia sign <mark>MoU</mark>"]},
            }],
        },
        "aggregations": {
            "countries": {"buckets": [{"key": "PK", "doc_count": 7}, {"key": "RU", "doc_count": 5}]},
            "per_day": {"buckets": [{"key": 1726790400000, "key_as_string": "2024-09-20", "doc_count": 2}]},
            "undated": {"doc_count": 3},
        },
    }


def test_shape_response_follows_the_contract() -> None:
    params = SearchParams(q="energy", country=["pk"])
    result = shape_response(params, es_answer())
    assert result["total"] == 7
    hit = result["hits"][0]
    assert {"id", "title", "source", "published_at", "url", "snippet"} <= hit.keys()
    assert hit["id"] == "a1" and hit["source"] == "Dawn"
    assert hit["snippet"] == "<mark>energy</mark> one … two &amp; <mark>energy</mark>"
    assert hit["title_highlight"] == "Pakistan, Russia sign <mark>MoU</mark>"
    assert result["facets"]["countries"] == [{"value": "PK", "count": 7}, {"value": "RU", "count": 5}]
    assert result["facets"]["per_day"] == [{"value": "2024-09-20", "count": 2}]
    assert result["facets"]["people"] == []  # every facet is always there
    assert result["undated"] == 3
    assert result["filters"] == {"country": ["PK"]}


def test_empty_response_when_nothing_is_indexed() -> None:
    result = empty_response(SearchParams(q="x"))
    assert result["total"] == 0 and result["hits"] == []
    assert set(result["facets"]) == {*FACET_FIELDS, "per_day"}
