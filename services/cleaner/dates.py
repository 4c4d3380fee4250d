"""Dates as news pages write them, parsed without a general-purpose date library.

The cleaner sees a handful of shapes (ISO 8601 in metadata, "September 20, 2024",
"20th September 2024", "Sept. 20, 2024" in bylines and trailers); a small exact parser is
hundreds of times faster than a fuzzy one and never guesses a date out of an unrelated number.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
MONTH_RE = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)"
    r"(?:[T ](?P<H>\d\d):(?P<M>\d\d)(?::(?P<S>\d\d)(?:\.\d+)?)?\s*(?P<tz>Z|[+-]\d\d:?\d\d)?)?"
)
_MDY = re.compile(rf"\b(?P<mon>{MONTH_RE})\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>(?:19|20)\d\d)\b", re.I)
_DMY = re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mon>{MONTH_RE}),?\s+(?P<y>(?:19|20)\d\d)\b", re.I)
_SLASH_YMD = re.compile(r"\b(?P<y>(?:19|20)\d\d)/(?P<m>\d{1,2})/(?P<d>\d{1,2})\b")

# The same shapes without group names, to embed in other patterns.
DATE_RE = re.sub(r"\(\?P<\w+>", "(?:", rf"(?:{_ISO.pattern}|{_MDY.pattern}|{_DMY.pattern})")


def _valid(year: int, month: int, day: int) -> datetime | None:
    try:
        value = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
    if value > datetime.now(UTC) + timedelta(days=2):
        return None
    return value


def _tz(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def parse_date(text: str | None) -> datetime | None:
    """The first date in ``text``, timezone-aware. A date without a time is midnight UTC, so the
    calendar day a page prints is the day stored whatever the reader's zone."""
    if not text:
        return None
    text = text[:400]
    match = _ISO.search(text)
    if match:
        base = _valid(int(match["y"]), int(match["m"]), int(match["d"]))
        if base is None:
            return None
        if match["H"] is None:
            return base
        try:
            return datetime(
                base.year, base.month, base.day, int(match["H"]), int(match["M"]),
                int(match["S"] or 0), tzinfo=_tz(match["tz"]),
            )
        except ValueError:
            return base
    best: tuple[int, datetime] | None = None
    for pattern in (_MDY, _DMY):
        match = pattern.search(text)
        if match:
            month = _MONTHS.get(match["mon"].lower()[:3], 0)
            value = _valid(int(match["y"]), month, int(match["d"])) if month else None
            if value and (best is None or match.start() < best[0]):
                best = (match.start(), value)
    if best:
        return best[1]
    match = _SLASH_YMD.search(text)
    if match:
        return _valid(int(match["y"]), int(match["m"]), int(match["d"]))
    # "2025年3月14日", "14 марта 2025", "14.03.2025": the shapes pages in other scripts print
    from services.cleaner.localdate import parse_local_date

    return parse_local_date(text)


# A date as a news URL's path carries it: /2023/08/24/, /2023-08-24/, /20230824/.
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)(?P<sep>[/-]?)(?P<m>0[1-9]|1[0-2]|[1-9])(?P=sep)(?P<d>[0-3]?\d)(?:[/._-]|$)"
)


def url_date(url: str | None) -> datetime | None:
    """The publication day a news URL's path names (/2023/08/24/slug, /2023-08-24/, /20230824/):
    many publishers file stories under their day. Only the path is read, and only a year, a month
    and a day in a row; a date without separators needs its two-digit month and day."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url.split("?")[0].split("#")[0], flags=re.I)
    for match in _URL_DATE.finditer(path):
        if not match["sep"] and (len(match["m"]) != 2 or len(match["d"]) != 2):
            continue
        value = _valid(int(match["y"]), int(match["m"]), int(match["d"]))
        if value is not None:
            return value
    return None
