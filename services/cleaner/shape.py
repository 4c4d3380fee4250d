"""Items with little prose: briefs, results and market tables, list stories, photo stories.

The line classifier looks for the region of a page that reads as prose; a one-sentence brief,
a standings table, a list of items or a set of captions is not prose, and it keeps too little
of them. Such items are news all the same, so they are indexed with their whole text and with
quality flags that say what they are made of, for users to filter on:

- ``no_prose``: no line of the body is a sentence of 8 words or more;
- ``tabular``: at least half of the body's lines are rows of figures (results, standings,
  prices);
- ``list``: at least half of the body's lines are list items (bullets or numbers);
- ``captions``: the body keeps photo captions (a photo story);
- ``whole_text``: the classifier kept nothing, or less than the table rows, list items or
  captions around it: the body is the whole text without furniture.

What stays out of even the whole text is what is furniture by what it says or by being
repeated: share and comment widgets, copyright lines and trailers, bylines and date lines,
runs of menu entries, and lines that occur twice (table rows excepted: "Chicago 0 0" may well
stand in two sections of a table).
"""

from __future__ import annotations

import re
from collections import Counter

from services.cleaner.cues import BULLETS, Cues, read_line
from services.cleaner.segment import count_line_words, count_words, has_stopless
from services.cleaner.text import is_terminal, says_furniture, unwrap

PROSE_WORDS = 8
MENU_RUN = 3
MENU_WORDS = 4
ROW_FIGURES = 2
ROW_MAX_CHARS = 300
CAPTION_MAX_CHARS = 400
CREDIT_CHARS = 80
SHAPE_SHARE = 0.5
MIN_SHAPE_LINES = 3
FEW_WORDS = 20
DROP_KINDS = frozenset({"trailer", "copyright", "byline", "date"})

# A figure: a number, a score or a price, with its separators ("31", "1-0", "24.88", "61,514",
# "+1.5%", "$2.3").
_FIGURE = re.compile(r"(?<!\w)[-+$€£¥]?\d[\d.,:/-]*%?(?!\w)")
# A list item's marker: a bullet, or a number or letter followed by "." or ")".
_LIST_MARK = re.compile(r"^(?:[-–—*✓" + BULLETS + r"]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)")


def is_row(line: str) -> bool:
    """A row of a table: two figures or more, and not a sentence of prose."""
    if len(line) > ROW_MAX_CHARS:  # a paragraph, not a row (and no need to look for figures)
        return False
    figures = len(_FIGURE.findall(line))
    if figures < ROW_FIGURES:
        return False
    return not (is_terminal(line) and count_words(line) - figures >= PROSE_WORDS)


def is_prose(line: str) -> bool:
    """A sentence of prose: ends like a sentence (or is written in a script without sentence
    stops) and holds 8 words or more that are not figures (``line`` is normalized: single spaces)."""
    if not (is_terminal(line) or has_stopless(line)):
        return False
    if len(line) > ROW_MAX_CHARS:  # longer than any table row: a paragraph, figures or not
        return True
    words = count_line_words(line)
    if words >= 3 * PROSE_WORDS:  # a long sentence, whatever figures it holds
        return True
    return words - len(_FIGURE.findall(line)) >= PROSE_WORDS


def is_list_item(line: str) -> bool:
    return _LIST_MARK.match(line) is not None


# A caption closes with its photo credit: "... Photo: Jan Kowalski", "(Picture by A. Ruiz)",
# "REUTERS/Ana Ruiz", "AP Photo/Jan Kowalski".
_NAME = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
# The credit follows the caption's sentence ("Photos: Inside the hospitals" is a headline).
_CREDIT = re.compile(
    rf"(?:[.!?”\"’)]\s*(?:(?:Photo|Picture|Image|Photograph|Credit)s?(?:\s+by)?\s*[:/]\s*{_NAME}"
    rf"|[A-Z]{{2,}}(?:\s+Photo)?/{_NAME})"
    rf"|\((?:Photo|Picture|Image)s?\s+by\s+{_NAME}\))\s*\.?$"
)


def _is_caption(line: str) -> bool:
    """A photo caption: short, closed by a credit or shaped as services.cleaner.cues knows."""
    if len(line) > CAPTION_MAX_CHARS:
        return False
    return _CREDIT.search(line, max(0, len(line) - CREDIT_CHARS)) is not None or read_line(line, Cues()) == "caption"


def lenient_lines(text: str, drop: frozenset[str] = frozenset()) -> list[str]:
    """Every line of a normalized text that is not furniture by what it says (widgets, legal
    lines, bylines, date lines), by repetition, or by standing in a run of menu entries (three or
    more short lines without a figure or a sentence stop). ``drop`` lists lines known to be
    something else (the title), compared case-insensitively."""
    lines = [ln for ln in unwrap(text.split("\n")) if ln.strip()]
    counts = Counter(ln.casefold() for ln in lines)
    keep: list[bool] = []
    for line in lines:
        words = count_words(line)
        kind = read_line(line, Cues(), words)
        keep.append(
            kind not in DROP_KINDS
            and not says_furniture(line, words)
            and (counts[line.casefold()] == 1 or is_row(line))  # a table may repeat a row
            and line.casefold() not in drop
        )
    # menus: runs of short lines with no figure and no sentence stop
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _menu_like(lines[j]):
            j += 1
        if j - i >= MENU_RUN:
            for k in range(i, j):
                keep[k] = False
        i = max(j, i + 1)
    return [line for line, kept in zip(lines, keep, strict=True) if kept]


def _menu_like(line: str) -> bool:
    """A menu entry, with or without a list marker: a few words, no figure, no sentence stop."""
    line = _LIST_MARK.sub("", line, count=1)
    return count_words(line) <= MENU_WORDS and not is_terminal(line) and _FIGURE.search(line) is None


def is_data_line(line: str) -> bool:
    """A line the prose classifier has no use for but that carries the item: a table row or a
    line of figures ("Wasim Akram b Harris 4"), a list item, a caption. Related-story headlines
    and menus are none of these."""
    if is_list_item(line) or _is_caption(line):
        return True
    return len(line) <= ROW_MAX_CHARS and _FIGURE.search(line) is not None and not is_prose(line)


def holds_more(kept: list[str], lenient: list[str]) -> bool:
    """Whether the lenient text adds an item's substance to what the classifier kept: lines the
    classifier has no use for but that carry the item (table rows, lines of figures, list items,
    captions), at least half of the lines it adds and three of them; when the classifier kept
    under 20 words (a headline and a dateline), one such line and a third of what is added
    suffice ("Plymouth 4 Exeter 1" below "Result of a Cup match on Friday:"). Headlines of other
    stories and menus are not such lines: a brief is never padded with them."""
    have = {p.casefold() for p in kept}
    extra = [ln for ln in lenient if ln.casefold() not in have]
    data = sum(map(is_data_line, extra))
    if sum(map(count_words, kept)) < FEW_WORDS:
        return data >= 1 and 3 * data >= len(extra)
    return data >= MIN_SHAPE_LINES and data >= SHAPE_SHARE * len(extra)


def shape_flags(paragraphs: list[str]) -> list[str]:
    """The quality flags that say what a body is made of (see the module docstring). Rows and
    captions are never prose: only the paragraphs that are not prose are looked at for them (in
    an ordinary article, a few subheadings)."""
    if not paragraphs:
        return ["no_prose"]
    flags: list[str] = []
    others = [p for p in paragraphs if not is_prose(p)]
    if len(others) == len(paragraphs):
        flags.append("no_prose")
    enough = len(paragraphs) >= MIN_SHAPE_LINES
    if enough and 2 * len(others) >= len(paragraphs) and sum(map(is_row, others)) >= SHAPE_SHARE * len(paragraphs):
        flags.append("tabular")
    elif enough and sum(map(is_list_item, paragraphs)) >= SHAPE_SHARE * len(paragraphs):
        flags.append("list")
    if any(map(_is_caption, others)):
        flags.append("captions")
    return flags
