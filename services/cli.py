"""The ``newsflow`` command: the stack, the stages, publishing, searching and inspecting."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shared.settings import get_settings

app = typer.Typer(
    help="newsflow: stream news articles through Kafka into a searchable Elasticsearch index.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
stack_app = typer.Typer(help="Start, stop and inspect the embedded Kafka and Elasticsearch.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


# ---------------------------------------------------------------------------------- stack ---


@stack_app.command("up")
def stack_up() -> None:
    """Start Kafka (KRaft) and Elasticsearch, downloading them on first use; waits until both answer."""
    from shared.stack import Stack, StackError

    try:
        started = Stack(get_settings(), echo=lambda m: console.print(m, highlight=False)).up()
    except StackError as exc:
        fail(str(exc))
    console.print(f"[green]stack is up[/] ({'started ' + ', '.join(started) if started else 'nothing to start'})")


@stack_app.command("down")
def stack_down() -> None:
    """Stop Kafka and Elasticsearch; leaves no process behind. Data stays in the stack home."""
    from shared.stack import Stack, StackError

    try:
        Stack(get_settings(), echo=lambda m: console.print(m, highlight=False)).down()
    except StackError as exc:
        fail(str(exc))


@stack_app.command("status")
def stack_status(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Each component with its pid, port and health. Exits 1 when something is down."""
    from shared.stack import Stack

    statuses = Stack(get_settings()).status()
    if as_json:
        sys.stdout.write(json.dumps([s.as_dict() for s in statuses], indent=2) + "\n")
    else:
        table = Table("component", "state", "pid", "port", "health")
        for s in statuses:
            state = "[green]running[/]" if s.running else "[red]stopped[/]"
            table.add_row(s.name, state, str(s.pid or "-"), str(s.port), s.detail)
        console.print(table)
    if not all(s.running and s.healthy for s in statuses):
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
