"""Dates mentioned in an article, as ISO dates, relative ones resolved against ``published_at``.

Input is the model's DATE spans ('Thursday', 'next month', 'October 15-16', 'December last year').
Conventions (documented in docs/extraction.md): a day-level mention gives that day; a month-level
mention gives the first day of the month; a bare year or a vague span ('recent years') gives nothing;
a plain weekday is the latest such day on or before publication ('on Thursday' in a Friday paper).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?" \
       r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_DAY2 = r"(?:\s?[-–]\s?(?P<day2>\d{1,2})(?:st|nd|rd|th)?)?"
_YEAR = r"(?:,?\s(?P<year>(?:19|20)\d{2}))?"

ISO_RE = re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<mon>\d{2})-(?P<day>\d{2})\b")
MDY_RE = re.compile(r"\b" + _MON + r"\s" + _DAY + _DAY2 + _YEAR + r"\b", re.IGNORECASE)
DMY_RE = re.compile(r"\b" + _DAY + _DAY2 + r"\s(?:of\s)?" + _MON + _YEAR + r"\b", re.IGNORECASE)
MONTH_RE = re.compile(r"\b" + _MON + r"(?:\s(?P<year>(?:19|20)\d{2})|\s(?P<rel>last|next|this)\syear)?\b",
                      re.IGNORECASE)
REL_RE = re.compile(r"\b(?P<rel>last|next|this|previous|coming)\s(?P<unit>week|month|year)\b", re.IGNORECASE)
WEEKDAY_RE = re.compile(r"\b(?:(?P<rel>last|next|this|coming)\s)?(?P<wd>monday|tuesday|wednesday|thursday"
                        r"|friday|saturday|sunday)\b", re.IGNORECASE)
SIMPLE = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _shift_month(base: date, months: int) -> date:
    index = base.year * 12 + base.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _year_for(month: int, base: date | None, rel: str | None) -> int | None:
    if base is None:
        return None
    if rel:
        return base.year + {"last": -1, "next": 1, "this": 0}[rel.lower()]
    # A month named without a year: the nearest such month to publication (news rarely looks >6 months ahead).
    year = base.year
    if month - base.month > 6:
        year -= 1
    elif base.month - month > 6:
        year += 1
    return year


def resolve(span: str, published: date | None) -> list[date]:
    """Dates one DATE span denotes (0, 1 or 2 for a range)."""
    text = " ".join(span.split())
    low = text.lower()
    out: list[date] = []
    for m in ISO_RE.finditer(text):
        d = _safe(int(m["year"]), int(m["mon"]), int(m["day"]))
        if d:
            out.append(d)
    if out:
        return out
    for regex in (MDY_RE, DMY_RE):
        m = regex.search(text)
        if m:
            month = MONTHS[m["mon"].lower()[:3]]
            year = int(m["year"]) if m["year"] else _year_for(month, published, None)
            if year is None:
                return []
            days = [int(m["day"])] + ([int(m["day2"])] if m["day2"] else [])
            return [d for d in (_safe(year, month, day) for day in days) if d]
    if published is None:
        return []
    for word, offset in SIMPLE.items():
        if re.search(rf"\b{word}\b", low):
            return [published + timedelta(days=offset)]
    m = WEEKDAY_RE.search(text)
    if m:
        target = WEEKDAYS[m["wd"].lower()]
        rel = (m["rel"] or "").lower()
        if rel in {"next", "coming"}:
            delta = (target - published.weekday()) % 7 or 7
            return [published + timedelta(days=delta)]
        delta = (published.weekday() - target) % 7
        if rel == "last" and delta == 0:
            delta = 7
        return [published - timedelta(days=delta)]
    m = MONTH_RE.search(text)
    if m:
        month = MONTHS[m["mon"].lower()[:3]]
        year = int(m["year"]) if m["year"] else _year_for(month, published, m["rel"])
        if year:
            return [date(year, month, 1)]
    m = REL_RE.search(text)
    if m:
        step = {"last": -1, "previous": -1, "next": 1, "coming": 1, "this": 0}[m["rel"].lower()]
        unit = m["unit"].lower()
        if unit == "month":
            return [_shift_month(published, step)]
        if unit == "week":
            monday = published - timedelta(days=published.weekday())
            return [monday + timedelta(weeks=step)]
        return []  # a whole year is too vague to be a date
    return []


def find_dates(spans: Iterable[str], published_at: datetime | None) -> list[date]:
    """ISO dates for the DATE spans of an article, deduplicated, in order of first mention."""
    published = published_at.date() if published_at else None
    seen: dict[date, None] = {}
    for span in spans:
        try:
            for d in resolve(span, published):
                seen.setdefault(d, None)
        except (ValueError, KeyError, OverflowError):
            continue
    return list(seen)
