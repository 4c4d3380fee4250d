"""Stories end to end: seeds and republished copies of them through the real pipeline.

Three seeds are each republished twice (other boilerplate, an edited headline, the last
paragraph cut, a few words changed, another source and time; one copy dated before the seed),
two seeds stay alone: five stories, eleven articles. One pipeline runs two indexer workers and
gets the articles in one order, another runs one indexer and gets them in the reverse order:
both must end with the same story_id and duplicate_of for every article, the ones the
construction implies (a story is named by its first member by publication time, then id).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.cleaner.fingerprint import fingerprint
from services.indexer.worker import IndexerLogic
from shared.contracts.schemas import EnrichedArticle, IndexedArticle, RawArticle
from shared.contracts.settings import Settings
from shared.runtime.elastic import sync_client
from tests.integration.conftest import NEWSFLOW, Pipeline, api_server, seed_articles
from tests.integration.test_browser_search import browser, hit_ids, page, ready

__all__ = ["browser", "page"]  # fixtures shared with the search page's tests

COPIED = ("000_c628a8884a65bf52.txt", "002_ceec6d890d34f096.txt", "003_b34446580c40c96b.txt")
OUTLETS = ("Harbour Ledger", "Valley Tribune")
SWAPS = {"said": "stated", "also": "additionally", "agreed": "decided", "Thursday": "Friday", "new": "fresh"}


def republish(seed: RawArticle, outlet: str, when: datetime, rng: random.Random) -> RawArticle:
    """The seed as another outlet runs it: its own furniture around the text, a new headline,
    the last paragraph cut and a few words changed."""
    title, _, body = seed.content.partition("\n")
    paragraphs = [p for p in body.strip().split("\n\n") if p.strip()][:-1]
    changed = 0
    for i in rng.sample(range(len(paragraphs)), len(paragraphs)):
        for old, new in SWAPS.items():
            if changed < 4 and f" {old} " in paragraphs[i]:
                paragraphs[i] = paragraphs[i].replace(f" {old} ", f" {new} ", 1)
                changed += 1
    text = "\n\n".join([
        f"{outlet} | Home | World | Business | Sport | Opinion",
        f"UPDATE 1-{title.strip()}",
        *paragraphs,
        "Sign up for our morning newsletter and never miss a story.",
        f"© {when.year} {outlet}. All rights reserved. Privacy policy · Terms · Contact",
    ])
    slug = "-".join(title.lower().split()[:5])
    return RawArticle(url=f"https://{outlet.lower().replace(' ', '')}.example/{slug}", source=outlet,
                      title=f"UPDATE 1-{title.strip()}", content=text, published_at=when)


def syndication_set() -> tuple[list[RawArticle], dict[str, str]]:
    """The articles, and for each copy the seed file it copies (seeds map to themselves)."""
    rng = random.Random(12)
    articles, truth = [], {}
    for seed in seed_articles():
        name = seed.metadata["file"]
        articles.append(seed)
        if name in COPIED:
            base = datetime(2024, 9, 20, 12, tzinfo=UTC)
            for outlet, shift in zip(OUTLETS, (timedelta(days=1), timedelta(days=-400)), strict=True):
                copy = republish(seed, outlet, base + shift, rng)
                copy.metadata["copy_of"] = name
                articles.append(copy)
    for article in articles:
        truth[article.url or article.metadata["file"]] = article.metadata.get("copy_of") or article.metadata["file"]
    return articles, truth


def story_state(pipeline: Pipeline) -> dict[str, tuple[str, str | None, tuple[str, ...]]]:
    return {i: (d.get("story_id"), d.get("duplicate_of"), tuple(sorted((d.get("story") or {}).get("links") or [])))
            for i, d in pipeline.documents().items()}


def expected_state(docs: dict[str, dict], truth: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    """What the construction implies: each group named by its first member by (published_at,
    id), undated last; every copy's duplicate_of is the first member before it that it is
    linked to (here all members of a group are near-identical to each other)."""
    groups: dict[str, list[str]] = {}
    for doc_id, doc in docs.items():
        groups.setdefault(truth[doc.get("url") or doc["metadata"]["file"]], []).append(doc_id)

    def when(doc_id: str) -> tuple[str, str]:
        return (docs[doc_id].get("published_at") or "9999", doc_id)

    expected = {}
    for members in groups.values():
        ordered = sorted(members, key=when)
        for position, member in enumerate(ordered):
            expected[member] = (ordered[0], ordered[0] if position else None)
    return expected


def settle(pipeline: Pipeline, expected: dict[str, tuple[str, str | None]], timeout: float = 90) -> None:
    pipeline.wait_for(lambda: {k: v[:2] for k, v in story_state(pipeline).items()} == expected, timeout,
                      "every article in its expected story")


@pytest.fixture(scope="module")
def stories(make_pipeline) -> dict:
    articles, truth = syndication_set()
    order = list(articles)
    random.Random(3).shuffle(order)
    two = make_pipeline("stories2").start(["cleaner", "extractor", "indexer", "indexer"])
    one = make_pipeline("stories1").start()
    ids_two = two.publish(order)
    ids_one = one.publish(list(reversed(order)))
    docs = two.wait_for_ids(ids_two, timeout=240)
    one.wait_for_ids(ids_one, timeout=240)
    expected = expected_state(docs, truth)
    return {"two": two, "one": one, "docs": docs, "truth": truth, "expected": expected, "articles": articles}


def test_two_workers_and_one_in_another_order_give_the_same_stories(stories: dict) -> None:
    expected = stories["expected"]
    assert len(set(v[0] for v in expected.values())) == 5 and len(expected) == 11
    settle(stories["two"], expected)
    settle(stories["one"], expected)
    assert story_state(stories["two"]) == story_state(stories["one"])
    for doc in stories["two"].documents().values():  # the documented index document
        assert IndexedArticle.model_validate(doc).story_id == doc["story_id"]


def test_the_copy_dated_first_names_the_story(stories: dict) -> None:
    settle(stories["two"], stories["expected"])
    docs = stories["two"].documents()
    for doc_id, doc in docs.items():
        if doc.get("source") == OUTLETS[1]:  # dated 400 days before every seed
            assert doc["story_id"] == doc_id and doc["duplicate_of"] is None
            members = [d for d in docs.values() if d["story_id"] == doc_id]
            assert len(members) == 3


def test_a_redelivered_article_keeps_its_story(stories: dict) -> None:
    pipeline = stories["two"]
    settle(pipeline, stories["expected"])
    before = story_state(pipeline)
    copy = next(a for a in stories["articles"] if a.source == OUTLETS[0])
    article_id = pipeline.publish([copy])[0]
    indexed_at = stories["docs"][article_id]["indexed_at"]
    pipeline.wait_for(lambda: pipeline.documents()[article_id]["indexed_at"] != indexed_at, 90, "the re-delivery")
    time.sleep(1)
    assert story_state(pipeline) == before


def race_set(rng: random.Random) -> tuple[list[EnrichedArticle], dict[str, str]]:
    """Each seed and three syndicated copies of it, as the indexer receives them."""
    articles, truth = [], {}
    base = datetime(2024, 9, 20, tzinfo=UTC)
    for seed in seed_articles():
        _title, _, body = seed.content.partition("\n")
        texts = [body.strip()] + [republish(seed, outlet, base, rng).content for outlet in (*OUTLETS, "Northwire")]
        for n, text in enumerate(texts):
            article_id = f"{seed.metadata['file'][:3]}-{n}"
            when = None if n == 3 else base + timedelta(hours=rng.randint(-48, 48))
            articles.append(EnrichedArticle(id=article_id, body=text, content_hash=article_id, published_at=when,
                                            fingerprint=fingerprint(text)))
            truth[article_id] = seed.metadata["file"]
    return articles, truth


async def index_concurrently(settings: Settings, articles: list[EnrichedArticle], workers: int,
                             rng: random.Random) -> None:
    """``workers`` indexer logics at once, each handling its own small batches in turn."""
    logics = [IndexerLogic(settings) for _ in range(workers)]
    shares: list[list[list[EnrichedArticle]]] = [[] for _ in logics]
    order = list(articles)
    rng.shuffle(order)
    while order:
        size = rng.randint(1, 3)
        shares[rng.randrange(workers)].append(order[:size])
        order = order[size:]

    async def run(logic: IndexerLogic, batches: list[list[EnrichedArticle]]) -> None:
        await logic.start()
        try:
            for batch in batches:
                results = await logic.handle(batch)
                assert [r.id for r in results if isinstance(r, IndexedArticle)] == [a.id for a in batch]
        finally:
            await logic.stop()

    await asyncio.gather(*(run(logic, share) for logic, share in zip(logics, shares, strict=True)))


def test_racing_indexers_end_with_the_same_stories(base_settings: Settings) -> None:
    """Three indexers at once, small batches, two different interleavings: the stories are
    those the construction implies, every time."""
    rng = random.Random(21)
    articles, truth = race_set(rng)
    expected: dict[str, str] = {}
    for name in set(truth.values()):
        members = [a for a in articles if truth[a.id] == name]
        first = min(members, key=lambda a: ((a.published_at or datetime.max.replace(tzinfo=UTC)), a.id))
        expected.update({a.id: first.id for a in members})
    outcomes = []
    for trial in range(2):
        settings = base_settings.model_copy(update={"index_alias": f"t{uuid.uuid4().hex[:8]}-race{trial}-articles"})
        asyncio.run(index_concurrently(settings, articles, 3, rng))
        with sync_client(settings) as es:
            es.indices.refresh(index=settings.index_alias)
            hits = es.search(index=settings.index_alias, size=100, source_includes=["story_id", "duplicate_of"],
                             query={"match_all": {}})["hits"]["hits"]
            es.indices.delete(index=f"{settings.index_alias}-v*")
        outcomes.append({h["_id"]: (h["_source"]["story_id"], h["_source"]["duplicate_of"]) for h in hits})
        assert {k: v[0] for k, v in outcomes[-1].items()} == expected
    assert outcomes[0] == outcomes[1]


@pytest.fixture(scope="module")
def client(stories: dict) -> Iterator[TestClient]:
    settle(stories["two"], stories["expected"])
    with TestClient(create_app(stories["two"].settings)) as test_client:
        yield test_client


def test_search_collapses_a_story_into_one_hit_with_its_versions(client: TestClient, stories: dict) -> None:
    expected = stories["expected"]
    result = client.get("/api/search", params={"size": 20}).json()
    assert (result["total"], result["stories"], result["collapse"]) == (11, 5, True)
    assert len(result["hits"]) == 5
    assert sorted(h["story_id"] for h in result["hits"]) == sorted(set(v[0] for v in expected.values()))
    for hit in result["hits"]:
        members = [i for i, v in expected.items() if v[0] == hit["story_id"]]
        assert hit["more_versions"] == len(members) - 1
        assert {v["id"] for v in hit["versions"]} == set(members) - {hit["id"]}
        if len(members) == 3:
            assert {v["source"] for v in hit["versions"]} <= {*OUTLETS, stories["docs"][hit["story_id"]]["source"],
                                                             *(stories["docs"][m]["source"] for m in members)}
    every = client.get("/api/search", params={"size": 20, "collapse": "false"}).json()
    assert (every["total"], len(every["hits"]), every["collapse"]) == (11, 11, False)
    assert all("more_versions" not in h for h in every["hits"])


def test_the_stories_route_lists_a_story_oldest_first(client: TestClient, stories: dict) -> None:
    expected, docs = stories["expected"], stories["docs"]
    for story_id in set(v[0] for v in expected.values()):
        answer = client.get(f"/api/stories/{story_id}")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        ids = [a["id"] for a in body["articles"]]
        assert body["total"] == len(ids) == sum(1 for v in expected.values() if v[0] == story_id)
        assert ids[0] == story_id
        dates = [docs[i].get("published_at") or "9999" for i in ids]
        assert dates == sorted(dates)
        assert [a["duplicate_of"] for a in body["articles"]] == [expected[i][1] for i in ids]
    copy_id, (story_id, original) = next((i, v) for i, v in expected.items() if v[1])
    page = client.get(f"/articles/{copy_id}").text
    assert f'href="/api/stories/{story_id}"' in page and f'href="/articles/{original}"' in page
    missing = client.get("/api/stories/no-such-story")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_cli_shows_more_versions(stories: dict) -> None:
    settle(stories["two"], stories["expected"])
    run = stories["two"].run_cli("search", "--no-facets", "--size", "20")
    assert run.returncode == 0, run.stderr.decode()
    out = run.stdout.decode()
    assert "5 stories (11 articles)" in out
    assert out.count("2 more versions") == 3
    every = stories["two"].run_cli("search", "--no-facets", "--size", "20", "--no-collapse")
    assert "11 article(s)" in every.stdout.decode() and "more version" not in every.stdout.decode()


def test_an_index_made_before_stories_is_searched_then_upgraded(base_settings: Settings) -> None:
    """Search answers uncollapsed over an index without the story fields; the first batch an
    indexer writes adds them in place, and a reindex gives old documents their own story."""
    from services.indexer.mapping import index_mappings

    settings = base_settings.model_copy(update={"index_alias": f"t{uuid.uuid4().hex[:8]}-upgrade-articles"})
    mappings = index_mappings()
    for name in ("story_id", "duplicate_of", "story"):
        mappings["properties"].pop(name)
    old = f"{settings.index_alias}-v2"
    body = seed_articles()[0].content
    with sync_client(settings) as es:
        es.indices.create(index=old, mappings=mappings, aliases={settings.index_alias: {"is_write_index": True}})
        es.index(index=settings.index_alias, id="old", document={"id": "old", "title": "Old", "body": body},
                 refresh=True)
        try:
            with TestClient(create_app(settings)) as client:
                before = client.get("/api/search", params={"q": "Pakistan"}).json()
                assert (before["total"], before["collapse"], [h["id"] for h in before["hits"]]) == (1, False, ["old"])
                copy = EnrichedArticle(id="new", body=body, content_hash="h", fingerprint=fingerprint(body))
                logic = IndexerLogic(settings)

                async def index_one() -> list:
                    await logic.start()
                    try:
                        return await logic.handle([copy])
                    finally:
                        await logic.stop()

                assert [r.id for r in asyncio.run(index_one()) if isinstance(r, IndexedArticle)] == [copy.id]
                after = client.get("/api/search", params={"q": "Pakistan"}).json()
                assert after["collapse"] is True and after["total"] == 2
                run = subprocess.run([NEWSFLOW, "reindex"], capture_output=True, timeout=120, check=False,
                                     env={**os.environ, "NEWSFLOW_INDEX_ALIAS": settings.index_alias})
                assert run.returncode == 0, run.stderr.decode()
                es.indices.refresh(index=settings.index_alias)
                docs = {h["_id"]: h["_source"] for h in es.search(index=settings.index_alias)["hits"]["hits"]}
                assert docs["old"]["story_id"] == "old" and docs["old"]["story"]["bands"]
                assert docs["new"]["story_id"] == "new"  # linked only when an article is indexed again
        finally:
            es.indices.delete(index=f"{settings.index_alias}-v*")


# The page's test comes last: the browser's event loop stays up for the rest of the module.
@pytest.fixture(scope="module")
def server(stories: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``newsflow api`` on the two-worker namespace, as users run it."""
    settle(stories["two"], stories["expected"])
    with api_server(stories["two"], tmp_path_factory.mktemp("stories-api") / "api.log") as base:
        yield base


@pytest.mark.browser
def test_the_page_shows_one_hit_per_story_and_every_version_on_demand(stories: dict, server: str, page) -> None:
    expected = stories["expected"]
    page.goto(server + "/")
    ready(page)
    assert page.locator("#summary").inner_text() == "1–5 of 5 stories (11 articles)"
    assert len(hit_ids(page)) == 5
    copied = [s for s in set(v[0] for v in expected.values()) if sum(v[0] == s for v in expected.values()) == 3]
    hit = page.locator(f'#hits li.hit[data-story="{copied[0]}"]')
    toggle = hit.locator("button.more-versions")
    assert toggle.inner_text() == "2 more versions"
    assert not hit.locator(".version-list").is_visible()
    toggle.click()
    versions = hit.locator(".version-list li").evaluate_all("items => items.map(i => i.dataset.id)")
    shown = hit.get_attribute("data-id")
    assert set(versions) == {i for i, v in expected.items() if v[0] == copied[0]} - {shown}

    page.locator("#every-version").check()
    page.wait_for_function("document.querySelectorAll('#hits li.hit').length === 10")
    ready(page)
    assert "collapse=false" in page.url
    assert page.locator("#summary").inner_text() == "1–10 of 11 articles"
    assert page.locator("#hits button.more-versions").count() == 0

