"""Stories' pure logic: shingles, band keys, verification, naming, and the merge steps."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from services.cleaner.fingerprint import fingerprint
from services.indexer.stories import (
    BANDS,
    StoryGraph,
    StoryInput,
    add_link,
    add_links,
    band_keys,
    carry_story,
    first_linked_before,
    is_near_duplicate,
    lower_story,
    order_key,
    shingles,
    similarity,
    story_fields,
    story_of,
    with_story,
)
from services.search.query import SearchParams, build_search, shape_hit, shape_response
from shared.contracts.settings import PROJECT_ROOT

SEEDS = sorted((PROJECT_ROOT / "seeds").glob("*.txt"))


def seed_body(index: int) -> str:
    return SEEDS[index].read_text(encoding="utf-8").split("\n", 1)[1].strip()


def syndicated(body: str, rng: random.Random) -> str:
    """Another outlet's version: lines of its own around it, the last paragraph cut, a few
    words changed."""
    paragraphs = body.split("\n\n")[:-1]
    words = "\n\n".join(paragraphs).split(" ")
    for i in rng.sample(range(len(words)), 4):
        words[i] = "changed"
    return "Harbour Ledger | Home | World\n\n" + " ".join(words) + "\n\nSign up for our newsletter."


def test_a_syndicated_copy_is_a_near_duplicate_and_other_seeds_are_not() -> None:
    rng = random.Random(1)
    originals = [shingles(seed_body(i)) for i in range(len(SEEDS))]
    for i, original in enumerate(originals):
        copy = shingles(syndicated(seed_body(i), rng))
        assert is_near_duplicate(original, copy) and is_near_duplicate(copy, original)
        for j, other in enumerate(originals):
            if j != i:  # five different articles on the same subject
                assert not is_near_duplicate(original, other), (SEEDS[i].name, SEEDS[j].name)
                assert similarity(original, other).containment < 0.2


def test_truncation_keeps_containment_high_but_a_quote_is_not_a_copy() -> None:
    body = seed_body(0)
    paragraphs = body.split("\n\n")
    half = "\n\n".join(paragraphs[: len(paragraphs) // 2])
    full, part = shingles(body), shingles(half)
    sim = similarity(full, part)
    assert sim.containment == 1.0 and sim.jaccard < 0.7
    assert is_near_duplicate(full, part)
    quote = shingles(paragraphs[2])
    assert similarity(full, quote).containment == 1.0
    assert not is_near_duplicate(full, quote)  # one paragraph of a long article is not a copy of it
    assert not is_near_duplicate(shingles("Too short to tell."), shingles("Too short to tell."))


def test_band_keys_are_stable_and_shared_by_copies() -> None:
    body = seed_body(1)
    keys = band_keys(shingles(body), fingerprint(body))
    assert keys == band_keys(shingles(body), fingerprint(body))
    assert len(keys) == BANDS + 4 and len(set(keys)) == len(keys)
    copy = syndicated(body, random.Random(2))
    assert set(keys) & set(band_keys(shingles(copy), fingerprint(copy)))
    other = seed_body(2)
    assert len(set(keys) & set(band_keys(shingles(other), fingerprint(other)))) <= 1
    assert band_keys(shingles("a few words"), None) == []


def test_order_keys_sort_by_time_then_id_undated_last() -> None:
    early = datetime(2024, 1, 1, 23, tzinfo=UTC)
    same_instant = datetime(2024, 1, 2, 1, tzinfo=UTC) - timedelta(hours=2)
    keys = [order_key(None, "a"), order_key(early, "b"), order_key(same_instant.isoformat(), "a"),
            order_key("2023-12-31T23:00:00-05:00", "c")]
    # 23:00 -05:00 is 04:00 UTC; "a" and "b" at the same instant go by id; undated last
    assert sorted(keys) == [keys[3], keys[2], keys[1], keys[0]]
    assert story_of(keys) == "c" and story_of(keys[:3]) == "a"
    assert first_linked_before(keys[1], [keys[0], keys[3]]) == "c"
    assert first_linked_before(keys[3], [keys[0], keys[1], keys[2]]) is None


def story_set() -> list[StoryInput]:
    rng = random.Random(5)
    articles = []
    base = datetime(2024, 9, 20, tzinfo=UTC)
    for i in range(len(SEEDS)):
        body = seed_body(i)
        articles.append(StoryInput(f"seed{i}", body, base + timedelta(hours=i), fingerprint(body)))
        for n in range(2):
            copy = syndicated(body, rng)
            articles.append(StoryInput(f"copy{i}-{n}", copy, base + timedelta(hours=rng.randint(-30, 30)),
                                       fingerprint(copy)))
    articles.append(StoryInput("undated-copy", syndicated(seed_body(0), rng), None))
    return articles


def test_stories_depend_on_the_links_only_never_on_arrival_order() -> None:
    articles = story_set()
    results = []
    for seed in range(4):
        order = list(articles)
        random.Random(seed).shuffle(order)
        results.append({k: (a.story_id, a.duplicate_of) for k, a in StoryGraph().add_all(order).assignments().items()})
    assert all(r == results[0] for r in results)
    by_story: dict[str, list[StoryInput]] = {}
    for article in articles:
        by_story.setdefault(results[0][article.id][0], []).append(article)
    assert len(by_story) == len(SEEDS)
    for story_id, members in by_story.items():
        first = min(members, key=lambda a: order_key(a.published_at, a.id))
        assert story_id == first.id
        assert results[0][first.id][1] is None
        assert all(results[0][m.id][1] == first.id for m in members if m is not first)  # all alike here
        assert {m.id.split("-")[0].replace("copy", "seed").replace("undated", "seed0") for m in members} \
            == {first.id.split("-")[0].replace("copy", "seed").replace("undated", "seed0")}


def merge(doc: dict, partial: dict | None) -> dict:
    if partial is None:
        return doc
    merged = {**doc, **{k: v for k, v in partial.items() if k != "story"}}
    merged["story"] = {**doc["story"], **partial.get("story", {})}
    return merged


def test_merge_steps_converge_in_any_order() -> None:
    """The Elasticsearch path applies these as conditional writes, in whatever order workers
    get to them: every order ends at the same document."""
    keys = {"a": order_key("2024-01-03T00:00:00Z", "a"), "b": order_key("2024-01-01T00:00:00Z", "b"),
            "c": order_key("2024-01-02T00:00:00Z", "c"), "d": order_key(None, "d")}
    start = story_fields("a", "2024-01-03T00:00:00Z", seed_body(0), None)
    steps = [("link", keys["b"]), ("link", keys["c"]), ("link", keys["d"]), ("story", keys["c"]),
             ("story", keys["b"]), ("link", keys["b"])]
    finals = set()
    for order in itertools.permutations(steps):
        doc = start
        for kind, key in order:
            doc = merge(doc, add_link(doc, key) if kind == "link" else lower_story(doc, key))
        finals.add((doc["story_id"], doc["duplicate_of"], tuple(doc["story"]["links"]), doc["story"]["key"]))
    assert finals == {("b", "b", ("b", "c", "d"), keys["b"])}
    assert add_link(merge(start, add_link(start, keys["b"])), keys["b"]) is None  # nothing twice
    together = merge(start, add_links(start, [keys["d"], keys["c"], keys["b"]]))
    assert (together["duplicate_of"], together["story"]["links"]) == ("b", ["b", "c", "d"])
    assert add_links(together, [keys["c"]]) is None


def test_a_rewritten_article_keeps_its_story() -> None:
    body = seed_body(1)
    old = merge(merge(story_fields("x", "2024-05-01T00:00:00Z", body, None),
                      add_link(story_fields("x", "2024-05-01T00:00:00Z", body, None), order_key("2024-04-01", "y"))),
                {"story_id": "y", "story": {"key": order_key("2024-04-01", "y")}})
    again = carry_story(story_fields("x", "2024-05-01T00:00:00Z", body, None), old)
    assert (again["story_id"], again["duplicate_of"], again["story"]["links"]) == ("y", "y", ["y"])
    assert again["story"]["bands"] == old["story"]["bands"]
    fresh = carry_story(story_fields("x", None, body, None), None)
    assert (fresh["story_id"], fresh["duplicate_of"], fresh["story"]["links"]) == ("x", None, [])
    assert with_story("x", {"body": body})["story_id"] == "x"
    assert with_story("x", {"body": body, **old})["story_id"] == "y"


@pytest.mark.parametrize("collapse", [True, False])
def test_search_collapses_on_story_id_with_versions(collapse: bool) -> None:
    body = build_search(SearchParams(q="energy", collapse=collapse))
    assert ("collapse" in body) is collapse
    if collapse:
        assert body["collapse"]["field"] == "story_id"
        assert body["collapse"]["inner_hits"]["sort"] == [{"story.order": {"order": "asc", "missing": "_last"}}]
    assert body["aggs"]["stories"]["cardinality"]["field"] == "story_id"


def test_a_collapsed_hit_lists_its_other_versions() -> None:
    versions = [{"_id": i, "_source": {"title": f"T{i}", "source": s, "published_at": None, "url": None}}
                for i, s in (("a", "Dawn"), ("b", "Ledger"), ("c", "Tribune"))]
    hit = {"_id": "b", "_score": 1.0, "_source": {"title": "Tb", "story_id": "a", "duplicate_of": "a"},
           "inner_hits": {"versions": {"hits": {"total": {"value": 3}, "hits": versions}}}}
    shaped = shape_hit(hit)
    assert (shaped["story_id"], shaped["duplicate_of"], shaped["more_versions"]) == ("a", "a", 2)
    assert [(v["id"], v["source"]) for v in shaped["versions"]] == [("a", "Dawn"), ("c", "Tribune")]
    response = {"hits": {"total": {"value": 7}, "hits": [hit]}, "aggregations": {"stories": {"value": 4}}}
    result = shape_response(SearchParams(), response)
    assert (result["total"], result["stories"], result["collapse"]) == (7, 4, True)
    assert "more_versions" not in shape_hit({**hit, "inner_hits": {}})
