"""raw -> clean: the article alone, with its metadata and identity. Pure logic, no I/O.

The two input kinds take different roads to the same paragraphs: a whole HTML page goes
through services.cleaner.html (trafilatura plus a second classifier pass and structured
metadata), scraped text through services.cleaner.text (the line classifier). Fields the
RawArticle carries always win over what is inferred from the content.
"""

from __future__ import annotations

import re

from services.cleaner.cues import Cues
from services.cleaner.fingerprint import MAX_WORDS, fingerprint
from services.cleaner.html import extract_html
from services.cleaner.language import detect_language
from services.cleaner.metadata import PageMeta
from services.cleaner.normalize import join_paragraphs, normalize_inline, normalize_lines
from services.cleaner.text import extract_text
from shared.contracts.identity import article_id, content_hash, normalize_text
from shared.contracts.schemas import CleanArticle, ContentType, RawArticle

MIN_WORDS = 20
# Bounds on what is analysed, far above any article (the longest news features run to ~20,000
# words, ~150 KB; a page's markup without its scripts and styles rarely passes 500 KB): they keep the worst case a few
# seconds. Anything beyond is cut off and flagged, never silently.
MAX_TEXT_CHARS = 400_000
MAX_HTML_CHARS = 1_000_000
SHORT_WORDS = 80
LANGUAGE_CONFIDENCE = 0.8
_LOOKS_HTML = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)


class RejectedArticle(ValueError):
    """The input holds no article; the reason goes into the dead letter."""


def _is_html(raw: RawArticle) -> bool:
    return raw.content_type == ContentType.HTML or bool(_LOOKS_HTML.match(raw.content[:512]))


def clean_article(raw: RawArticle) -> CleanArticle:
    """The article in ``raw``, or RejectedArticle(reason) when there is none."""
    if not raw.content or not raw.content.strip():
        raise RejectedArticle("content is empty")
    flags: list[str] = []
    meta = PageMeta()
    content = raw.content
    if _is_html(raw):
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
        found = extract_text(normalize_lines(content), known_title=raw.title)
        paragraphs, cues, title, method = found.paragraphs, found.cues, found.title, "text-classifier"
    if method == "visible-text":
        flags.append("fallback_extraction")
    body = join_paragraphs(paragraphs)
    word_count = len(body.split())
    if word_count == 0:
        raise RejectedArticle("no article text found")
    if word_count < MIN_WORDS:
        raise RejectedArticle(f"no article text found (only {word_count} words of prose)")
    if word_count < SHORT_WORDS:
        flags.append("short_body")

    detected, confidence = detect_language(body)
    language = raw.language or meta.language or detected
    if detected and confidence >= LANGUAGE_CONFIDENCE:
        language = raw.language or detected
        if raw.language and raw.language.split("-")[0].lower() != detected:
            flags.append("language_mismatch")
    elif raw.language is None:
        flags.append("language_uncertain")
    if language and language.split("-")[0].lower() != "en":
        flags.append("not_english")

    url = raw.url or meta.url
    folded = normalize_text(body)  # once, for the identities and the fingerprint
    return CleanArticle(
        id=raw.id or article_id(url, body, folded),
        url=url,
        source=raw.source or meta.source or cues.source,
        title=raw.title or _title(meta, cues, title),
        authors=_authors(meta, cues),
        published_at=raw.published_at or meta.published_at or cues.published_at,
        language=language,
        body=body,
        word_count=word_count,
        content_hash=content_hash(body, folded),
        fingerprint=fingerprint(body, folded if len(body) <= MAX_WORDS * 12 else None),
        quality_flags=flags,
        metadata={**_cleaner_metadata(method, confidence, meta), **raw.metadata},
    )


def _title(meta: PageMeta, cues: Cues, text_title: str | None) -> str | None:
    value = meta.title or cues.title or text_title
    return normalize_inline(value)[:2000] or None if value else None


def _authors(meta: PageMeta, cues: Cues) -> list[str]:
    names = meta.authors or cues.authors
    return list(dict.fromkeys(normalize_inline(n) for n in names if normalize_inline(n)))[:20]


def _cleaner_metadata(method: str, confidence: float, meta: PageMeta) -> dict[str, str]:
    """What the cleaner learnt that has no field of its own; raw metadata keys win."""
    out = {"cleaner_method": method, "language_confidence": f"{confidence:.2f}"}
    if meta.description:
        out["description"] = meta.description[:1000]
    if meta.section:
        out["section"] = meta.section[:200]
    if meta.modified_at:
        out["modified_at"] = meta.modified_at.isoformat()
    return out
