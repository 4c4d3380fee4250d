"""Search under hostile load: 20 concurrent worst-case queries on 20,000 documents.

    .venv/bin/python bench/search_load.py [--docs 20000] [--concurrency 20] [--keep]

Indexes ``--docs`` synthetic articles (sentences of the seeds, shuffled) into an index of its
own behind a bench alias on the configured Elasticsearch, then sends ``--concurrency`` searches
at once, the way the API sends them (same request body, same deadline), for:
- the costliest queries the API accepts (an OR of short prefixes and words, an AND of the most
  common words, a long phrase of them; all with facets and highlighting), and
- the query that used to take 12-16 s (166 times ``a*``), which the API now refuses with 400
  before Elasticsearch sees it.
Prints per query the slowest and median answer time and whether all answered under 2 s.
The index is deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import time
import uuid
from pathlib import Path

from elasticsearch import AsyncElasticsearch
from pydantic import ValidationError

from services.api.app import search_deadline
from services.indexer.store import bulk_index, ensure_index
from services.search.query import (
    MAX_OR_TERMS,
    MAX_PREFIX_TERMS,
    MAX_QUERY_TERMS,
    MIN_PREFIX_CHARS,
    SearchParams,
    build_search,
)
from shared.contracts.schemas import EnrichedArticle
from shared.contracts.settings import Settings, namespace_overrides
from shared.runtime.elastic import client_options

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0


def synthetic_articles(count: int, rng: random.Random) -> list[EnrichedArticle]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 4]
    people = ["Ana Lopez", "Sergei Lavrov", "Mary Chen", "Omar Haddad", "John Smith"]
    places = ["Paris", "Karachi", "Moscow", "Lagos", "Lima"]
    articles = []
    for n in range(count):
        body = "\n\n".join(" ".join(rng.sample(sentences, 5)) for _ in range(4))
        articles.append(EnrichedArticle(
            id=f"bench-{n}", title=" ".join(rng.sample(sentences, 1)[0].split()[:10]), body=body,
            word_count=len(body.split()), content_hash=f"{n:064x}", source=rng.choice(["Dawn", "Reuters", "AP"]),
            people=rng.sample(people, 2), locations=rng.sample(places, 2), countries=["PK", "FR"][: 1 + n % 2],
            topics=[rng.choice(["energy", "politics", "economy"])], language="en",
        ))
    return articles


COMMON = [
    "the", "and", "of", "to", "in", "on", "for", "with", "that", "was", "is", "by", "said", "as", "at", "from",
    "its", "has", "it", "an", "be", "are", "were",
]


def worst_accepted_queries(words: list[str]) -> dict[str, str]:
    """The costliest shapes the API accepts: OR of common prefixes and words (matches nearly
    everything), AND of the most common words, and a long phrase of them."""
    prefixes = [f"{w[:MIN_PREFIX_CHARS]}*" for w in ("the", "and", "pre")][:MAX_PREFIX_TERMS]
    rare = [w for w in words if len(w) > 3]
    return {
        "worst OR query": " | ".join(prefixes + rare[: MAX_OR_TERMS - len(prefixes)]),
        "worst AND query": " ".join(prefixes + (COMMON * 2)[: MAX_QUERY_TERMS - len(prefixes)]),
        "worst phrase query": '"' + " ".join((COMMON * 2)[:MAX_QUERY_TERMS]) + '"',
    }


async def timed(es: AsyncElasticsearch, settings: Settings, q: str) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        params = SearchParams(q=q)
    except ValidationError:
        return time.perf_counter() - started, "400"
    try:
        await es.search(index=settings.index_alias, timeout=search_deadline(settings), **build_search(params))
        outcome = "200"
    except Exception as exc:  # a timeout is a 503 at the API
        outcome = f"503 {type(exc).__name__}"
    return time.perf_counter() - started, outcome


async def main(docs: int, concurrency: int, keep: bool, reuse: str | None = None) -> int:
    base = Settings()
    name = reuse.removesuffix("-articles") if reuse else f"bench-search-{uuid.uuid4().hex[:6]}"
    settings = base.model_copy(update=namespace_overrides(name))
    rng = random.Random(7)
    es = AsyncElasticsearch(**{**client_options(settings), "request_timeout": settings.search_timeout,
                               "max_retries": 0})
    writer = AsyncElasticsearch(**{**client_options(settings), "request_timeout": 120})
    try:
        articles = synthetic_articles(docs, rng)
        if reuse is None:
            index = await ensure_index(writer, settings)
            await writer.indices.put_settings(index=index, settings={"refresh_interval": "-1"})
            started = time.perf_counter()
            for i in range(0, len(articles), 1000):
                await bulk_index(writer, settings, articles[i:i + 1000])
            await writer.indices.put_settings(index=index, settings={"refresh_interval": "1s"})
            await writer.indices.refresh(index=index)
            await writer.indices.forcemerge(index=index, max_num_segments=1)
            print(f"indexed {docs} documents in {time.perf_counter() - started:.0f} s")
        count = (await writer.count(index=settings.index_alias))["count"]
        print(f"alias {settings.index_alias}: {count} documents")
        words = sorted({w.lower() for a in articles[:50] for w in re.findall(r"[A-Za-z]+", a.body)})
        queries = {**worst_accepted_queries(rng.sample(words, min(len(words), 60))),
                   "166 x a* (refused)": " ".join(["a*"] * 166)}
        failed = False
        for label, q in queries.items():
            await timed(es, settings, q)  # warm
            results = await asyncio.gather(*(timed(es, settings, q) for _ in range(concurrency)))
            seconds = [s for s, _ in results]
            outcomes = sorted({o for _, o in results})
            ok = max(seconds) < TARGET_SECONDS
            failed |= not ok
            print(f"{label}: {concurrency} concurrent, slowest {max(seconds):.2f} s, median "
                  f"{statistics.median(seconds):.2f} s, answers {outcomes} -> {'under' if ok else 'OVER'} "
                  f"{TARGET_SECONDS:g} s\n  q={q[:120]!r}")
        return 1 if failed else 0
    finally:
        if not keep:
            await writer.indices.delete(index=f"{settings.index_alias}-v*", ignore_unavailable=True)
            await writer.options(ignore_status=404).indices.delete_index_template(
                name=f"newsflow-{settings.index_alias}")
        await es.close()
        await writer.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the index (its alias is printed)")
    parser.add_argument("--reuse", metavar="ALIAS", help="search a kept index instead of indexing anew")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.docs, args.concurrency, args.keep or bool(args.reuse), args.reuse)))
