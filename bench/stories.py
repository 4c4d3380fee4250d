"""What stories cost the indexer: articles/s with story linking against plain bulk writes.

    .venv/bin/python bench/stories.py [--articles 600] [--batch 64]

The articles are the seeds and the gold bodies of ../shared/eval/news-pages-dev.jsonl.gz, each
with two syndicated copies (as ``eval/stories.py`` makes them, without the page around them),
written to a fresh alias of the local Elasticsearch in batches of ``--batch``: once through the
indexer's logic (write, refresh, candidates, verification, links, merge), once as plain bulk
``index`` actions (what the indexer did before stories). Prints articles/s of wall time and of
this process's CPU time, and how many links were found. Needs the stack (``newsflow stack up``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from pathlib import Path

import _root  # noqa: F401  (the repository root on the import path, for eval/)
from elasticsearch.helpers import async_bulk

from eval.stories import change_words, load_originals
from services.cleaner.fingerprint import fingerprint
from services.indexer.store import ensure_index, to_document
from services.indexer.worker import IndexerLogic
from shared.contracts.schemas import EnrichedArticle
from shared.contracts.settings import Settings
from shared.runtime.elastic import async_client

ROOT = Path(__file__).resolve().parents[1]


def articles(count: int) -> list[EnrichedArticle]:
    rng = random.Random(3)
    result = []
    for n, original in enumerate(load_originals()):
        paragraphs = original.body.split("\n\n")
        for copy in range(3):
            kept = paragraphs if copy == 0 else paragraphs[: max(1, len(paragraphs) - copy)]
            text = "\n\n".join(change_words(p, rng, 1)[0] for p in kept)
            result.append(EnrichedArticle(id=f"a{n}-{copy}", body=text, content_hash=f"{n}-{copy}",
                                          fingerprint=fingerprint(text), published_at=original.published))
    rng.shuffle(result)
    return result[:count]


async def with_stories(settings: Settings, docs: list[EnrichedArticle], batch: int) -> None:
    logic = IndexerLogic(settings)
    await logic.start()
    try:
        for i in range(0, len(docs), batch):
            await logic.handle(docs[i:i + batch])
    finally:
        await logic.stop()


async def plain(settings: Settings, docs: list[EnrichedArticle], batch: int) -> None:
    es = async_client(settings)
    try:
        await ensure_index(es, settings)
        for i in range(0, len(docs), batch):
            await async_bulk(es, ({"_op_type": "index", "_index": settings.index_alias, "_id": a.id,
                                   "_source": to_document(a)} for a in docs[i:i + batch]))
    finally:
        await es.close()


async def links(settings: Settings) -> int:
    es = async_client(settings)
    try:
        await es.indices.refresh(index=settings.index_alias)
        answer = await es.search(index=settings.index_alias, size=0, query={"exists": {"field": "duplicate_of"}})
        return answer["hits"]["total"]["value"]
    finally:
        await es.indices.delete(index=f"{settings.index_alias}-v*")
        await es.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    docs = articles(args.articles)
    for name, run in (("plain bulk", plain), ("with stories", with_stories)):
        settings = Settings(index_alias=f"bench{uuid.uuid4().hex[:6]}-articles")
        wall, cpu = time.perf_counter(), time.process_time()
        asyncio.run(run(settings, docs, args.batch))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        copies = asyncio.run(links(settings))
        print(f"{name:13} {len(docs)} articles in batches of {args.batch}: {len(docs) / wall:7.1f} articles/s wall, "
              f"{len(docs) / cpu:7.1f} articles/s of CPU; {copies} articles with duplicate_of")


if __name__ == "__main__":
    main()
