"""The two alert stages as the runner drives them.

``alerts``: articles.indexed -> percolate the batch against every saved alert in one request per
1,000 matching alerts -> claim each (alert, article) match in Elasticsearch (``op_type=create``
on its match id) -> publish the claimed ones to articles.alerts -> mark them published. The batch
is acknowledged only after that, so a crash anywhere redelivers the batch, and the claim lets the
next attempt publish exactly the matches that are not on the topic yet.

``webhooks``: articles.alerts -> for each match whose alert has a webhook and whose record is not
delivered or dead yet, POST it (``Idempotency-Key: <match_id>``) with retries and backoff; a 2xx
marks it delivered, giving up marks it dead and returns a Failure, which the runner writes to the
dead-letter topic with the reason and the match itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaProducer
from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from services.alerts.rules import match_record, retryable, webhook_delay
from services.alerts.store import claim, ensure_alert_indices, mark, percolate, records
from services.indexer.store import to_document
from shared.contracts.outcomes import Failure, Result, TransientError
from shared.contracts.schemas import AlertMatch, IndexedArticle
from shared.contracts.settings import Settings
from shared.runtime.elastic import async_client
from shared.runtime.kafka import ensure_topics, new_producer

log = logging.getLogger("newsflow.alerts")


class AlertsLogic:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.es: AsyncElasticsearch | None = None
        self.producer: AIOKafkaProducer | None = None
        self.ready = False

    async def start(self) -> None:
        self.es = async_client(self.settings)
        await ensure_topics(self.settings, [self.settings.topic_alerts])
        self.producer = new_producer(self.settings, compression_type=None, linger_ms=0)
        await self.producer.start()

    async def stop(self) -> None:
        if self.producer is not None:
            await self.producer.stop()
        if self.es is not None:
            await self.es.close()

    async def handle(self, batch: Sequence[IndexedArticle]) -> list[Result]:
        assert self.es is not None and self.producer is not None
        try:
            if not self.ready:
                await ensure_alert_indices(self.es, self.settings)
                self.ready = True
            documents = [to_document(a, a.indexed_at) for a in batch]
            matches, webhooks = await percolate(self.es, self.settings, batch, documents)
            by_id = {m.match_id: m for m in matches}
            todo = await claim(self.es, self.settings,
                               {m.match_id: match_record(m, webhooks.get(m.alert)) for m in matches})
        except (ApiError, TransportError) as exc:
            raise TransientError(f"Elasticsearch: {exc}") from exc
        if todo:
            sends = [await self.producer.send(self.settings.topic_alerts, key=by_id[mid].alert.encode(),
                                              value=by_id[mid].to_json_bytes()) for mid in todo]
            try:
                await asyncio.gather(*sends)
            except Exception as exc:  # not on the topic for sure: the records say unpublished, retry
                raise TransientError(f"publishing {len(todo)} match(es) failed: {exc}") from exc
            try:
                await mark(self.es, self.settings, {mid: {"published": True} for mid in todo})
            except (ApiError, TransportError, RuntimeError) as exc:
                raise TransientError(f"marking matches published: {exc}") from exc
            log.info("published %d match(es) of %d article(s)", len(todo), len(batch))
        return [None] * len(batch)


class WebhookLogic:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.es: AsyncElasticsearch | None = None
        self.http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self.es = async_client(self.settings)
        self.http = httpx.AsyncClient(timeout=self.settings.webhook_timeout, follow_redirects=False)

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.aclose()
        if self.es is not None:
            await self.es.close()

    async def handle(self, batch: Sequence[AlertMatch]) -> list[Result]:
        assert self.es is not None
        try:
            await ensure_alert_indices(self.es, self.settings)
            known = await records(self.es, self.settings, [m.match_id for m in batch])
        except (ApiError, TransportError) as exc:
            raise TransientError(f"Elasticsearch: {exc}") from exc
        return list(await asyncio.gather(*(self._one(m, known.get(m.match_id)) for m in batch)))

    async def _one(self, match: AlertMatch, record: dict | None) -> Result:
        """Deliver one match unless it has no webhook or was delivered (or given up) before."""
        if record is None or not record.get("webhook") or record.get("delivery") in ("delivered", "dead", "none"):
            return None
        outcome, attempts, reason = await self._post(record["webhook"], match)
        now = datetime.now(UTC).isoformat()
        fields = {"attempts": int(record.get("attempts") or 0) + attempts, "last_error": reason}
        fields |= {"delivery": "delivered", "delivered_at": now} if outcome else {"delivery": "dead"}
        await self._mark(match.match_id, fields)
        if outcome:
            return None
        return Failure("WebhookFailed", f"{record['webhook']}: {reason} (after {attempts} attempt(s))")

    async def _post(self, url: str, match: AlertMatch) -> tuple[bool, int, str | None]:
        """POST with retries: (delivered, attempts made, last error)."""
        assert self.http is not None
        headers = {"Content-Type": "application/json", "Idempotency-Key": match.match_id,
                   "X-Newsflow-Alert": match.alert}
        reason: str | None = None
        attempts = 0
        for attempt in range(self.settings.webhook_attempts):
            attempts += 1
            try:
                response = await self.http.post(url, content=match.to_json_bytes(), headers=headers)
                if 200 <= response.status_code < 300:
                    return True, attempts, None
                reason = f"HTTP {response.status_code}"
                if not retryable(response.status_code):
                    break
            except httpx.HTTPError as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if attempt + 1 < self.settings.webhook_attempts:
                await asyncio.sleep(webhook_delay(attempt, self.settings.webhook_initial_delay,
                                                  self.settings.webhook_max_delay))
        log.warning("webhook for %s/%s failed: %s", match.alert, match.article_id, reason)
        return False, attempts, reason

    async def _mark(self, mid: str, fields: dict) -> None:
        """Record the outcome; retried, since a delivery that is not recorded would be repeated."""
        assert self.es is not None
        for attempt in range(8):
            try:
                await mark(self.es, self.settings, {mid: fields})
                return
            except (ApiError, TransportError, RuntimeError) as exc:
                log.warning("recording delivery of %s failed (attempt %d): %s", mid, attempt + 1, exc)
                await asyncio.sleep(min(8.0, 0.25 * 2**attempt))
        raise TransientError(f"could not record the delivery of match {mid}")
