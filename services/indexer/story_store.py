"""Stories in Elasticsearch: links between near-duplicates and the merge of their stories.

After a batch is written (each document with its band keys, see ``stories.py``) and the index
refreshed, :func:`link_stories`:

1. finds candidates: documents sharing band keys with each article (``story.bands``, scored by
   the number of shared keys), verified on their bodies;
2. writes each verified pair as a link on both documents (``story.links``) and, on the later
   one, ``duplicate_of`` when the earlier one comes before its current original;
3. walks each touched component through the links with real-time ``mget`` and lowers every
   member's ``story_id`` to the component's first member.

Every write is a read-modify-write with optimistic concurrency (``if_seq_no`` /
``if_primary_term``; the stack runs without scripting): a write that lost a race is re-read and
redone. Why this is race-free: each worker writes its articles *before* it looks for
candidates, so of two near-duplicates indexed at the same time by two workers, at least the one
that refreshes last sees the other (a link is never missed). Link writes happen before the
walk, so the walk of whichever worker adds the last link of a component sees the whole
component. Every change only adds links and lowers keys (``stories.add_link``,
``stories.lower_story``), so changes in any order, repeated or interleaved, end at the same
values: the minimum over the links. A re-delivered article keeps its links and story
(``stories.carry_story``) and finds the same links again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from elasticsearch import AsyncElasticsearch, NotFoundError
from elasticsearch.helpers import async_streaming_bulk

from services.indexer.bulk import BulkAnswer, not_now_as, retryable, sort_items
from services.indexer.stories import (
    MIN_SHARED_KEYS,
    add_links,
    carry_story,
    is_near_duplicate,
    lower_story,
    shingles,
    story_fields,
)
from shared.contracts.outcomes import TransientError
from shared.contracts.schemas import EnrichedArticle
from shared.contracts.settings import Settings
from shared.runtime.retry import RetryPolicy

log = logging.getLogger("newsflow.indexer.stories")

MAX_CANDIDATES = 50  # per article, by shared band keys then id
MAX_COMPONENT = 5000  # members walked per story; beyond, the first of those seen names it
MAX_ROUNDS = 30  # read-modify-write rounds before the batch is retried as a whole
STORY_SOURCE = ["story_id", "duplicate_of", "story"]

Change = Callable[[str, dict[str, Any]], "dict[str, Any] | None"]


async def read_current(es: AsyncElasticsearch, index: str, ids: Sequence[str],
                       source: Sequence[str] = STORY_SOURCE) -> dict[str, dict[str, Any]]:
    """The documents as they are now (real-time ``mget``): id -> hit with ``_source``,
    ``_index``, ``_seq_no`` and ``_primary_term``; absent ids are left out."""
    if not ids:
        return {}
    try:
        answer = await es.mget(index=index, ids=list(ids), source_includes=list(source), realtime=True)
    except NotFoundError:
        return {}
    return {d["_id"]: d for d in answer["docs"] if d.get("found")}


async def conditional_bulk(es: AsyncElasticsearch, actions: list[dict[str, Any]]) -> BulkAnswer:
    """Runs conditional writes once and sorts the answer (``bulk.sort_items``). A request
    Elasticsearch does not answer raises: the caller's retry policy decides."""
    if not actions:
        return BulkAnswer()
    items = [item async for _ok, item in async_streaming_bulk(
        es, actions, raise_on_error=False, raise_on_exception=True, max_retries=0)]
    return sort_items(items)


class StoryRetry(TransientError):
    """Elasticsearch said "not now" (429, 5xx, no answer) to a story update: the linking is
    retried by itself, so the batch's documents, already written, are not written again."""


async def update_each(es: AsyncElasticsearch, settings: Settings, ids: Sequence[str], change: Change) -> None:
    """Applies ``change(id, current story fields)`` to each document with optimistic
    concurrency, re-reading and redoing the ones another writer changed in between."""
    pending = sorted(set(ids))
    for _ in range(MAX_ROUNDS):
        if not pending:
            return
        current = await read_current(es, settings.index_alias, pending)
        actions = []
        for doc_id in pending:
            hit = current.get(doc_id)
            partial = change(doc_id, hit["_source"]) if hit else None
            if partial is not None:
                actions.append({"_op_type": "update", "_index": hit["_index"], "_id": doc_id, "doc": partial,
                                "if_seq_no": hit["_seq_no"], "if_primary_term": hit["_primary_term"]})
        answer = await conditional_bulk(es, actions)
        if answer.refused:
            raise TransientError(f"story update refused: {next(iter(answer.refused.items()))}")
        if answer.retry:  # overloaded: link_stories retries the linking under the retry policy
            raise StoryRetry(f"story update to retry: {next(iter(answer.retry.items()))}")
        pending = sorted(answer.lost)
    raise TransientError(f"{len(pending)} story update(s) kept losing races; the batch is retried")


async def write_documents(es: AsyncElasticsearch, settings: Settings,
                          docs: dict[str, dict[str, Any]]) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Writes each document (a ``to_document`` result) with its story fields: created when new,
    else replaced keeping the links and story it has (``carry_story``), conditionally, so a
    link another worker adds meanwhile is never overwritten. Returns (ids written, ids refused
    with why, ids Elasticsearch asked to retry later with why)."""
    fresh = {i: story_fields(i, d.get("published_at"), d.get("body") or "", d.get("fingerprint"))
             for i, d in docs.items()}
    pending = sorted(docs)
    written: list[str] = []
    refused: dict[str, str] = {}
    retry: dict[str, str] = {}
    for _ in range(MAX_ROUNDS):
        if not pending:
            return written, refused, retry
        current = await read_current(es, settings.index_alias, pending)
        actions = []
        for doc_id in pending:
            hit = current.get(doc_id)
            source = {**docs[doc_id], **carry_story(fresh[doc_id], hit["_source"] if hit else None)}
            if hit is None:
                actions.append({"_op_type": "create", "_index": settings.index_alias, "_id": doc_id,
                                "_source": source})
            else:
                actions.append({"_op_type": "index", "_index": hit["_index"], "_id": doc_id, "_source": source,
                                "if_seq_no": hit["_seq_no"], "if_primary_term": hit["_primary_term"]})
        answer = await conditional_bulk(es, actions)
        refused.update(answer.refused)
        retry.update(answer.retry)
        written += [i for i in pending if i in answer.written]
        # An answer that names none of them (never from Elasticsearch itself) is retried, not taken as written.
        named = answer.written | answer.lost | answer.refused.keys() | answer.retry.keys()
        retry.update({i: "no answer for this document" for i in pending if i not in named})
        pending = sorted(answer.lost)
    raise TransientError(f"{len(pending)} document(s) kept losing write races; the batch is retried")


def candidate_query(article_id: str, bands: Sequence[str]) -> dict[str, Any]:
    """Documents sharing at least MIN_SHARED_KEYS band keys with the article, most shared keys
    first, then by id (``StoryGraph`` ranks the same way)."""
    return {
        "query": {"bool": {
            "should": [{"constant_score": {"filter": {"term": {"story.bands": key}}}} for key in bands],
            "minimum_should_match": MIN_SHARED_KEYS,
            "must_not": [{"ids": {"values": [article_id]}}],
        }},
        "size": MAX_CANDIDATES,
        "sort": [{"_score": "desc"}, {"id": "asc"}],
        "_source": ["body", "story.order"],
    }


async def find_links(es: AsyncElasticsearch, settings: Settings,
                     articles: Sequence[EnrichedArticle]) -> list[tuple[str, str, str, str]]:
    """Verified near-duplicate pairs ``(id, order, other id, other order)`` of the articles."""
    fields = {a.id: story_fields(a.id, a.published_at, a.body, a.fingerprint)["story"] for a in articles}
    searched = [a for a in articles if fields[a.id]["bands"]]
    if not searched:
        return []
    body: list[dict[str, Any]] = []
    for article in searched:
        body += [{"index": settings.index_alias}, candidate_query(article.id, fields[article.id]["bands"])]
    answer = await es.msearch(searches=body)
    links = []
    for article, response in zip(searched, answer["responses"], strict=True):
        if "error" in response:
            failed = StoryRetry if retryable(int(response.get("status") or 500)) else TransientError
            raise failed(f"candidate search failed: {response['error']}")
        own = shingles(article.body)
        for hit in response["hits"]["hits"]:
            other = hit["_source"]
            order = (other.get("story") or {}).get("order")
            if order and is_near_duplicate(own, shingles(other.get("body") or "")):
                links.append((article.id, fields[article.id]["order"], hit["_id"], order))
    return links


async def walk(es: AsyncElasticsearch, settings: Settings, start: str) -> dict[str, dict[str, Any]]:
    """Every document reachable from ``start`` through links: id -> its ``story`` object."""
    members: dict[str, dict[str, Any]] = {}
    frontier = {start}
    while frontier and len(members) < MAX_COMPONENT:
        found = await read_current(es, settings.index_alias, sorted(frontier), ["story"])
        members.update({i: hit["_source"].get("story") or {} for i, hit in found.items()})
        frontier = {link for story in members.values() for link in story.get("links") or []} - members.keys()
    return members


async def link_stories(es: AsyncElasticsearch, settings: Settings, articles: Sequence[EnrichedArticle],
                       policy: RetryPolicy | None = None) -> int:
    """The index refreshed (so the batch just written is searchable, see the module's note on
    races), links found for the batch, then their stories merged; returns the number of
    verified pairs found. "Not now" answers are retried here under the retry policy
    (every change only adds links and lowers keys, so a redone linking ends the same);
    RetriesExhausted when the policy is spent."""
    policy = policy or RetryPolicy.from_settings(settings)

    async def attempt() -> int:
        with not_now_as(StoryRetry, "while linking stories"):
            return await link_once(es, settings, articles)

    return await policy.run(f"indexer: story links in {settings.index_alias}", attempt, retry_on=(StoryRetry,),
                            logger=log)


async def link_once(es: AsyncElasticsearch, settings: Settings, articles: Sequence[EnrichedArticle]) -> int:
    """One linking attempt: refresh, candidates found and verified, links written, stories merged."""
    await es.indices.refresh(index=settings.index_alias)
    links = await find_links(es, settings, articles)
    if not links:
        return 0
    partners: dict[str, set[str]] = {}  # id -> order keys of the articles it is linked to
    for article_id, order, other, other_order in links:
        partners.setdefault(article_id, set()).add(other_order)
        partners.setdefault(other, set()).add(order)

    await update_each(es, settings, list(partners), lambda doc_id, source: add_links(source, partners[doc_id]))
    firsts: dict[str, str] = {}
    for start in sorted(partners):
        if start in firsts:
            continue
        members = await walk(es, settings, start)
        orders = [m["order"] for m in members.values() if m.get("order")]
        for member in members:
            firsts[member] = min(orders) if orders else ""
    await update_each(es, settings, [m for m, k in firsts.items() if k],
                      lambda doc_id, source: lower_story(source, firsts[doc_id]))
    return len(links)
