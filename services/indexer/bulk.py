"""Reading Elasticsearch bulk answers: which documents were written, which must be retried
(429 and 5xx: "not now") and which Elasticsearch refused for themselves (other 4xx: mapping or
parse errors, dead-lettered); and the one reading of a request Elasticsearch did not take
("not now" raised as the caller's retryable error). Pure: the indexer's writes and tests share it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from elasticsearch import ApiError
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout

from shared.contracts.outcomes import TransientError

Kind = Literal["written", "lost", "gone", "retry", "rejected"]


def retryable(status: int) -> bool:
    """Statuses that say "not now" rather than "not this document": overload and server errors."""
    return status == 429 or status >= 500


@contextmanager
def not_now_as(error: type[TransientError], doing: str) -> Iterator[None]:
    """Elasticsearch unreachable, or answering a whole request with 429 or 5xx, raised as
    ``error`` (which the caller's retry policy retries); any other answer raised as it is."""
    try:
        yield
    except (ESConnectionError, ESConnectionTimeout) as exc:
        raise error(f"Elasticsearch is not reachable: {exc}") from exc
    except ApiError as exc:
        if retryable(exc.meta.status):
            raise error(f"Elasticsearch answered {exc.meta.status} {doing}") from exc
        raise


def classify(item: dict[str, Any]) -> tuple[str, Kind, str]:
    """One bulk answer item -> (document id, what happened, reason). ``lost``: a conditional
    write lost a race (409); ``gone``: the document was deleted meanwhile (404 on an update)."""
    result = next(iter(item.values()), {})
    doc_id, status = str(result.get("_id")), int(result.get("status", 0))
    if 200 <= status < 300:
        return doc_id, "written", ""
    error = result.get("error", {})
    reason = f"{error.get('type', 'rejected')}: {error.get('reason', '')}" if isinstance(error, dict) else str(error)
    if status == 409:
        return doc_id, "lost", reason
    if status == 404:
        return doc_id, "gone", reason
    return doc_id, "retry" if retryable(status) or status == 0 else "rejected", f"{status} {reason}"


@dataclass
class BulkAnswer:
    """A bulk answer sorted by what each document needs next."""

    written: set[str] = field(default_factory=set)
    lost: set[str] = field(default_factory=set)  # a conditional write lost a race: re-read, redo
    refused: dict[str, str] = field(default_factory=dict)  # refused for itself, with why
    retry: dict[str, str] = field(default_factory=dict)  # "not now" (429/5xx), with why


def sort_items(items: Iterable[dict[str, Any]]) -> BulkAnswer:
    """A bulk answer's items -> written, lost, refused and to-retry ids (``gone``: the document
    was deleted meanwhile, nothing left to do)."""
    answer = BulkAnswer()
    for item in items:
        doc_id, kind, reason = classify(item)
        if kind == "written":
            answer.written.add(doc_id)
        elif kind == "lost":
            answer.lost.add(doc_id)
        elif kind == "retry":
            answer.retry[doc_id] = reason
        elif kind == "rejected":
            answer.refused[doc_id] = reason
    return answer
