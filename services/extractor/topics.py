"""Topics: multi-label, from a small fixed taxonomy of weighted lemmas and phrases (``data/topics.json``).

Evidence for a topic = sum over its cues of weight x position factor, at most three occurrences per cue
(the three best placed). A cue occurs where the article's lemmas or its lowercase words spell it (so
'goods', 'customs' and 'arms deals' are found whatever the lemmatizer makes of them); multi-word cues
are also matched in their lemmatized form when a lemmatizer is given. Words in the title count
``TITLE_FACTOR`` times, words in the lead (first sentence) ``LEAD_FACTOR`` times.

Selection is by evidence, not by rank: a topic is kept when
- its evidence reaches an absolute threshold that grows with the square root of the article's length
  (longer articles mention everything once);
- its cues occur at least twice (one passing word is not a topic);
- its evidence is at least ``RELATIVE`` of the best topic's (a side theme of a long, cue-dense article
  must still carry a tenth of the main theme's weight).
Every topic that passes is kept, best first: an article on diplomacy that also discusses trade and
energy gets all three, however many topics there are. ``MAX_TOPICS`` only guards against odd input.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "topics.json"
BASE_THRESHOLD = 3.5
REFERENCE_WORDS = 500
RELATIVE = 0.1
MAX_TOPICS = 10
MAX_COUNT = 3
MAX_N = 4
TITLE_FACTOR = 2.0
LEAD_FACTOR = 1.5

Lemmatize = Callable[[list[str]], list[str]]


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, dict[str, float]]:
    return json.loads(DATA.read_text(encoding="utf-8"))["topics"]


class TopicModel:
    """The taxonomy as a cue index: phrase -> [(topic, weight)], with lemmatized variants of phrases."""

    def __init__(self, lemmatize: Lemmatize | None = None) -> None:
        self.index: dict[str, list[tuple[str, str, float]]] = {}  # form -> [(topic, cue, weight)]
        cues = [(topic, cue, weight) for topic, table in taxonomy().items() for cue, weight in table.items()]
        for topic, cue, weight in cues:
            self.index.setdefault(cue, []).append((topic, cue, weight))
        if lemmatize is not None:
            # Multi-word cues only: 'arms deal' -> 'arm deal' is safe, 'goods' -> 'good' is not.
            phrases = [cue for _, cue, _ in cues if " " in cue]
            for (topic, cue, weight), lemma in zip([c for c in cues if " " in c[1]], lemmatize(phrases),
                                                    strict=True):
                lemma = " ".join(lemma.lower().split())
                if lemma and lemma != cue and (topic, cue, weight) not in self.index.get(lemma, []):
                    self.index.setdefault(lemma, []).append((topic, cue, weight))

    def evidence(self, lemmas: Sequence[str], forms: Sequence[str] | None = None,
                 factors: Sequence[float] | None = None,
                 title: Sequence[str] = ()) -> dict[str, tuple[float, int]]:
        """(evidence, cue occurrences) per topic."""
        hits: dict[tuple[str, str], list[float]] = {}  # (topic, cue) -> position factors
        weights: dict[tuple[str, str], float] = {}

        def scan(seqs: list[Sequence[str]], length: int, factor_at: Callable[[int], float]) -> None:
            for i in range(length):
                seen: set[tuple[str, str]] = set()
                for n in range(1, MAX_N + 1):
                    if i + n > length:
                        break
                    for seq in seqs:
                        for topic, cue, weight in self.index.get(" ".join(seq[i:i + n]), ()):
                            if (topic, cue) not in seen:
                                seen.add((topic, cue))
                                hits.setdefault((topic, cue), []).append(factor_at(i))
                                weights[(topic, cue)] = weight

        seqs: list[Sequence[str]] = [lemmas] if forms is None else [lemmas, forms]
        scan(seqs, len(lemmas), (lambda i: factors[i]) if factors is not None else (lambda i: 1.0))
        if title:
            words = list(title)
            singular = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]
            scan([words, singular], len(words), lambda i: TITLE_FACTOR)
        out = {topic: (0.0, 0) for topic in taxonomy()}
        for (topic, cue), found in hits.items():
            best = sorted(found, reverse=True)[:MAX_COUNT]
            score, count = out[topic]
            out[topic] = (score + weights[(topic, cue)] * sum(best), count + len(best))
        return out

    def classify(self, lemmas: Sequence[str], forms: Sequence[str] | None = None,
                 factors: Sequence[float] | None = None, title: Sequence[str] = ()) -> list[str]:
        """The article's topics, best first."""
        words = max(1, len(lemmas))
        threshold = BASE_THRESHOLD * math.sqrt(max(1.0, words / REFERENCE_WORDS))
        scores = self.evidence(lemmas, forms, factors, title)
        best = max((s for s, _ in scores.values()), default=0.0)
        chosen = [(s, t) for t, (s, d) in scores.items()
                  if s >= threshold and d >= 2 and s >= RELATIVE * best]
        chosen.sort(key=lambda item: (-item[0], item[1]))
        return [t for _, t in chosen[:MAX_TOPICS]]


@lru_cache(maxsize=1)
def default_model() -> TopicModel:
    return TopicModel()


def title_words(title: str | None) -> list[str]:
    """Lowercase words of a title, hyphenated words split ('de-dollarisation' -> 'de', 'dollarisation')."""
    return re.findall(r"[^\W\d_]+", (title or "").lower())


def classify(lemmas: Sequence[str], forms: Sequence[str] | None = None,
             factors: Sequence[float] | None = None, title: Iterable[str] = ()) -> list[str]:
    """The article's topics, best first (taxonomy without lemmatized phrase variants)."""
    return default_model().classify(lemmas, forms, factors, list(title))
