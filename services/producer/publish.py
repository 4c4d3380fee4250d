"""The producer: RawArticles -> articles.raw, keyed by article id."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from services.cleaner.clean import RejectedArticle, clean_article
from shared.identity import article_id
from shared.kafka import ensure_topics, producer
from shared.schemas import RawArticle
from shared.settings import Settings


def with_identity(raw: RawArticle) -> RawArticle:
    """Fix the id before publishing, the way the cleaner would (URL, else normalized clean body),
    so the producer can report it and the message is keyed by it."""
    if raw.id:
        return raw
    if raw.url:
        return raw.model_copy(update={"id": article_id(raw.url, "")})
    try:
        clean = clean_article(raw)
        return raw.model_copy(update={"id": clean.id, "url": clean.url})
    except RejectedArticle:
        # The cleaner will dead-letter it; still key it by its content, never at random.
        return raw.model_copy(update={"id": article_id(None, raw.content)})


async def publish(
    settings: Settings, articles: Iterable[RawArticle], on_sent: Callable[[RawArticle], None] | None = None,
) -> list[str]:
    """Publish and wait until the broker acknowledged every one; returns their ids in order."""
    await ensure_topics(settings)
    ids: list[str] = []
    async with producer(settings) as prod:
        pending: list[asyncio.Future] = []
        for raw in articles:
            raw = with_identity(raw)
            future = await prod.send(settings.topic_raw, key=raw.id.encode(), value=raw.to_json_bytes())
            if on_sent is not None:
                future.add_done_callback(lambda _f, r=raw: on_sent(r))
            pending.append(future)
            ids.append(raw.id or "")
        await asyncio.gather(*pending)
    return ids
