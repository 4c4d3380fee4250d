"""The indexer stage's logic as the runner drives it: articles.enriched -> Elasticsearch (bulk, by
article id), then the near-duplicates of the batch linked and their stories merged -> articles.indexed
(each article as written, with its ``indexed_at``, for the alerts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from elasticsearch import AsyncElasticsearch

from services.indexer.store import bulk_index, ensure_index
from services.indexer.story_store import link_stories
from shared.contracts.outcomes import Failure, Result, TransientError
from shared.contracts.schemas import EnrichedArticle, IndexedArticle
from shared.contracts.settings import Settings
from shared.runtime.elastic import async_client
from shared.runtime.metrics import ES_BULK_ITEMS, PUBLISH_TO_INDEXED


class IndexerLogic:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.es: AsyncElasticsearch | None = None
        self.index_ready = False

    async def start(self) -> None:
        # no retries inside the client: the runtime's retry policy is the one (see bulk_index)
        self.es = async_client(self.settings, max_retries=0, retry_on_timeout=False)

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
        indexed = [a for a in batch if a.id not in outcome.rejected]
        if indexed:
            # Written before looking for candidates: see story_store on why that is race-free.
            # Its "not now" answers are retried in there, so the batch is not written again.
            await link_stories(self.es, self.settings, indexed)
        now = datetime.now(UTC)  # searchable now: link_stories refreshed the index
        for article in indexed:
            ingested = article.ingested_at
            if ingested.tzinfo is None:  # a foreign producer's naive time: taken as UTC
                ingested = ingested.replace(tzinfo=UTC)
            PUBLISH_TO_INDEXED.observe(max((now - ingested).total_seconds(), 0.0))
        return [
            Failure("ElasticsearchRejected", outcome.rejected[a.id]) if a.id in outcome.rejected
            else IndexedArticle(**a.model_dump(), indexed_at=outcome.indexed_at)
            for a in batch
        ]
