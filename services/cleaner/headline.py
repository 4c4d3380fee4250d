"""The headline ranker: a logistic model over general features of each candidate line above an
article's body (services/cleaner/text.py computes the features, this module only weighs them).

The weights are learned by ``eval/train_headline.py`` (fixed, reproducible: a regularised
Newton fit, no randomness) and shipped as small JSON files next to this module:
``model/headline.json`` is trained on every page of the development corpus and is what the
product uses; ``model/headline_A.json`` and ``model/headline_B.json`` are trained on one half of
its sites each and exist only so that the evaluation scores every page with a model that has
not seen its site (``use_model``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "model"
DEFAULT_MODEL = MODEL_DIR / "headline.json"


@dataclass(frozen=True)
class HeadlineModel:
    """A linear score over standardised features; a line is the headline when it scores best
    among the candidates and its probability reaches ``threshold``."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def logit(self, values: list[float]) -> float:
        total = self.bias
        for x, m, s, w in zip(values, self.mean, self.scale, self.weights, strict=True):
            total += w * (x - m) / s
        return total

    def probability(self, values: list[float]) -> float:
        z = self.logit(values)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    @property
    def min_logit(self) -> float:
        """The logit at which the probability reaches the threshold (compare logits, no exp)."""
        t = min(max(self.threshold, 1e-9), 1 - 1e-9)
        return math.log(t / (1 - t))

    @classmethod
    def from_dict(cls, data: dict) -> HeadlineModel:
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]),
                   tuple(data["weights"]), float(data["bias"]), float(data["threshold"]))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "bias": self.bias, "threshold": self.threshold}


def load_model(path: Path) -> HeadlineModel:
    return HeadlineModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


_current: HeadlineModel | None = None


def current_model() -> HeadlineModel | None:
    """The model in use: the shipped one, read once (None when its file is missing)."""
    global _current
    if _current is None and DEFAULT_MODEL.is_file():
        _current = load_model(DEFAULT_MODEL)
    return _current


@contextmanager
def use_model(model: HeadlineModel | None) -> Iterator[None]:
    """Score headlines with ``model`` inside the block (the evaluation's cross-fitted models)."""
    global _current
    before = current_model()
    _current = model
    try:
        yield
    finally:
        _current = before
