"""Dates as pages in other languages print them: "2025年3月14日", "2025년 3월 14일",
"14 марта 2025", "14 مارس 2025", "04 آب/أغسطس 2013", "14 मार्च 2025", "14 มีนาคม 2568",
"2025.03.14", "14 mars 2025", "14 de marzo de 2025", "14. März 2025", "14.mar.2025".

services.cleaner.dates reads the English shapes; this module reads the rest, exactly (no fuzzy
guessing): the year-month-day forms of Chinese, Japanese and Korean, dotted numeric dates, and a
day, a month name and a year in Cyrillic, Arabic (the Levantine month names too, and the two
names a page may print side by side), Persian, Devanagari, Bengali, Thai, Greek and Hebrew, and
in the languages written in Latin letters (French, Spanish, German, Italian, Portuguese, ...:
"14 de marzo de 2025", "14. März 2025", "1er mars 2025"). Month names come from dateparser's
locale data (CLDR), not from a list of our own. Digits may be in any script (٢٠٢٥, २०२५, ๒๕๖๘);
a Thai year of the Buddhist era (2568) is converted; Arabic letters are matched with the hamza
forms of alef folded (أغسطس / اغسطس).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from services.cleaner.segment import count_words, words

# Locales whose month names are written in a script other than Latin ("ar-SY": the Levantine
# names, آب for August, that Syrian, Lebanese, Jordanian and Iraqi pages print).
LOCALES = ("ru", "uk", "be", "bg", "sr", "mk", "kk", "ar", "ar-SY", "fa", "ur", "he", "el", "hi", "mr", "ne",
           "bn", "th", "lo", "km", "my", "ka", "hy", "am")
# Languages written in Latin letters whose month names differ from English ones.
LATIN_LOCALES = ("fr", "es", "de", "it", "pt", "nl", "ca", "ro", "pl", "cs", "sk", "sl", "hr", "sv", "da", "nb",
                 "fi", "tr", "id", "hu")
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
# A day and a four-digit year with a word between them: an ASCII text worth the month-name
# patterns of the Latin-letter languages (a quick test; most lines have no such date)
_LATIN_MONTH_HINT = re.compile(rf"(?<!\d){_D}(?:(?:er|\.)?\s+|\.)[A-Za-z]")
# 14.03.2025 (day first, as Russian pages print it)
_DMY_DOTS = re.compile(rf"(?<!\d)(?P<d>{_D})\.(?P<m>{_D})\.(?P<y>{_Y})(?!\d)")


# the hamza forms of alef, folded to the bare letter: pages spell أغسطس and اغسطس alike
_ALEF = str.maketrans("أإآ", "ااا")


def _fold(text: str) -> str:
    """Case-folded, alef forms folded; the same length as ``text`` (positions are kept)."""
    return text.lower().translate(_ALEF)


def _locale_months(codes: tuple[str, ...], keep: Callable[[str], bool]) -> dict[str, int]:
    """Month name (folded) -> month number over the locales (first locale wins on a clash)."""
    from dateparser.languages import default_loader

    names: dict[str, int] = {}
    for code in codes:
        try:
            info = default_loader.get_locale(code).info
        except (KeyError, ValueError):
            continue
        for number, key in enumerate(_MONTH_KEYS, 1):
            for name in info.get(key, []):
                if keep(name):
                    names.setdefault(_fold(name), number)
    return names


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    """Month names in other scripts (two letters or more: آب), then in Latin letters where they
    are not English ones (three letters or more, "mars", "octubre", "März")."""
    english = _locale_months(("en",), lambda name: True)  # read by services.cleaner.dates
    names = _locale_months(LOCALES, lambda name: len(name) >= 2 and not name.isascii())
    latin = _locale_months(LATIN_LOCALES, lambda name: len(name) >= 3 and _fold(name) not in english
                           and all(c.isalpha() or c == "." for c in name))
    return names | {name: number for name, number in latin.items() if name not in names}


# Thai abbreviates a month with a stop after its syllables ("มี.ค.", "ธ.ค."), which the locale
# data leaves out ("มีค"): a short Thai name may hold a stop after any letter
_THAI = re.compile(r"[\u0e00-\u0e7f]")
THAI_ABBREVIATION_CHARS = 4


def _name_pattern(name: str) -> str:
    if len(name) <= THAI_ABBREVIATION_CHARS and _THAI.search(name):
        return r"\.?".join(map(re.escape, name))
    return re.escape(name)


def _month_of(name: str) -> int | None:
    names = _month_names()
    return names.get(name) or names.get(name.replace(".", ""))


@lru_cache(maxsize=1)
def _named_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    alternation = "|".join(map(_name_pattern, sorted(_month_names(), key=len, reverse=True)))
    # "آب/أغسطس": a page may print two names of the month side by side; "14 de marzo de 2025",
    # "14. März 2025", "1er mars 2025", "14 mars, 2025"
    month = rf"(?P<mon>{alternation})\.?(?:\s*/\s*(?:{alternation})\.?)?"
    day = rf"(?P<d>{_D})(?:er|º|°|\.)?"
    # ... and with stops for spaces: "21.dez.2018"
    gap = r"(?:\s+|(?<=\.))"
    day_first = re.compile(
        rf"(?<!\d){day}{gap}(?:de\s+)?{month}(?:(?<=\.)|(?!\w)),?{gap}(?:de\s+|del\s+)?(?P<y>{_Y})(?!\d)", re.I)
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
    if not text.isascii() or _LATIN_MONTH_HINT.search(text):
        folded = _fold(text)
        for pattern in _named_patterns():
            match = pattern.search(folded)
            if match:
                month = _month_of(match["mon"])
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
    if text.isascii() and any(map(str.isalpha, text)) and _LATIN_MONTH_HINT.search(text) is None:
        return False  # an English date line is services.cleaner.cues' business
    if count_words(text) > DATE_LINE_WORDS:
        return False
    found = find_local_date(text)
    if found is None or count_words(text[: found[1]]) > DATE_LINE_LEAD_WORDS:
        return False
    tail = [w for w in words(text[found[2]:]) if any(map(str.isalpha, w))]  # a time's figures aside
    return len(tail) <= DATE_LINE_TAIL_WORDS
