"""What boilerplate lines tell: trailers, copyright lines, bylines, captions, datelines.

These are the shapes publishers and page templates use everywhere ("Published in <source>,
<date>", "Copyright <source>, <year>", "<Name> Published <date> Updated <date>", a photo
credit after an em dash), written as patterns over the shape, never over one site's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from services.cleaner.dates import DATE_RE, MONTH_RE, parse_date

_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|bin|al|del|da|la)){0,4}"
_NAMES = rf"{_NAME}(?:\s*(?:,|\band\b|&)\s*{_NAME}){{0,5}}"

PUBLISHED_IN = re.compile(
    r"^(?:Published|Printed|Appeared|First published|This article (?:first )?appeared)\s+in\s+"
    r"(?:the\s+)?(?P<source>[A-Z][^,;:]{1,60}?)\s*(?:,|\bon\b|\bdated\b)\s*(?P<date>.{4,40}?)\s*\.?$"
)
COPYRIGHT = re.compile(
    r"^(?:[™®]\s*&\s*)?(?i:copyright\b|©|\(c\)\s)\s*(?:©\s*)?"
    r"(?:(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?\s*,?\s*)?"
    r"(?P<source>[A-Z][^,.©|]{1,60}?)\s*(?:,\s*(?:19|20)\d\d|\s(?:19|20)\d\d)?\s*(?:[,.|]|$)"
)
DATE_PREFIX = re.compile(
    rf"^(?:date|dated|published|posted|updated|last updated)(?:\s+on)?\s*:?\s*(?P<date>{DATE_RE})\s*[|,;•·—–-]?\s*",
    re.I,
)
BYLINE_DATED = re.compile(
    rf"^(?:By\s+)?(?P<names>{_NAMES})\s*[|•·,—–-]?\s*"
    rf"(?:Published|Posted|Updated|Last updated)(?:\s+on)?\s*:?\s*(?P<date>{DATE_RE})",
)
BYLINE = re.compile(rf"^By\s+(?P<names>{_NAMES})\s*(?:[|•·,—–-].{{0,80}})?$")
DATE_LINE = re.compile(
    rf"^(?:(?:Published|Posted|Updated|Last updated|Modified|Date|Dated)(?:\s+on)?\s*:?\s*)?"
    rf"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?(?P<date>{DATE_RE})"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\.?$",
    re.I,
)
_DIGIT = re.compile(r"\d")
_COPY_START = re.compile(r"^(?:[™®]\s*&\s*)?(?:Copyright\b|©|\(c\)\s)", re.I)
_COPY_YEAR = re.compile(r"\b(?:19|20)\d\d\b|rights reserved", re.I)
_DATED_WORD = re.compile(r"Published|Posted|Updated|updated")
UPDATED_ONLY = re.compile(r"^(?:Updated|Last updated|Modified)\b", re.I)
# A photo caption ends with the credit after a dash ("...on Thursday.—White Star", "— AFP"),
# or says what it is ("Photo: Reuters", "File photo", "Image caption").
CAPTION = re.compile(
    r"(?:[.!?”\"’)]\s*[—–]{1,2}\s*)(?:(?:Photo|Image|Picture|File)(?:\s+\w+)?\s*[:/]?\s*)?"
    r"[A-Z][\w&.'’]*(?:[\s/][A-Z][\w&.'’]*){0,3}\s*\.?$"
    r"|^(?:Photo|Image|Picture|File photo|Image caption|Image source|Caption|Credit)\b\s*[:|-]"
    r"|\((?:Photo|Image|Picture)s?\s*(?:by|:|credit)[^)]{0,80}\)\s*$",
)
# "ISLAMABAD:", "NEW YORK (Reuters) -", "LONDON —": the place line that opens a news report.
DATELINE = re.compile(
    r"^[A-Z][A-Z.'’-]+(?:[ -][A-Z][A-Z.'’-]+){0,3}(?:,\s*[A-Z][\w.]+(?:\s[A-Z][\w.]+)?)?"
    r"(?:,?\s*" + MONTH_RE + r"\s+\d{1,2})?\s*(?:\([^)]{2,40}\))?\s*(?::|[—–]|--?)\s+\S"
)


@dataclass
class Cues:
    """Metadata read from boilerplate; earlier (stronger) evidence is never overwritten."""

    title: str | None = None
    source: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None

    def set_date(self, value: datetime | None) -> None:
        if value is not None and self.published_at is None:
            self.published_at = value

    def set_source(self, value: str | None) -> None:
        value = (value or "").strip(" .,;:-–—")
        if value and self.source is None and 1 <= len(value.split()) <= 6:
            self.source = value


def split_names(names: str) -> list[str]:
    """'A B and C D, E F' -> ['A B', 'C D', 'E F']."""
    parts = re.split(r"\s*(?:,|\band\b|&)\s*", names)
    return [p.strip() for p in parts if p.strip() and len(p.split()) <= 5]


# Every character a copyright line can start with (_COPY_START, case-insensitive: no other
# character folds to "c").
_COPY_FIRST = "™®Cc©("
_CAPTION_KEYS = ("—", "–", "Photo", "Image", "Picture", "File", "Caption", "Credit")
# "contains one of the keys" as one literal alternation: a single pass over the line
_HAS_CAPTION_KEY = re.compile("|".join(map(re.escape, _CAPTION_KEYS)))


def read_line(line: str, cues: Cues, words: int | None = None) -> str | None:
    """Read what a boilerplate line says into ``cues``; return the kind of line it is
    ('trailer', 'copyright', 'byline', 'date', 'caption'), or None for an ordinary line.
    ``words`` is the line's word count when the caller already has it."""
    if words is None:
        words = len(line.split())
    if words > 60:
        return None
    head = line[:12]
    # cheap substring tests first: most lines are prose and skip every pattern below
    if words <= 16 and "in " in line and PUBLISHED_IN.match(line):
        match = PUBLISHED_IN.match(line)
        if match and parse_date(match["date"]):
            cues.set_source(match["source"])
            cues.set_date(parse_date(match["date"]))
            return "trailer"
    if words <= 30 and ("©" in head or (line[:1] in _COPY_FIRST and _COPY_START.match(line))):
        # A site's copyright line has a year or reserves rights; "© Name/Agency" is a photo credit.
        if not _COPY_YEAR.search(line):
            return "caption"
        match = COPYRIGHT.match(line)
        if match:
            cues.set_source(match["source"])
        return "copyright"
    has_digit = _DIGIT.search(line) is not None
    if words <= 30 and has_digit and _DATED_WORD.search(line):
        match = BYLINE_DATED.match(line)
        if match:
            cues.authors = cues.authors or split_names(match["names"])
            cues.set_date(parse_date(match["date"]))
            return "byline"
    if words <= 12:
        match = BYLINE.match(line) if line.startswith("By ") else None
        if match:
            cues.authors = cues.authors or split_names(match["names"])
            return "byline"
        if has_digit and DATE_LINE.match(line):
            return "date"
    if _HAS_CAPTION_KEY.search(line) is not None and CAPTION.search(line):
        return "caption"
    return None
