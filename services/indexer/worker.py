"""The indexer stage's logic as the runner drives it: articles.enriched -> Elasticsearch (bulk, by article id)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from elasticsearch import AsyncElasticsearch

from services.indexer.store import bulk_index, ensure_index
from shared.contracts.outcomes import Failure, Result, TransientError
from shared.contracts.schemas import EnrichedArticle
from shared.contracts.settings import Settings
from shared.runtime.elastic import async_client
from shared.runtime.metrics import ES_BULK_ITEMS, PUBLISH_TO_INDEXED


class IndexerLogic:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.es: AsyncElasticsearch | None = None
        self.index_ready = False

    async def start(self) -> None:
        self.es = async_client(self.settings)

    async def stop(self) -> None:
        if self.es is not None:
            await self.es.close()

    async def handle(self, batch: Sequence[EnrichedArticle]) -> list[Result]:
        assert self.es is not None
        if not self.index_ready:
            try:
                await ensure_index(self.es, self.settings)
            except Exception as exc:
                raise TransientError(f"index not ready: {exc}") from exc
            self.index_ready = True
        try:
            outcome = await bulk_index(self.es, self.settings, batch)
        except TransientError:
            ES_BULK_ITEMS.labels("failed").inc(len(batch))
            raise
        ES_BULK_ITEMS.labels("indexed").inc(outcome.indexed)
        if outcome.rejected:
            ES_BULK_ITEMS.labels("rejected").inc(len(outcome.rejected))
        now = datetime.now(UTC)
        for article in batch:
            if article.id not in outcome.rejected:
                ingested = article.ingested_at
                if ingested.tzinfo is None:  # a foreign producer's naive time: taken as UTC
                    ingested = ingested.replace(tzinfo=UTC)
                PUBLISH_TO_INDEXED.observe(max((now - ingested).total_seconds(), 0.0))
        return [
            Failure("ElasticsearchRejected", outcome.rejected[a.id]) if a.id in outcome.rejected else None
            for a in batch
        ]
