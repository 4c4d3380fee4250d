"""The one retry policy of newsflow: attempts, exponential backoff, a cap and jitter.

The runner (handling a batch and delivering its outputs), the indexer (bulk writes) and the
sources (publishing) all retry through ``RetryPolicy.run``, so one set of settings
(``NEWSFLOW_RETRY_*``) decides how long a passing fault is waited out, and when the policy is
spent the caller gets ``RetriesExhausted`` to stop on, never an endless loop.

Outages are logged as state changes, not attempts: the first failure logs "down, retrying every
N s", later attempts log at DEBUG, and success logs "back up after T s". Every retry is also
counted in ``RETRY_COUNTS`` and announced to the ``RETRY_OBSERVERS`` callbacks, so metrics can
be wired without this module knowing about them.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from shared.contracts.settings import Settings

log = logging.getLogger("newsflow.retry")
T = TypeVar("T")

# operation name -> retries since the process started (every attempt after a failure counts one)
RETRY_COUNTS: Counter[str] = Counter()
# called as observer(operation, attempt, error) before each retry's sleep
RETRY_OBSERVERS: list[Callable[[str, int, BaseException], None]] = []


class RetriesExhausted(Exception):
    """An operation still failed after the whole policy: the caller must stop, not go on."""

    def __init__(self, operation: str, attempts: int, last: BaseException) -> None:
        super().__init__(f"{operation}: still failing after {attempts} attempts: {type(last).__name__}: {last}")
        self.operation = operation
        self.attempts = attempts
        self.last = last


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 60
    initial_delay: float = 0.5
    max_delay: float = 4.0
    jitter: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(settings.retry_attempts, settings.retry_initial_delay, settings.retry_max_delay,
                   settings.retry_jitter)

    def delay(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt ``attempt`` (0-based): doubling, capped, and with
        up to ``jitter`` of it drawn at random so many workers do not retry in step."""
        base = min(self.max_delay, self.initial_delay * 2 ** min(attempt, 30))
        return base * (1 - self.jitter * rng())

    def total_wait(self) -> float:
        """The longest the whole policy waits (no jitter): how long an outage is waited out."""
        return sum(self.delay(a, lambda: 0.0) for a in range(self.attempts - 1))

    async def run(
        self,
        operation: str,
        call: Callable[[], Awaitable[T]],
        retry_on: tuple[type[BaseException], ...] = (Exception,),
        logger: logging.Logger = log,
        on_retry: Callable[[], None] | None = None,
    ) -> T:
        """``call()`` until it succeeds; errors of ``retry_on`` are retried (``on_retry`` is called
        before each retry, e.g. to count it), others propagate. Raises RetriesExhausted after
        ``attempts`` failures."""
        outage = Outage(operation, self, logger)
        attempt = 0
        while True:
            try:
                result = await call()
            except asyncio.CancelledError:
                raise
            except retry_on as exc:
                attempt += 1
                if attempt >= self.attempts:
                    outage.gave_up(exc)
                    raise RetriesExhausted(operation, attempt, exc) from exc
                outage.failed(exc)
                if on_retry is not None:
                    on_retry()
                await asyncio.sleep(self.delay(attempt - 1))
                continue
            outage.recovered()
            return result


class Outage:
    """Logs one operation's outage by its state changes: down (once), back up (once)."""

    def __init__(self, operation: str, policy: RetryPolicy, logger: logging.Logger = log) -> None:
        self.operation = operation
        self.policy = policy
        self.logger = logger
        self.since: float | None = None
        self.attempts = 0

    def failed(self, exc: BaseException) -> None:
        self.attempts += 1
        RETRY_COUNTS[self.operation] += 1
        for observer in RETRY_OBSERVERS:
            observer(self.operation, self.attempts, exc)
        if self.since is None:
            self.since = time.monotonic()
            self.logger.warning("%s: down (%s: %s); retrying every %g s at most, %d attempts", self.operation,
                                type(exc).__name__, _short(exc), self.policy.max_delay, self.policy.attempts)
        else:
            self.logger.debug("%s: attempt %d failed: %s", self.operation, self.attempts, _short(exc))

    def recovered(self) -> None:
        if self.since is not None:
            self.logger.warning("%s: back up after %.1f s (%d retries)", self.operation,
                                time.monotonic() - self.since, self.attempts)
            self.since = None
            self.attempts = 0

    def gave_up(self, exc: BaseException) -> None:
        self.logger.error("%s: giving up after %d attempts: %s: %s", self.operation, self.attempts + 1,
                          type(exc).__name__, _short(exc))


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc) or repr(exc)
    return text if len(text) <= limit else text[:limit] + "..."


class RateLimitFilter(logging.Filter):
    """Lets one record per (logger, message template) through every ``interval`` seconds and
    drops the rest, counting them; the next one let through says how many were dropped.

    Client libraries (aiokafka, Faust) log every failed connection attempt; during an outage this
    keeps them to a few lines while the retry policy's own state changes say what happens."""

    def __init__(self, interval: float = 30.0, prefixes: tuple[str, ...] = ("aiokafka", "faust", "mode",
                                                                              "elastic_transport")) -> None:
        super().__init__()
        self.interval = interval
        self.prefixes = prefixes
        self.last: dict[tuple[str, object], float] = {}
        self.dropped: Counter[tuple[str, object]] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.prefixes) or record.levelno >= logging.CRITICAL:
            return True
        key = (record.name, _template(record.msg))
        now = time.monotonic()
        last = self.last.get(key)
        if last is not None and now - last < self.interval:
            self.dropped[key] += 1
            return False
        self.last[key] = now
        dropped = self.dropped.pop(key, 0)
        if dropped:
            record.msg = f"{record.msg} ({dropped} similar messages in the last {self.interval:g} s not shown)"
        return True


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _template(msg: object) -> object:
    """A message's template: some clients format their messages themselves (the Elasticsearch
    transport's "PUT /_bulk [status:200 duration:0.049s]"), so the figures in them are set aside
    to tell one kind of message from another."""
    return _NUMBER.sub("#", msg) if isinstance(msg, str) else msg


def quiet_client_logs(interval: float = 30.0) -> RateLimitFilter:
    """Install the rate limit on every handler of the root logger (and return it, so a handler
    created later can get it too)."""
    limiter = RateLimitFilter(interval)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RateLimitFilter) for f in handler.filters):
            handler.addFilter(limiter)
    return limiter
