"""Realistic test traffic: the seed articles varied into many distinct articles with distinct ids,
for the benchmarks and the pipeline's crash and scaling tests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from shared.contracts.schemas import RawArticle
from shared.contracts.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"

_EXTRA_PARAGRAPHS = [
    "Officials from both sides said the talks would continue next month in Moscow, where technical "
    "teams are expected to finalise the details of the agreements on energy, trade and transport links.",
    "Analysts in Islamabad said the renewed engagement reflected a broader shift in the region, with "
    "Pakistan seeking to diversify its partners while maintaining its long-standing ties with China.",
    "The Foreign Office spokesperson told reporters that the visit had been productive and that both "
    "countries agreed to expand cooperation in education, culture and people-to-people contacts.",
    "According to the finance ministry, the proposed projects could attract investment worth $2 billion "
    "over the next five years, subject to approval by the federal cabinet.",
]


def seed_texts(folder: Path = SEEDS) -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]


def varied_articles(count: int, id_prefix: str, seed: int = 7) -> Iterator[RawArticle]:
    """``count`` articles, each a seed with a varied closing paragraph, ids ``<prefix>-<n>``."""
    rng = random.Random(seed)
    texts = seed_texts()
    for number in range(count):
        name, text = texts[number % len(texts)]
        extra = rng.choice(_EXTRA_PARAGRAPHS)
        content = f"{text.rstrip()}\n\nUpdate {number}: {extra}\n"
        yield RawArticle(id=f"{id_prefix}-{number}", content=content, metadata={"file": name, "variant": str(number)})
