"""``newsflow dlq``: read the dead-letter topic, and send letters back to their topic after a fix."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiokafka import TopicPartition

from shared.contracts.schemas import DeadLetter
from shared.contracts.settings import Settings
from shared.runtime.deadletter import decode_value
from shared.runtime.kafka import ensure_topics, new_consumer, producer, topic_offsets


async def read_dead_letters(settings: Settings, limit: int | None = None) -> list[tuple[int, int, DeadLetter]]:
    """(partition, offset, letter) for every dead letter, oldest first per partition."""
    await ensure_topics(settings, [settings.topic_dlq])
    partitions = (await topic_offsets(settings, [settings.topic_dlq]))[settings.topic_dlq]
    tps = [TopicPartition(settings.topic_dlq, p) for p in sorted(partitions)]
    if not tps:
        return []
    consumer = new_consumer(settings, group_id=None)
    await consumer.start()
    try:
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        await consumer.seek_to_beginning(*tps)
        letters: list[tuple[int, int, DeadLetter]] = []
        async def unread() -> bool:
            return any([await consumer.position(tp) < ends[tp] for tp in tps])

        while await unread():
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            for tp, messages in batches.items():
                for m in messages:
                    if m.offset < ends[tp]:
                        letters.append((tp.partition, m.offset, DeadLetter.model_validate_json(m.value)))
            if limit is not None and len(letters) >= limit:
                break
        return letters[:limit] if limit is not None else letters
    finally:
        await consumer.stop()


async def replay(
    settings: Settings, select: Callable[[DeadLetter], bool], on_replayed: Callable[[DeadLetter], None] | None = None
) -> int:
    """Send the selected letters' original values back to the topic they failed on. Letters whose
    value was cut to head and tail (too large for a dead letter) cannot be replayed: skipped."""
    letters = [letter for _, _, letter in await read_dead_letters(settings)
               if select(letter) and not letter.value_truncated]
    async with producer(settings) as prod:
        futures = []
        for letter in letters:
            key = letter.key.encode() if letter.key else None
            futures.append(await prod.send(letter.topic, key=key, value=decode_value(letter)))
            if on_replayed:
                on_replayed(letter)
        await asyncio.gather(*futures)
    return len(letters)
