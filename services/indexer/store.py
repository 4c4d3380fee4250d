"""The index behind the alias: created on first use, written through the bulk API."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError

from services.indexer.bulk import not_now_as
from services.indexer.mapping import MAPPING_VERSION, index_template, story_mappings
from services.indexer.story_store import write_documents
from shared.contracts.outcomes import TransientError
from shared.contracts.schemas import EnrichedArticle
from shared.contracts.settings import Settings
from shared.runtime.retry import RetryPolicy

log = logging.getLogger("newsflow.indexer")

TEMPLATE_NAME = "newsflow-articles"


def template_name(alias: str) -> str:
    return TEMPLATE_NAME if alias == "articles" else f"newsflow-{alias}"


def versioned_index(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


def version_key(index: str) -> tuple[int, ...]:
    """Sort key of ``<alias>-v<N>[.<n>]`` names by their numbers, so v10 comes after v2."""
    match = re.search(r"-v(\d+(?:\.\d+)*)$", index)
    return tuple(int(part) for part in match.group(1).split(".")) if match else (-1,)


def newest_index(indices: Sequence[str]) -> str:
    """The index with the highest version among ``indices``."""
    return max(indices, key=version_key)


async def ensure_index(es: AsyncElasticsearch, settings: Settings) -> str:
    """Put the template and, when the alias does not exist yet, create ``<alias>-v1`` behind it.
    Returns the index the alias points to. Safe to run from many workers at once."""
    alias = settings.index_alias
    await es.indices.put_index_template(
        name=template_name(alias), **index_template(alias, settings.index_shards, settings.index_replicas,
                                                    settings.index_refresh_interval)
    )
    try:
        current = await es.indices.get_alias(name=alias)
    except NotFoundError:
        pass
    else:
        # An index made before the story fields existed gets them (adding fields is allowed).
        await es.indices.put_mapping(index=alias, properties=story_mappings())
        # A dynamic setting: an index created before a change of the setting takes it on the next start.
        refresh = {"index": {"refresh_interval": settings.index_refresh_interval}}
        await es.indices.put_settings(index=alias, settings=refresh)
        return newest_index(list(current.keys()))
    index = versioned_index(alias, MAPPING_VERSION)
    try:
        await es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
        log.info("created index %s behind alias %s", index, alias)
    except BadRequestError as exc:  # another worker created it first
        if exc.error != "resource_already_exists_exception":
            raise
    return index


def to_document(article: EnrichedArticle, indexed_at: datetime | None = None) -> dict[str, Any]:
    """The searchable document: the EnrichedArticle's fields plus ``indexed_at``."""
    doc = article.model_dump(mode="json")
    doc["indexed_at"] = (indexed_at or datetime.now(UTC)).isoformat()
    return doc


@dataclass
class BulkOutcome:
    indexed: int
    rejected: dict[str, str]  # article id -> Elasticsearch's reason
    indexed_at: datetime | None = None  # the indexed_at written into every document of the batch


class BulkRetry(TransientError):
    """Some documents, or a whole request, got an answer worth retrying (429, 5xx, no answer)."""


async def bulk_index(
    es: AsyncElasticsearch, settings: Settings, articles: Sequence[EnrichedArticle], policy: RetryPolicy | None = None,
) -> BulkOutcome:
    """Index by article id (idempotent; a re-written article keeps its story, see
    ``story_store.write_documents``) under the retry policy: a 429 or 5xx answer, for the whole
    request or for single documents, is retried for exactly the documents it concerns; documents
    Elasticsearch rejects for themselves are reported, not raised. RetriesExhausted when the
    policy is spent, so the worker stops without acknowledging."""
    policy = policy or RetryPolicy.from_settings(settings)
    now = datetime.now(UTC)
    pending = {a.id: to_document(a, now) for a in articles}
    indexed = 0
    rejected: dict[str, str] = {}

    async def write_pending() -> None:
        nonlocal indexed
        with not_now_as(BulkRetry, "to a bulk request"):
            written, refused, retry = await write_documents(es, settings, pending)
        for doc_id in written:
            pending.pop(doc_id, None)
        for doc_id, reason in refused.items():
            pending.pop(doc_id, None)
            rejected[doc_id] = reason
        indexed += len(written)
        if retry:
            example = next(iter(retry.values()))
            raise BulkRetry(f"{len(retry)} of the documents must be retried (e.g. {example})")

    await policy.run(f"indexer: bulk write to {settings.index_alias}", write_pending, retry_on=(BulkRetry,), logger=log)
    return BulkOutcome(indexed, rejected, now)
