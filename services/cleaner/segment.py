"""Words and sentences in any script, by ICU's Unicode segmentation (UAX #29 plus ICU's
dictionaries for the scripts written without spaces).

Chinese, Japanese, Thai, Lao, Khmer and Burmese put no space between words: counting
whitespace-separated tokens makes a Chinese paragraph one "word" and a Thai article a handful.
ICU's word breaker (bundled with the icu4py wheel, no system library needed) splits them with
its dictionaries ("北京市政府周二宣布" -> 北京市 / 政府 / 周二 / 宣布) and follows UAX #29
elsewhere. A word is a segment holding a letter or a digit (punctuation and spaces are
segments too).

ICU costs about a microsecond per word from Python; the cleaner counts words of every line of
every page, so text with no character of a space-less script (found with the regex library's
Unicode script properties, one C-level scan) is counted by whitespace, which for those scripts
gives the UAX #29 words (a standalone dash or bullet aside) at a fraction of the cost.
"""

from __future__ import annotations

import re
from functools import lru_cache

import regex
from icu4py.breakers import SentenceBreaker, WordBreaker

SPACELESS_SCRIPTS = ("Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan")
# Scripts that write no sentence stop at all (a space ends a Thai sentence): a long line in
# them may be prose without any final punctuation.
STOPLESS_SCRIPTS = ("Thai", "Lao", "Khmer")
# Unicode's Sentence_Terminal characters (. ! ? 。 ！ ？ । ؟ ...)
_TERMINAL = regex.compile(r"\p{Sentence_Terminal}")
MERGE_GAP = 256


def _script_class(scripts: tuple[str, ...]) -> re.Pattern[str]:
    """A character class of the standard library's re for the letters of ``scripts``, its ranges
    read from the Unicode script properties of the regex library. A search with it is many
    times faster than the same search with the regex library's properties; ranges less than 256
    code points apart are merged (what lies between them is punctuation and unassigned code
    points of the same blocks), which keeps the class short and the search fast."""
    code_points = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000)
    prop = "".join(rf"\p{{{name}}}" for name in scripts)
    runs: list[list[int]] = []
    for match in regex.finditer(rf"[{prop}]+", code_points):
        first, last = ord(match.group()[0]), ord(match.group()[-1])
        if runs and first - runs[-1][1] <= MERGE_GAP:
            runs[-1][1] = last
        else:
            runs.append([first, last])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in runs) + "]")


_SPACELESS = _script_class(SPACELESS_SCRIPTS)
_STOPLESS = _script_class(STOPLESS_SCRIPTS)
_ROOT = ""  # ICU's root locale: its CJK and South-East Asian dictionaries apply to any text


def has_spaceless(text: str) -> bool:
    """Whether ``text`` holds a character of a script written without spaces between words."""
    return not text.isascii() and _SPACELESS.search(text) is not None


def has_stopless(text: str) -> bool:
    """Whether ``text`` is written (at least partly) in a script without sentence stops."""
    return not text.isascii() and _STOPLESS.search(text) is not None


def _is_word(segment: str) -> bool:
    return any(map(str.isalnum, segment))


def words(text: str) -> list[str]:
    """The words of ``text``, in order (punctuation and spaces left out)."""
    if not has_spaceless(text):
        return text.split()
    return [s for s in WordBreaker(text, _ROOT) if _is_word(s)]


def count_words(text: str) -> int:
    """How many words ``text`` holds, in any script (see the module docstring)."""
    if text.isascii() or _SPACELESS.search(text) is None:  # has_spaceless, inlined: called per line
        return len(text.split())
    return _count_icu(text) if len(text) < 512 else sum(1 for s in WordBreaker(text, _ROOT) if _is_word(s))


@lru_cache(maxsize=4096)
def _count_icu(text: str) -> int:
    """Short texts (lines, titles) recur: menus and sidebars repeat on every page."""
    return sum(1 for s in WordBreaker(text, _ROOT) if _is_word(s))


@lru_cache(maxsize=512)
def is_sentence_stop(char: str) -> bool:
    """Whether ``char`` ends a sentence in some script (Unicode's Sentence_Terminal, or "…")."""
    return char == "…" or _TERMINAL.fullmatch(char) is not None


def count_line_words(line: str) -> int:
    """count_words for a normalized line (single spaces, no space at either end): the same count,
    cheaper when the line is in a script written with spaces."""
    if not has_spaceless(line):
        return line.count(" ") + 1 if line else 0
    return count_words(line)


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` by ICU's sentence breaker (UAX #29), stripped, empty ones left out."""
    return [s.strip() for s in SentenceBreaker(text, _ROOT) if s.strip()]


def count_sentences(text: str) -> int:
    """How many sentences ``text`` holds; a text with no sentence stop before its end is one."""
    stripped = text.strip()
    if not stripped:
        return 0
    if _TERMINAL.search(stripped[:-1]) is None:
        return 1
    return len(sentences(stripped))
