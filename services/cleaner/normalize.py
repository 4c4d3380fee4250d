"""Text normalization that keeps meaning: the same words, the same punctuation, tidy spacing.

Curly quotes, dashes and accents are left as they are (they carry meaning and the extractor's
quote detection relies on them); only what is noise in any rendering is changed.
"""

from __future__ import annotations

import html
import re
import unicodedata

# C0/C1 controls except tab and newline, plus the replacement char, BOM and zero-width marks:
# none of them is text a reader sees, and some break JSON consumers or tokenizers.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufeff\u200b\u200c\u200d\u2060\u00ad\ud800-\udfff]"
)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_LINE_SEP = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def unescape_entities(text: str) -> str:
    """Decode HTML entities only when there are some, so a plain '&' is never touched."""
    if "&" not in text or not _ENTITY.search(text):
        return text
    return html.unescape(text)


def normalize_inline(text: str) -> str:
    """One paragraph: NFC, entities decoded, invisible chars dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFC", unescape_entities(text))
    text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def normalize_lines(text: str) -> str:
    """A whole text: like normalize_inline, but line structure is kept (one line per line,
    a blank line where there was one or more) because the text classifier reads it."""
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _LINE_SEP.sub("\n", text)
    text = unicodedata.normalize("NFC", unescape_entities(text))
    text = _INVISIBLE.sub("", text)
    # Each line's whitespace collapsed (str.split knows the same whitespace as the regex class),
    # and runs of blank lines folded into one.
    out: list[str] = []
    blank = True  # no blank line at the start
    for line in text.split("\n"):
        if not line.isascii() or "  " in line or "\t" in line or line[:1] == " " or line[-1:] == " ":
            line = " ".join(line.split())  # (an ASCII line has no other whitespace left here)
        if line:
            out.append(line)
            blank = False
        elif not blank:
            out.append("")
            blank = True
    if out and not out[-1]:
        out.pop()
    return "\n".join(out)


def join_paragraphs(paragraphs: list[str]) -> str:
    """The body format of CleanArticle: paragraphs separated by one blank line."""
    return "\n\n".join(p for p in (normalize_inline(p) for p in paragraphs) if p)
