"""``newsflow clean`` and ``newsflow extract``: the first stages run in this process, no broker.

They run the registry's stages through the same runner, validation and logic a worker uses
(``shared.runtime.offline``), so what they print is what the pipeline would index; a refusal
is the reason the worker would put in the dead letter.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

import typer

from services.console import fail
from services.stages import chain
from shared.contracts.outcomes import Failure
from shared.contracts.settings import get_settings
from shared.runtime.offline import OfflineChain


def _read_input(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.exists():
        fail(f"no such file: {source}")
    return path.read_text(encoding="utf-8", errors="replace")


def _error_id(line: str) -> str | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data.get("id") if isinstance(data, dict) else None


async def _run(last_stage: str, source: str, jsonl: bool) -> None:
    from services.producer.files import raw_from_text

    # A refusal is printed as the result of its input; the runner's log line would repeat it.
    logging.getLogger("newsflow.stage").setLevel(logging.ERROR)
    text = _read_input(source)
    async with OfflineChain(chain("cleaner", last_stage), get_settings()) as stages:
        if not jsonl:
            raw = raw_from_text(Path(source if source != "-" else "stdin.txt"), text)
            raw.metadata = {}
            result = await stages.run(raw.to_json_bytes())
            if isinstance(result, Failure) or result is None:
                fail(f"{result.error_type}: {result.error}" if result else "no result")
            sys.stdout.write(result.model_dump_json(indent=2) + "\n")
            return
        for line in text.splitlines():
            if not line.strip():
                continue
            result = await stages.run(line.encode("utf-8"))
            if isinstance(result, Failure) or result is None:
                error = f"{result.error_type}: {result.error}" if result else "no result"
                sys.stdout.write(json.dumps({"id": _error_id(line), "error": error}) + "\n")
            else:
                sys.stdout.write(result.model_dump_json() + "\n")
            sys.stdout.flush()


JSONL_HELP = "read one RawArticle JSON per line, write one result per line"


def clean(
    source: str = typer.Argument("-", help="a file, or - for standard input"),
    jsonl: bool = typer.Option(False, "--jsonl", help=JSONL_HELP),
) -> None:
    """The cleaner offline: prints the CleanArticle JSON."""
    asyncio.run(_run("cleaner", source, jsonl))


def extract(
    source: str = typer.Argument("-", help="a file, or - for standard input"),
    jsonl: bool = typer.Option(False, "--jsonl", help=JSONL_HELP),
) -> None:
    """Cleaner + extractor offline: prints the EnrichedArticle JSON."""
    asyncio.run(_run("extractor", source, jsonl))
