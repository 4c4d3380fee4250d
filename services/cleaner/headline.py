"""The headline ranker: a logistic model over general features of each candidate line above an
article's body (services/cleaner/text.py computes the features, this module only weighs them).

The weights are learned by ``eval/train_headline.py`` (reproducible: a regularised Newton fit,
no randomness) and shipped as small JSON files next to this module:
``model/headline.json`` is trained on every page of the development corpus and is what the
product uses; ``model/headline_A.json`` and ``model/headline_B.json`` are trained on one half of
its sites each and exist only so that the evaluation scores every page with a model that has
not seen its site (``use_model``).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "model"
DEFAULT_MODEL = MODEL_DIR / "headline.json"


@dataclass(frozen=True)
class HeadlineModel:
    """A linear score over standardised features (a conditional logit: the candidates of one
    page compete in a softmax); the best-scoring candidate is the headline when its score
    exceeds ``min_score``."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    min_score: float

    def score(self, values: list[float]) -> float:
        """The candidate's score: the weights over its standardised features."""
        return sum(map(operator.mul, values, self._slopes)) + self._offset

    @cached_property
    def _slopes(self) -> tuple[float, ...]:
        return tuple(w / s for w, s in zip(self.weights, self.scale, strict=True))

    @cached_property
    def _offset(self) -> float:
        return -sum(w * m / s for w, m, s in zip(self.weights, self.mean, self.scale, strict=True))

    @classmethod
    def from_dict(cls, data: dict) -> HeadlineModel:
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]),
                   tuple(data["weights"]), float(data["min_score"]))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "min_score": self.min_score}


def load_model(path: Path) -> HeadlineModel:
    return HeadlineModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


_current: HeadlineModel | None = None
_loaded = False


def current_model() -> HeadlineModel | None:
    """The model in use: the shipped one, read once (None when its file is missing: the
    header reader then falls back to its hand-set score)."""
    global _current, _loaded
    if not _loaded:
        _current = load_model(DEFAULT_MODEL) if DEFAULT_MODEL.is_file() else None
        _loaded = True
    return _current


@contextmanager
def use_model(model: HeadlineModel | None) -> Iterator[None]:
    """Score headlines with ``model`` inside the block (the evaluation's cross-fitted models;
    None: the hand-set score, as when no model is shipped)."""
    global _current
    before = current_model()
    _current = model
    try:
        yield
    finally:
        _current = before
