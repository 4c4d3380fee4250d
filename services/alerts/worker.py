"""The two alert stages as the runner drives them.

``alerts``: articles.indexed -> wait until the batch is searchable -> run every saved alert's
query against the article index, limited to the batch's ids (one multi-search, named queries
say which alert found which article) -> claim each (alert, article) match in Elasticsearch
(``op_type=create`` on its match id) -> publish the claimed ones to articles.alerts -> mark them
published. The batch is acknowledged only after that, so a crash anywhere redelivers the batch,
and the claim lets the next attempt publish exactly the matches that are not on the topic yet.

``webhooks``: articles.alerts -> for each match whose alert has a webhook and whose record is not
delivered or dead yet, POST it (``Idempotency-Key: <match_id>``) with retries and backoff; a 2xx
marks it delivered, giving up marks it dead and returns a Failure, which the runner writes to the
dead-letter topic with the reason and the match itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import httpx
import orjson
from aiokafka import AIOKafkaProducer, TopicPartition
from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from services.alerts.rules import (
    build_match,
    candidates,
    fields_with,
    match_record,
    retryable,
    token_index,
    webhook_delay,
)
from services.alerts.store import (
    alerts_stamp,
    claim,
    ensure_alert_indices,
    find_matches,
    load_alerts,
    mark,
    records,
    searchable,
    term_vectors,
)
from shared.contracts.outcomes import Failure, Result, TransientError
from shared.contracts.schemas import AlertMatch, IndexedArticle
from shared.contracts.settings import Settings
from shared.runtime.elastic import async_client
from shared.runtime.kafka import ensure_topics, new_consumer, new_producer

log = logging.getLogger("newsflow.alerts")


SEARCHABLE_WAIT = 10.0  # seconds to wait for a batch to become searchable before matching what is
SEARCHABLE_POLL = 0.1
CLOCK_MARGIN = timedelta(seconds=60)  # between the clocks of the worker that claimed and the broker


class AlertsLogic:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.es: AsyncElasticsearch | None = None
        self.producer: AIOKafkaProducer | None = None
        self.ready = False
        self.alerts: dict[str, dict] = {}
        self.by_token: dict[str, set[str]] = {}
        self.always: set[str] = set()
        self.stamp: tuple[int, int, int] | None = None

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

    async def current_alerts(self) -> dict[str, dict]:
        """The saved alerts, read again only when the alerts index changed."""
        assert self.es is not None
        stamp = await alerts_stamp(self.es, self.settings)
        if stamp != self.stamp:
            self.alerts = await load_alerts(self.es, self.settings)
            self.by_token, self.always = token_index(self.alerts)
            self.stamp = stamp
        return self.alerts

    async def wait_searchable(self, ids: list[str]) -> None:
        """Matching searches the index, so wait until the batch is visible to a search."""
        assert self.es is not None
        deadline = time.monotonic() + SEARCHABLE_WAIT
        while await searchable(self.es, self.settings, ids) < len(ids):
            if time.monotonic() > deadline:
                log.warning("some of %d article(s) are still not searchable; matching those that are", len(ids))
                return
            await asyncio.sleep(SEARCHABLE_POLL)

    async def handle(self, batch: Sequence[IndexedArticle]) -> list[Result]:
        assert self.es is not None and self.producer is not None
        articles = {a.id: a for a in batch}  # a redelivered article appears once
        try:
            if not self.ready:
                await ensure_alert_indices(self.es, self.settings)
                self.ready = True
            alerts = await self.current_alerts()
            if not alerts:
                return [None] * len(batch)
            ids = list(articles)
            started = time.perf_counter()
            # The terms come in real time; the search needs the refresh: wait for both at once.
            vectors, _ = await asyncio.gather(term_vectors(self.es, self.settings, ids), self.wait_searchable(ids))
            visible = time.perf_counter()
            # Only the alerts whose words (and filter values) an article holds can match it; an
            # article without term vectors (not found) keeps every alert in play.
            maybe: set[str] = set()
            for article_id in ids:
                terms = vectors.get(article_id)
                maybe |= set(alerts) if terms is None else candidates(
                    alerts, self.by_token, self.always, set().union(*terms.values()), articles[article_id])
            pairs = await find_matches(self.es, self.settings, {n: alerts[n] for n in maybe}, ids) if maybe else []
            searched = time.perf_counter()
            now = datetime.now(UTC)
            matches = [build_match(alert, alerts[alert]["params"], articles[aid],
                                   fields_with(alerts[alert]["tokens"], vectors.get(aid, {})), now)
                       for alert, aid in pairs]
            by_id = {m.match_id: m for m in matches}
            todo, unfinished = await claim(self.es, self.settings,
                                           {m.match_id: match_record(m, alerts[m.alert]["webhook"]) for m in matches})
        except (ApiError, TransportError, RuntimeError) as exc:
            raise TransientError(f"Elasticsearch: {exc}") from exc
        if unfinished:  # only after a crash or a failed attempt: publish what the topic does not hold yet
            sent = await self.on_topic(set(unfinished), min(unfinished.values()) - CLOCK_MARGIN)
            todo += [mid for mid in unfinished if mid not in sent]
            if sent:
                await self._mark_published(sorted(sent))
            log.warning("recovered %d match(es) claimed by an earlier attempt: %d were on the topic already",
                        len(unfinished), len(sent))
        if todo:
            sends = [await self.producer.send(self.settings.topic_alerts, key=by_id[mid].alert.encode(),
                                              value=by_id[mid].to_json_bytes()) for mid in todo]
            try:
                await asyncio.gather(*sends)
            except Exception as exc:  # maybe not on the topic: the records say unpublished, so retry
                raise TransientError(f"publishing {len(todo)} match(es) failed: {exc}") from exc
            await self._mark_published(todo)
            log.info("published %d match(es) of %d article(s); %d candidate alert(s); terms and searchable %.3f s, "
                     "search %.3f s, claim+publish+mark %.3f s", len(todo), len(batch), len(maybe),
                     visible - started, searched - visible, time.perf_counter() - searched)
        return [None] * len(batch)

    async def _mark_published(self, ids: list[str]) -> None:
        assert self.es is not None
        try:
            await mark(self.es, self.settings, {mid: {"published": True} for mid in ids})
        except (ApiError, TransportError, RuntimeError) as exc:
            raise TransientError(f"marking matches published: {exc}") from exc

    async def on_topic(self, wanted: set[str], since: datetime) -> set[str]:
        """Which of the match ids ``wanted`` are on articles.alerts already, reading every
        partition from the first message at or after ``since``. Runs only after a crash or a failed attempt."""
        topic = self.settings.topic_alerts
        consumer = new_consumer(self.settings, group_id=None)
        await consumer.start()
        try:
            await consumer.topics()  # loads the metadata
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
            consumer.assign(partitions)
            starts = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
            ends = await consumer.end_offsets(partitions)
            pending = {tp for tp in partitions if starts.get(tp) is not None and starts[tp].offset < ends[tp]}
            for tp in pending:
                consumer.seek(tp, starts[tp].offset)
            found: set[str] = set()
            deadline = time.monotonic() + 120
            while pending:
                if time.monotonic() > deadline:
                    raise TransientError("reading articles.alerts back took too long")
                for messages in (await consumer.getmany(*pending, timeout_ms=1000)).values():
                    for message in messages:
                        with contextlib.suppress(ValueError, TypeError, AttributeError):
                            match_id = orjson.loads(message.value).get("match_id")
                            if match_id in wanted:
                                found.add(match_id)
                for tp in list(pending):
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
            return found
        finally:
            await consumer.stop()


class WebhookLogic:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.es: AsyncElasticsearch | None = None
        self.http: httpx.AsyncClient | None = None
        self.ready = False

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
            if not self.ready:
                await ensure_alert_indices(self.es, self.settings)
                self.ready = True
            known = await records(self.es, self.settings, [m.match_id for m in batch])
        except (ApiError, TransportError) as exc:
            raise TransientError(f"Elasticsearch: {exc}") from exc
        first: dict[str, int] = {}
        for position, match in enumerate(batch):
            first.setdefault(match.match_id, position)  # a match twice in one batch is delivered once
        results = await asyncio.gather(*(self._one(m, known.get(m.match_id)) for i, m in enumerate(batch)
                                         if first[m.match_id] == i))
        delivered = dict(zip(sorted(first.values()), results, strict=True))
        return [delivered.get(i) for i in range(len(batch))]

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
