"""Topics: multi-label, from a small fixed taxonomy of weighted lemmas and phrases (``data/topics.json``).

Score of a topic = sum over its cues of weight x min(count, 3), counting lemma unigrams and phrases.
A topic is kept when its score reaches a threshold that grows with the square root of the article's
length (longer articles mention everything once), its cues occur at least twice, and it scores at
least a fifth of the best topic. At most five topics, best first.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "topics.json"
BASE_THRESHOLD = 3.5
REFERENCE_WORDS = 500
MAX_TOPICS = 5
MAX_COUNT = 3


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, dict[str, float]]:
    return json.loads(DATA.read_text(encoding="utf-8"))["topics"]


def _ngrams(lemmas: Sequence[str], max_n: int) -> Counter[str]:
    grams: Counter[str] = Counter()
    for n in range(1, max_n + 1):
        for i in range(len(lemmas) - n + 1):
            grams[" ".join(lemmas[i:i + n])] += 1
    return grams


def score_topics(lemmas: Sequence[str]) -> dict[str, tuple[float, int]]:
    """(score, cue occurrences) per topic for a list of lowercase lemmas (punctuation removed)."""
    grams = _ngrams(lemmas, 4)
    scores: dict[str, tuple[float, int]] = {}
    for topic, cues in taxonomy().items():
        total = 0.0
        distinct = 0
        for cue, weight in cues.items():
            count = grams.get(cue, 0)
            if count:
                total += weight * min(count, MAX_COUNT)
                distinct += min(count, MAX_COUNT)
        scores[topic] = (total, distinct)
    return scores


def classify(lemmas: Sequence[str]) -> list[str]:
    """The article's topics, best first."""
    words = max(1, len(lemmas))
    threshold = BASE_THRESHOLD * math.sqrt(max(1.0, words / REFERENCE_WORDS))
    scores = score_topics(lemmas)
    best = max((s for s, _ in scores.values()), default=0.0)
    chosen = [(s, t) for t, (s, d) in scores.items() if s >= threshold and d >= 2 and s >= 0.2 * best]
    chosen.sort(key=lambda item: (-item[0], item[1]))
    return [t for _, t in chosen[:MAX_TOPICS]]
