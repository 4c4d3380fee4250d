"""The producer: RawArticles -> articles.raw, keyed by article id. Every route into the pipeline
(``newsflow publish``, ``watch``, ``feeds``, ``POST /api/ingest``) publishes through here."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

from aiokafka import AIOKafkaProducer

from services.cleaner.clean import RejectedArticle, clean_article
from shared.contracts.identity import article_id
from shared.contracts.schemas import RawArticle
from shared.contracts.settings import Settings
from shared.runtime.kafka import ensure_topics, new_producer
from shared.runtime.retry import RetryPolicy


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


class Publisher:
    """One Kafka producer held for the life of a source or an app, so each article costs a send
    and an acknowledgement, not a new connection."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        await ensure_topics(self.settings)
        producer = new_producer(self.settings)
        await producer.start()
        self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def publish(
        self, articles: Sequence[RawArticle], on_sent: Callable[[RawArticle], None] | None = None
    ) -> list[RawArticle]:
        """Send all, then wait until the broker acknowledged every one; returns them with their ids.
        Raises when any send fails, so the caller records nothing and tries again later."""
        if self._producer is None:
            raise RuntimeError("publisher not started")
        # with_identity may run the cleaner (text without a URL): keep it off the event loop.
        identified = await asyncio.to_thread(lambda: [with_identity(a) for a in articles])
        futures = []
        for raw in identified:
            future = await self._producer.send(
                self.settings.topic_raw, key=(raw.id or "").encode(), value=raw.to_json_bytes()
            )
            if on_sent is not None:
                future.add_done_callback(lambda _f, r=raw: on_sent(r))
            futures.append(future)
        await asyncio.gather(*futures)
        return identified

    async def publish_retrying(
        self, articles: Sequence[RawArticle], on_sent: Callable[[RawArticle], None] | None = None
    ) -> list[RawArticle]:
        """``publish`` under the runtime's retry policy (the live sources use it: a passing broker
        outage is waited out, quietly); RetriesExhausted when the policy is spent. Resending is
        safe: the producer is idempotent and articles are keyed by id."""
        policy = RetryPolicy.from_settings(self.settings)
        return await policy.run(f"publishing to {self.settings.topic_raw}", lambda: self.publish(articles, on_sent))


async def publish(
    settings: Settings, articles: Iterable[RawArticle], on_sent: Callable[[RawArticle], None] | None = None,
) -> list[str]:
    """Publish once and wait until the broker acknowledged every one; returns their ids in order."""
    publisher = Publisher(settings)
    await publisher.start()
    try:
        return [raw.id or "" for raw in await publisher.publish(list(articles), on_sent)]
    finally:
        await publisher.stop()
