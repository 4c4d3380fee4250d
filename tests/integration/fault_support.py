"""What the fault tests share: good articles, and the record of one fault (what was sent, what
was indexed once, lost, duplicated and dead-lettered, and how long recovery took), printed, and
appended to the file ``NEWSFLOW_FAULT_REPORT`` names when it is set."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from shared.contracts.schemas import DeadLetter, RawArticle
from tests.integration.sources_support import article_text


def good_articles(prefix: str, count: int, start: int = 0) -> list[RawArticle]:
    return [RawArticle(id=f"{prefix}-{n}", url=f"https://news.example/{prefix}/{n}", source="Fault Desk",
                       content=article_text(n)) for n in range(start, start + count)]


@dataclass
class FaultRecord:
    fault: str
    sent: int
    indexed_once: int
    lost: int
    duplicated: int
    dead_lettered: int
    recovery_seconds: float | None

    def emit(self) -> None:
        line = json.dumps(asdict(self))
        sys.stderr.write(f"\nFAULT {line}\n")
        target = os.environ.get("NEWSFLOW_FAULT_REPORT")
        if target:
            with open(target, "a") as out:
                out.write(line + "\n")


def index_counts(es: object, alias: str, ids: Sequence[str]) -> tuple[int, int]:
    """(distinct ids found, documents matching them): a duplicate would make the second larger."""
    es.indices.refresh(index=alias)  # type: ignore[attr-defined]
    found = es.search(index=alias, query={"ids": {"values": list(ids)}}, size=0,  # type: ignore[attr-defined]
                      track_total_hits=True, aggs={"ids": {"cardinality": {"field": "id"}}})
    return int(found["aggregations"]["ids"]["value"]), int(found["hits"]["total"]["value"])


def letters_for(letters: Sequence[DeadLetter], ids: set[str]) -> list[DeadLetter]:
    return [letter for letter in letters if letter.key in ids]


def duplicated_letters(letters: Sequence[DeadLetter]) -> int:
    seen = Counter((letter.stage, letter.topic, letter.partition, letter.offset) for letter in letters)
    return sum(n - 1 for n in seen.values())


def since(start: float) -> float:
    return round(time.monotonic() - start, 1)
