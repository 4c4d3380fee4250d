"""Benchmark: how soon a match is on articles.alerts after its article became searchable, with
many saved alerts.

Saves ``--alerts`` alerts (default 1,000: two-word searches over the seeds' vocabulary and common
news words, a third of them with a country or topic filter) plus one probe alert that every
article matches, starts one indexer and one alerts worker in their own namespace, then feeds
enriched articles (the seeds, extracted once, with a varied closing paragraph and new ids) at
``--rate`` per second for ``--seconds``: the load the pipeline sustains (its steady stream is
4 articles/s, its peak 7.5/s, see README). For each probe match it takes

    latency = time the match is read from articles.alerts - the article's indexed_at

``indexed_at`` is stamped before the bulk write, and an article becomes searchable at the
refresh after that write, so this is an upper bound of the time from searchable to the topic.
Prints p50/p95/p99/max, the share within 2 s, and the matches per article.

    .venv/bin/python bench/alerts.py [--alerts 1000] [--rate 4] [--seconds 60]

Needs the local stack (`newsflow stack up`); uses its own topics, consumer groups and indices.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from services.alerts.rules import AlertSpec, alert_document
from services.alerts.store import alerts_index, analysed_tokens, ensure_alert_indices, matches_index
from services.cleaner.clean import RejectedArticle, clean_article
from services.extractor.extract import Extractor
from services.producer.samples import varied_articles
from shared.contracts.schemas import AlertMatch, EnrichedArticle
from shared.contracts.settings import Settings, namespace_overrides
from shared.devstack import Stack
from shared.runtime.elastic import async_client, sync_client
from shared.runtime.kafka import ensure_topics, new_consumer, producer

ROOT = Path(__file__).resolve().parent.parent
NEWSFLOW = str(Path(sys.executable).parent / "newsflow")
PROBE = "benchprobe"
console = Console()

NEWS_TEXT = (
    "election minister parliament budget inflation tariff sanctions ceasefire protest court verdict strike "
    "pipeline refinery drought flood earthquake vaccine hospital university startup merger acquisition "
    "bankruptcy lawsuit border refugee embassy summit treaty missile satellite rocket railway airport harbour "
    "shipping cargo wheat rice cotton copper lithium cobalt uranium solar wind nuclear coal oil gas electricity "
    "bond currency dollar euro rupee yuan rouble exports imports deficit surplus unemployment wages pension tax "
    "subsidy privatisation corruption scandal resignation coalition opposition referendum census"
)
NEWS_WORDS = tuple(NEWS_TEXT.split())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def enriched_seeds(settings: Settings) -> list[EnrichedArticle]:
    """The seeds cleaned and extracted once, as the pipeline would."""
    cleaned = []
    for raw in varied_articles(5, "seed"):
        with contextlib.suppress(RejectedArticle):
            cleaned.append(clean_article(raw))
    return Extractor.from_settings(settings).extract(cleaned)


def alert_specs(count: int, seeds: list[EnrichedArticle], rng: random.Random, mix: str = "dense") -> list[AlertSpec]:
    """``dense``: words from the seeds' keywords and common news words, so about 3% of the alerts
    match each article; ``sparse``: common news words only, about 0.5%."""
    vocabulary = sorted(set(NEWS_WORDS) | ({k.lower() for a in seeds for k in a.keywords if k.isalpha()}
                                           if mix == "dense" else set()))
    countries = sorted({c for a in seeds for c in a.countries} | {"US", "CN", "DE", "FR", "BR", "IN"})
    topics = sorted({t for a in seeds for t in a.topics})
    specs = [AlertSpec(name="probe", q=PROBE)]
    for number in range(count):
        params: dict[str, object] = {"name": f"alert-{number:05d}", "q": " ".join(rng.sample(vocabulary, 2))}
        roll = rng.random()
        if roll < 0.2:
            params["country"] = [rng.choice(countries)]
        elif roll < 0.33 and topics:
            params["topic"] = [rng.choice(topics)]
        specs.append(AlertSpec.model_validate(params))
    return specs


def articles_for(seeds: list[EnrichedArticle], count: int, prefix: str, rng: random.Random) -> list[EnrichedArticle]:
    made = []
    for number in range(count):
        seed = seeds[number % len(seeds)]
        extra = f"Update {number}: {' '.join(rng.sample(NEWS_WORDS, 6))}. Reference {PROBE}."
        made.append(seed.model_copy(update={"id": f"{prefix}-{number}", "body": f"{seed.body}\n\n{extra}"}))
    return made


async def save_alerts(settings: Settings, specs: list[AlertSpec]) -> float:
    """Store the alerts as ``add_alert`` does (same document, same analysed words), in bulk."""
    es = async_client(settings)
    try:
        started = time.perf_counter()
        await ensure_alert_indices(es, settings)
        operations: list[dict] = []
        for spec in specs:
            tokens = await analysed_tokens(es, settings, spec.q)
            operations += [{"create": {"_index": alerts_index(settings), "_id": spec.name}},
                           alert_document(spec, datetime.now(UTC), tokens)]
        await es.bulk(operations=operations, refresh="wait_for")
        return time.perf_counter() - started
    finally:
        await es.close()


async def feed(settings: Settings, articles: list[EnrichedArticle], rate: float) -> None:
    async with producer(settings) as prod:
        started = time.monotonic()
        for number, article in enumerate(articles):
            await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
            await prod.send_and_wait(settings.topic_enriched, key=article.id.encode(), value=article.to_json_bytes())


async def collect(settings: Settings, wanted: set[str], seen: dict[str, datetime], indexed: dict[str, datetime],
                  counts: dict[str, int], stop: threading.Event) -> None:
    """Read articles.alerts: every match counted, the probe's latency noted per article."""
    consumer = new_consumer(settings, settings.topic_alerts, group_id=None, auto_offset_reset="latest")
    await consumer.start()
    try:
        while not stop.is_set() and len(seen) < len(wanted):
            batches = await consumer.getmany(timeout_ms=200)
            now = datetime.now(UTC)
            for messages in batches.values():
                for message in messages:
                    match = AlertMatch.model_validate_json(message.value)
                    counts[match.article_id] = counts.get(match.article_id, 0) + 1
                    if match.alert == "probe" and match.article_id in wanted and match.indexed_at:
                        seen.setdefault(match.article_id, now)
                        indexed.setdefault(match.article_id, match.indexed_at)
    finally:
        await consumer.stop()


def poll_searchable(es, settings: Settings, wanted: set[str], found: dict[str, datetime]) -> None:
    """Note when each article first shows up in a search (polled every 0.1 s)."""
    missing = list(wanted - found.keys())
    if missing:
        hits = es.options(ignore_status=404).search(index=settings.index_alias, query={"ids": {"values": missing}},
                                                    size=len(missing), source=False)
        now = datetime.now(UTC)
        for hit in hits.get("hits", {}).get("hits", []):
            found.setdefault(hit["_id"], now)
    time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=1000, help="saved alerts besides the probe (default 1000)")
    parser.add_argument("--rate", type=float, default=4.0, help="articles per second (default 4: the steady stream)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to feed articles (default 60)")
    parser.add_argument("--mix", choices=("dense", "sparse"), default="dense",
                        help="dense: about 3%% of the alerts match each article (default); sparse: about 0.5%%")
    args = parser.parse_args()

    base = Settings()
    if not Stack(base).is_up():
        raise SystemExit("the local stack is not up: run `newsflow stack up` first")
    name = f"bench{uuid.uuid4().hex[:6]}-alerts"
    overrides = {**namespace_overrides(name), "log_level": os.environ.get("BENCH_LOG_LEVEL", "WARNING")}
    settings = base.model_copy(update=overrides)
    env = dict(os.environ, **{f"NEWSFLOW_{k.upper()}": str(v) for k, v in overrides.items()})
    rng = random.Random(5)

    console.print("extracting the seeds once")
    seeds = enriched_seeds(settings)
    specs = alert_specs(args.alerts, seeds, rng, args.mix)
    asyncio.run(ensure_topics(settings))
    saved_in = asyncio.run(save_alerts(settings, specs))
    console.print(f"saved {len(specs)} alerts in {saved_in:.1f} s")

    logs = ROOT / "bench" / "results" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    workers = []
    for stage in ("indexer", "alerts"):
        out = open(logs / f"alerts-bench-{stage}.log", "wb")  # noqa: SIM115 - lives as long as the worker
        workers.append(subprocess.Popen([NEWSFLOW, "worker", stage], env=env, stdout=out, stderr=subprocess.STDOUT))
    es = sync_client(settings)
    try:
        # Warm up: both workers joined their groups when a first article's probe match arrives.
        warm = articles_for(seeds, 1, f"{name}-warm", rng)
        seen: dict[str, datetime] = {}
        indexed_at: dict[str, datetime] = {}
        counts: dict[str, int] = {}
        stop = threading.Event()
        asyncio.run(feed(settings, warm, 1.0))
        deadline = time.monotonic() + 180
        while not es.options(ignore_status=404).count(index=matches_index(settings),
                                                      query={"term": {"article_id": warm[0].id}})["count"]:
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise SystemExit(f"the workers did not warm up; see {logs}")
            time.sleep(0.5)

        articles = articles_for(seeds, int(args.rate * args.seconds), name, rng)
        wanted = {a.id for a in articles}
        reader = threading.Thread(target=lambda: asyncio.run(collect(settings, wanted, seen, indexed_at, counts, stop)))
        reader.start()
        time.sleep(2)  # the reader is positioned at the end of the topic
        console.print(f"feeding {len(articles)} articles at {args.rate:g}/s")
        searchable_at: dict[str, datetime] = {}
        feeder = threading.Thread(target=lambda: asyncio.run(feed(settings, articles, args.rate)))
        feeder.start()
        while feeder.is_alive():
            poll_searchable(es, settings, wanted, searchable_at)
        feeder.join()
        deadline = time.monotonic() + 60
        while len(searchable_at) < len(wanted) and time.monotonic() < deadline:
            poll_searchable(es, settings, wanted, searchable_at)
        reader.join(timeout=60)
        stop.set()
        reader.join()
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
        behind_alias = list(es.options(ignore_status=404).indices.get(index=f"{settings.index_alias}-v*").body)
        for index in (alerts_index(settings), matches_index(settings), *behind_alias):
            es.options(ignore_status=404).indices.delete(index=index)
        es.close()

    from_searchable = [(seen[a] - searchable_at[a]).total_seconds() for a in seen if a in searchable_at]
    from_indexed = [(seen[a] - indexed_at[a]).total_seconds() for a in seen if a in indexed_at]
    if not from_searchable:
        raise SystemExit(f"no probe match arrived; see {logs}")
    per_article = sum(counts.get(a, 0) for a in wanted) / len(wanted)
    console.print(f"[bold]alerts[/]: {len(specs)} saved ({args.alerts} + 1 probe, {args.mix}); "
                  f"articles: {len(wanted)} at {args.rate:g}/s; probe matches seen: {len(seen)}/{len(wanted)}; "
                  f"matches per article: {per_article:.1f}")
    for label, values in (("searchable -> on articles.alerts", from_searchable),
                          ("indexed_at -> on articles.alerts", from_indexed)):
        within = sum(1 for v in values if v <= 2.0) / len(values)
        console.print(f"[bold]{label}[/]: p50 {percentile(values, 0.5):.2f} s, p95 {percentile(values, 0.95):.2f} s, "
                      f"p99 {percentile(values, 0.99):.2f} s, max {max(values):.2f} s; within 2 s: {100 * within:.1f}%")


if __name__ == "__main__":
    main()
