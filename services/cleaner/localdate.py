"""Dates as pages in other scripts print them: "2025年3月14日", "2025년 3월 14일",
"14 марта 2025", "14 مارس 2025", "14 मार्च 2025", "14 มีนาคม 2568", "2025.03.14".

services.cleaner.dates reads the English shapes; this module reads the rest, exactly (no fuzzy
guessing): the year-month-day forms of Chinese, Japanese and Korean, dotted numeric dates, and a
day, a month name and a year in Cyrillic, Arabic, Persian, Devanagari, Bengali, Thai, Greek and
Hebrew. Month names come from dateparser's locale data (CLDR), not from a list of our own. Digits
may be in any script (٢٠٢٥, २०२५, ๒๕๖๘); a Thai year of the Buddhist era (2568) is converted.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from services.cleaner.segment import count_words, words

# Locales whose month names are written in a script other than Latin.
LOCALES = ("ru", "uk", "be", "bg", "sr", "mk", "kk", "ar", "fa", "ur", "he", "el", "hi", "mr", "ne", "bn",
           "th", "lo", "km", "my", "ka", "hy", "am")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")
BUDDHIST_ERA = 543
DATE_LINE_WORDS = 12
DATE_LINE_LEAD_WORDS = 3
DATE_LINE_TAIL_WORDS = 6

_YEAR = re.compile(r"\d{4}")  # every shape below has a four-digit year
_D = r"\d{1,2}"
_Y = r"\d{4}"
# 2025年3月14日 / 2025년 3월 14일 / 2025.03.14 / 2025/3/14 / 2025-03-14 (year first)
_YMD = re.compile(
    rf"(?P<y>{_Y})\s*(?:[年년]|[./-])\s*(?P<m>{_D})\s*(?:[月월]|[./-])\s*(?P<d>{_D})(?!\d)(?:\s*[日일])?"
)
# 14.03.2025 (day first, as Russian pages print it)
_DMY_DOTS = re.compile(rf"(?<!\d)(?P<d>{_D})\.(?P<m>{_D})\.(?P<y>{_Y})(?!\d)")


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    """Month name (case-folded) -> month number, over LOCALES (first locale wins on a clash)."""
    from dateparser.languages import default_loader

    names: dict[str, int] = {}
    for code in LOCALES:
        try:
            info = default_loader.get_locale(code).info
        except (KeyError, ValueError):
            continue
        for number, key in enumerate(_MONTH_KEYS, 1):
            for name in info.get(key, []):
                if len(name) >= 3 and not name.isascii():
                    names.setdefault(name.casefold(), number)
    return names


@lru_cache(maxsize=1)
def _named_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    alternation = "|".join(sorted(map(re.escape, _month_names()), key=len, reverse=True))
    month = rf"(?P<mon>{alternation})\.?"
    day_first = re.compile(rf"(?<!\d)(?P<d>{_D})\s+{month}(?!\w),?\s+(?P<y>{_Y})(?!\d)", re.I)
    month_first = re.compile(rf"(?<!\w){month}\s+(?P<d>{_D}),?\s+(?P<y>{_Y})(?!\d)", re.I)
    return day_first, month_first


def _valid(year: int, month: int, day: int) -> datetime | None:
    if year > 2400:  # the Thai solar calendar counts from 543 BC
        year -= BUDDHIST_ERA
    try:
        value = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
    return value if value <= datetime.now(UTC) + timedelta(days=2) else None


def find_local_date(text: str) -> tuple[datetime, int, int] | None:
    """The first date in ``text`` written in one of this module's shapes, with where it starts
    and ends."""
    found: list[tuple[int, int, datetime]] = []
    for pattern in (_YMD, _DMY_DOTS):
        match = pattern.search(text)
        if match:
            value = _valid(int(match["y"]), int(match["m"]), int(match["d"]))
            if value:
                found.append((match.start(), match.end(), value))
    if not text.isascii():
        names = _month_names()
        for pattern in _named_patterns():
            match = pattern.search(text)
            if match:
                month = names.get(match["mon"].casefold())
                value = _valid(int(match["y"]), month, int(match["d"])) if month else None
                if value:
                    found.append((match.start(), match.end(), value))
    if not found:
        return None
    start, end, value = min(found, key=lambda item: item[0])
    return value, start, end


def parse_local_date(text: str | None) -> datetime | None:
    """The first date in ``text`` in one of this module's shapes, midnight UTC; None if none."""
    if not text:
        return None
    found = find_local_date(text[:400])
    return found[0] if found else None


def is_local_date_line(text: str) -> bool:
    """A date line of a page in another script (or only figures: "2025/03/14 18:05"): short,
    and the date is most of it, after a word or two and before a time, a source or a unit
    ("입력 2025년 3월 14일 10:21", "الجمعة 14 مارس 2025 - 10:45", "14 มีนาคม 2568 เวลา 11:15 น."),
    not a sentence that opens with a date."""
    if _YEAR.search(text) is None or text.rstrip()[-1:] in "。！？!?":
        return False
    if text.isascii() and any(map(str.isalpha, text)):
        return False  # an English date line is services.cleaner.cues' business
    if count_words(text) > DATE_LINE_WORDS:
        return False
    found = find_local_date(text)
    if found is None or count_words(text[: found[1]]) > DATE_LINE_LEAD_WORDS:
        return False
    tail = [w for w in words(text[found[2]:]) if any(map(str.isalpha, w))]  # a time's figures aside
    return len(tail) <= DATE_LINE_TAIL_WORDS
