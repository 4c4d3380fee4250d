"""The ``newsflow watch`` and ``newsflow feeds`` commands (registered in services/cli.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from services.sources.state import StateLocked, default_state_path
from shared.settings import get_settings

err_console = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


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
        _fail(f"not a folder: {', '.join(missing)}")
    settings = get_settings()
    state_path = state or default_state_path(settings, "watch")
    try:
        code = asyncio.run(run_watch(
            settings, folders, state_path, interval=interval, settle=settle, once=once, summary_every=summary_every,
        ))
    except (StateLocked, ValueError) as exc:
        _fail(str(exc))
    except Exception as exc:
        _fail(f"watch stopped: {type(exc).__name__}: {exc} (Kafka at {settings.kafka_bootstrap})")
    raise typer.Exit(code)
