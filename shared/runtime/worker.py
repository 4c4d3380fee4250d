"""A stage as a worker process: the StageRunner bound to a Faust agent in the stage's consumer group.

Faust supplies the consumer group, partition assignment and offset commits; the runner decides
what is sent and when a batch may be acknowledged (``noack_take`` + ``ack`` after delivery).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Sequence
from typing import Any

import faust

from shared.contracts.settings import Settings
from shared.runtime.envelope import Incoming, Outgoing
from shared.runtime.kafka import GroupOffsets, check_broker_limits, ensure_topics, message_limit, security_options
from shared.runtime.metrics import Health, MetricsServer, StallDetector, serve_metrics
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


def client_id(group: str, metrics_port: int) -> str:
    """How the worker names itself to Kafka, so ``newsflow status`` can tell where each member
    of a group runs and where its metrics are: ``<group>@<hostname>#<pid>:<metrics port>``."""
    return f"{group}@{socket.gethostname()}#{os.getpid()}:{metrics_port}"


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


def faust_app(spec: StageSpec, settings: Settings, client: str) -> faust.App:
    group = spec.group(settings)
    datadir = settings.stack_home / "faust" / group
    datadir.mkdir(parents=True, exist_ok=True)  # Faust keeps its small local state here
    return faust.App(
        group,
        broker=[f"kafka://{h.strip()}" for h in settings.kafka_bootstrap.split(",")],
        broker_client_id=client,
        web_enabled=False,
        store="memory://",
        datadir=str(datadir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=settings.commit_interval,
        broker_commit_every=settings.batch_size,
        producer_acks=-1,
        producer_linger=settings.producer_linger,
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
    """One worker process of one stage; start several to share the stage's partitions.

    Serves /metrics and the health probes from the start (``serve_metrics``); every
    ``metrics_interval`` it reads its group's committed and end offsets for the lag gauge, its
    readiness (partitions assigned) and its stall check."""

    def __init__(self, spec: StageSpec, settings: Settings) -> None:
        self.spec = spec
        self.settings = settings
        self.health = Health()
        self.server: MetricsServer = serve_metrics(settings, self.health, f"{spec.name} worker")
        self.client_id = client_id(spec.group(settings), self.server.port)
        self.app = faust_app(spec, settings, self.client_id)
        self.transport = FaustTransport(self.app)
        for topic in (settings.topic_dlq, *([spec.output_topic(settings)] if spec.output_topic else [])):
            self.transport.topic(topic)  # declared before the app starts
        self.runner = StageRunner(spec, spec.logic(settings), settings, self.transport)
        self.input_topic = spec.input_topic(settings)
        source = self.app.topic(self.input_topic, allow_empty=True, **RAW_CODEC)
        self.app.agent(source, name=f"{spec.name}-agent")(self._agent)
        self.logic_started = False
        self.stall = StallDetector(settings.stall_seconds)
        self.offsets: GroupOffsets | None = None

    async def _agent(self, stream: faust.StreamT) -> None:
        logic = self.runner.logic
        await logic.start()
        self.logic_started = True
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
            self.logic_started = False
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

    def assigned(self) -> set[int]:
        """The input topic's partitions this worker holds now."""
        try:
            return {tp.partition for tp in self.app.consumer.assignment() if tp.topic == self.input_topic}
        except Exception:  # the consumer is not up yet
            return set()

    async def check(self) -> None:
        """Lag of every partition of the group (gauge), readiness and the stall check."""
        try:
            if self.offsets is None:
                reader = GroupOffsets(self.settings, self.spec.group(self.settings), self.input_topic)
                try:
                    await reader.start()
                except Exception:
                    await reader.stop()  # its clients closed now, not left to the garbage collector
                    raise
                self.offsets = reader
            offsets = await self.offsets.read()
        except Exception as exc:  # Kafka unreachable for now: not ready, and the next check tries again
            self.health.set(ready=False, detail=f"cannot read offsets from Kafka: {exc}")
            return
        lags = {p: max(end - committed, 0) for p, (committed, end) in offsets.items()}
        self.runner.metrics.lag(self.input_topic, lags)
        mine = self.assigned()
        stalled = self.stall.observe({p: offsets[p][0] for p in mine if p in offsets},
                                     {p: lags.get(p, 0) for p in mine}, time.monotonic())
        if stalled != self.health.stalled:
            (log.error if stalled else log.warning)(
                "%s: %s", self.spec.name,
                f"stalled: lag {sum(lags.get(p, 0) for p in mine)} on partitions {sorted(mine)} and no commit "
                f"for {self.settings.stall_seconds:g}s" if stalled else "no longer stalled")
        self.runner.metrics.stalled(stalled)
        ready = bool(mine) and self.logic_started
        detail = (f"partitions {sorted(mine)} of {self.input_topic}, lag {sum(lags.get(p, 0) for p in mine)}"
                  if mine else "no partition assigned" if self.logic_started else "starting")
        self.health.set(ready=ready, stalled=stalled, detail=("stalled: " if stalled else "") + detail)

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
        self.app.timer(self.settings.metrics_interval)(self.check)
        try:
            worker.execute_from_commandline()
        finally:
            self.server.close()
