"""A learned second look at the lines of a scraped text: which of them belong to the article.

The hand-written classifier of services.cleaner.text scores each line alone and keeps the
densest region; its mistakes are structural (a list of short items inside the article, a
gallery that splits it, a teaser strip glued to its end). Here each line is described by
shallow features of itself and of its neighbours (word count, sentence ends, stopword and
capital share, punctuation, repetition, position, what the hand classifier said of it and of
the lines around it, distance to its region, how much it shares the article's words), a small
logistic model turns them into the probability that the line is article text, and the article
is the densest region of those probabilities (max-subarray over (p - threshold) x words), inside
which lines under the threshold are dropped.

The weights are learned by eval/train_text_lines.py and stored as JSON beside this module;
only numpy is needed at run time. Without the weights file the hand classifier's choice stands.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MODEL_PATH = Path(__file__).with_name("models") / "text_lines.json"

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.U)
_CONTENT = re.compile(r"[^\W\d_]{3,}")
_SENTENCE_END = re.compile(r"""[.!?]["'”’)]?\s+["'“‘(]?[A-Z0-9]""")
_LINK = re.compile(r"https?://|www\.|@\w+\.\w|\.(?:com|org|net)\b", re.I)
_BULLET = re.compile(r"^\s*(?:[-–—•·*▪►✓]|\d{1,2}[.)]\s)")
_DIGIT = re.compile(r"\d")

FEATURES = (
    "score", "log_words", "terminal", "headline_like", "kind_none", "kind_boiler", "kind_meta",
    "kind_caption", "kind_hard", "kind_title", "hand_kept", "in_region", "above_region", "below_region",
    "log_dist", "stop_share", "caps_share", "ends_colon", "ends_comma", "digit_share", "sentences",
    "repeated", "position", "topic_share", "bullet", "link", "question", "quote_start", "long_chars",
    "kept_prev", "kept_next", "kept_win3", "kept_win8", "term_win3", "pos_win3", "words_win3",
    "score_prev", "score_next", "headline_win3", "topic_prev", "topic_next", "short_run",
)


class LineLike(Protocol):
    """What the model reads of a line (services.cleaner.text.Line)."""

    text: str
    words: int
    kind: str | None
    score: float
    headline_like: bool
    terminal: bool


@dataclass(frozen=True)
class Model:
    """Standardisation, logistic weights and the decoding threshold."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float
    region_threshold: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        if list(data["features"]) != list(FEATURES):
            raise ValueError("line model was trained on other features")
        return cls(
            np.asarray(data["mean"], dtype=float), np.asarray(data["scale"], dtype=float),
            np.asarray(data["weights"], dtype=float), float(data["bias"]), float(data["threshold"]),
            float(data["region_threshold"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES), "mean": _rounded(self.mean), "scale": _rounded(self.scale),
            "weights": _rounded(self.weights), "bias": round(self.bias, 6), "threshold": self.threshold,
            "region_threshold": self.region_threshold,
        }

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


@cache
def _shipped() -> Model | None:
    if not MODEL_PATH.is_file():
        return None
    return Model.from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


_override: list[Model | None] = []
_recorders: list[list[dict[str, Any]]] = []


@contextmanager
def recording() -> Iterator[list[dict[str, Any]]]:
    """Collect each text's line features and line texts as the cleaner computes them (training)."""
    found: list[dict[str, Any]] = []
    _recorders.append(found)
    try:
        yield found
    finally:
        _recorders.pop()


def recording_active() -> bool:
    return bool(_recorders)


def record(rows: np.ndarray, texts: list[str], words: list[int], hard: list[bool], kept: list[int]) -> None:
    for found in _recorders:
        found.append({"rows": rows, "texts": texts, "words": words, "hard": hard, "kept": kept})


def current() -> Model | None:
    """The model in force: an override set with ``using`` (evaluation), else the shipped one."""
    return _override[-1] if _override else _shipped()


@contextmanager
def using(model: Model | None) -> Iterator[None]:
    """Run with another model (held-out evaluation), or none (the hand classifier alone)."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


def _window_mean(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean of each value's neighbours within ``radius`` lines (itself excluded)."""
    n = len(values)
    padded = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(n)
    lo = np.maximum(idx - radius, 0)
    hi = np.minimum(idx + radius + 1, n)
    total = padded[hi] - padded[lo] - values
    count = np.maximum(hi - lo - 1, 1)
    return total / count


def _shift(values: np.ndarray, by: int, fill: float = 0.0) -> np.ndarray:
    """values[i - by] at i (by=1: the previous line's value), ``fill`` past the edges."""
    out = np.full_like(values, fill)
    if by > 0:
        out[by:] = values[:-by]
    elif by < 0:
        out[:by] = values[-by:]
    return out


def features(lines: Sequence[LineLike], kept: Sequence[int], region: tuple[int, int], title_index: int | None,
             stopwords: frozenset[str], english: bool) -> np.ndarray:
    """One row of FEATURES per line. ``kept`` are the lines the hand classifier keeps,
    ``region`` its densest region, ``title_index`` the headline it found."""
    n = len(lines)
    start, end = region
    kept_set = set(kept)
    counts = Counter(line.text.casefold() for line in lines)
    topic: Counter[str] = Counter()
    for k in kept:
        topic.update(set(_CONTENT.findall(lines[k].text.lower())) - stopwords)
    rows = np.zeros((n, len(FEATURES)))
    for i, line in enumerate(lines):
        text = line.text
        words = _WORD.findall(text)
        nw = max(len(words), 1)
        low_words = [w.lower() for w in words]
        content = {w for w in _CONTENT.findall(text.lower()) if w not in stopwords}
        # a line's share of content words the article uses elsewhere (its own use not counted)
        own = i in kept_set
        shared = sum(1 for w in content if topic[w] - own > 0)
        kind = line.kind
        dist = start - i if i < start else (i - end if i > end else 0)
        rows[i] = (
            max(-1.5, min(1.2, line.score)),
            np.log1p(line.words),
            line.terminal,
            line.headline_like,
            kind is None,
            kind == "boiler",
            kind in ("byline", "date"),
            kind == "caption",
            kind in ("trailer", "copyright"),
            kind == "title" or i == title_index,
            own,
            start <= i <= end,
            i < start,
            i > end,
            np.log1p(dist),
            sum(map(stopwords.__contains__, low_words)) / nw if english else 0.25,
            sum(w[0].isupper() for w in words) / nw,
            text.endswith(":"),
            text.endswith((",", ";")),
            len(_DIGIT.findall(text)) / max(len(text), 1),
            min(len(_SENTENCE_END.findall(text)), 5),
            counts[text.casefold()] > 1,
            i / max(n - 1, 1),
            shared / len(content) if content else 0.0,
            _BULLET.match(text) is not None,
            _LINK.search(text) is not None,
            text.rstrip().endswith("?"),
            text[:1] in "\"“‘'",
            len(text) > 1200,
        ) + (0.0,) * 13
    kept_col = rows[:, FEATURES.index("hand_kept")]
    score = rows[:, 0]
    term = rows[:, FEATURES.index("terminal")]
    head = rows[:, FEATURES.index("headline_like")]
    topic_col = rows[:, FEATURES.index("topic_share")]
    log_words = rows[:, FEATURES.index("log_words")]
    positive = (score > 0).astype(float)
    short = ((log_words <= np.log1p(12)) & (term == 0)).astype(float)
    base = FEATURES.index("kept_prev")
    rows[:, base] = _shift(kept_col, 1)
    rows[:, base + 1] = _shift(kept_col, -1)
    rows[:, base + 2] = _window_mean(kept_col, 3)
    rows[:, base + 3] = _window_mean(kept_col, 8)
    rows[:, base + 4] = _window_mean(term, 3)
    rows[:, base + 5] = _window_mean(positive, 3)
    rows[:, base + 6] = _window_mean(log_words, 3)
    rows[:, base + 7] = _shift(score, 1)
    rows[:, base + 8] = _shift(score, -1)
    rows[:, base + 9] = _window_mean(head, 3)
    rows[:, base + 10] = _shift(topic_col, 1)
    rows[:, base + 11] = _shift(topic_col, -1)
    rows[:, base + 12] = _window_mean(short, 2)
    return rows


MIN_WEIGHT_WORDS = 4


def decode(probabilities: np.ndarray, word_counts: Sequence[int], threshold: float, region_threshold: float,
           hard: Sequence[bool]) -> list[int]:
    """The article's lines: the region with the greatest sum of (p - region_threshold) x words
    (short lines count a few words), never across a hard boundary; inside it, the lines whose
    probability reaches ``threshold``."""
    weights = (probabilities - region_threshold) * np.maximum(np.asarray(word_counts, dtype=float),
                                                             MIN_WEIGHT_WORDS)
    best, best_sum = None, 0.0
    run, run_start = 0.0, 0
    for i, w in enumerate(weights.tolist()):
        if hard[i]:
            run, run_start = 0.0, i + 1
            continue
        if run <= 0:
            run, run_start = 0.0, i
        run += w
        if run > best_sum:
            best, best_sum = (run_start, i), run
    if best is None:
        return []
    return [k for k in range(best[0], best[1] + 1) if probabilities[k] >= threshold and not hard[k]]
