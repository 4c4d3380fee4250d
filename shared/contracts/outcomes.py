"""What a stage's logic answers for each message, and how it says a failure is passing.

Kept with the contracts so pure logic can speak it without importing the runtime that acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel


@dataclass
class Failure:
    """Why one message could not be handled; the runner turns it into a DeadLetter."""

    error_type: str
    error: str


class TransientError(Exception):
    """A failure outside the message (a store not answering): the runner retries, never dead-letters."""


Result = BaseModel | Failure | None  # to send on | to dead-letter | done, nothing to send
