"""Amounts of money: '$1 billion', 'US $ 478.03 million', 'Rs 5bn', '€20m', '300 million roubles'.

Rules, not the model: spaCy's MONEY spans split or merge these forms inconsistently, and the
currency and the scale word need normalising anyway. Amounts are in units of the currency.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shared.contracts.schemas import Money

SCALE = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
    "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12, "crore": 1e7, "crores": 1e7, "lakh": 1e5,
    "lakhs": 1e5, "lac": 1e5,
}

# Symbols and codes written before the amount.
PREFIX = {
    "us$": "USD", "$us": "USD", "usd": "USD", "$": "USD", "a$": "AUD", "au$": "AUD", "c$": "CAD", "ca$": "CAD",
    "hk$": "HKD", "nz$": "NZD", "s$": "SGD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "¥": "JPY",
    "jpy": "JPY", "cny": "CNY", "rmb": "CNY", "₹": "INR", "inr": "INR", "rs": "RUPEE", "rs.": "RUPEE",
    "pkr": "PKR", "₽": "RUB", "rub": "RUB", "aed": "AED", "sar": "SAR", "chf": "CHF", "lkr": "LKR",
    "npr": "NPR", "bdt": "BDT", "tk": "BDT", "try": "TRY", "₺": "TRY", "krw": "KRW", "₩": "KRW",
}

# Words and codes written after the amount.
SUFFIX = {
    "dollar": "USD", "dollars": "USD", "us dollars": "USD", "us dollar": "USD", "euro": "EUR", "euros": "EUR",
    "pound": "GBP", "pounds": "GBP", "pounds sterling": "GBP", "sterling": "GBP", "rupee": "RUPEE",
    "rupees": "RUPEE", "rouble": "RUB", "roubles": "RUB", "ruble": "RUB", "rubles": "RUB", "yuan": "CNY",
    "renminbi": "CNY", "yen": "JPY", "dirham": "AED", "dirhams": "AED", "riyal": "SAR", "riyals": "SAR",
    "lira": "TRY", "taka": "BDT", "won": "KRW", "francs": "CHF", "swiss francs": "CHF",
    "usd": "USD", "eur": "EUR", "gbp": "GBP", "pkr": "PKR", "inr": "INR", "rub": "RUB", "cny": "CNY",
    "jpy": "JPY", "aed": "AED", "sar": "SAR", "chf": "CHF",
}

# Which rupee: the one of the country the article is about, Pakistan's when it does not say.
RUPEE_BY_COUNTRY = {"PK": "PKR", "IN": "INR", "LK": "LKR", "NP": "NPR", "MU": "MUR", "SC": "SCR"}

_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE = r"(?:\s?-?\s?(?P<scale>thousand|million|billion|trillion|crores?|lakhs?|lac|mln|mn|bn|trn|tn|m|b|k)\b)?"
_PREFIX = (r"(?P<cur>US\s?\$|\$\s?US\b|USD|A\$|AU\$|C\$|CA\$|HK\$|NZ\$|S\$|\$|€|EUR|£|GBP|¥|JPY|CNY|RMB|₹|INR"
           r"|Rs\.?|PKR|₽|RUB|AED|SAR|CHF|LKR|NPR|BDT|Tk|₺|₩|KRW)")
_SUFFIX = (r"(?P<word>US dollars?|dollars?|euros?|pounds sterling|pounds?|sterling|rupees?|roubles?|rubles?"
           r"|yuan|renminbi|yen|dirhams?|riyals?|lira|taka|swiss francs|francs|USD|EUR|GBP|PKR|INR|RUB|CNY"
           r"|JPY|AED|SAR|CHF)\b")

PREFIX_RE = re.compile(r"(?<![A-Za-z])" + _PREFIX + r"\s?" + _NUM + _SCALE, re.IGNORECASE)
SUFFIX_RE = re.compile(r"(?<![\w$€£¥₹₽])" + _NUM + _SCALE + r"\s(?:of\s)?" + _SUFFIX, re.IGNORECASE)


def _amount(num: str, scale: str | None) -> float:
    value = float(num.replace(",", ""))
    if scale:
        value *= SCALE[scale.lower()]
    return round(value, 2)


def _rupee(countries: Iterable[str]) -> str:
    for code in countries:
        if code in RUPEE_BY_COUNTRY:
            return RUPEE_BY_COUNTRY[code]
    return "PKR"


def find_money(text: str, countries: Iterable[str] = ()) -> list[Money]:
    """Every amount of money in the text, deduplicated by (amount, currency), in order of appearance."""
    seen: set[tuple[float, str]] = set()
    result = []
    for _, _, money in money_spans(text, countries):
        key = (money.amount, money.currency)
        if key not in seen:
            seen.add(key)
            result.append(money)
    return result


def money_spans(text: str, countries: Iterable[str] = ()) -> list[tuple[int, int, Money]]:
    """(start, end, Money) for every amount, in order; the spans keep place names out of amounts."""
    countries = list(countries)
    found: list[tuple[int, int, Money]] = []
    taken: list[tuple[int, int]] = []
    for match in PREFIX_RE.finditer(text):
        cur = re.sub(r"\s", "", match.group("cur")).lower()
        code = PREFIX.get(cur) or PREFIX.get(cur.rstrip("."))
        scale = match.group("scale")
        if code is None:
            continue
        if cur in {"rs", "rs."} and not re.match(r"Rs", match.group("cur")):
            continue
        if code == "RUPEE":
            code = _rupee(countries)
        found.append((match.start(), match.end(), Money(amount=_amount(match.group("num"), scale),
                                                        currency=code, text=match.group(0).strip())))
        taken.append(match.span())
    for match in SUFFIX_RE.finditer(text):
        if any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
            continue
        code = SUFFIX[" ".join(match.group("word").lower().split())]
        if code == "RUPEE":
            code = _rupee(countries)
        found.append((match.start(), match.end(), Money(amount=_amount(match.group("num"), match.group("scale")),
                                                        currency=code, text=match.group(0).strip())))
    found.sort(key=lambda item: item[0])
    return found
