"""The extractor stage: articles.clean -> articles.enriched (spaCy loaded once per worker)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.extractor.extract import Extractor
from shared.schemas import CleanArticle
from shared.settings import Settings
from shared.stage import Result, StageRunner


class ExtractorLogic:
    name = "extractor"
    input_model = CleanArticle

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.output_topic = settings.topic_enriched
        self.extractor: Extractor | None = None

    async def start(self) -> None:
        if self.extractor is None:
            self.extractor = await asyncio.to_thread(Extractor.from_settings, self.settings)

    async def stop(self) -> None: ...

    async def handle(self, batch: Sequence[CleanArticle]) -> list[Result]:
        assert self.extractor is not None
        # spaCy is CPU-bound: run it off the event loop, so Kafka heartbeats keep flowing.
        return list(await asyncio.to_thread(self.extractor.extract, list(batch)))


def run(settings: Settings) -> None:
    StageRunner(ExtractorLogic(settings), settings).run()
