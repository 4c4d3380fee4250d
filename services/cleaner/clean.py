"""raw -> clean: the article alone, with its metadata and identity. Pure logic, no I/O.

The two input kinds take different roads to the same paragraphs: a whole HTML page goes
through services.cleaner.html (trafilatura plus a second classifier pass and structured
metadata), scraped text through services.cleaner.text (the line classifier). Fields the
RawArticle carries always win over what is inferred from the content.
"""

from __future__ import annotations

import re
from datetime import datetime

from services.cleaner.cues import Cues, header_date, read_line
from services.cleaner.dates import parse_date, url_date
from services.cleaner.fingerprint import MAX_WORDS, fingerprint
from services.cleaner.html import extract_html, furniture_free_text
from services.cleaner.language import detect_language
from services.cleaner.localdate import is_local_date_line
from services.cleaner.metadata import PageMeta
from services.cleaner.normalize import join_paragraphs, normalize_inline, normalize_lines
from services.cleaner.segment import count_sentences, count_words
from services.cleaner.shape import holds_more, is_list_item, is_prose, is_row, lenient_lines, shape_flags
from services.cleaner.text import extract_text, without_signature
from shared.contracts.identity import article_id, content_hash, normalize_text
from shared.contracts.schemas import CleanArticle, ContentType, RawArticle

HEADLINE_WORDS = 16
# Bounds on what is analysed, far above any article (the longest news features run to ~20,000
# words, ~150 KB; a page's markup without its scripts and styles rarely passes 500 KB): they keep the worst case a few
# seconds. Anything beyond is cut off and flagged, never silently.
MAX_TEXT_CHARS = 400_000
MAX_HTML_CHARS = 1_000_000
SHORT_WORDS = 80
LANGUAGE_CONFIDENCE = 0.8
_LOOKS_HTML = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)


class RejectedArticle(ValueError):
    """The input holds no text at all; the reason goes into the dead letter."""


BINARY_SAMPLE = 4096
BINARY_SHARE = 0.1
# Control characters that no text carries (tab, newline and carriage return excepted), and the
# replacement character a failed decoding leaves.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def is_binary(content: str) -> bool:
    """Bytes that are not text (an image, a compressed file, a failed decoding): a tenth or more
    of the first 4,096 characters are control or replacement characters."""
    sample = content[:BINARY_SAMPLE]
    return len(_CONTROL.findall(sample)) >= BINARY_SHARE * len(sample)


def has_text(text: str) -> bool:
    """Whether there is anything to read: one letter or digit, in any script."""
    return any(map(str.isalnum, text))


def _is_html(raw: RawArticle) -> bool:
    return raw.content_type == ContentType.HTML or bool(_LOOKS_HTML.match(raw.content[:512]))


def clean_article(raw: RawArticle) -> CleanArticle:
    """The article in ``raw``, or RejectedArticle(reason) when there is none."""
    if not raw.content or not raw.content.strip():
        raise RejectedArticle("content is empty")
    if is_binary(raw.content):
        raise RejectedArticle("content is binary, not text")
    flags: list[str] = []
    meta = PageMeta()
    content = raw.content
    html = _is_html(raw)
    if html:
        result = extract_html(content, MAX_HTML_CHARS)
        if result.truncated:
            flags.append("truncated_input")
        paragraphs, meta, cues, title, method = (
            result.paragraphs, result.meta, result.cues, result.title, result.method
        )
        if raw.content_type != ContentType.HTML:
            flags.append("html_in_text")
    else:
        if len(content) > MAX_TEXT_CHARS:
            cut = content.rfind("\n", 0, MAX_TEXT_CHARS)
            content = content[: cut if cut > MAX_TEXT_CHARS // 2 else MAX_TEXT_CHARS]
            flags.append("truncated_input")
        normalized = normalize_lines(content)
        found = extract_text(normalized, known_title=raw.title)
        paragraphs, cues, title, method = found.paragraphs, found.cues, found.title, "text-classifier"
    if method == "visible-text":
        flags.append("fallback_extraction")
    authors = _authors(meta, cues)
    paragraphs = without_signature(paragraphs, authors)
    body = join_paragraphs(paragraphs)
    word_count = count_words(body)
    if word_count < SHORT_WORDS or not any(map(is_prose, paragraphs)):
        # little prose, or none at all (a table the classifier kept part of): the whole text
        # when it holds more of the item
        whole = _whole_text(content, paragraphs, (raw.title, meta.title, title), html)
        if whole is not None:
            paragraphs, method, more_flags = whole
            flags.extend(more_flags)
            if title is None and not raw.title and not meta.title:
                title, paragraphs = _leading_headline(paragraphs)
            body = join_paragraphs(paragraphs)
            word_count = count_words(body)
    if not has_text(body):
        raise RejectedArticle("no text found")
    dateline = None if html else _dateline_left_out(normalized, body)
    if word_count < SHORT_WORDS:
        flags.append("short_body")
    flags.extend(shape_flags(paragraphs))

    detected, confidence = detect_language(body)
    language = raw.language or meta.language or detected
    if detected and confidence >= LANGUAGE_CONFIDENCE:
        language = raw.language or detected
        if raw.language and raw.language.split("-")[0].lower() != detected:
            flags.append("language_mismatch")
    elif raw.language is None:
        flags.append("language_uncertain")
        if not meta.language and "no_prose" in flags:
            language = None  # names and figures: an uncertain guess would be noise
    if language and language.split("-")[0].lower() != "en":
        flags.append("not_english")

    url = raw.url or meta.url
    published_at = raw.published_at or meta.published_at or cues.published_at
    if published_at is None and html:
        published_at = _printed_date(furniture_free_text(content, MAX_HTML_CHARS), title or meta.title, paragraphs)
    if published_at is None:
        # nothing printed or declared: the day the story's URL is filed under
        published_at = url_date(url)
    folded = normalize_text(body)  # once, for the identities and the fingerprint
    return CleanArticle(
        id=raw.id or article_id(url, body, folded),
        url=url,
        source=raw.source or meta.source or cues.source,
        title=raw.title or _title(meta, cues, title),
        authors=authors,
        published_at=published_at,
        language=language,
        body=body,
        word_count=word_count,
        content_hash=content_hash(body, folded),
        fingerprint=fingerprint(body, folded if len(body) <= MAX_WORDS * 12 else None),
        quality_flags=flags,
        metadata={**_cleaner_metadata(method, confidence, meta, dateline), **raw.metadata},
    )


def _whole_text(
    content: str, kept: list[str], titles: tuple[str | None, ...], html: bool
) -> tuple[list[str], str, list[str]] | None:
    """Little prose found: a brief, a table, a list, a photo story. When the classifier kept
    nothing, or less than the table rows, lines of figures, list items or captions around it,
    the item is its whole text without furniture (``whole_text``); when that is nothing, the
    whole text as it is (``no_article``: nothing but furniture). None: keep what was kept (a
    brief the classifier found is not padded with the headlines around it)."""
    whole = furniture_free_text(content, MAX_HTML_CHARS) if html else normalize_lines(content)
    kept_words = sum(map(count_words, kept))
    lenient = lenient_lines(whole, frozenset(t.casefold() for t in titles if t))
    if sum(map(count_words, lenient)) > kept_words and (not kept or holds_more(kept, lenient)):
        return lenient, "whole-text", ["whole_text"]
    if kept:
        return None
    if not has_text(whole) and html:
        whole = furniture_free_text(content, MAX_HTML_CHARS, prune=False)
    lines = [line for line in whole.split("\n") if line]
    return (lines, "whole-text", ["whole_text", "no_article"]) if lines else None


DATE_LINES_AROUND = 8


def _printed_date(page_text: str, title: str | None, paragraphs: list[str]) -> datetime | None:
    """A page without a date in its markup: the date line it prints below the headline or
    above the body's first paragraph ("14 มีนาคม 2568 เวลา 11:15 น.", "March 3, 2025")."""
    lines = page_text.split("\n")
    folded = {line.casefold(): i for i, line in reversed(list(enumerate(lines)))}
    start = folded.get(title.casefold(), -1) + 1 if title else 0
    end = folded.get(paragraphs[0].casefold(), len(lines)) if paragraphs else len(lines)
    if start == 0 and end < len(lines):
        start = max(0, end - DATE_LINES_AROUND)
    for line in lines[start: min(end, start + DATE_LINES_AROUND)]:
        if read_line(line, Cues()) == "date" or is_local_date_line(line):
            return parse_date(line)
    return None


def _leading_headline(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """A whole-text item that opens with a headline (one short sentence or phrase, with more
    lines after it): the headline is its title, not its body."""
    if len(paragraphs) < 2:
        return None, paragraphs
    first = paragraphs[0]
    if count_words(first) > HEADLINE_WORDS or count_sentences(first) > 1 or first.endswith(":"):
        return None, paragraphs
    if is_row(first) or is_list_item(first):
        return None, paragraphs
    return first, paragraphs[1:]


def _title(meta: PageMeta, cues: Cues, text_title: str | None) -> str | None:
    value = meta.title or cues.title or text_title
    return normalize_inline(value)[:2000] or None if value else None


def _authors(meta: PageMeta, cues: Cues) -> list[str]:
    names = meta.authors or cues.authors
    return list(dict.fromkeys(normalize_inline(n) for n in names if normalize_inline(n)))[:20]


DATELINE_SPAN = 8  # lines from the top of a text searched for its dateline
DATELINE_MAX_WORDS = 8


def _dateline_left_out(text: str, body: str) -> str | None:
    """The line wire copy dates the story with above its text ("MADRID 1996-12-06", "AL-AIN,
    United Arab Emirates 1996-12-06"), when the body leaves it out (it is read as the date):
    a short line near the top that opens with a capital letter and holds a date. The place it
    names is where the story was filed; the extractor decides whether it reads as a place."""
    for line in text.split("\n", DATELINE_SPAN + 1)[:DATELINE_SPAN]:
        line = line.strip()
        if (line[:1].isupper() and len(line.split()) <= DATELINE_MAX_WORDS and line not in body
                and header_date(line) is not None):
            return line[:200]
    return None


def _cleaner_metadata(method: str, confidence: float, meta: PageMeta, dateline: str | None = None
                      ) -> dict[str, str]:
    """What the cleaner learnt that has no field of its own; raw metadata keys win."""
    out = {"cleaner_method": method, "language_confidence": f"{confidence:.2f}"}
    if dateline:
        out["dateline"] = dateline
    if meta.description:
        out["description"] = meta.description[:1000]
    if meta.section:
        out["section"] = meta.section[:200]
    if meta.modified_at:
        out["modified_at"] = meta.modified_at.isoformat()
    return out
