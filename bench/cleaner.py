"""Cleaner throughput on one core: scraped-text articles/s and HTML pages/s.

    .venv/bin/python bench/cleaner.py [--seconds 5]

Inputs: the seeds (text), the seeds wrapped in whole pages (eval/corpus/seed_pages/) and, when
the evaluation has fetched them, the real fixture pages of eval/corpus/cache/ and their visible
text. Each set is cleaned in a loop for about --seconds after one warm-up pass (which loads the
language model). Figures: inputs per second of this process's CPU time (what one core
delivers, unaffected by other load on the machine) and of wall time.
Targets: >= 200 text/s, >= 30 HTML/s.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from services.cleaner.clean import RejectedArticle, clean_article  # noqa: E402
from services.cleaner.html import visible_text  # noqa: E402
from services.cleaner.metadata import parse_tree  # noqa: E402
from shared.schemas import RawArticle  # noqa: E402

REAL = ROOT / "eval" / "corpus" / "cache" / "newspaper4k" / "data" / "html"


def _inputs() -> dict[str, list[RawArticle]]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    pages = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "eval" / "corpus" / "seed_pages").glob("*.html"))]
    real_files = sorted(REAL.glob("*.html")) if REAL.is_dir() else []
    real = [p.read_text(encoding="utf-8", errors="replace") for p in real_files]
    scraped = [visible_text(parse_tree(h)) for h in pages + real]
    sets = {
        "text: seeds": [RawArticle(content=t) for t in seeds],
        "text: scraped pages": [RawArticle(content=t) for t in scraped if t.strip()],
        "html: seed pages": [RawArticle(content=h, content_type="text/html") for h in pages],
    }
    if real:
        sets["html: real pages"] = [RawArticle(content=h, content_type="text/html") for h in real]
    return sets


def _rate(items: list[RawArticle], seconds: float) -> tuple[float, float, int]:
    for raw in items:  # warm-up
        with contextlib.suppress(RejectedArticle):
            clean_article(raw)
    done, started, cpu_started = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        for raw in items:
            with contextlib.suppress(RejectedArticle):
                clean_article(raw)
            done += 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return done / wall, done / max(cpu, 1e-9), done


def main() -> int:
    parser = argparse.ArgumentParser(description="cleaner throughput")
    parser.add_argument("--seconds", type=float, default=5.0, help="time per input set")
    args = parser.parse_args()
    for name, items in _inputs().items():
        wall, cpu, done = _rate(items, args.seconds)
        size = sum(len(r.content) for r in items) / max(len(items), 1) / 1024
        sys.stdout.write(
            f"{name:22s} {cpu:8.1f} inputs/s of CPU time  {wall:8.1f} inputs/s of wall time"
            f"  ({done} cleaned, mean input {size:.0f} KiB)\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
