"""Where a stage worker's CPU goes: the stage's logic against everything around it.

1. In one process, no Kafka: the StageRunner over the in-memory transport (decode, validate,
   logic, checks, serialize) against the logic alone on the same batch, per article, with the
   runner's own functions from cProfile.
2. With ``--worker``: a real worker process over a backlog on its input topic, CPU seconds per
   thread while it works (the logic runs in its own thread; the rest is the event loop, the Kafka
   client and the metrics server).

    .venv/bin/python bench/stage_overhead.py [--stage extractor] [--articles 128] [--worker]

The worker part needs the local stack (`newsflow stack up`) and uses its own topics and group.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

from services.cleaner.clean import clean_article
from services.producer.samples import varied_articles
from services.stages import stage
from shared.contracts.schemas import Message
from shared.contracts.settings import Settings, namespace_overrides
from shared.runtime.envelope import Incoming
from shared.runtime.kafka import ensure_topics, producer
from shared.runtime.offline import MemoryTransport
from shared.runtime.stage import StageRunner

NEWSFLOW = str(Path(sys.executable).parent / "newsflow")


def inputs(name: str, count: int, settings: Settings) -> list[Message]:
    """Realistic input models of the stage ``name``: raw, cleaned or enriched articles."""
    raws = list(varied_articles(count, "overhead", seed=3))
    if name == "cleaner":
        return list(raws)
    cleaned = [clean_article(r) for r in raws]
    if name == "extractor":
        return list(cleaned)
    from services.extractor.extract import Extractor

    return list(Extractor.from_settings(settings).extract(cleaned))


def _page_faults() -> int:
    """Minor page faults of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def in_process(name: str, models: list[Message], settings: Settings) -> None:
    spec = stage(name)
    logic = spec.logic(settings)
    runner = StageRunner(spec, logic, settings, MemoryTransport())
    incoming = [Incoming("in", 0, n, None, m.to_json_bytes()) for n, m in enumerate(models)]

    async def run() -> None:
        await logic.start()
        try:
            await runner.process(incoming[:4])  # warm: index created, caches filled
            started, faults = time.process_time(), _page_faults()
            await logic.handle(models)
            alone, alone_faults = time.process_time() - started, _page_faults() - faults
            started, faults = time.process_time(), _page_faults()
            await runner.process(incoming)
            whole, whole_faults = time.process_time() - started, _page_faults() - faults
            per = 1000 / len(models)
            print(f"{name}: logic alone {alone * per:.2f} ms CPU/article, through the runner {whole * per:.2f} "
                  f"(runner {100 * (whole - alone) / max(whole, 1e-9):+.1f}%); page faults per article "
                  f"{alone_faults / len(models):.0f} and {whole_faults / len(models):.0f} (thousands per "
                  "article mean the allocator maps and zeroes the models' arrays again for every batch)")
            profile = cProfile.Profile()
            profile.enable()
            await runner.process(incoming)
            profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
            stats.print_stats(r"shared/runtime|schemas\.py|pydantic|orjson", 12)
            print(out.getvalue().split("\n\n", 2)[-1].rstrip())
        finally:
            es = getattr(logic, "es", None)
            if es is not None:  # the indexer: no index left behind
                await es.options(ignore_status=404).indices.delete(index=f"{settings.index_alias}-v*")
            await logic.stop()

    asyncio.run(run())


def worker_threads(name: str, models: list[Message], base: Settings, seconds: float) -> None:
    label = f"overhead{uuid.uuid4().hex[:6]}"
    overrides = {**namespace_overrides(label), "log_level": "WARNING", "metrics_port": 0}
    settings = base.model_copy(update=overrides)
    env = dict(os.environ, **{f"NEWSFLOW_{k.upper()}": str(v) for k, v in overrides.items()})
    spec = stage(name)
    topic = spec.input_topic(settings)
    asyncio.run(ensure_topics(settings))
    proc = subprocess.Popen([NEWSFLOW, "worker", name], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(20)  # joined its group, model loaded

        async def fill() -> None:
            async with producer(settings) as prod:
                await asyncio.gather(*[await prod.send(topic, value=m.to_json_bytes()) for m in models])

        asyncio.run(fill())
        time.sleep(2)
        process = psutil.Process(proc.pid)
        before = {t.id: t.user_time + t.system_time for t in process.threads()}
        time.sleep(seconds)
        after = {t.id: t.user_time + t.system_time for t in process.threads()}
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    used = {tid: after[tid] - before.get(tid, 0.0) for tid in after}
    total = sum(used.values())
    print(f"{name} worker over a backlog, {seconds:g} s: {total:.2f} CPU s "
          f"({100 * total / seconds:.0f}% of a core); by thread (the busiest runs the stage's logic):")
    for tid, cpu in sorted(used.items(), key=lambda item: -item[1]):
        if cpu >= 0.005:
            print(f"  thread {tid}: {cpu:.2f} s  {100 * cpu / max(total, 1e-9):.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default="extractor", choices=["cleaner", "extractor", "indexer"])
    parser.add_argument("--articles", type=int, default=128)
    parser.add_argument("--worker", action="store_true", help="also a real worker over a backlog (needs the stack)")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the worker is watched")
    args = parser.parse_args()
    base = Settings()
    settings = base.model_copy(update=namespace_overrides(f"overhead{uuid.uuid4().hex[:6]}"))
    models = inputs(args.stage, args.articles, settings)
    in_process(args.stage, models, settings)
    if args.worker:
        worker_threads(args.stage, models, base, args.seconds)


if __name__ == "__main__":
    main()
