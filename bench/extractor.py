"""Extractor throughput and memory, next to bare spaCy on the same texts in the same run.

    .venv/bin/python bench/extractor.py [--articles 300] [--rounds 2]

Prints figures, asserts nothing. Articles are the seed bodies (seed-sized news, ~400-650 words),
repeated. Three runs over the same texts:
  - bare spaCy, the model's default pipeline (``spacy.load(model)``, parser included);
  - bare spaCy, the extractor's own pipeline (same components, no post-processing);
  - the Extractor (``extract`` in batches of settings.batch_size), everything included.
The stage must keep at least 0.9x of bare spaCy throughput and stay under 700 MB resident.

Entity model cost: the Extractor's CPU time per article with the configured entity model
(settings.ner_model) next to the same Extractor with the base model's own NER (``ner_model='none'``,
the extractor before the news model), in the same run; the news model may cost at most 1.5x.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path

import psutil
import spacy

from services.extractor.extract import Extractor, resolve_ner_model
from shared.contracts.schemas import CleanArticle
from shared.contracts.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent


def seed_bodies() -> list[str]:
    gold_path = ROOT / "eval" / "gold" / "seeds-gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["articles"]
    bodies = []
    for name, g in gold.items():
        raw = (ROOT / "seeds" / name).read_text(encoding="utf-8")
        bodies.append(raw[raw.index(g["body_starts"]): raw.index(g["body_ends"]) + len(g["body_ends"])])
    return bodies


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def best_rate(fn, n: int, rounds: int) -> float:
    best = 0.0
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = max(best, n / (time.perf_counter() - t0))
    return best


def cpu_per_article(extractor: Extractor, articles: list[CleanArticle], batch: int, rounds: int) -> float:
    """Best-of-rounds process CPU seconds per article for Extractor.extract in stage-sized batches."""
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        t0 = time.process_time()
        for i in range(0, len(articles), batch):
            extractor.extract(articles[i:i + batch])
        best = min(best, (time.process_time() - t0) / len(articles))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description="extractor throughput vs bare spaCy")
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2, help="best of N timed rounds per system")
    parser.add_argument("--no-compare", action="store_true", help="skip the entity model cost comparison")
    args = parser.parse_args()
    settings = get_settings()
    bodies = seed_bodies()
    texts = [bodies[i % len(bodies)] for i in range(args.articles)]
    articles = [CleanArticle(id=f"b{i}", body=t, content_hash=str(i), language="en") for i, t in enumerate(texts)]
    words = sum(len(t.split()) for t in texts) / len(texts)
    batch = settings.batch_size  # messages per stage batch, handed to extract() at once
    rss_start = rss_mb()

    extractor = Extractor.from_settings(settings)
    default_nlp = spacy.load(settings.spacy_model)
    extractor.extract(articles[:10])  # warm caches (gazetteer, lexicons)
    list(default_nlp.pipe(texts[:10]))

    def run_default() -> None:
        for _ in default_nlp.pipe(texts, batch_size=extractor.batch_size):
            pass

    def run_same() -> None:
        for _ in extractor.nlp.pipe(texts, batch_size=extractor.batch_size):
            pass

    def run_extractor() -> None:
        for i in range(0, len(articles), batch):
            extractor.extract(articles[i:i + batch])

    rate_default = best_rate(run_default, len(texts), args.rounds)
    rate_same = best_rate(run_same, len(texts), args.rounds)
    rate_ours = best_rate(run_extractor, len(texts), args.rounds)
    peak = psutil.Process().memory_info().rss / 2**20
    try:
        import resource

        peak = max(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    except ImportError:
        pass

    print(f"model {settings.spacy_model}; {len(texts)} articles of ~{words:.0f} words; stage batch {batch}, "
          f"nlp.pipe batch {extractor.batch_size}; "
          f"best of {args.rounds} rounds; 1 process")
    print(f"  extractor pipeline: {', '.join(extractor.nlp.pipe_names)}")
    print(f"  bare nlp.pipe, default pipeline ({', '.join(default_nlp.pipe_names)}): {rate_default:7.1f} articles/s")
    print(f"  bare nlp.pipe, extractor's components:           {rate_same:7.1f} articles/s")
    print(f"  Extractor.extract (everything):                  {rate_ours:7.1f} articles/s")
    print(f"  ratio vs bare default pipeline: {rate_ours / rate_default:.2f}x  (target >= 0.90x)")
    print(f"  ratio vs bare same components:  {rate_ours / rate_same:.2f}x  (post-processing cost)")
    print(f"  resident memory: {rss_start:.0f} MB at start, {rss_mb():.0f} MB now, peak {peak:.0f} MB "
          f"(two pipelines loaded; target < 700 MB)")
    if args.no_compare or resolve_ner_model(settings.ner_model) is None:
        return
    gc.collect()
    base = Extractor.from_settings(settings.model_copy(update={"ner_model": "none"}))
    base.extract(articles[:10])
    cpu_news = cpu_per_article(extractor, articles, batch, args.rounds)
    cpu_base = cpu_per_article(base, articles, batch, args.rounds)
    print(f"  CPU per article: {cpu_news * 1000:.1f} ms with entity model {settings.ner_model!r}, "
          f"{cpu_base * 1000:.1f} ms with the base model's own NER: ratio {cpu_news / cpu_base:.2f}x (target <= 1.50x)")


if __name__ == "__main__":
    main()
