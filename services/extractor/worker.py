"""The extractor stage's logic as the runner drives it: articles.clean -> articles.enriched
(spaCy loaded once per worker, on start)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.extractor.extract import Extractor
from shared.contracts.outcomes import Result
from shared.contracts.schemas import CleanArticle
from shared.contracts.settings import Settings


class ExtractorLogic:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.extractor: Extractor | None = None

    async def start(self) -> None:
        if self.extractor is None:
            self.extractor = await asyncio.to_thread(Extractor.from_settings, self.settings)

    async def stop(self) -> None: ...

    async def handle(self, batch: Sequence[CleanArticle]) -> list[Result]:
        assert self.extractor is not None, "start() loads the model"
        # spaCy is CPU-bound: run it off the event loop, so Kafka heartbeats keep flowing.
        return list(await asyncio.to_thread(self.extractor.extract, list(batch)))
