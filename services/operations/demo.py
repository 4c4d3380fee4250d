"""``make demo``: the main job on the embedded stack, from a fresh clone, safe to re-run.

Stack up, one worker per stage in the background, publish seeds/, wait until every article is
searchable, print a search, and say how to stop everything.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from elasticsearch import NotFoundError
from rich.console import Console

from services.producer.files import iter_files, load_file
from services.producer.publish import publish
from services.stages import STAGE_NAMES as STAGES
from shared.contracts.schemas import RawArticle
from shared.contracts.settings import PROJECT_ROOT, Settings, get_settings
from shared.devstack import PidFile, Stack, StackError, stop_process
from shared.runtime.elastic import sync_client

DEMO_QUERY = "energy cooperation"
NEWSFLOW = str(Path(sys.executable).parent / "newsflow")
console = Console()


def worker_pidfile(settings: Settings, stage: str) -> PidFile:
    return PidFile(settings.stack_home / "run" / f"worker-{stage}.pid", f"worker {stage}")


def start_workers(settings: Settings) -> None:
    for stage in STAGES:
        pidfile = worker_pidfile(settings, stage)
        if pidfile.live_pid():
            console.print(f"worker {stage}: already running (pid {pidfile.read()})")
            continue
        log = settings.stack_home / "logs" / f"worker-{stage}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [NEWSFLOW, "worker", stage], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        pidfile.write(proc.pid)
        console.print(f"worker {stage}: started (pid {proc.pid}, log {log.relative_to(PROJECT_ROOT)})")


def stop_workers(settings: Settings) -> None:
    for stage in STAGES:
        pidfile = worker_pidfile(settings, stage)
        pid = pidfile.live_pid()
        if pid:
            stop_process(pid)
            console.print(f"worker {stage}: stopped")
        pidfile.clear()


def wait_searchable(settings: Settings, ids: list[str], timeout: float = 300) -> None:
    es = sync_client(settings)
    deadline = time.monotonic() + timeout
    with console.status(f"waiting until the {len(ids)} articles are searchable") as status:
        while time.monotonic() < deadline:
            try:
                docs = es.mget(index=settings.index_alias, ids=ids)["docs"]
                found = sum(1 for d in docs if d.get("found"))
            except NotFoundError:
                found = 0
            status.update(f"waiting until the articles are searchable: {found}/{len(ids)}")
            if found == len(ids):
                es.indices.refresh(index=settings.index_alias)
                console.print(f"[green]all {len(ids)} articles are searchable[/]")
                return
            for stage in STAGES:
                if worker_pidfile(settings, stage).live_pid() is None:
                    raise SystemExit(f"worker {stage} stopped; see .stack/logs/worker-{stage}.log")
            time.sleep(1)
    raise SystemExit(f"only some articles were searchable after {timeout:.0f}s; see `newsflow status`")


def main() -> None:
    settings = get_settings()
    console.rule("newsflow demo")
    try:
        Stack(settings, echo=lambda m: console.print(m, highlight=False)).up()
    except StackError as exc:
        console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise SystemExit(1) from exc
    start_workers(settings)
    seeds = [item for path in iter_files([PROJECT_ROOT / "seeds"]) for item in load_file(path)]
    articles = [item for item in seeds if isinstance(item, RawArticle)]
    ids = asyncio.run(publish(settings, articles))
    console.print(f"published {len(ids)} articles to {settings.topic_raw}")
    wait_searchable(settings, ids)
    console.rule(f"newsflow search {DEMO_QUERY!r}")
    subprocess.run([NEWSFLOW, "search", DEMO_QUERY, "--size", "5"], check=False)
    console.print(
        "\nThe stack and the workers keep running. Try [bold].venv/bin/newsflow status[/], "
        "[bold].venv/bin/newsflow search QUERY[/], [bold].venv/bin/newsflow api[/] (http://localhost:8000).\n"
        "Stop everything with [bold]make stop[/] (workers and stack; data stays in .stack/)."
    )


if __name__ == "__main__":
    main()
