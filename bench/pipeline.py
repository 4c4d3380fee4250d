"""Benchmark: the streaming pipeline against a plain single-process loop, in one run.

Publishes N realistic articles (the seeds, varied, distinct ids) through Kafka to one worker per
stage and measures end-to-end throughput and publish-to-searchable latency (p50/p95/p99), and
each worker's CPU use; then runs the same clean -> extract -> bulk-index work in one process
without Kafka as the baseline. Prints a table and writes bench/results/pipeline.json.

    .venv/bin/python bench/pipeline.py [--articles 2000]

Needs the local stack (`newsflow stack up`); uses its own topics, consumer groups and index.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.cleaner.clean import RejectedArticle, clean_article  # noqa: E402
from services.extractor.extract import Extractor  # noqa: E402
from services.indexer.store import bulk_index, ensure_index  # noqa: E402
from services.producer.publish import Publisher, publish  # noqa: E402
from services.producer.samples import varied_articles  # noqa: E402
from shared.elastic import async_client, sync_client  # noqa: E402
from shared.schemas import RawArticle  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.stack import Stack  # noqa: E402

console = Console()
NEWSFLOW = str(Path(sys.executable).parent / "newsflow")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def namespace(base: Settings, label: str) -> tuple[Settings, dict[str, str]]:
    name = f"bench{uuid.uuid4().hex[:6]}-{label}"
    overrides = {
        "topic_raw": f"{name}.articles.raw", "topic_clean": f"{name}.articles.clean",
        "topic_enriched": f"{name}.articles.enriched", "topic_dlq": f"{name}.articles.dlq",
        "index_alias": f"{name}-articles", "group_prefix": name, "log_level": "WARNING",
    }
    env = dict(os.environ, **{f"NEWSFLOW_{k.upper()}": str(v) for k, v in overrides.items()})
    return base.model_copy(update=overrides), env


def run_plain_loop(settings: Settings, articles: list[RawArticle], batch: int) -> dict[str, float]:
    """The same work in one process: clean, extract in batches with nlp.pipe, bulk-index."""
    extractor = Extractor.from_settings(settings)

    async def index_all() -> float:
        es = async_client(settings)
        try:
            await ensure_index(es, settings)
            started = time.perf_counter()
            for start in range(0, len(articles), batch):
                cleaned = []
                for raw in articles[start:start + batch]:
                    with contextlib.suppress(RejectedArticle):
                        cleaned.append(clean_article(raw))
                await bulk_index(es, settings, extractor.extract(cleaned))
            await es.indices.refresh(index=settings.index_alias)
            return time.perf_counter() - started
        finally:
            await es.close()

    elapsed = asyncio.run(index_all())
    return {"seconds": elapsed, "articles_per_second": len(articles) / elapsed}


async def feed(settings: Settings, articles: list[RawArticle], rate: float | None, on_sent) -> None:
    """Publish everything at once (a burst), or ``rate`` articles per second (a steady stream)."""
    if not rate:
        await publish(settings, articles, on_sent)
        return
    publisher = Publisher(settings)
    await publisher.start()
    try:
        started = time.monotonic()
        for number, raw in enumerate(articles):
            await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
            await publisher.publish([raw], on_sent)
    finally:
        await publisher.stop()


def run_pipeline(
    settings: Settings, env: dict[str, str], articles: list[RawArticle], rate: float | None = None
) -> dict[str, object]:
    logs = ROOT / "bench" / "results" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    workers = {}
    for stage in ("cleaner", "extractor", "indexer"):
        out = open(logs / f"{stage}.log", "wb")  # noqa: SIM115 - lives as long as the worker
        workers[stage] = subprocess.Popen([NEWSFLOW, "worker", stage], env=env, stdout=out, stderr=subprocess.STDOUT)
    es = sync_client(settings)
    try:
        # Warm up: every stage has joined its group and loaded its model when one article is searchable.
        warm = next(varied_articles(1, "warmup"))
        asyncio.run(publish(settings, [warm]))
        deadline = time.monotonic() + 300
        while not es.options(ignore_status=(404, 503)).exists(index=settings.index_alias, id=warm.id):
            dead = [s for s, p in workers.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                raise SystemExit(f"the pipeline did not warm up ({', '.join(dead) or 'timeout'}); see {logs}")
            time.sleep(0.5)
        cpu_before = {s: sum(psutil.Process(p.pid).cpu_times()[:2]) for s, p in workers.items()}
        sent_at: dict[str, float] = {}
        seen_at: dict[str, float] = {}
        started = time.time()

        def note_sent(raw: RawArticle) -> None:
            sent_at[raw.id or ""] = time.time()

        publisher = asyncio.new_event_loop()
        import threading

        thread = threading.Thread(
            target=lambda: publisher.run_until_complete(feed(settings, articles, rate, note_sent))
        )
        thread.start()
        wanted = {a.id for a in articles}
        with console.status("waiting until every article is searchable") as status:
            while len(seen_at) < len(wanted) and time.time() - started < 1800:
                hits = es.search(
                    index=settings.index_alias, query={"ids": {"values": list(wanted - set(seen_at))[:5000]}},
                    size=5000, source=False,
                )["hits"]["hits"]
                now = time.time()
                for hit in hits:
                    seen_at.setdefault(hit["_id"], now)
                status.update(f"searchable: {len(seen_at)}/{len(wanted)}")
                time.sleep(0.2)
        thread.join()
        finished = max(seen_at.values())
        cpu = {s: sum(psutil.Process(p.pid).cpu_times()[:2]) - cpu_before[s] for s, p in workers.items()}
    finally:
        es.close()
        for proc in workers.values():
            proc.send_signal(signal.SIGTERM)
        for proc in workers.values():
            proc.wait(timeout=60)
    wall = finished - started
    latencies = [seen_at[i] - sent_at[i] for i in seen_at if i in sent_at]
    return {
        "seconds": wall,
        "articles_per_second": len(seen_at) / wall,
        "searchable": len(seen_at),
        "latency_p50": percentile(latencies, 0.50),
        "latency_p95": percentile(latencies, 0.95),
        "latency_p99": percentile(latencies, 0.99),
        "latency_mean": statistics.fmean(latencies),
        "cpu_seconds": cpu,
        "cpu_utilisation": {s: c / wall for s, c in cpu.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="how many articles (default 2000)")
    parser.add_argument("--batch", type=int, default=64, help="the plain loop's batch size (the stages' default)")
    parser.add_argument("--steady", type=int, default=200, metavar="N",
                        help="then N more articles at --rate per second, for the latency of a steady stream (0: skip)")
    parser.add_argument("--rate", type=float, default=4.0, help="articles per second of the steady stream")
    args = parser.parse_args()

    base = Settings()
    if not Stack(base).is_up():
        raise SystemExit("the local stack is not up: run `newsflow stack up` first")
    pipe_settings, env = namespace(base, "pipe")
    loop_settings, _ = namespace(base, "loop")
    articles = list(varied_articles(args.articles, pipe_settings.group_prefix))
    console.print(f"{len(articles)} articles, {sum(len(a.content) for a in articles) / len(articles):.0f} chars each")

    console.print("[bold]pipeline[/]: one worker per stage, through Kafka")
    pipeline = run_pipeline(pipe_settings, env, articles)
    console.print("[bold]plain loop[/]: clean -> extract -> bulk index in one process, no Kafka")
    loop_articles = [a.model_copy(update={"id": f"loop-{a.id}"}) for a in articles]
    plain = run_plain_loop(loop_settings, loop_articles, args.batch)

    steady = None
    if args.steady:
        console.print(f"[bold]steady stream[/]: {args.steady} articles at {args.rate:g}/s through the pipeline")
        steady_settings, steady_env = namespace(base, "steady")
        steady = run_pipeline(steady_settings, steady_env,
                              list(varied_articles(args.steady, steady_settings.group_prefix, seed=11)), args.rate)

    ratio = float(pipeline["articles_per_second"]) / plain["articles_per_second"]
    table = Table(title=f"newsflow pipeline benchmark ({len(articles)} articles, {psutil.cpu_count()} cores)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("pipeline throughput (articles/s)", f"{pipeline['articles_per_second']:.1f}")
    table.add_row("plain loop throughput (articles/s)", f"{plain['articles_per_second']:.1f}")
    table.add_row("pipeline / plain loop", f"{ratio:.2f}x  (target >= 0.80x)")
    for q in ("p50", "p95", "p99"):
        table.add_row(f"burst of {len(articles)}: publish -> searchable {q} (s)", f"{pipeline[f'latency_{q}']:.2f}")
    if steady:
        for q in ("p50", "p95", "p99"):
            table.add_row(f"steady {args.rate:g}/s: publish -> searchable {q} (s)", f"{steady[f'latency_{q}']:.2f}")
    for stage, share in pipeline["cpu_utilisation"].items():  # type: ignore[union-attr]
        table.add_row(f"{stage} CPU (share of one core)", f"{share:.0%}")
    console.print(table)

    results = {"articles": len(articles), "pipeline": pipeline, "plain_loop": plain, "ratio": ratio,
               "steady": steady, "steady_rate": args.rate,
               "cores": psutil.cpu_count(), "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    out = ROOT / "bench" / "results" / "pipeline.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    console.print(f"written to {out.relative_to(ROOT)}")
    for s in (pipe_settings, loop_settings, *([steady_settings] if steady else [])):  # no index left behind
        with sync_client(s) as es:
            es.options(ignore_status=404).indices.delete(index=f"{s.index_alias}-v*")


if __name__ == "__main__":
    main()
