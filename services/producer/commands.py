"""``newsflow publish``: files and folders -> RawArticles on articles.raw."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from services.console import console, err_console, fail
from shared.contracts.settings import get_settings


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
