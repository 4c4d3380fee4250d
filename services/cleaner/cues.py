"""What boilerplate lines tell: trailers, copyright lines, bylines, captions, datelines.

These are the shapes publishers and page templates use everywhere ("Published in <source>,
<date>", "Copyright <source>, <year>", "<Name> Published <date> Updated <date>", a photo
credit after an em dash), written as patterns over the shape, never over one site's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
BYLINE = re.compile(rf"^(?:By|Written by|Authors?\s*:)\s+(?P<names>{_NAMES})\s*(?:[|•·,—–-].{{0,80}})?$")
_BYLINE_STARTS = ("By ", "Written by ", "Author")
DATE_LINE = re.compile(
    rf"^(?:(?:Published|Posted|Updated|Last updated|Modified|Date|Dated)(?:\s+on)?\s*:?\s*)?"
    rf"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?(?P<date>{DATE_RE})"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\.?$",
    re.I,
)
_DIGIT = re.compile(r"\d")
# the time a date line's first part ends with, set on a line of its own by the page's markup
_TIME_ONLY = re.compile(r"^(?:at\s+)?\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?$", re.I)
DATE_PARTS_MAX_WORDS = 24


_PART_SEPARATOR = re.compile(r"\s*\|\s*|\s+/\s+")
DATE_PARTS_LABEL_WORDS = 4


def _date_parts(line: str) -> bool:
    """"Published: December 23, 2023 at 8:48 p.m. | UPDATED: December 23, 2023 at 10:54 a.m.",
    "at 8:48 p.m. | UPDATED: ...", "Dec. 22, 2023, 5:24 AM UTC / Updated Dec. 22, 2023, 2:01 PM UTC /
    Source: Agency": every part between the bars or slashes a date line or a time, one a date;
    after a first part that is a date, the last may be a short label (the source)."""
    parts = [part for part in _PART_SEPARATOR.split(line) if part]
    dated = [DATE_LINE.match(part) is not None for part in parts]
    if dated[0] and len(parts) > 2 and len(parts[-1].split()) <= DATE_PARTS_LABEL_WORDS:
        parts, dated = parts[:-1], dated[:-1]  # the source's label closing the line
    return any(dated) and all(d or _TIME_ONLY.match(part) is not None for d, part in zip(dated, parts, strict=True))
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


# between the names of a byline's list: "A B and C D, E F & G H"
_NAME_SEPARATOR = re.compile(r"\s*(?:,|\band\b|&)\s*")


def split_names(names: str) -> list[str]:
    """'A B and C D, E F' -> ['A B', 'C D', 'E F']."""
    parts = _NAME_SEPARATOR.split(names)
    return [p.strip() for p in parts if p.strip() and len(p.split()) <= 5]


# Every character a copyright line can start with (_COPY_START, case-insensitive: no other
# character folds to "c").
_COPY_FIRST = "™®Cc©("
_CAPTION_KEYS = ("—", "–", "Photo", "Image", "Picture", "File", "Caption", "Credit")
# "contains one of the keys" as one literal alternation: a single pass over the line
_HAS_CAPTION_KEY = re.compile("|".join(map(re.escape, _CAPTION_KEYS)))


# the glyphs a list item opens with (also read by shape's list-item test)
BULLETS = "•·▪►"


def read_line(line: str, cues: Cues, words: int | None = None) -> str | None:
    """Read what a boilerplate line says into ``cues``; return the kind of line it is
    ('trailer', 'copyright', 'byline', 'date', 'caption'), or None for an ordinary line.
    ``words`` is the line's word count when the caller already has it."""
    if words is None:
        words = len(line.split())
    if words > 60:
        return None
    if line and line[0] in BULLETS:
        line = line[1:].lstrip()  # "• Updated: Dec. 21, 2023": a date line set as a list item
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
        match = BYLINE.match(line) if line.startswith(_BYLINE_STARTS) else None
        if match:
            # the byline reader drops a job title after the name ("By Jane Doe, Senior Editor")
            cues.authors = cues.authors or byline_names(line) or split_names(match["names"])
            return "byline"
        if has_digit and DATE_LINE.match(line):
            return "date"
    if words <= DATE_PARTS_MAX_WORDS and has_digit and ("|" in line or " / " in line) and _date_parts(line):
        return "date"
    if _HAS_CAPTION_KEY.search(line) is not None and CAPTION.search(line):
        return "caption"
    return None


# --- the article's header: headline, byline, date line -------------------------------------
# Above its first paragraph a news article prints the same few things in any template: the
# headline, maybe a standfirst, the byline (a "By ..." line, or the author's name alone on its
# line), the date line ("Published ...", "Saturday 23 December 2023 09:25"). A scraper that
# ignores markup delivers them as short lines between the menus and the body; the functions
# below read them from those lines.

_PARTICLES = frozenset({"de", "van", "von", "der", "den", "bin", "al", "del", "da", "la", "le", "di", "du", "dos",
                        "y", "e", "ter", "ten", "st."})
_NAME_TOKEN = re.compile(r"^[A-Z\u00C0-\u024F][\w'’.\u00C0-\u024F-]*$")
# Words that make a capitalised line a label, not a person: what page furniture and
# organisation names are built from.
_NOT_NAME = frozenset("""
news staff press media report reporter editor editors team desk wire service services associated
agency network online daily times post journal herald tribune magazine group inc ltd llc company
university institute school college council department ministry office center centre foundation
home about contact menu search subscribe login sign share follow more read watch video videos
photos photo gallery live latest top breaking world business sports sport politics opinion
entertainment culture lifestyle travel health science technology tech weather local national
international newsletters newsletter advertisement sponsored updated published posted print email
comments comment close open next previous back skip main content privacy terms cookies policy
images image photo photos credit courtesy getty shutterstock archive file handout
navigation footer header sidebar deals recommends insider podcast podcasts events shop store
text font size article articles older newer
""".split())  # noqa: SIM905
# Words a sentence or a label is built with and a name never is ("Advertise With Us").
_FUNCTION_WORDS = frozenset("""
a an the and or of in on at to for from by with without into onto over under about after before is are was
were be been has have had do does did not no this that these those it its we us our you your they their
he she his her i me my how what when where why who which all any every new here there now
""".split())  # noqa: SIM905
# "By" in the languages of Europe's larger papers: French "Par", Spanish and Portuguese "Por",
# German "Von", Dutch "Door", Swedish and Norwegian "Av", Danish "Af", Italian "Di"; followed by a
# capital, as a name is
BY_ABROAD = ("Par", "Por", "Von", "Door", "Av", "Af", "Di")
# "and" between a byline's names in those languages
AND_ABROAD = ("et", "y", "e", "und", "en", "och", "og")
_BY_LINE = re.compile(
    r"^(?:(?:Written|Reported|Words|Story|Text|Published|Posted)\s+)?(?:[Bb]y\s*:?\s+|By(?=[A-Z][a-z]))(?P<rest>.+)$"
    r"|^(?:As told to|Author|Authors|Written by)\s*:?\s*(?P<rest2>.+)$"
    r"|^(?:" + "|".join(BY_ABROAD) + r")\s+(?P<rest3>[A-Z].+)$"
)
_BY_INSIDE = re.compile(
    r"(?:^|\s|[|•·,])(?:[Bb]y|[Aa]s told to|Published By\s*:|Author\s*:)\s+(?P<rest>[A-Z].{2,80})$")
# the place a reporter files from, closing a byline: "Jane Doe and John Roe in New York"
_PLACE_TAIL_RE = r"\sin\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}$"
# A staff role ends a byline's name, and the paper's word may stand before it ("Jane Doe Globe Staff")
_STAFF_TITLES = ("staff", "reporter", "correspondent")
_STAFF_ROLES = tuple(title.capitalize() for title in _STAFF_TITLES)
# What a newsroom's people do for a living, in lower case: the job titles that end a byline's name
# ("Graphics Journalist") or introduce the author's box ("<Name> is a senior editor at ...")
JOB_TITLES = (
    *_STAFF_TITLES, "journalist", "editor", "writer", "columnist", "producer", "photographer",
    "contributor", "intern", "author", "critic", "freelancer", "analyst", "dietitian", "librarian",
    "fact-checker", "editor-in-chief",
)
_ROLE_WORDS = "|".join(title.capitalize() for title in JOB_TITLES)
# the words of a job title a byline prints after the name ("Jane Doe Data and Graphics Journalist")
ROLE_END = re.compile(r"\b(?:" + _ROLE_WORDS + r")s?$")
# ... and run into the name by a scraper: "Jane DoeData and Graphics Journalist" (its words
# capitalized, none with a capital inside: "McReed" stays whole)
_GLUED_ROLE = re.compile(r"(?<=[a-z])(?:[A-Z][a-z-]*\s+(?:(?:and|&|of)\s+)?)*(?:" + _ROLE_WORDS + r")s?$")
_NAME_END = re.compile(
    r"(?:Published|Updated|Posted|Last updated|Modified|Posted On|" + "|".join(_STAFF_ROLES) + r")\b"
    r"|\s[|•·—–]\s|\s[-]\s|,\s*(?:19|20)\d\d|,\s*" + MONTH_RE + r"|\s" + MONTH_RE + r"\s+\d|\d"
    r"|\sFor\s+(?:The\s+)?[A-Z]"  # "By Jane Doe For Dailymail.Com" (not a credit's "by Jane Doe for TIME")
    r"|\s[Oo]n\s+(?=" + MONTH_RE + r"|\d)"  # "By Jane Doe on December 22, 2023"
    r"|" + _PLACE_TAIL_RE
)
_PAPER_WORDS = frozenset({"Times", "Post", "Globe", "Herald", "Tribune", "Journal", "News", "Star", "Gazette",
                          "Chronicle", "Mail", "Telegraph", "Express", "Observer", "Guardian", "Independent",
                          "Sun", "Mirror", "Bulletin", "Courier", "Examiner", "Inquirer", "Record", "Register"})


_CREDENTIAL = re.compile(r"[A-Z]{2,5}|Ph\.?D\.?|M\.?D\.?")
# A scraper runs inline elements together: "Jane DoeDec 05, 2023" is a name, then a date.
_GLUED_DATE = re.compile(r"(?<=[a-z])(?=" + MONTH_RE + r"\s*\d)")


def is_name(text: str) -> bool:
    """Whether ``text`` is shaped like a person's name: two to five capitalised words (name
    particles such as "de" or "van" allowed), no digits, not all upper case, none of the words
    page labels and organisations are made of."""
    tokens = text.split()
    if not 2 <= len(tokens) <= 5 or len(text) > 48:
        return False
    capitalised = 0
    for token in tokens:
        if len(token) == 2 and token[1] == "." and token[0].isupper():
            capitalised += 1  # a middle initial ("I." is not the pronoun)
            continue
        low = token.lower().strip(".,")
        if low in _NOT_NAME or low in _FUNCTION_WORDS:
            return False
        if _NAME_TOKEN.match(token):
            capitalised += 1
        elif low not in _PARTICLES:
            return False
    return capitalised >= 2 and not text.isupper()


def names_line(text: str) -> bool:
    """Whether a line holds reporters' names and the place they file from, as a byline without
    "By" prints them: "Jane Doe in Kyiv", "Jane Doe and John Roe in New York". (Two names alone
    may be a headline: "Jane Doe and John Roe".)"""
    place = _PLACE_TAIL.search(text)
    return place is not None and names_only(text[:place.start()])


def names_only(text: str) -> bool:
    """Whether a line is nothing but up to four people's names ("Jane Doe and John Roe", "Jane
    Doe, John Roe & Ann Poe"): a byline without "By", or a live post's credit."""
    parts = _NAME_SEPARATOR.split(text)
    return len(parts) <= 4 and all(map(is_name, parts))


_PLACE_TAIL = re.compile(_PLACE_TAIL_RE)


_NAMES_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\bwith\b|\b(?:" + "|".join(AND_ABROAD) + r")\b(?=\s+[A-Z]))\s*")


# What a byline prints beside a name and is no part of it: a social handle ("@jdoe", run into the
# name or not) and a remark in brackets ("(reporting)", "(avec ...)", "(photography)")
_ASIDE = re.compile(r"\s*@\w[\w.]*|\s*\([^()]{1,60}\)")
# ... and a name credited for the pictures, not the words: "and Jane Doe (photography)"
_VISUAL_CREDIT = re.compile(
    r"(?:\s*,|\s+and|\s*&)?\s*[^,;&()]+?\s*\((?:photo\w*|pictures?|video\w*|graphics?|illustrations?|images?)\)",
    re.I)


def without_asides(text: str) -> str:
    """A byline's text without the social handles and bracketed remarks beside its names."""
    return _ASIDE.sub("", text)


def names_in(text: str) -> list[str]:
    """The names a byline's text holds ("A B and C D", "A B, C D", "A B | email"), cut before
    what follows them (a date, a role, a separator); empty when something else is written."""
    text = without_asides(_VISUAL_CREDIT.sub("", _GLUED_DATE.sub(" ", text)))
    end = _NAME_END.search(text)
    if end is not None:
        text = text[:end.start()]
        if end.group(0) in _STAFF_ROLES:
            words = text.split()
            if "," in text:
                text = text.rsplit(",", 1)[0]  # "Jane Doe, Harbour Times Staff": the paper, not a second name
            elif len(words) >= 3 and words[-1] in _PAPER_WORDS:
                text = text.rsplit(maxsplit=1)[0]  # a name and the paper's word ("Globe Staff")
    text = text.strip(" ,;:|•·-–—")
    names: list[str] = []
    for part in _NAMES_SPLIT.split(text):
        part = part.strip(" .,")
        words = part.split()
        while len(words) > 2 and _CREDENTIAL.fullmatch(words[-1]):
            words.pop()  # "Name MS": a degree after the name
        part = " ".join(words)
        if not part or (names and _CREDENTIAL.fullmatch(part)):
            continue
        if part.isupper() and len(part) > 3:
            part = part.title()
        if not is_name(part):
            # a single-word pen name or an organisation ("Reuters") is not read from a byline
            return names if names else []
        names.append(part)
    return names


def byline_names(line: str) -> list[str]:
    """The authors a byline line names: "By A B", "By A B • 12/11/23 4:23pm", "By A BPublished:
    Dec 22, 2023" (inline elements run together by a scraper), "Published By : A B", "text by A
    B, Dec 19th 2023", "As told to A B", "C D as told to A B" (a first-person essay: the writer)."""
    match = _by_match(line)
    rest = None
    if match:
        rest = _by_rest(match, line)
    elif ("by" in line or "By" in line or "Author" in line or "told to" in line) and len(line.split()) <= 30:
        inside = _BY_INSIDE.search(line)
        if inside:
            rest = inside["rest"]
    if not rest:
        return _name_then_date(line) if _DIGIT.search(line) else []
    rest = re.sub(r"(?<=[a-z])(?=(?:Published|Updated|Posted)\b)", " ", rest)
    return names_in(_GLUED_ROLE.sub("", rest))


_AND_ABROAD = re.compile(r"\s(?:" + "|".join(AND_ABROAD) + r")\s+[A-Z]")


def _reads_abroad(line: str) -> bool:
    """Whether a line that opens with another language's "By" reads as that language: a letter
    outside ASCII ("Par Sébastien ...") or its "and" between names. "Von Miller Signs With
    Bills" and "Door Dash Hires Executives" are English headlines."""
    return not line.isascii() or _AND_ABROAD.search(line) is not None


def opens_with_by(line: str) -> bool:
    """Whether a line opens as a byline does, with its "By" ("By", "Written by", "Par", ...), not
    a name followed by a date."""
    match = _by_match(line)
    return match is not None and _by_rest(match, line) is not None


def _by_match(line: str) -> re.Match[str] | None:
    return _BY_LINE.match(line) if line[:1] in _BY_FIRST else None


def _by_rest(match: re.Match[str], line: str) -> str | None:
    """What follows a byline's opener: the names and what comes after them; None after another
    language's "By" on a line that does not read as that language."""
    return match["rest"] or match["rest2"] or (match["rest3"] if _reads_abroad(line) else None)


# every character a line _BY_LINE matches can start with
_BY_FIRST = frozenset("WRSTPBbA" + "".join(word[0] for word in BY_ABROAD))
_SEPARATOR = re.compile(r"\s+[·•|]\s+")
_DATED = re.compile(r"\b(?:Published|Posted|Updated)\b|\d")


_NAME_BEFORE_DATE = re.compile(r"^(?P<name>[^\d|•·]{3,48}?)\s*(?:\s[-–—]\s*|\s)(?=" + MONTH_RE + r"\s*\d)")


def _name_then_date(line: str) -> list[str]:
    """"Jane Doe · The Courier · Posted: Mar 3, 2024": a byline without "By", the name first,
    then separators and the date."""
    glued = _NAME_BEFORE_DATE.match(_GLUED_DATE.sub(" ", line))
    if glued is not None and len(line.split()) <= 16:
        # "Jane DoeMar 5, 2024" (a scraper ran them together), "Jane Doe, Senior WriterMar 5, 2024"
        name = glued["name"].split(",")[0].strip()
        if is_name(name):
            return [name]
    parts = _SEPARATOR.split(line, maxsplit=4)
    if len(parts) < 2 or len(line.split()) > 30 or not any(_DATED.search(p) for p in parts[1:]):
        return []
    return names_in(parts[0]) if is_name(parts[0]) else []


# A scraper that ignores markup runs inline elements together: "CorrespondentDec 22, 2023",
# "Dec 22, 20235:00 AM ET", "UpdatedDec. 23". These put the space back.
_GLUED_MONTH = re.compile(r"(?<=[a-z0-9])(?=" + MONTH_RE + r"\s*\d)")
_GLUED_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d\d)(?=\d)")
_GLUED_WORD = re.compile(r"(?<=[a-z])(?=(?:Published|Updated|Posted|Modified)\b)")
_PUBLISHED_WORD = re.compile(r"\b(?:Published|Posted|First published)\b", re.I)


def unglue(line: str) -> str:
    """``line`` with the spaces a scraper dropped between a word, a month, a year and a time."""
    if not _DIGIT.search(line):
        return line
    line = _GLUED_WORD.sub(" ", _GLUED_MONTH.sub(" ", line))
    return _GLUED_YEAR.sub(r"\1 ", line)


def updated_only(line: str) -> bool:
    """An "Updated ..." line that does not also say when the page was published."""
    line = unglue(line)
    return UPDATED_ONLY.match(line) is not None and _PUBLISHED_WORD.search(line) is None


def header_date(line: str) -> datetime | None:
    """The date of a short date line ("Published: Dec 22, 2023 10:55 AM EST", "Saturday 23
    December 2023 09:25, UK", "12/11/23 4:23pm"), None for other lines. Of "Updated <date> /
    Published <date>", the published one."""
    if len(line.split()) > 16 or not _DIGIT.search(line):
        return None
    line = unglue(line)
    published = _PUBLISHED_WORD.search(line)
    if published is not None and published.start() > 0:
        line = line[published.start():]
    value = parse_date(line)
    if value is None:
        match = _US_SHORT.search(line)
        if match:
            value = _us_short(match)
    return value


_US_SHORT = re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2}|(?:19|20)\d\d)(?![\d/])")


def _us_short(match: re.Match[str]) -> datetime | None:
    """12/11/23: month first unless the first number cannot be a month."""
    month, day, year = int(match["m"]), int(match["d"]), int(match["y"])
    if month > 12 >= day:
        month, day = day, month
    year = year + 2000 if year < 100 else year
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
