"""The HTTP API against the real stack: the five seeds go through the real pipeline into their
own alias, and an app built on that namespace's settings searches them."""

from __future__ import annotations

import json
import socket
from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.search.query import FACET_FIELDS
from shared.contracts.settings import PROJECT_ROOT, Settings

# What a careful reader expects of each seed (committed with the evaluation tools).
GOLD = json.loads((PROJECT_ROOT / "eval" / "gold" / "seeds-gold.json").read_text(encoding="utf-8"))["articles"]

DAWN_MOU = "000_c628a8884a65bf52.txt"
DAWN_2018 = "001_de591d6ebb0430a2.txt"
BUSINESS_RECORDER = "002_ceec6d890d34f096.txt"


@pytest.fixture(scope="module")
def client(seeds_pipeline, indexed_seeds: dict[str, dict]) -> Iterator[TestClient]:
    with TestClient(create_app(seeds_pipeline.settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def by_file(indexed_seeds: dict[str, dict]) -> dict[str, str]:
    """Seed file name -> article id."""
    return {doc["metadata"]["file"]: article_id for article_id, doc in indexed_seeds.items()}


def search(client: TestClient, **params: object) -> dict:
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(result: dict) -> list[str]:
    return [h["id"] for h in result["hits"]]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


# ------------------------------------------------------------------------------ finding ---


def test_energy_finds_the_dawn_mou_article(client: TestClient, by_file: dict[str, str]) -> None:
    result = search(client, q="energy")
    assert by_file[DAWN_MOU] in ids(result)
    hit = next(h for h in result["hits"] if h["id"] == by_file[DAWN_MOU])
    assert {"id", "title", "source", "published_at", "url", "snippet"} <= hit.keys()
    assert "<mark>" in hit["snippet"].lower() and "energy" in hit["snippet"].lower()


def test_country_and_person_find_the_business_recorder_article(client: TestClient, by_file: dict[str, str]) -> None:
    assert "Sergei Lavrov" in GOLD[BUSINESS_RECORDER]["people"] and "RU" in GOLD[BUSINESS_RECORDER]["countries"]
    result = search(client, country="RU", person="Sergei Lavrov")
    assert ids(result) == [by_file[BUSINESS_RECORDER]], result
    assert result["total"] == 1
    assert result["filters"] == {"country": ["RU"], "person": ["Sergei Lavrov"]}
    # the same filter written loosely: lower-case country code and name
    assert ids(search(client, country="ru", person="sergei lavrov")) == [by_file[BUSINESS_RECORDER]]


def test_a_quoted_phrase_matches_word_for_word(client: TestClient, by_file: dict[str, str]) -> None:
    result = search(client, q='"Sergei Lavrov"')
    assert ids(result) == [by_file[BUSINESS_RECORDER]]
    assert "<mark>Lavrov</mark>" in result["hits"][0]["snippet"]


def test_words_must_all_match(client: TestClient) -> None:
    assert search(client, q="energy zzzunknownword")["total"] == 0


# ------------------------------------------------------------------------------- facets ---


def expected_facets(docs: list[dict]) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}
    for field in FACET_FIELDS:
        counter: Counter = Counter()
        for doc in docs:
            value = doc.get(field)
            for v in set(value if isinstance(value, list) else [value] if value else []):
                counter[v] += 1
        counts[field] = counter
    counts["per_day"] = Counter(d["published_at"][:10] for d in docs if d.get("published_at"))
    return counts


def assert_facets_agree(result: dict, docs: list[dict]) -> None:
    expected = expected_facets(docs)
    for name, counter in expected.items():
        got = {b["value"]: b["count"] for b in result["facets"][name]}
        if name == "per_day":
            assert got == dict(counter), name
            continue
        size = len(got)
        assert size == min(len(counter), FACET_FIELDS[name]), name
        for value, count in got.items():
            assert counter[value] == count, (name, value)
        # the top values are the most frequent ones
        assert min(got.values(), default=0) >= (sorted(counter.values(), reverse=True)[size:] or [0])[0]
    assert result["undated"] == sum(1 for d in docs if not d.get("published_at"))


def test_facets_count_the_documents(client: TestClient, indexed_seeds: dict[str, dict]) -> None:
    result = search(client, size=0)
    assert result["total"] == len(indexed_seeds) == 5
    assert result["hits"] == []
    assert_facets_agree(result, list(indexed_seeds.values()))


def test_facets_follow_the_filters(client: TestClient, indexed_seeds: dict[str, dict]) -> None:
    result = search(client, country="RU", size=100)
    matching = [d for d in indexed_seeds.values() if "RU" in d["countries"]]
    assert len(matching) >= 4  # the gold has RU in all five seeds
    assert sorted(ids(result)) == sorted(d["id"] for d in matching)
    assert_facets_agree(result, matching)


def test_a_facet_value_narrows_to_the_articles_that_have_it(client: TestClient,
                                                            indexed_seeds: dict[str, dict]) -> None:
    everything = search(client, size=0)
    person = everything["facets"]["people"][0]
    narrowed = search(client, person=person["value"], size=100)
    assert narrowed["total"] == person["count"]
    assert all(person["value"] in indexed_seeds[i]["people"] for i in ids(narrowed))


# --------------------------------------------------------------------------------- dates ---


def test_seed_dates_are_indexed(indexed_seeds: dict[str, dict], by_file: dict[str, str]) -> None:
    for name, gold in GOLD.items():
        published = indexed_seeds[by_file[name]].get("published_at")
        assert (published or "")[:10] == (gold["published_date"] or ""), name


def test_date_range_filters(client: TestClient, indexed_seeds: dict[str, dict], by_file: dict[str, str]) -> None:
    def files(result: dict) -> set[str]:
        return {indexed_seeds[i]["metadata"]["file"] for i in ids(result)}

    assert files(search(client, **{"from": "2024-01-01"})) == {DAWN_MOU, BUSINESS_RECORDER}
    assert files(search(client, to="2020-01-01")) == {DAWN_2018}
    assert files(search(client, **{"from": "2018-03-03", "to": "2018-03-03"})) == {DAWN_2018}  # whole day
    assert files(search(client, **{"from": "2024-09-20", "to": "2024-10-31"})) == {DAWN_MOU}
    assert search(client, **{"from": "2030-01-01"})["total"] == 0
    # consistent with the documents whatever their dates are
    result = search(client, **{"from": "2024-01-01", "to": "2024-12-31"}, size=100)
    expected = {i for i, d in indexed_seeds.items() if (d.get("published_at") or "")[:4] == "2024"}
    assert set(ids(result)) == expected


def test_sort_by_date_puts_undated_last(client: TestClient) -> None:
    newest = [h["published_at"] for h in search(client, sort="newest", size=100)["hits"]]
    dated = [d for d in newest if d]
    assert dated == sorted(dated, reverse=True)
    assert newest == dated + [None] * (len(newest) - len(dated))
    oldest = [h["published_at"] for h in search(client, sort="oldest", size=100)["hits"]]
    assert [d for d in oldest if d] == sorted(dated)


# ---------------------------------------------------------------------------- pagination ---


def test_pagination_walks_every_article_once(client: TestClient, indexed_seeds: dict[str, dict]) -> None:
    pages = [search(client, size=2, page=n) for n in (1, 2, 3, 4)]
    assert [len(p["hits"]) for p in pages] == [2, 2, 1, 0]
    assert all(p["total"] == 5 for p in pages)
    seen = [i for p in pages for i in ids(p)]
    assert sorted(seen) == sorted(indexed_seeds)
    assert pages[1]["page"] == 2 and pages[1]["size"] == 2


# ------------------------------------------------------------------------------ articles ---


def test_get_article_returns_the_indexed_document(client: TestClient, indexed_seeds: dict[str, dict]) -> None:
    article_id, doc = next(iter(indexed_seeds.items()))
    response = client.get(f"/api/articles/{article_id}")
    assert response.status_code == 200
    assert response.json() == {"id": article_id, **doc}


def test_missing_article_is_404(client: TestClient) -> None:
    response = client.get("/api/articles/no-such-article")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "no article with id 'no-such-article'"}


def test_article_html_page(client: TestClient, indexed_seeds: dict[str, dict], by_file: dict[str, str]) -> None:
    article_id = by_file[BUSINESS_RECORDER]
    response = client.get(f"/articles/{article_id}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Lavrov" in response.text
    assert f'href="/api/articles/{article_id}"' in response.text
    assert client.get("/articles/nope").status_code == 404


def test_page_and_openapi(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<title>newsflow" in page.text
    assert client.get("/docs").status_code == 200
    params = {p["name"] for p in client.get("/openapi.json").json()["paths"]["/api/search"]["get"]["parameters"]}
    assert params == {"q", "country", "person", "organization", "location", "topic", "source", "language",
                      "from", "to", "page", "size", "sort", "collapse"}


# --------------------------------------------------------------------------- bad requests ---


@pytest.mark.parametrize(
    "params,parameter,message",
    [
        ({"contry": "RU"}, "contry", "unknown parameter"),
        ({"query": '{"match_all": {}}'}, "query", "unknown parameter"),
        ({"from": "2024-02-01", "to": "2024-01-01"}, "query", "is after"),
        ({"from": "last week"}, "from", "valid date"),
        ({"size": 101}, "size", "less than or equal to 100"),
        ({"size": "ten"}, "size", "valid integer"),
        ({"page": 0}, "page", "greater than or equal to 1"),
        ({"page": 101, "size": 100}, "query", "may not exceed 10000"),
        ({"sort": "random"}, "sort", "'relevance', 'newest' or 'oldest'"),
        ({"q": "x" * 501}, "q", "at most 500"),
        ({"country": "Russia"}, "country", "alpha-2"),
        ({"person": ["p"] * 21}, "person", "at most 20"),
        ({"source": "s" * 201}, "source.0", "at most 200"),
    ],
)
def test_bad_search_requests_are_400_with_the_reason(client: TestClient, params: dict, parameter: str,
                                                     message: str) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    assert any(p["parameter"] == parameter and message in p["message"] for p in body["detail"]), body


def test_article_id_too_long_is_400(client: TestClient) -> None:
    response = client.get("/api/articles/" + "x" * 201)
    assert response.status_code == 400
    assert response.json()["detail"][0]["parameter"] == "article_id"


# ------------------------------------------------------------------------------- health ---


def test_healthz_ok_when_both_answer(client: TestClient, seeds_pipeline) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["elasticsearch"]["ok"] and body["kafka"]["ok"]
    assert body["elasticsearch"]["alias"] == seeds_pipeline.settings.index_alias
    assert body["elasticsearch"]["documents"] == 5


def test_elasticsearch_down_gives_503_with_the_reason(base_settings: Settings) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    with TestClient(create_app(base_settings.model_copy(update={"elasticsearch_url": url}))) as down:
        health = down.get("/healthz")
        assert health.status_code == 503
        assert health.json()["elasticsearch"]["ok"] is False and health.json()["kafka"]["ok"] is True
        assert url in health.json()["reason"]
        for path in ("/api/search?q=energy", "/api/articles/anything"):
            response = down.get(path)
            assert response.status_code == 503, path
            assert response.json()["error"] == "search_unavailable"
            assert url in response.json()["detail"]


def test_kafka_down_gives_503_with_the_reason(base_settings: Settings) -> None:
    bootstrap = f"127.0.0.1:{closed_port()}"
    with TestClient(create_app(base_settings.model_copy(update={"kafka_bootstrap": bootstrap}))) as down:
        health = down.get("/healthz")
        assert health.status_code == 503
        body = health.json()
        assert body["kafka"]["ok"] is False and body["elasticsearch"]["ok"] is True
        assert "Kafka" in body["reason"] and bootstrap in body["reason"]


def test_nothing_indexed_yet_is_an_empty_answer(base_settings: Settings) -> None:
    settings = base_settings.model_copy(update={"index_alias": "newsflow-test-no-such-alias"})
    with TestClient(create_app(settings)) as empty:
        result = empty.get("/api/search", params={"q": "energy"}).json()
        assert result["total"] == 0 and result["hits"] == []
        assert empty.get("/api/articles/x").status_code == 404
