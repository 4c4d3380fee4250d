"""One Kafka producer held for the life of a source, so each article costs a send and an ack,
not a new connection. Identity is fixed exactly as ``newsflow publish`` does it
(services.producer.publish.with_identity), so every route into articles.raw keys alike."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from services.producer.publish import with_identity
from shared.kafka import ensure_topics, new_producer
from shared.schemas import RawArticle
from shared.settings import Settings


class Publisher:
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

    async def publish(self, articles: Sequence[RawArticle]) -> list[RawArticle]:
        """Send all, then wait until the broker acknowledged every one; returns them with their ids.
        Raises when any send fails, so the caller records nothing and tries again later."""
        if self._producer is None:
            raise RuntimeError("publisher not started")
        # with_identity may run the cleaner (text without a URL): keep it off the event loop.
        identified = await asyncio.to_thread(lambda: [with_identity(a) for a in articles])
        futures = []
        for raw in identified:
            futures.append(await self._producer.send(
                self.settings.topic_raw, key=(raw.id or "").encode(), value=raw.to_json_bytes(),
            ))
        await asyncio.gather(*futures)
        return identified
