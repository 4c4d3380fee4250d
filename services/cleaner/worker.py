"""The cleaner stage: articles.raw -> articles.clean."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.cleaner.clean import RejectedArticle, clean_article
from shared.schemas import RawArticle
from shared.settings import Settings
from shared.stage import Failure, Result, StageRunner


def clean_batch(batch: Sequence[RawArticle]) -> list[Result]:
    results: list[Result] = []
    for raw in batch:
        try:
            results.append(clean_article(raw))
        except RejectedArticle as exc:
            results.append(Failure("RejectedArticle", str(exc)))
    return results


class CleanerLogic:
    name = "cleaner"
    input_model = RawArticle

    def __init__(self, settings: Settings) -> None:
        self.output_topic = settings.topic_clean

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def handle(self, batch: Sequence[RawArticle]) -> list[Result]:
        # CPU work off the event loop, so Kafka heartbeats keep flowing.
        return await asyncio.to_thread(clean_batch, batch)


def run(settings: Settings) -> None:
    StageRunner(CleanerLogic(settings), settings).run()
