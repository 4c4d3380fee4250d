"""The index design: an index template for versioned indices ``<alias>-v<N>`` behind the alias.

title and body are analysed in English (stemming) with a ``.exact`` subfield (standard analyzer)
for phrases that must match word for word; every entity list, topic, source and language is a
keyword field for filters and facets (with a ``.text`` subfield so free text finds names too);
dates are dates; money is nested so amount and currency are matched together.

Version 2 indexes offsets for title, body and summary: the unified highlighter then builds
snippets from the postings instead of re-analysing whole bodies at query time.
Version 3 adds the story fields: ``story_id`` (collapsed on by search), ``duplicate_of`` and the
``story`` bookkeeping (band keys, links, order keys; see ``services/indexer/stories.py``).
A changed mapping gets a new version: ``newsflow reindex`` copies the documents into
``<alias>-v<MAPPING_VERSION>`` and swaps the alias in one atomic step.
"""

from __future__ import annotations

from typing import Any

MAPPING_VERSION = 3

KEYWORD_LISTS = ("people", "organizations", "locations", "countries", "topics", "keywords", "authors")


def _text_with_exact() -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "english",
        "index_options": "offsets",
        "fields": {"exact": {"type": "text", "analyzer": "standard"}},
    }


def _keyword_with_text() -> dict[str, Any]:
    return {"type": "keyword", "ignore_above": 256, "fields": {"text": {"type": "text", "analyzer": "standard"}}}


def story_mappings() -> dict[str, Any]:
    """The story fields: also added in place to an index created before them."""
    keyword = {"type": "keyword"}
    return {
        "story_id": keyword,
        "duplicate_of": keyword,
        "story": {"type": "object", "properties": {
            "bands": keyword, "links": keyword, "order": keyword, "key": keyword, "duplicate_key": keyword,
        }},
    }


def index_mappings() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        "url": {"type": "keyword", "ignore_above": 2048},
        "source": _keyword_with_text(),
        "title": {**_text_with_exact(), "fields": {**_text_with_exact()["fields"],
                                                    "sort": {"type": "keyword", "ignore_above": 512}}},
        "body": _text_with_exact(),
        "summary": {"type": "text", "analyzer": "english", "index_options": "offsets"},
        "language": {"type": "keyword"},
        "published_at": {"type": "date"},
        "ingested_at": {"type": "date"},
        "indexed_at": {"type": "date"},
        "dates": {"type": "date"},
        "word_count": {"type": "integer"},
        "content_hash": {"type": "keyword"},
        "fingerprint": {"type": "keyword"},
        "quality_flags": {"type": "keyword"},
        "metadata": {"type": "object", "enabled": False},
        "money": {
            "type": "nested",
            "properties": {
                "amount": {"type": "double"},
                "currency": {"type": "keyword"},
                "text": {"type": "text", "analyzer": "standard"},
            },
        },
    }
    for name in KEYWORD_LISTS:
        properties[name] = _keyword_with_text()
    properties.update(story_mappings())
    return {"dynamic": False, "_meta": {"mapping_version": MAPPING_VERSION}, "properties": properties}


def index_template(alias: str, shards: int, replicas: int, refresh_interval: str = "1s") -> dict[str, Any]:
    """The template of ``<alias>-v*``; ``refresh_interval`` bounds how long an indexed article
    waits before it is searchable (NEWSFLOW_INDEX_REFRESH_INTERVAL)."""
    return {
        "index_patterns": [f"{alias}-v*"],
        "priority": 200,
        "template": {
            "settings": {"number_of_shards": shards, "number_of_replicas": replicas,
                         "refresh_interval": refresh_interval},
            "mappings": index_mappings(),
        },
        "_meta": {"description": "newsflow articles", "mapping_version": MAPPING_VERSION},
    }
