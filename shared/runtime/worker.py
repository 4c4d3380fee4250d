"""A stage as a worker process: the StageRunner bound to a Faust agent in the stage's consumer group.

Faust supplies the consumer group, partition assignment and offset commits; the runner decides
what is sent and when a batch may be acknowledged (``noack_take`` + ``ack`` after delivery).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

import faust

from shared.contracts.settings import Settings
from shared.runtime.envelope import Incoming, Outgoing
from shared.runtime.kafka import check_broker_limits, ensure_topics, message_limit, security_options
from shared.runtime.retry import quiet_client_logs
from shared.runtime.stage import StageRunner, StageSpec, StageStopped

log = logging.getLogger("newsflow.worker")
EXIT_STOPPED = 3  # the worker stopped itself: a batch could not be finished; restart it

RAW_CODEC = {"key_type": bytes, "value_type": bytes, "key_serializer": "raw", "value_serializer": "raw"}


class FaustTransport:
    """Sends through the Faust app's producer and waits for every acknowledgement."""

    def __init__(self, app: faust.App) -> None:
        self.app = app
        self.topics: dict[str, faust.TopicT] = {}

    def topic(self, name: str) -> faust.TopicT:
        if name not in self.topics:
            self.topics[name] = self.app.topic(name, **RAW_CODEC)
        return self.topics[name]

    async def send_all(self, outgoing: Sequence[Outgoing]) -> None:
        futures = [await self.topic(o.topic).send(key=o.key, value=o.value, force=True) for o in outgoing]
        await asyncio.gather(*futures)


def faust_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    """The Kafka security settings as Faust wants them (SASL with TLS, TLS alone, or none)."""
    options = security_options(settings)
    protocol = options["security_protocol"]
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return faust.SSLCredentials(options["ssl_context"])
    return faust.SASLCredentials(username=options["sasl_plain_username"], password=options["sasl_plain_password"],
                                 ssl_context=options.get("ssl_context"), mechanism=options["sasl_mechanism"])


def faust_app(spec: StageSpec, settings: Settings) -> faust.App:
    group = spec.group(settings)
    datadir = settings.stack_home / "faust" / group
    datadir.mkdir(parents=True, exist_ok=True)  # Faust keeps its small local state here
    return faust.App(
        group,
        broker=[f"kafka://{h.strip()}" for h in settings.kafka_bootstrap.split(",")],
        web_enabled=False,
        store="memory://",
        datadir=str(datadir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=settings.commit_interval,
        broker_commit_every=settings.batch_size,
        producer_acks=-1,
        producer_max_request_size=message_limit(settings),
        consumer_max_fetch_size=message_limit(settings),
        stream_wait_empty=False,
        stream_buffer_maxsize=max(4 * settings.batch_size, 64),
        broker_credentials=faust_credentials(settings),
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 5),
    )


class QuietWorker(faust.Worker):
    """Faust's worker with the client libraries' repeated connection errors rate-limited."""

    def on_setup_root_logger(self, logger: Any, level: int) -> None:
        super().on_setup_root_logger(logger, level)
        quiet_client_logs()


class StageWorker:
    """One worker process of one stage; start several to share the stage's partitions."""

    def __init__(self, spec: StageSpec, settings: Settings) -> None:
        self.spec = spec
        self.settings = settings
        self.app = faust_app(spec, settings)
        self.transport = FaustTransport(self.app)
        for topic in (settings.topic_dlq, *([spec.output_topic(settings)] if spec.output_topic else [])):
            self.transport.topic(topic)  # declared before the app starts
        self.runner = StageRunner(spec, spec.logic(settings), settings, self.transport)
        source = self.app.topic(spec.input_topic(settings), allow_empty=True, **RAW_CODEC)
        self.app.agent(source, name=f"{spec.name}-agent")(self._agent)

    async def _agent(self, stream: faust.StreamT) -> None:
        logic = self.runner.logic
        await logic.start()
        try:
            async for events in stream.noack_take(self.settings.batch_size, within=self.settings.batch_timeout):
                incoming = [
                    Incoming(e.message.topic, e.message.partition, e.message.offset, e.message.key, e.message.value)
                    for e in events
                ]

                async def ack(events: list = events) -> None:
                    for event in events:
                        await stream.ack(event)

                try:
                    await self.runner.handle_batch(incoming, ack)
                except StageStopped as exc:
                    self.stop_loudly(str(exc))
        finally:
            await logic.stop()

    @staticmethod
    def stop_loudly(reason: str) -> None:
        """Exit now, non-zero, without acknowledging or committing the batch in hand: the
        platform restarts the worker and the batch is read again, so nothing is lost."""
        log.critical("stopping: %s", reason)
        sys.stderr.write(f"newsflow worker stopped: {reason}\n")
        sys.stderr.flush()
        logging.shutdown()
        os._exit(EXIT_STOPPED)

    def run(self) -> None:
        """Run until SIGTERM/SIGINT; the batch in hand is then finished or handed back unacknowledged."""
        topics = [self.settings.topic_dlq, *([self.runner.output_topic] if self.runner.output_topic else [])]

        async def prepare() -> None:
            await ensure_topics(self.settings)
            await check_broker_limits(self.settings, topics)

        # Until Faust installs its own handlers, SIGTERM means "never mind": nothing was read yet.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        asyncio.run(prepare())
        worker = QuietWorker(self.app, loglevel=self.settings.log_level.lower(), quiet=True)
        self.app.timer(self.settings.metrics_interval)(self._report)
        worker.execute_from_commandline()

    async def _report(self) -> None:
        self.runner.metrics.report()
