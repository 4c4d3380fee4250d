"""The ``newsflow`` command: the stack, the stages, publishing, searching and inspecting."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from services.api import commands as api_commands
from services.indexer import reindex as reindex_commands
from services.search import commands as search_commands
from services.sources import commands as source_commands
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


# ------------------------------------------------------------------------------- pipeline ---

STAGES = ("cleaner", "extractor", "indexer")


def _configure_logging(level: str) -> None:
    import logging

    from rich.logging import RichHandler

    logging.basicConfig(level=level.upper(), format="%(message)s", handlers=[RichHandler(console=err_console)])


@app.command()
def worker(
    stage: str = typer.Argument(..., help="cleaner, extractor or indexer"),
) -> None:
    """Run one pipeline stage as its own process. Start several to share a stage's partitions;
    stops cleanly on SIGTERM or Ctrl-C."""
    if stage not in STAGES:
        fail(f"unknown stage {stage!r}: choose one of {', '.join(STAGES)}")
    settings = get_settings()
    _configure_logging(settings.log_level)
    import importlib

    module = importlib.import_module(f"services.{stage}.worker")
    with contextlib.suppress(KeyboardInterrupt):
        module.run(settings)


@app.command()
def publish(
    paths: list[Path] = typer.Argument(..., help=".txt, .html, .json, .jsonl files or folders", exists=False),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="print only the count"),
) -> None:
    """Publish articles to articles.raw; prints how many and their ids."""
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from services.producer.files import LoadError, iter_files, load_file
    from services.producer.publish import publish as publish_articles

    settings = get_settings()
    try:
        files = list(iter_files(paths))
    except FileNotFoundError as exc:
        fail(str(exc))
    articles, problems = [], []
    for path in files:
        for item in load_file(path):
            (problems if isinstance(item, LoadError) else articles).append(item)
    for problem in problems:
        err_console.print(f"[yellow]skipped[/] {escape(problem.where)}: {escape(problem.error)}", highlight=False)
    if not articles:
        fail("nothing to publish")
    with Progress(
        TextColumn("publishing"), BarColumn(), MofNCompleteColumn(), console=err_console, transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task("publish", total=len(articles))
        try:
            ids = asyncio.run(publish_articles(settings, articles, on_sent=lambda _r: progress.advance(task)))
        except Exception as exc:
            fail(f"could not publish to Kafka at {settings.kafka_bootstrap}: {exc}")
    if not quiet:
        for raw_id in ids:
            console.print(raw_id, highlight=False)
    console.print(f"published {len(ids)} article{'s' if len(ids) != 1 else ''} to {settings.topic_raw}"
                  + (f" ({len(problems)} skipped)" if problems else ""), highlight=False)


def _read_input(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.exists():
        fail(f"no such file: {source}")
    return path.read_text(encoding="utf-8", errors="replace")


def _offline(source: str, jsonl: bool, run_batch: Callable[[list], list]) -> None:
    """Shared by clean and extract: one input, or JSONL in -> JSONL out in the same order."""
    from pydantic import ValidationError

    from services.producer.files import raw_from_text
    from shared.schemas import RawArticle

    text = _read_input(source)
    if not jsonl:
        raw = raw_from_text(Path(source if source != "-" else "stdin.txt"), text)
        raw.metadata = {}
        result = run_batch([raw])[0]
        if isinstance(result, Exception):
            fail(f"{type(result).__name__}: {result}")
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    for line in text.splitlines():
        if not line.strip():
            continue
        data = None
        try:
            data = json.loads(line)
            raw = RawArticle.model_validate(data)
        except (json.JSONDecodeError, ValidationError) as exc:
            ident = data.get("id") if isinstance(data, dict) else None
            sys.stdout.write(json.dumps({"id": ident, "error": f"{type(exc).__name__}: {exc}"}) + "\n")
            continue
        result = run_batch([raw])[0]
        if isinstance(result, Exception):
            sys.stdout.write(json.dumps({"id": raw.id, "error": f"{type(result).__name__}: {result}"}) + "\n")
        else:
            sys.stdout.write(result.model_dump_json() + "\n")
        sys.stdout.flush()


def _clean_each(raws: list) -> list:
    from services.cleaner.clean import clean_article

    results = []
    for raw in raws:
        try:
            results.append(clean_article(raw))
        except Exception as exc:
            results.append(exc)
    return results


@app.command()
def clean(
    source: str = typer.Argument("-", help="a file, or - for standard input"),
    jsonl: bool = typer.Option(False, "--jsonl", help="read one RawArticle JSON per line, write one result per line"),
) -> None:
    """The cleaner offline: prints the CleanArticle JSON."""
    _offline(source, jsonl, _clean_each)


@app.command()
def extract(
    source: str = typer.Argument("-", help="a file, or - for standard input"),
    jsonl: bool = typer.Option(False, "--jsonl", help="read one RawArticle JSON per line, write one result per line"),
) -> None:
    """Cleaner + extractor offline: prints the EnrichedArticle JSON."""
    from services.extractor.extract import Extractor

    settings = get_settings()
    extractor = Extractor.from_settings(settings)

    def run(raws: list) -> list:
        results = []
        for cleaned in _clean_each(raws):
            if isinstance(cleaned, Exception):
                results.append(cleaned)
                continue
            try:
                results.append(extractor.extract([cleaned])[0])
            except Exception as exc:
                results.append(exc)
        return results

    _offline(source, jsonl, run)


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Topic offsets, consumer lag per stage, index doc count, dead-letter count, running workers."""
    import asyncio

    from services.status import gather_status

    settings = get_settings()
    try:
        report = asyncio.run(gather_status(settings))
    except Exception as exc:
        fail(f"could not read the pipeline's state (is the stack up? `newsflow stack up`): {exc}")
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")
        return
    topics = Table("topic", "partitions", "messages (end offset)", title="topics")
    for name, info in report["topics"].items():
        topics.add_row(name, str(info["partitions"]), str(info["end_offset"]))
    stages = Table("stage", "consumer group", "input", "committed", "lag", title="stages")
    for stage in report["stages"]:
        lag = stage["lag"]
        stages.add_row(stage["stage"], stage["group"], stage["topic"], str(stage["committed"]),
                       f"[{'green' if lag == 0 else 'yellow'}]{lag}[/]")
    console.print(topics, stages)
    console.print(f"index [bold]{report['index']['alias']}[/]: {report['index']['documents']} documents   "
                  f"dead letters: [bold]{report['dead_letters']}[/]")
    if report["workers"]:
        workers = Table("stage", "pid", "processed", "dead-lettered", "busy", title="running workers")
        for w in report["workers"]:
            workers.add_row(str(w["stage"]), str(w["pid"]), str(w["processed"]), str(w["dead_lettered"]),
                            f"{100 * float(w['busy_ratio']):.0f}%")
        console.print(workers)
    for source in report.get("sources", []):
        console.print(f"source {source.get('kind')} (pid {source.get('pid')}): published {source.get('published')}, "
                      f"last poll {source.get('last_poll_at')}", highlight=False)


dlq_app = typer.Typer(help="Inspect and replay the dead-letter topic.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")


@dlq_app.command("list")
def dlq_list(
    limit: int = typer.Option(50, "--limit", "-n", help="show at most this many"),
    as_json: bool = typer.Option(False, "--json", help="print JSON lines"),
) -> None:
    """The dead letters: stage, reason, where they came from."""
    import asyncio

    from services.deadletters import read_dead_letters

    letters = asyncio.run(read_dead_letters(get_settings(), limit))
    if as_json:
        for _, _, letter in letters:
            sys.stdout.write(letter.model_dump_json() + "\n")
        return
    table = Table("failed at", "stage", "error", "from", "key", title=f"{len(letters)} dead letter(s)")
    for _, _, letter in letters:
        table.add_row(letter.failed_at.strftime("%Y-%m-%d %H:%M:%S"), letter.stage,
                      escape(f"{letter.error_type}: {letter.error[:160]}"),
                      f"{letter.topic}[{letter.partition}]@{letter.offset}", letter.key or "-")
    console.print(table)


@dlq_app.command("replay")
def dlq_replay(
    stage: str | None = typer.Option(None, "--stage", help="only letters of this stage"),
    error_type: str | None = typer.Option(None, "--error-type", help="only letters with this error type"),
    yes: bool = typer.Option(False, "--yes", "-y", help="do not ask"),
) -> None:
    """Send dead letters back to the topic they failed on (after a fix). Letters stay in the
    dead-letter topic as a record; a replayed message that fails again is dead-lettered again."""
    import asyncio

    from services.deadletters import replay

    settings = get_settings()

    def select(letter) -> bool:
        return (stage is None or letter.stage == stage) and (error_type is None or letter.error_type == error_type)

    if not yes and not typer.confirm("Replay the matching dead letters?"):
        raise typer.Exit(1)
    count = asyncio.run(replay(settings, select))
    console.print(f"replayed {count} dead letter(s)")


@app.command("demo-stop")
def demo_stop() -> None:
    """Stop the background workers that `make demo` started (the stack keeps running)."""
    from services.demo import stop_workers

    stop_workers(get_settings())


# Commands whose code lives with the feature they serve (one line each).
app.command("search")(search_commands.search)
app.command("api")(api_commands.api)
app.command("reindex")(reindex_commands.command)
app.command("watch")(source_commands.watch)
app.command("feeds")(source_commands.feeds)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
