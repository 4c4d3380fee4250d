"""The index behind the alias: created on first use, written through the bulk API."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from elasticsearch import ApiError, AsyncElasticsearch, BadRequestError, NotFoundError
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout

from services.indexer.mapping import MAPPING_VERSION, index_template
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
        name=template_name(alias), **index_template(alias, settings.index_shards, settings.index_replicas)
    )
    try:
        current = await es.indices.get_alias(name=alias)
        return newest_index(list(current.keys()))
    except NotFoundError:
        pass
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


def retryable(status: int) -> bool:
    """Statuses that say "not now" rather than "not this document": overload and server errors."""
    return status == 429 or status >= 500


def sort_items(items: Sequence[dict[str, Any]]) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """A bulk answer's items -> (ids indexed, ids to retry with why, ids rejected with why).
    Only a 4xx other than 429 rejects the document itself (mapping or parse errors): those are
    dead-lettered; 429 and 5xx are retried."""
    indexed: list[str] = []
    retry: dict[str, str] = {}
    rejected: dict[str, str] = {}
    for item in items:
        result = next(iter(item.values()), {})
        doc_id, status = str(result.get("_id")), int(result.get("status", 0))
        if 200 <= status < 300:
            indexed.append(doc_id)
            continue
        error = result.get("error", {})
        if isinstance(error, dict):
            reason = f"{error.get('type', 'rejected')}: {error.get('reason', '')}"
        else:
            reason = str(error)
        (retry if retryable(status) or status == 0 else rejected)[doc_id] = f"{status} {reason}"
    return indexed, retry, rejected


def chunks(actions: list[tuple[str, bytes]], max_docs: int, max_bytes: int) -> list[list[tuple[str, bytes]]]:
    """(id, source JSON) pairs in bulk requests of at most ``max_docs`` documents and about ``max_bytes``."""
    out: list[list[tuple[str, bytes]]] = []
    current: list[tuple[str, bytes]] = []
    size = 0
    for action in actions:
        if current and (len(current) >= max_docs or size + len(action[1]) > max_bytes):
            out.append(current)
            current, size = [], 0
        current.append(action)
        size += len(action[1]) + 100
    if current:
        out.append(current)
    return out


class BulkRetry(TransientError):
    """Some documents, or a whole request, got an answer worth retrying (429, 5xx, no answer)."""


async def bulk_index(
    es: AsyncElasticsearch, settings: Settings, articles: Sequence[EnrichedArticle], policy: RetryPolicy | None = None,
) -> BulkOutcome:
    """Index by article id (idempotent) under the retry policy: a 429 or 5xx answer, for the
    whole request or for single documents, is retried for exactly the documents it concerns;
    documents Elasticsearch rejects for themselves are reported, not raised. RetriesExhausted
    when the policy is spent, so the worker stops without acknowledging."""
    policy = policy or RetryPolicy.from_settings(settings)
    now = datetime.now(UTC)
    pending: dict[str, bytes] = {a.id: orjson.dumps(to_document(a, now)) for a in articles}
    indexed = 0
    rejected: dict[str, str] = {}

    async def write_pending() -> None:
        nonlocal indexed
        retry: dict[str, str] = {}
        for chunk in chunks(list(pending.items()), settings.bulk_max_docs, settings.bulk_max_bytes):
            body = b"".join(
                orjson.dumps({"index": {"_index": settings.index_alias, "_id": doc_id}}) + b"\n" + source + b"\n"
                for doc_id, source in chunk
            )
            try:
                response = await es.bulk(operations=body)
            except (ESConnectionError, ESConnectionTimeout) as exc:
                raise BulkRetry(f"Elasticsearch is not reachable: {exc}") from exc
            except ApiError as exc:
                if retryable(exc.meta.status):
                    raise BulkRetry(f"Elasticsearch answered {exc.meta.status} to a bulk request") from exc
                raise
            done, again, refused = sort_items(response.body.get("items", []))
            for doc_id in done:
                pending.pop(doc_id, None)
            for doc_id, reason in refused.items():
                pending.pop(doc_id, None)
                rejected[doc_id] = reason
            indexed += len(done)
            retry.update(again)
        if retry:
            example = next(iter(retry.values()))
            raise BulkRetry(f"{len(retry)} of the documents must be retried (e.g. {example})")

    await policy.run(f"indexer: bulk write to {settings.index_alias}", write_pending, retry_on=(BulkRetry,), logger=log)
    return BulkOutcome(indexed, rejected)
