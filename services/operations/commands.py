"""Commands that operate the pipeline: the local stack, stage workers, status and dead letters."""

from __future__ import annotations

import contextlib
import json
import sys

import typer
from rich.markup import escape
from rich.table import Table

from services.console import configure_logging, console, fail
from services.stages import STAGE_NAMES, stage
from shared.contracts.settings import get_settings

stack_app = typer.Typer(help="Start, stop and inspect the embedded Kafka and Elasticsearch.", no_args_is_help=True)
dlq_app = typer.Typer(help="Inspect and replay the dead-letter topic.", no_args_is_help=True)


# ---------------------------------------------------------------------------------- stack ---


@stack_app.command("up")
def stack_up(
    secure: bool = typer.Option(False, "--secure", help="Kafka with SASL_SSL (SCRAM-SHA-512) and TLS; "
                                                        "certificates and a user are generated in the stack home"),
) -> None:
    """Start Kafka (KRaft) and Elasticsearch, downloading them on first use; waits until both answer."""
    from shared.devstack import Stack, StackError

    try:
        stack = Stack(get_settings(), echo=lambda m: console.print(m, highlight=False), secure=secure)
        started = stack.up()
    except StackError as exc:
        fail(str(exc))
    console.print(f"[green]stack is up[/] ({'started ' + ', '.join(started) if started else 'nothing to start'})")
    if stack.kafka.material is not None:
        env = stack.kafka.material.folder / "client.env"
        console.print(f"Kafka requires SASL_SSL: clients need the settings in {env} "
                      f"(e.g. `set -a; . {env}; set +a`)", highlight=False)


@stack_app.command("down")
def stack_down() -> None:
    """Stop Kafka and Elasticsearch; leaves no process behind. Data stays in the stack home."""
    from shared.devstack import Stack, StackError

    try:
        Stack(get_settings(), echo=lambda m: console.print(m, highlight=False)).down()
    except StackError as exc:
        fail(str(exc))


@stack_app.command("status")
def stack_status(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Each component with its pid, port and health. Exits 1 when something is down."""
    from shared.devstack import Stack

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


def worker(
    stage_name: str = typer.Argument(..., metavar="STAGE", help=" | ".join(STAGE_NAMES)),
) -> None:
    """Run one pipeline stage as its own process. Start several to share a stage's partitions;
    stops cleanly on SIGTERM or Ctrl-C."""
    try:
        spec = stage(stage_name)
    except KeyError as exc:
        fail(exc.args[0])
    settings = get_settings()
    configure_logging(settings.log_level)
    from shared.runtime.worker import StageWorker

    with contextlib.suppress(KeyboardInterrupt):
        StageWorker(spec, settings).run()


def status(
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    window: float = typer.Option(
        10.0, "--window", min=0.0,
        help="seconds to watch the committed offsets for stalls (0: do not wait, no stall check)"),
) -> None:
    """Topic offsets, lag per stage, the workers of each stage wherever they run (consumer group
    members: host, pid, metrics port, partitions), stalled stages, index and dead-letter counts."""
    import asyncio

    from services.operations.status import gather_status

    settings = get_settings()
    try:
        if window > 0 and not as_json:
            with console.status(f"watching the stages' commits for {window:g} s"):
                report = asyncio.run(gather_status(settings, window))
        else:
            report = asyncio.run(gather_status(settings, window))
    except Exception as exc:
        fail(f"could not read the pipeline's state (is the stack up? `newsflow stack up`): {exc}")
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")
        return
    topics = Table("topic", "partitions", "messages (end offset)", title="topics")
    for name, info in report["topics"].items():
        topics.add_row(name, str(info["partitions"]), str(info["end_offset"]))
    colours = {"stalled": "bold red", "no workers": "yellow", "behind": "yellow", "working": "cyan"}
    stages = Table("stage", "consumer group", "input", "committed", "lag", "workers", "state", title="stages")
    for row in report["stages"]:
        lag, state = row["lag"], row["state"]
        stages.add_row(row["stage"], row["group"], row["topic"], str(row["committed"]),
                       f"[{'green' if lag == 0 else 'yellow'}]{lag}[/]", str(row["workers"]),
                       f"[{colours.get(state, 'green')}]{state}[/]")
    console.print(topics, stages)
    console.print(f"index [bold]{report['index']['alias']}[/]: {report['index']['documents']} documents   "
                  f"dead letters: [bold]{report['dead_letters']}[/]")
    if report["workers"]:
        workers = Table("stage", "host", "pid", "metrics", "partitions", "lag", "state", title="workers (from Kafka)")
        for w in report["workers"]:
            where = w["hostname"] or w["host"]
            if w["hostname"] and w["host"] and w["host"] != w["hostname"]:
                where += f" ({w['host']})"
            state = {True: "[bold red]stalled[/]", False: "ok", None: "-"}[w["stalled"]]
            workers.add_row(w["stage"], where, str(w["pid"] or "-"),
                            f":{w['metrics_port']}" if w["metrics_port"] else "-",
                            ",".join(map(str, w["partitions"])) or "none", str(w["lag"]), state)
        console.print(workers)
    else:
        console.print("no workers in the stages' consumer groups")
    for source in report.get("sources", []):
        console.print(f"source {source.get('kind')} (pid {source.get('pid')}): published {source.get('published')}, "
                      f"last poll {source.get('last_poll_at')}", highlight=False)


# ----------------------------------------------------------------------------- dead letters ---


@dlq_app.command("list")
def dlq_list(
    limit: int = typer.Option(50, "--limit", "-n", help="show at most this many"),
    as_json: bool = typer.Option(False, "--json", help="print JSON lines"),
) -> None:
    """The dead letters: stage, reason, where they came from."""
    import asyncio

    from services.operations.deadletters import read_dead_letters

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
    stage_name: str | None = typer.Option(None, "--stage", help="only letters of this stage"),
    error_type: str | None = typer.Option(None, "--error-type", help="only letters with this error type"),
    yes: bool = typer.Option(False, "--yes", "-y", help="do not ask"),
) -> None:
    """Send dead letters back to the topic they failed on (after a fix). Letters stay in the
    dead-letter topic as a record; a replayed message that fails again is dead-lettered again."""
    import asyncio

    from services.operations.deadletters import replay

    settings = get_settings()

    def select(letter) -> bool:
        return (stage_name is None or letter.stage == stage_name) and (
            error_type is None or letter.error_type == error_type)

    if not yes and not typer.confirm("Replay the matching dead letters?"):
        raise typer.Exit(1)
    count = asyncio.run(replay(settings, select))
    console.print(f"replayed {count} dead letter(s)")


def demo_stop() -> None:
    """Stop the background workers that `make demo` started (the stack keeps running)."""
    from services.operations.demo import stop_workers

    stop_workers(get_settings())
