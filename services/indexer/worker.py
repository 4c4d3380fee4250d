"""The indexer stage's logic as the runner drives it: articles.enriched -> Elasticsearch (bulk, by article id)."""

from __future__ import annotations

from collections.abc import Sequence

from elasticsearch import AsyncElasticsearch

from services.indexer.store import bulk_index, ensure_index
from shared.contracts.outcomes import Failure, Result, TransientError
from shared.contracts.schemas import EnrichedArticle
from shared.contracts.settings import Settings
from shared.runtime.elastic import async_client


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
        outcome = await bulk_index(self.es, self.settings, batch)
        return [
            Failure("ElasticsearchRejected", outcome.rejected[a.id]) if a.id in outcome.rejected else None
            for a in batch
        ]
