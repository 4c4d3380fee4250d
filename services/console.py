"""What every command prints through: the consoles, the one error exit, logging for workers."""

from __future__ import annotations

import logging
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def configure_logging(level: str) -> None:
    from rich.logging import RichHandler

    from shared.runtime.retry import quiet_client_logs

    logging.basicConfig(level=level.upper(), format="%(message)s", handlers=[RichHandler(console=err_console)])
    quiet_client_logs()  # a Kafka or Elasticsearch outage is a few lines, not one per attempt
