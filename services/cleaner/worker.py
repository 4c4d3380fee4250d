"""The cleaner stage's logic as the runner drives it: articles.raw -> articles.clean."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from services.cleaner.clean import RejectedArticle, clean_article
from shared.contracts.outcomes import Failure, Result
from shared.contracts.schemas import RawArticle
from shared.contracts.settings import Settings


def clean_batch(batch: Sequence[RawArticle]) -> list[Result]:
    """One CleanArticle, or the reason there is none, per raw article."""
    results: list[Result] = []
    for raw in batch:
        try:
            results.append(clean_article(raw))
        except RejectedArticle as exc:
            results.append(Failure("RejectedArticle", str(exc)))
    return results


class CleanerLogic:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def handle(self, batch: Sequence[RawArticle]) -> list[Result]:
        # CPU work off the event loop, so Kafka heartbeats keep flowing.
        return await asyncio.to_thread(clean_batch, batch)
