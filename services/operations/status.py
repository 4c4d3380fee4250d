"""``newsflow status``: what the pipeline holds and how far each stage has got."""

from __future__ import annotations

import asyncio
from typing import Any

from services.sources.status import read_source_status
from services.stages import STAGES
from shared.contracts.settings import Settings
from shared.runtime.kafka import stage_lags, topic_offsets
from shared.runtime.metrics import read_worker_metrics


async def _index_count(settings: Settings) -> int | str:
    from elasticsearch import NotFoundError

    from shared.runtime.elastic import async_client

    es = async_client(settings)
    try:
        return (await es.count(index=settings.index_alias))["count"]
    except NotFoundError:
        return 0
    except Exception as exc:
        return f"unavailable ({type(exc).__name__})"
    finally:
        await es.close()


async def gather_status(settings: Settings) -> dict[str, Any]:
    """Topic end offsets, per-stage lag, index doc count, dead-letter count, live workers and sources."""
    offsets, count = await asyncio.gather(topic_offsets(settings, settings.pipeline_topics), _index_count(settings))
    lags = await stage_lags(settings, STAGES, offsets)  # the input topics are among the offsets just read
    status: dict[str, Any] = {
        "topics": {t: {"partitions": len(p), "end_offset": sum(p.values())} for t, p in offsets.items()},
        "stages": [
            {"stage": lag.stage, "group": lag.group, "topic": lag.topic, "committed": lag.committed,
             "end": lag.end, "lag": lag.lag}
            for lag in lags
        ],
        "index": {"alias": settings.index_alias, "documents": count},
        "dead_letters": sum(offsets.get(settings.topic_dlq, {}).values()),
        "workers": read_worker_metrics(settings),
    }
    status["sources"] = read_source_status(settings)
    return status
