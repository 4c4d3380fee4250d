"""The ``newsflow watch`` and ``newsflow feeds`` commands (registered in services/cli.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from services.console import fail
from services.sources.state import StateLocked, default_state_path
from shared.contracts.settings import get_settings


def watch(
    folders: list[Path] = typer.Argument(..., help="folders to watch (recursively)"),
    state: Path | None = typer.Option(
        None, "--state", help="state file (default: <stack home>/state/watch-<raw topic>.json)"),
    interval: float = typer.Option(1.0, "--interval", min=0.05, help="seconds between scans"),
    settle: float = typer.Option(
        2.0, "--settle", min=0.0, help="seconds a file's size and mtime must stay unchanged before it is read"),
    once: bool = typer.Option(False, "--once", help="publish what is there once it has settled, then exit"),
    summary_every: float = typer.Option(60.0, "--summary-every", min=1.0, help="seconds between summary lines"),
) -> None:
    """Publish every .txt, .html, .json and .jsonl file that appears in the folders, once, also
    across restarts. Prints one line per published article and a periodic summary."""
    from services.sources.watch import run_watch

    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        fail(f"not a folder: {', '.join(missing)}")
    settings = get_settings()
    state_path = state or default_state_path(settings, "watch")
    try:
        code = asyncio.run(run_watch(
            settings, folders, state_path, interval=interval, settle=settle, once=once, summary_every=summary_every,
        ))
    except (StateLocked, ValueError) as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"watch stopped: {type(exc).__name__}: {exc} (Kafka at {settings.kafka_bootstrap})")
    raise typer.Exit(code)


def feeds(
    urls: list[str] = typer.Argument(None, help="RSS or Atom feed URLs"),
    feed_file: Path | None = typer.Option(
        None, "--file", "-f", help="more feeds: one URL a line (# comments), or an OPML file"),
    interval: float = typer.Option(300.0, "--interval", min=1.0, help="seconds between polls"),
    once: bool = typer.Option(False, "--once", help="poll every feed once, then exit (1 when something failed)"),
    state: Path | None = typer.Option(
        None, "--state", help="state file (default: <stack home>/state/feeds-<raw topic>.json)"),
    timeout: float = typer.Option(15.0, "--timeout", min=0.1, help="seconds per HTTP request"),
    retries: int = typer.Option(2, "--retries", min=0, help="retries of a failed request (timeouts, 5xx, 429)"),
    per_host: int = typer.Option(2, "--per-host", min=1, help="requests at once to one host"),
    summary_every: float = typer.Option(60.0, "--summary-every", min=1.0, help="seconds between summary lines"),
) -> None:
    """Poll RSS and Atom feeds and publish each new item's page once, also across restarts.
    Prints one line per published article, one per failure, and a periodic summary."""
    from services.sources.feeds import check_feed_url, read_feed_list, run_feeds, unique

    wanted = list(urls or [])
    if feed_file is not None:
        try:
            wanted += read_feed_list(feed_file)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            fail(f"cannot read feed list {feed_file}: {exc}")
    wanted = unique(wanted)
    if not wanted:
        fail("no feeds: give feed URLs or --file FEEDS.txt|.opml", code=2)
    problems = [p for p in map(check_feed_url, wanted) if p]
    if problems:
        fail("; ".join(problems), code=2)
    settings = get_settings()
    state_path = state or default_state_path(settings, "feeds")
    try:
        code = asyncio.run(run_feeds(
            settings, wanted, state_path, interval=interval, once=once, timeout=timeout, retries=retries,
            per_host=per_host, summary_every=summary_every,
        ))
    except (StateLocked, ValueError) as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"feeds stopped: {type(exc).__name__}: {exc} (Kafka at {settings.kafka_bootstrap})")
    raise typer.Exit(code)
