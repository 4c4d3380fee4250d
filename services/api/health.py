"""``/healthz``: can the API do its job? Both backends are asked at once, each with a short
deadline, so a dead one makes the answer a quick 503 with the reason rather than a hang."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.client import AIOKafkaClient
from elasticsearch import AsyncElasticsearch

from shared.contracts.settings import Settings
from shared.runtime.kafka import security_options

CHECK_TIMEOUT = 5.0  # seconds per backend by default: NEWSFLOW_SEARCH_TIMEOUT, the searches' own deadline


async def _elasticsearch(settings: Settings, es: AsyncElasticsearch) -> dict[str, Any]:
    client = es.options(request_timeout=settings.search_timeout, max_retries=0)
    health = (await client.cluster.health(timeout="3s")).body
    if health.get("status") == "red":
        return {"ok": False, "reason": f"cluster {health.get('cluster_name')} is red: some shards are unassigned"}
    exists = bool((await client.indices.exists_alias(name=settings.index_alias)).body)
    docs = (await client.count(index=settings.index_alias)).body["count"] if exists else 0
    return {"ok": True, "cluster": health.get("cluster_name"), "status": health.get("status"),
            "alias": settings.index_alias, "alias_exists": exists, "documents": docs}


async def _kafka(settings: Settings) -> dict[str, Any]:
    client = AIOKafkaClient(bootstrap_servers=settings.kafka_bootstrap,
                            request_timeout_ms=int(settings.search_timeout * 1000), **security_options(settings))
    try:
        await client.bootstrap()
        return {"ok": True, "brokers": len(client.cluster.brokers())}
    finally:
        await client.close()


async def _bounded(name: str, target: str, check: Any, timeout: float = CHECK_TIMEOUT) -> dict[str, Any]:
    try:
        return await asyncio.wait_for(check, timeout + 1)
    except TimeoutError:
        return {"ok": False, "reason": f"{name} at {target} did not answer within {timeout:g}s"}
    except Exception as exc:
        return {"ok": False, "reason": f"{name} at {target} is not reachable: {type(exc).__name__}: {exc}"}


async def check_health(settings: Settings, es: AsyncElasticsearch) -> dict[str, Any]:
    """``{"status": "ok"|"unavailable", "elasticsearch": {...}, "kafka": {...}, "reason"?}``."""
    elastic, kafka = await asyncio.gather(
        _bounded("Elasticsearch", settings.elasticsearch_url, _elasticsearch(settings, es), settings.search_timeout),
        _bounded("Kafka", settings.kafka_bootstrap, _kafka(settings), settings.search_timeout),
    )
    report: dict[str, Any] = {"status": "ok", "elasticsearch": elastic, "kafka": kafka}
    reasons = [part["reason"] for part in (elastic, kafka) if not part["ok"]]
    if reasons:
        report["status"] = "unavailable"
        report["reason"] = "; ".join(reasons)
    return report
