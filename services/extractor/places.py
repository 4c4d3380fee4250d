"""Places -> ISO 3166-1 alpha-2: country names, demonyms, capitals, major cities and regions.

Backed by ``data/gazetteer.json`` (see ``data/build_gazetteer.py``); loaded once per process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from services.extractor.text import fold, place_key

DATA = Path(__file__).resolve().parent / "data" / "gazetteer.json"

# A city that is not a capital counts as "well known" (enough to relabel a PERSON/ORG tag) above this.
MAJOR_CITY_POPULATION = 1_000_000


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    kind: str  # "city" | "region"
    population: int
    primary: bool


class Gazetteer:
    """Lookups used by the extractor; all keys are folded so case and punctuation do not matter."""

    def __init__(self, data: dict) -> None:
        self.countries: dict[str, str] = {}  # folded country name -> alpha-2
        self.country_names: dict[str, str] = {}  # alpha-2 -> canonical short name
        for code, info in data["countries"].items():
            self.country_names[code] = info["name"]
            for name in info["names"]:
                self.countries.setdefault(_country_key(name), code)
        self.demonyms: dict[str, str] = {fold(k): v for k, v in data["demonyms"].items()}
        self.places: dict[str, list[Place]] = {
            key: [Place(*entry[:3], int(entry[3]), bool(entry[4])) for entry in entries]
            for key, entries in data["places"].items()
        }

    def country(self, name: str) -> str | None:
        """alpha-2 for a country name ('Russian Federation', 'U.S.', 'Britain'), else None."""
        key = _country_key(name)
        if not key:
            return None
        code = self.countries.get(key)
        if code is None and len(key) <= 3:
            return None
        if code and len(key) <= 3 and name.strip()[:1].islower():
            return None  # 'us' the pronoun is not the United States
        return code

    def demonym(self, word: str) -> str | None:
        """alpha-2 for a demonym or nationality adjective ('Russian', 'Pakistanis')."""
        return self.demonyms.get(fold(word))

    def lookup(self, name: str) -> list[Place]:
        return self.places.get(place_key(name), [])

    def is_well_known_place(self, name: str) -> bool:
        """A country, capital or big city: safe to treat as a location even when the model said PERSON."""
        if self.country(name):
            return True
        return any(p.primary and p.kind == "city" and p.population >= MAJOR_CITY_POPULATION
                   for p in self.lookup(name))

    def resolve(self, name: str, context: Iterable[str] = ()) -> str | None:
        """Country of a place name; ambiguity is settled by the countries the article already names."""
        code = self.country(name)
        if code:
            return code
        candidates = self.lookup(name)
        if not candidates:
            return None
        codes = list(dict.fromkeys(p.country for p in candidates))
        if len(codes) == 1:
            return codes[0]
        known = [c for c in codes if c in set(context)]
        if len(known) == 1:
            return known[0]
        primary = [p for p in candidates if p.primary]
        if primary and primary[0].kind == "city":
            first = primary[0]
            others = [p.population for p in primary[1:] if p.country != first.country]
            if not others or first.population >= 3 * max(others):
                return first.country
        return None

    def canonical_country(self, code: str) -> str:
        return self.country_names.get(code, code)


def _country_key(name: str) -> str:
    key = fold(name.replace(".", ""))
    return re.sub(r"^the ", "", key)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(json.loads(DATA.read_text(encoding="utf-8")))
