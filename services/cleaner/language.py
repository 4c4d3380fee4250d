"""Language of a body, by py3langid (a small n-gram model shipped in the package, no download).

Only a sample of the body is classified: a few thousand characters decide the language as well
as the whole text does, and keep the cost flat on very long inputs.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import islice
from typing import Any

SAMPLE_CHARS = 800
MIN_LETTERS = 20


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and a 0..1 confidence; (None, 0.0) when there is too little text."""
    sample = text[:SAMPLE_CHARS]
    if sum(1 for _ in islice(filter(str.isalpha, sample), MIN_LETTERS)) < MIN_LETTERS:
        return None, 0.0
    lang, prob = _identifier().classify(sample)
    return str(lang), float(prob)
