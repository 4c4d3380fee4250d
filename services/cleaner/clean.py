"""raw -> clean: the article alone, with its metadata and identity. Pure logic, no I/O."""

from __future__ import annotations

import re
import unicodedata

import trafilatura

from shared.identity import article_id, content_hash
from shared.schemas import CleanArticle, ContentType, RawArticle


class RejectedArticle(ValueError):
    """The input holds no article; the reason goes into the dead letter."""


def _paragraphs(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text)]
    return [p for p in parts if p]


def clean_article(raw: RawArticle) -> CleanArticle:
    if raw.content_type == ContentType.HTML:
        body = trafilatura.extract(raw.content, include_comments=False, favor_precision=True) or ""
    else:
        body = raw.content
    paragraphs = [p for p in _paragraphs(body) if len(p.split()) >= 8]
    if not paragraphs:
        raise RejectedArticle("no article text found")
    clean_body = "\n\n".join(paragraphs)
    return CleanArticle(
        id=raw.id or article_id(raw.url, clean_body),
        url=raw.url,
        source=raw.source,
        title=raw.title,
        published_at=raw.published_at,
        language=raw.language or "en",
        body=clean_body,
        word_count=len(clean_body.split()),
        content_hash=content_hash(clean_body),
        metadata=raw.metadata,
    )
