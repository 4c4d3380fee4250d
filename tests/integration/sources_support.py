"""Shared by the live-source tests (no tests here): realistic articles, a source subprocess whose
output lines are collected as they come, and the number of messages on a raw topic."""

from __future__ import annotations

import asyncio
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.contracts.settings import Settings

NEWSFLOW = str(Path(sys.executable).parent / "newsflow")

_CITIES = ["Lisbon", "Nairobi", "Oslo", "Montreal", "Hanoi", "Santiago", "Krakow", "Accra", "Dublin", "Osaka",
           "Tbilisi", "Lima", "Auckland", "Porto", "Windhoek", "Riga"]
_SUBJECTS = [
    ("harbour", "the expansion of the container harbour", "shipping companies"),
    ("rail", "a new light rail line across the city", "commuter groups"),
    ("hospital", "the rebuilding of the central hospital", "nurses and doctors"),
    ("school", "a plan to open twelve new primary schools", "parents and teachers"),
    ("water", "repairs to the ageing water network", "residents in the old town"),
    ("energy", "a large solar farm on former farmland", "local farmers"),
    ("housing", "thousands of affordable homes near the river", "tenant associations"),
    ("library", "the renovation of the national library", "historians and students"),
]
_PEOPLE = ["Maria Santos", "John Okafor", "Ingrid Larsen", "Pierre Dubois", "Nguyen Van An", "Camila Rojas",
           "Tomasz Nowak", "Ama Mensah", "Sean Murphy", "Kenji Tanaka"]


def article(seed: int) -> tuple[str, list[str]]:
    """A title and four paragraphs of plausible local news, different for every seed."""
    rnd = random.Random(seed)
    city = _CITIES[seed % len(_CITIES)]
    key, project, group = _SUBJECTS[(seed // len(_CITIES) + seed) % len(_SUBJECTS)]
    mayor, critic = rnd.sample(_PEOPLE, 2)
    cost = 20 + seed * 7 % 480
    year = 2026 + seed % 4
    title = f"{city} council backs {key} project worth {cost} million after long debate (report {seed})"
    paragraphs = [
        f"The city council of {city} voted on Tuesday evening to approve {project}, a decision that ends "
        f"more than two years of argument and clears the way for construction to begin early next year. "
        f"Officials said the project, report number {seed}, would cost about {cost} million dollars.",
        f"Mayor {mayor} told reporters outside the council chamber that the vote was a turning point for "
        f"{city}, and that {group} had waited far too long for the improvements. The mayor promised regular "
        f"public updates on the budget and on the timetable until the work is finished in {year}.",
        f"Opposition councillor {critic} said the council had not explained how the money would be raised "
        f"and warned that other services could suffer. Several residents who spoke at the meeting asked for "
        f"an independent review of the contracts before any of the building work is allowed to start.",
        f"Business leaders in {city} mostly welcomed the decision, saying that it would bring hundreds of jobs "
        f"during construction and make the city more attractive to investors. A final design will be "
        f"presented to the public in the spring, with a consultation open to every resident for six weeks.",
    ]
    return title, paragraphs


def article_text(seed: int) -> str:
    title, paragraphs = article(seed)
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def article_html(seed: int, *, site: str = "The Daily Ledger", published: str = "2026-03-14T09:30:00Z") -> str:
    """A whole news page: navigation, the article with its metadata, related links and a footer."""
    title, paragraphs = article(seed)
    body = "\n".join(f"      <p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} | {site}</title>
  <meta property="og:title" content="{title}">
  <meta property="og:site_name" content="{site}">
  <meta property="article:published_time" content="{published}">
  <meta name="author" content="Staff Reporter">
</head>
<body>
  <header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a>
  <a href="/sport">Sport</a> <a href="/subscribe">Subscribe</a></nav></header>
  <main>
    <article>
      <h1>{title}</h1>
      <p class="byline">By Staff Reporter, published <time datetime="{published}">{published[:10]}</time></p>
{body}
    </article>
    <aside><h2>Most read</h2><ul><li><a href="/a">Weather warning for the weekend</a></li>
    <li><a href="/b">Five things to do this week</a></li></ul></aside>
  </main>
  <footer><p>&copy; 2026 {site}. All rights reserved.</p> <a href="/privacy">Privacy</a></footer>
</body>
</html>
"""


def raw_messages(settings: Settings) -> int:
    """Messages ever written to the namespace's raw topic: proves how many times things were sent."""

    async def count() -> int:
        consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
        await consumer.start()
        try:
            await consumer._client.force_metadata_update()  # every topic's partitions, no subscription
            parts = consumer._client.cluster.partitions_for_topic(settings.topic_raw) or set()
            tps = [TopicPartition(settings.topic_raw, p) for p in parts]
            return sum((await consumer.end_offsets(tps)).values()) if tps else 0
        finally:
            await consumer.stop()

    return asyncio.run(count())


PUBLISHED = re.compile(r" published (\S+) (\S+)")


class SourceProcess:
    """``newsflow <args>`` running in a namespace, its output lines collected as they come."""

    def __init__(self, args: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> None:
        self.args = list(args)
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [NEWSFLOW, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def published(self) -> list[tuple[str, str]]:
        """(article id, where) for every published line so far."""
        return [(m.group(1), m.group(2)) for line in list(self.lines) if (m := PUBLISHED.search(line))]

    def wait_for(self, predicate: Callable[[SourceProcess], bool], timeout: float = 60, what: str = "output") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return
            if self.proc.poll() is not None:
                self._reader.join(timeout=5)
                if predicate(self):
                    return
                raise AssertionError(f"newsflow {' '.join(self.args)} exited {self.proc.returncode} "
                                     f"before {what}:\n{self.output}")
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}:\n{self.output}")

    def wait_published(self, count: int, timeout: float = 60) -> list[tuple[str, str]]:
        self.wait_for(lambda p: len(p.published()) >= count, timeout, f"{count} published lines")
        return self.published()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._reader.join(timeout=5)
        return code

    def wait_exit(self, timeout: float = 120) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(
                f"newsflow {' '.join(self.args)} still running after {timeout}s:\n{self.output}") from None
        self._reader.join(timeout=5)
        return code
