"""The messages on newsflow's topics: the one source of truth for their fields.

Every stage reads and writes these pydantic models as UTF-8 JSON. JSON Schemas generated from
them live in ``shared/contracts/jsonschema/`` so producers written in other languages can validate too
(``python -m shared.contracts.schemas`` rewrites them; a test fails when they drift).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

SCHEMA_DIR = Path(__file__).resolve().parent / "jsonschema"

NonEmptyText = Annotated[str, StringConstraints(min_length=1)]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ContentType(StrEnum):
    TEXT = "text/plain"
    HTML = "text/html"


class Message(BaseModel):
    """Base of every topic value: unknown fields are ignored, known ones are type-checked."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=False).encode("utf-8")


class RawArticle(Message):
    """An article as a source delivers it; only ``content`` is required."""

    id: str | None = Field(None, max_length=200, description="kept when given; derived otherwise")
    url: str | None = Field(None, max_length=4096)
    source: str | None = Field(None, max_length=500, description="publisher")
    title: str | None = Field(None, max_length=2000)
    content: str = Field(..., description="article text or a whole HTML page")
    content_type: ContentType = ContentType.TEXT
    published_at: datetime | None = Field(None, description="ISO 8601")
    language: str | None = Field(None, max_length=20)
    fetched_at: datetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict, description="passed through untouched")

    @field_validator("content")
    @classmethod
    def content_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("content is empty")
        return value

    @field_validator("id", "url", "source", "title", "language")
    @classmethod
    def blank_is_none(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        return value.strip() if value is not None else None


class CleanArticle(Message):
    """The article alone: boilerplate removed, metadata read, identity fixed."""

    id: NonEmptyText
    url: str | None = None
    source: str | None = None
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_at: datetime | None = None
    language: str | None = None
    body: str = Field(..., description="paragraphs separated by a blank line")
    word_count: int = Field(0, ge=0)
    content_hash: str = Field(..., description="sha256 of the normalized body: exact duplicates")
    fingerprint: str | None = Field(None, description="64-bit SimHash of body shingles: near duplicates")
    quality_flags: list[str] = Field(default_factory=list, description="e.g. no_article, not_english")
    metadata: dict[str, str] = Field(default_factory=dict)
    ingested_at: datetime = Field(default_factory=utc_now)


class Money(BaseModel):
    amount: float
    currency: str = Field(..., description="ISO 4217 code")
    text: str


class EnrichedArticle(CleanArticle):
    """CleanArticle plus what the extractor found in it, canonical and deduplicated."""

    people: list[str] = Field(default_factory=list)
    organizations: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2")
    money: list[Money] = Field(default_factory=list)
    dates: list[date] = Field(default_factory=list, description="dates mentioned, ISO")
    topics: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    summary: str | None = None


class IndexedArticle(EnrichedArticle):
    """An EnrichedArticle as the indexer wrote it. On ``articles.indexed`` (the alerts stage's
    input) and as a document of the search index (``GET /api/articles/{id}``), where the indexer
    also sets ``story_id``/``duplicate_of`` and keeps a ``story`` object of its own bookkeeping."""

    indexed_at: datetime = Field(..., description="when the bulk write that made it searchable was acknowledged")
    story_id: str | None = Field(None, description="the story: id of its first article by (published_at, id); "
                                                   "always set in the index")
    duplicate_of: str | None = Field(None, description="the first earlier article this one is a near-identical "
                                                       "copy of; null for a story's original")


class AlertMatch(Message):
    """One (alert, article) match on ``articles.alerts``, keyed by the alert's name.

    ``match_id`` is the idempotency key: the same alert and article always give the same id,
    so a consumer that sees one twice (possible only after a crash, see docs/alerts.md) drops it."""

    match_id: NonEmptyText = Field(..., description="sha256 of alert name and article id, 32 hex chars")
    alert: NonEmptyText = Field(..., description="the alert's name (also the message key)")
    article_id: NonEmptyText
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    matched_fields: list[str] = Field(default_factory=list, description="article fields the alert matched on")
    indexed_at: datetime | None = Field(None, description="when the article was indexed")
    matched_at: datetime = Field(default_factory=utc_now)


class DeadLetter(Message):
    """A message a stage could not handle, with why and where it came from; replayable."""

    stage: str
    error_type: str
    error: str
    topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    value: str = Field(..., description="the original value: text, or base64 when not UTF-8")
    value_encoding: str = Field("utf-8", description="utf-8 or base64")
    failed_at: datetime = Field(default_factory=utc_now)
    value_truncated: bool = Field(False, description="true when the original value was too large for a dead letter: "
                                                     "`value` then holds its head and `value_tail` its tail")
    value_tail: str | None = Field(None, description="the end of a cut value (same encoding as `value`)")
    value_size: int | None = Field(None, description="the original value's size in bytes")
    value_sha256: str | None = Field(None, description="SHA-256 (hex) of the original value's bytes")


MODELS: dict[str, type[BaseModel]] = {
    "RawArticle": RawArticle,
    "CleanArticle": CleanArticle,
    "EnrichedArticle": EnrichedArticle,
    "IndexedArticle": IndexedArticle,
    "DeadLetter": DeadLetter,
    "AlertMatch": AlertMatch,
}


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(mode="validation")


def schema_path(name: str) -> Path:
    return SCHEMA_DIR / f"{name}.schema.json"


def render_schema(name: str) -> str:
    return json.dumps(json_schema(MODELS[name]), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas() -> list[Path]:
    """Regenerate the committed JSON Schemas from the models."""
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for name in MODELS:
        path = schema_path(name)
        path.write_text(render_schema(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_schemas():
        sys.stdout.write(f"wrote {written_path}\n")
