"""Helpers of the alerts tests: enriched articles straight onto the enriched topic (no spaCy),
and the namespace's alerts topic read from the start."""

from __future__ import annotations

import hashlib
import threading
import uuid

from shared.contracts.schemas import AlertMatch, EnrichedArticle
from tests.integration.conftest import Pipeline


def article(title: str, body: str, **entities: list[str]) -> EnrichedArticle:
    text = f"{title}.\n\n{body}"
    return EnrichedArticle(
        id=f"alert-{uuid.uuid4().hex[:12]}", url=f"https://example.org/{uuid.uuid4().hex[:8]}", source="Example Wire",
        title=title, body=text, word_count=len(text.split()), language="en",
        content_hash=hashlib.sha256(text.encode()).hexdigest(), **entities,
    )


def produce(pipeline: Pipeline, articles: list[EnrichedArticle]) -> None:
    """Put the articles on the enriched topic. In a thread of its own: Playwright's synchronous
    API keeps an event loop running in the test's thread."""
    errors: list[BaseException] = []

    def send() -> None:
        try:
            pipeline.produce_raw([(a.id.encode(), a.to_json_bytes()) for a in articles],
                                 topic=pipeline.settings.topic_enriched)
        except BaseException as exc:  # handed to the caller below
            errors.append(exc)

    thread = threading.Thread(target=send)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def read_matches(pipeline: Pipeline) -> list[AlertMatch]:
    """Every message on the namespace's alerts topic, from the start."""
    return pipeline.read_topic(pipeline.settings.topic_alerts, AlertMatch)
