"""The index design and the document the indexer writes (pure, no Elasticsearch)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.indexer.mapping import KEYWORD_LISTS, index_mappings, index_template
from services.indexer.store import to_document
from shared.contracts.schemas import EnrichedArticle, Money


def test_every_enriched_field_is_mapped_with_a_suitable_type() -> None:
    props = index_mappings()["properties"]
    for field in EnrichedArticle.model_fields:
        assert field in props, f"{field} is not in the mapping"
    for field in ("people", "organizations", "locations", "countries", "topics"):
        assert field in KEYWORD_LISTS and props[field]["type"] == "keyword"
    assert props["published_at"]["type"] == props["dates"]["type"] == props["indexed_at"]["type"] == "date"
    assert props["title"]["analyzer"] == props["body"]["analyzer"] == "english"
    assert props["money"]["type"] == "nested"
    assert props["money"]["properties"]["amount"]["type"] == "double"
    assert props["source"]["type"] == props["language"]["type"] == "keyword"


def test_the_template_covers_the_versioned_indices_of_the_alias() -> None:
    template = index_template("articles", shards=1, replicas=0)
    assert template["index_patterns"] == ["articles-v*"]
    assert template["template"]["settings"]["number_of_replicas"] == 0


def test_the_document_is_the_enriched_article_plus_indexed_at() -> None:
    article = EnrichedArticle(
        id="a1", title="T", body="Body.", word_count=1, content_hash="h",
        published_at=datetime(2024, 9, 20, 8, 15, tzinfo=UTC), countries=["PK", "RU"],
        money=[Money(amount=1e9, currency="USD", text="$1 billion")], dates=[date(2024, 10, 1)],
    )
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    doc = to_document(article, when)
    assert doc["indexed_at"] == "2026-01-02T03:04:05+00:00"
    assert doc["published_at"].startswith("2024-09-20T08:15:00")
    assert doc["countries"] == ["PK", "RU"] and doc["dates"] == ["2024-10-01"]
    assert doc["money"] == [{"amount": 1e9, "currency": "USD", "text": "$1 billion"}]
    assert set(EnrichedArticle.model_fields) <= set(doc)
