"""Memory of a stage after large inputs: does a worker return to its level?

    .venv/bin/python bench/memory.py [--rounds 3] [--no-release]

Runs the cleaner stage (the runner and logic a worker runs, over the in-memory transport) on
small articles until its memory settles, then on large values (4 MB HTML pages, 4 MB of text,
3 MB of control bytes) a few rounds, then on small articles again. Prints the resident memory
(RSS) at each point: "after" minus "settled" is what large inputs leave behind. ``--no-release``
turns off the runtime's release after large batches and its pinned mmap threshold, to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

import orjson
import psutil

import shared.runtime.stage as stage_module
from services.stages import stage
from shared.contracts.settings import Settings
from shared.runtime.envelope import Incoming
from shared.runtime.offline import MemoryTransport
from shared.runtime.stage import StageRunner

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def rss() -> float:
    return psutil.Process(os.getpid()).memory_info().rss / MB


def small_values() -> list[bytes]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return [orjson.dumps({"id": f"s{n}", "content": t}) for n, t in enumerate(texts * 4)]


def large_values() -> list[bytes]:
    seed = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    paragraphs = "".join(f"<p>{line}</p>\n" for line in seed.splitlines() if line.strip())
    page = "<html><head><title>Large page</title></head><body><article>"
    page += paragraphs * (4 * MB // max(len(paragraphs), 1)) + "</article></body></html>"
    text = (seed + "\n\n") * (4 * MB // max(len(seed), 1))
    return [
        orjson.dumps({"id": "big-html", "content": page, "content_type": "text/html"}),
        orjson.dumps({"id": "big-text", "content": text}),
        bytes(range(1, 32)) * (3 * MB // 31),
    ]


async def run(rounds: int) -> dict[str, float]:
    settings = Settings()
    spec = stage("cleaner")
    transport = MemoryTransport()
    logic = spec.logic(settings)
    await logic.start()
    runner = StageRunner(spec, logic, settings, transport)
    offset = 0

    async def feed(values: list[bytes]) -> None:
        nonlocal offset
        for value in values:
            offset += 1
            await runner.handle_batch([Incoming(settings.topic_raw, 0, offset, None, value)], _noop)
            transport.sent.clear()

    figures = {"start": rss()}
    for _ in range(5):
        await feed(small_values())
    figures["settled"] = rss()
    peak = 0.0
    for _ in range(rounds):
        await feed(large_values())
        peak = max(peak, rss())
    figures["peak"] = peak
    for _ in range(3):
        await feed(small_values())
    figures["after"] = rss()
    await logic.stop()
    return figures


async def _noop() -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-release", action="store_true")
    args = parser.parse_args()
    if args.no_release:
        stage_module.LARGE_BATCH_BYTES = 1 << 62
        stage_module.pin_mmap_threshold = lambda: False
    figures = asyncio.run(run(args.rounds))
    label = "without release" if args.no_release else "with release"
    print(f"cleaner memory ({label}, {args.rounds} rounds of 3 large values): " + ", ".join(
        f"{k} {v:.0f} MB" for k, v in figures.items()))
    print(f"left behind by large inputs: {figures['after'] - figures['settled']:+.0f} MB")


if __name__ == "__main__":
    main()
