"""Pure plumbing: decoding and validating topic values, dead letters, identity, committed schemas."""

from __future__ import annotations

import base64
import json

import pytest

from shared.contracts.identity import article_id, canonical_url, content_hash
from shared.contracts.schemas import MODELS, CleanArticle, RawArticle, render_schema, schema_path
from shared.runtime.deadletter import dead_letter, decode_value
from shared.runtime.stage import Failure, Incoming, decode

LIMIT = 1000


def incoming(value: bytes | None, key: bytes | None = b"k") -> Incoming:
    return Incoming("articles.raw", 2, 41, key, value)


@pytest.mark.parametrize(
    ("value", "error_type"),
    [
        (None, "EmptyMessage"),
        (b"   ", "EmptyMessage"),
        (b"x" * (LIMIT + 1), "MessageTooLarge"),
        (b"{not json", "InvalidJSON"),
        (b"\xff\xfe\x00", "InvalidJSON"),
        (b"[1, 2]", "NotAnObject"),
        (b'"a string"', "NotAnObject"),
        (b'{"title": "no content"}', "ValidationError"),
        (b'{"content": "   "}', "ValidationError"),
        (b'{"content": "x", "content_type": "application/pdf"}', "ValidationError"),
        (b'{"content": "x", "published_at": "not a date"}', "ValidationError"),
        (b'{"content": "x", "metadata": {"a": [1]}}', "ValidationError"),
    ],
)
def test_bad_values_become_failures_with_a_reason(value: bytes | None, error_type: str) -> None:
    result = decode(incoming(value), RawArticle, LIMIT)
    assert isinstance(result, Failure)
    assert result.error_type == error_type
    assert result.error


def test_a_valid_value_becomes_the_model_with_defaults() -> None:
    result = decode(incoming(b'{"content": "Body text", "published_at": "2024-09-20", "extra": 1}'), RawArticle, LIMIT)
    assert isinstance(result, RawArticle)
    assert result.content_type == "text/plain"
    assert result.published_at is not None and result.published_at.year == 2024
    assert result.id is None and result.metadata == {}


def test_validation_errors_name_the_field() -> None:
    result = decode(incoming(b'{"title": "x"}'), RawArticle, LIMIT)
    assert isinstance(result, Failure) and "content" in result.error


def test_dead_letters_keep_the_original_value_text_or_base64() -> None:
    text = dead_letter("cleaner", incoming(b"plain text"), "InvalidJSON", "reason")
    assert (text.value, text.value_encoding, text.partition, text.offset, text.key) == (
        "plain text", "utf-8", 2, 41, "k")
    binary = dead_letter("cleaner", incoming(b"\xff\x00\xfe"), "InvalidJSON", "reason")
    assert binary.value_encoding == "base64"
    assert base64.b64decode(binary.value) == b"\xff\x00\xfe"
    assert decode_value(binary) == b"\xff\x00\xfe" and decode_value(text) == b"plain text"


def test_canonical_urls_ignore_what_does_not_change_the_page() -> None:
    a = canonical_url("HTTPS://www.Example.org/news/story/?utm_source=x&b=2&a=1#comments")
    b = canonical_url("https://example.org/news/story?a=1&b=2")
    assert a == b == "https://example.org/news/story?a=1&b=2"
    assert canonical_url("https://example.org/a") != canonical_url("https://example.org/b")


def test_ids_are_derived_from_the_url_else_from_the_normalized_body() -> None:
    assert article_id("https://example.org/x?utm_medium=y", "one") == article_id("https://www.example.org/x", "two")
    assert article_id(None, "Pakistan and Russia signed.") == article_id(None, "pakistan  and RUSSIA signed")
    assert article_id(None, "one text") != article_id(None, "another text")
    assert len(article_id(None, "x")) == 16
    assert content_hash("A  b") == content_hash("a b")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_committed_json_schemas_match_the_models(name: str) -> None:
    assert schema_path(name).read_text(encoding="utf-8") == render_schema(name), (
        f"{schema_path(name)} drifted from the model: run `make schemas`"
    )


def test_clean_article_round_trips_through_json() -> None:
    article = CleanArticle(id="a1", body="Para one.\n\nPara two.", word_count=4, content_hash="h")
    again = CleanArticle.model_validate(json.loads(article.to_json_bytes()))
    assert again == article
