"""Cleaner throughput on one core: scraped-text articles/s and HTML pages/s, against targets.

    .venv/bin/python bench/cleaner.py [--seconds 5]

Inputs: the seeds (text), the seeds wrapped in whole pages (eval/corpus/seed_pages/) and, when
the evaluation has fetched them, the real fixture pages of eval/corpus/cache/ and their visible
text; and, without a target, the same pages' text as a naive scraper delivers it, with their
scripts' and style sheets' text (tens of times longer: the worst case a scraper can send, which
must stay a fraction of a second per page). Each set is cleaned in rounds (whole passes over the
set, at least half a second of CPU each) for about --seconds after one warm-up pass (which loads
the language model). Figures: inputs per second of this process's CPU time (what one core
delivers, unaffected by how many other processes share the machine), the median over rounds and
the best round, and of wall time. Targets: >= 200 scraped-text articles/s and >= 30 HTML
pages/s, judged on the median; the last lines say whether each is met (exit status 1 when one is not).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time

from _root import ROOT  # the root on the import path first, for eval/

from eval.visible import visible_text as scraped_text
from services.cleaner.clean import RejectedArticle, clean_article
from services.cleaner.html import visible_text
from services.cleaner.metadata import parse_tree
from shared.contracts.schemas import RawArticle

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
    with_scripts = [scraped_text(h, skip=frozenset({"head"})) for h in pages + real]
    sets["worst: text with scripts"] = [RawArticle(content=t) for t in with_scripts if t.strip()]
    return sets


TARGETS = {"text": 200.0, "html": 30.0}
ROUND_CPU_SECONDS = 0.5


def _clean_all(items: list[RawArticle]) -> None:
    for raw in items:
        with contextlib.suppress(RejectedArticle):
            clean_article(raw)


def _rate(items: list[RawArticle], seconds: float) -> tuple[float, float, float, int]:
    """(median CPU rate over rounds, best CPU rate, wall rate, inputs cleaned)."""
    _clean_all(items)  # warm-up
    rates: list[float] = []
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds or len(rates) < 3:
        cpu_started, count = time.process_time(), 0
        while True:
            _clean_all(items)
            count += len(items)
            cpu = time.process_time() - cpu_started
            if cpu >= ROUND_CPU_SECONDS:
                break
        rates.append(count / cpu)
        done += count
    wall = time.perf_counter() - started
    return statistics.median(rates), max(rates), done / wall, done


def main() -> int:
    parser = argparse.ArgumentParser(description="cleaner throughput")
    parser.add_argument("--seconds", type=float, default=5.0, help="time per input set")
    args = parser.parse_args()
    worst: dict[str, tuple[float, str]] = {}
    for name, items in _inputs().items():
        median, best, wall, done = _rate(items, args.seconds)
        size = sum(len(r.content) for r in items) / max(len(items), 1) / 1024
        kind = name.split(":")[0]
        target = TARGETS.get(kind)
        verdict = "no target" if target is None else \
            f"target >= {target:.0f}: {'met' if median >= target else 'NOT met'}"
        sys.stdout.write(
            f"{name:26s} {median:8.1f} inputs/s of CPU time (median; best {best:.1f})"
            f"  {wall:8.1f}/s of wall time  ({done} cleaned, mean input {size:.0f} KiB)  {verdict}\n"
        )
        if target is not None and (kind not in worst or median < worst[kind][0]):
            worst[kind] = (median, name)
    missed = False
    for kind, target in TARGETS.items():
        if kind not in worst:
            continue
        rate, name = worst[kind]
        met = rate >= target
        missed |= not met
        label = "scraped-text articles/s" if kind == "text" else "HTML pages/s"
        sys.stdout.write(
            f"target {label:24s} >= {target:.0f}: slowest set {name!r} at {rate:.1f} -> "
            f"{'met' if met else 'NOT met'}\n"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
