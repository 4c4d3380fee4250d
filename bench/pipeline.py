"""Benchmark: the streaming pipeline against a plain single-process loop, and how a stage scales,
in one run.

1. pipeline: N realistic articles (the seeds, varied, distinct ids) published at once through
   Kafka to one worker per stage: throughput, publish -> searchable latency, each worker's CPU
   per article and resident memory;
2. plain loop: the same clean -> extract -> bulk-index work in one process without Kafka;
3. scaling: cleaned articles put on the clean topic, consumed by one extractor worker, then by two
   (each its own consumer group on its own copy): throughput of each and the ratio;
4. steady stream: articles published at half of the one-worker pipeline's throughput, for the
   publish -> searchable latency users see.

Prints a table with the targets and writes bench/results/pipeline.json.

    .venv/bin/python bench/pipeline.py                  # the full run (a quiet machine: ~15 min)
    .venv/bin/python bench/pipeline.py --quick          # a short check that everything runs

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

from services.cleaner.clean import RejectedArticle, clean_article
from services.extractor.extract import Extractor
from services.indexer.store import bulk_index, ensure_index
from services.producer.publish import Publisher, publish
from services.producer.samples import varied_articles
from services.stages import STAGE_NAMES
from shared.contracts.schemas import CleanArticle, RawArticle
from shared.contracts.settings import Settings, namespace_overrides
from shared.devstack import Stack
from shared.runtime.elastic import async_client, sync_client
from shared.runtime.kafka import GroupOffsets, ensure_topics, producer

ROOT = Path(__file__).resolve().parent.parent

console = Console(width=None if sys.stdout.isatty() else 140)
NEWSFLOW = str(Path(sys.executable).parent / "newsflow")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def namespace(base: Settings, label: str, **extra: object) -> tuple[Settings, dict[str, str]]:
    name = f"bench{uuid.uuid4().hex[:6]}-{label}"
    overrides = {**namespace_overrides(name), "log_level": "WARNING", "metrics_port": 0, **extra}
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
    settings: Settings, env: dict[str, str], articles: list[RawArticle], rate: float | None = None,
    poll: float = 1.0,
) -> dict[str, object]:
    """One worker per stage; ``poll``: seconds between searches for the articles (the latency's resolution)."""
    logs = ROOT / "bench" / "results" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    workers = {}
    for stage in STAGE_NAMES:
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
        procs = {s: psutil.Process(p.pid) for s, p in workers.items()}
        peak_rss = dict.fromkeys(workers, 0)
        with console.status("waiting until every article is searchable") as status:
            while len(seen_at) < len(wanted) and time.time() - started < 1800:
                for stage, proc in procs.items():
                    peak_rss[stage] = max(peak_rss[stage], proc.memory_info().rss)
                # Only what was sent and not seen yet: the search stays small, and Elasticsearch's
                # CPU goes to indexing, not to answering the benchmark.
                outstanding = [i for i in list(sent_at) if i not in seen_at][:5000]
                hits = es.search(
                    index=settings.index_alias, query={"ids": {"values": outstanding}}, size=len(outstanding),
                    source=False,
                )["hits"]["hits"] if outstanding else []
                now = time.time()
                for hit in hits:
                    seen_at.setdefault(hit["_id"], now)
                status.update(f"searchable: {len(seen_at)}/{len(wanted)}")
                time.sleep(poll)
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
        "cpu_ms_per_article": {s: 1000 * c / max(len(seen_at), 1) for s, c in cpu.items()},
        "peak_rss_mb": {s: r / 2**20 for s, r in peak_rss.items()},
    }


def run_scaling(base: Settings, cleaned: list[CleanArticle], count: int) -> dict[str, object]:
    """``count`` extractor workers in one consumer group over cleaned articles already on the clean
    topic: seconds from the first article until the group committed the last, and CPU per article."""
    # Commits every 0.2 s: the run ends when the last commit lands, so a 1 s interval would add
    # up to a second to a run of twenty.
    settings, env = namespace(base, f"scale{count}", commit_interval=0.2)
    logs = ROOT / "bench" / "results" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    group = f"{settings.group_prefix}-extractor"

    async def offsets() -> tuple[int, int, int]:
        """(committed, end, partitions held by members) of the extractor group."""
        from shared.runtime.kafka import group_members

        reader = GroupOffsets(settings, group, settings.topic_clean)
        await reader.start()
        try:
            read = await reader.read()
        finally:
            await reader.stop()
        members = (await group_members(settings, [group]))[group][1]
        held = sum(len(m.partitions.get(settings.topic_clean, [])) for m in members)
        return sum(c for c, _ in read.values()), sum(e for _, e in read.values()), held

    async def fill(articles: list[CleanArticle]) -> None:
        """Round robin over the partitions: each worker gets the same share (keys would give a
        binomial spread, and the run would measure the luckiest worker's share, not scaling)."""
        async with producer(settings) as prod:
            futures = [await prod.send(settings.topic_clean, key=a.id.encode(), value=a.to_json_bytes(),
                                       partition=n % settings.partitions) for n, a in enumerate(articles)]
            await asyncio.gather(*futures)

    async def wait_committed(target: int, started: float) -> None:
        """Until the group committed ``target`` messages; one reader, polled twice a second."""
        reader = GroupOffsets(settings, group, settings.topic_clean)
        await reader.start()
        try:
            while sum(c for c, _ in (await reader.read()).values()) < target:
                if time.monotonic() - started > 1800 or any(w.poll() is not None for w in workers):
                    raise SystemExit(f"the extractor workers did not finish; see {logs}")
                await asyncio.sleep(0.5)
        finally:
            await reader.stop()

    asyncio.run(ensure_topics(settings))
    workers = []
    for n in range(count):
        out = open(logs / f"scale{count}-extractor-{n}.log", "wb")  # noqa: SIM115 - lives as long as the worker
        workers.append(subprocess.Popen([NEWSFLOW, "worker", "extractor"], env=env, stdout=out,
                                        stderr=subprocess.STDOUT))
    try:
        # Warm up: every worker holds partitions and has loaded its model (one article each way).
        warm = [c.model_copy(update={"id": f"warm-{n}-{c.id}"}) for n, c in enumerate(cleaned[:count * 6])]
        asyncio.run(fill(warm))
        deadline = time.monotonic() + 300
        while True:
            committed, end, held = asyncio.run(offsets())
            if committed >= end and held == settings.partitions:
                break
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise SystemExit(f"the extractor workers did not warm up; see {logs}")
            time.sleep(0.5)
        time.sleep(2)  # the group settles (no rebalance in flight)
        procs = [psutil.Process(w.pid) for w in workers]
        cpu_before = [sum(p.cpu_times()[:2]) for p in procs]
        started = time.monotonic()
        asyncio.run(fill(cleaned))
        asyncio.run(wait_committed(end + len(cleaned), started))
        elapsed = time.monotonic() - started
        cpu = [sum(p.cpu_times()[:2]) - b for p, b in zip(procs, cpu_before, strict=True)]
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(timeout=60)
    return {"workers": count, "seconds": elapsed, "articles_per_second": len(cleaned) / elapsed,
            "cpu_ms_per_article": 1000 * sum(cpu) / len(cleaned)}


def cores() -> int:
    """The cores this process may run on (the container's or the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return psutil.cpu_count() or 1


def verdict(ok: bool) -> str:
    return "[green]met[/]" if ok else "[red]NOT met[/]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles of the burst (default 1000)")
    parser.add_argument("--batch", type=int, default=64, help="the plain loop's batch size (the stages' default)")
    parser.add_argument("--scale-articles", type=int, default=500,
                        help="cleaned articles for the one- and two-extractor runs (default 500)")
    parser.add_argument("--steady", type=int, default=300, metavar="N",
                        help="articles of the steady stream at half the one-worker throughput (0: skip)")
    parser.add_argument("--rate", type=float, default=None,
                        help="articles per second of the steady stream (default: half the pipeline's throughput)")
    parser.add_argument("--quick", action="store_true",
                        help="a short run that checks everything works (60 / 60 / 40 articles); figures are rough")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.scale_articles, args.steady = 60, 60, 40

    base = Settings()
    if not Stack(base).is_up():
        raise SystemExit("the local stack is not up: run `newsflow stack up` first")
    pipe_settings, env = namespace(base, "pipe")
    loop_settings, _ = namespace(base, "loop")
    articles = list(varied_articles(args.articles, pipe_settings.group_prefix))
    console.print(f"{len(articles)} articles, {sum(len(a.content) for a in articles) / len(articles):.0f} chars each; "
                  f"{cores()} cores; batch_size {base.batch_size}, batch_timeout {base.batch_timeout:g} s, "
                  f"refresh {base.index_refresh_interval}")

    console.print("[bold]pipeline[/]: one worker per stage, through Kafka")
    pipeline = run_pipeline(pipe_settings, env, articles)
    console.print("[bold]plain loop[/]: clean -> extract -> bulk index in one process, no Kafka")
    loop_articles = [a.model_copy(update={"id": f"loop-{a.id}"}) for a in articles]
    plain = run_plain_loop(loop_settings, loop_articles, args.batch)

    scaling = []
    if args.scale_articles:
        cleaned = []
        for raw in varied_articles(args.scale_articles, "scale", seed=5):
            with contextlib.suppress(RejectedArticle):
                cleaned.append(clean_article(raw))
        for count in (1, 2):
            console.print(f"[bold]scaling[/]: {count} extractor worker(s) over {len(cleaned)} cleaned articles")
            scaling.append(run_scaling(base, cleaned, count))

    steady = None
    rate = args.rate or float(pipeline["articles_per_second"]) / 2
    if args.steady:
        console.print(f"[bold]steady stream[/]: {args.steady} articles at {rate:.1f}/s through the pipeline")
        steady_settings, steady_env = namespace(base, "steady")
        steady = run_pipeline(steady_settings, steady_env,
                              list(varied_articles(args.steady, steady_settings.group_prefix, seed=11)), rate,
                              poll=0.05)

    ratio = float(pipeline["articles_per_second"]) / plain["articles_per_second"]
    table = Table(title=f"newsflow pipeline benchmark ({len(articles)} articles, {cores()} cores)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target")
    table.add_row("pipeline throughput, one worker per stage (articles/s)",
                  f"{pipeline['articles_per_second']:.1f}", "")
    table.add_row("plain loop throughput (articles/s)", f"{plain['articles_per_second']:.1f}", "")
    table.add_row("pipeline / plain loop", f"{ratio:.2f}x", f">= 0.95x {verdict(ratio >= 0.95)}")
    scale_ratio = None
    if len(scaling) == 2:
        one, two = scaling
        scale_ratio = float(two["articles_per_second"]) / float(one["articles_per_second"])
        for run in scaling:
            table.add_row(f"{run['workers']} extractor worker(s) (articles/s; CPU ms/article)",
                          f"{run['articles_per_second']:.1f}; {run['cpu_ms_per_article']:.0f}", "")
        table.add_row(f"two extractor workers / one ({cores()} cores)", f"{scale_ratio:.2f}x",
                      f">= 1.8x {verdict(scale_ratio >= 1.8)}")
    for q in ("p50", "p99"):
        table.add_row(f"burst of {len(articles)}: publish -> searchable {q} (s)", f"{pipeline[f'latency_{q}']:.2f}", "")
    if steady:
        for q in ("p50", "p95", "p99"):
            target = f"<= 1.0 s {verdict(float(steady['latency_p99']) <= 1.0)}" if q == "p99" else ""
            table.add_row(f"steady {rate:.1f}/s (half of one-worker throughput): publish -> searchable {q} (s)",
                          f"{steady[f'latency_{q}']:.2f}", target)
    for stage in pipeline["cpu_utilisation"]:  # type: ignore[union-attr]
        table.add_row(f"{stage}: CPU ms/article, share of one core, peak resident memory",
                      f"{pipeline['cpu_ms_per_article'][stage]:.1f} ms, "  # type: ignore[index]
                      f"{pipeline['cpu_utilisation'][stage]:.0%}, "  # type: ignore[index]
                      f"{pipeline['peak_rss_mb'][stage]:.0f} MB", "")  # type: ignore[index]
    table.add_row("plain loop: ms/article (wall, one process)", f"{1000 / plain['articles_per_second']:.1f}", "")
    console.print(table)

    results = {"articles": len(articles), "pipeline": pipeline, "plain_loop": plain, "ratio": ratio,
               "scaling": scaling, "scaling_ratio": scale_ratio, "steady": steady, "steady_rate": rate,
               "quick": args.quick, "cores": cores(), "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
               "settings": {"batch_size": base.batch_size, "batch_timeout": base.batch_timeout,
                            "producer_linger": base.producer_linger,
                            "index_refresh_interval": base.index_refresh_interval}}
    out = ROOT / "bench" / "results" / ("pipeline-quick.json" if args.quick else "pipeline.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    console.print(f"written to {out.relative_to(ROOT)}")
    for s in (pipe_settings, loop_settings, *([steady_settings] if steady else [])):  # no index left behind
        with sync_client(s) as es:
            es.options(ignore_status=404).indices.delete(index=f"{s.index_alias}-v*")


if __name__ == "__main__":
    main()
