"""``newsflow search``: the same query builder as the HTTP API, printed as a table or JSON."""

from __future__ import annotations

import html
import json
import re
import sys
from datetime import date

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from services.search.query import SearchParams, build_search, shape_response
from shared.elastic import sync_client
from shared.settings import get_settings


def highlighted(snippet: str) -> Text:
    """The API's HTML snippet (<mark> around matches, entities escaped) as styled terminal text."""
    text, marked = Text(), False
    for part in re.split(r"(</?mark>)", snippet):
        if part in ("<mark>", "</mark>"):
            marked = part == "<mark>"
        elif part:
            text.append(html.unescape(part), style="bold yellow" if marked else None)
    return text


def search(
    query: str = typer.Argument("", help="words to look for in title, body and entities"),
    country: list[str] = typer.Option([], "--country", "-c", help="ISO code, e.g. RU (repeatable)"),
    person: list[str] = typer.Option([], "--person", "-p", help="a person's canonical name"),
    organization: list[str] = typer.Option([], "--organization", "-o"),
    location: list[str] = typer.Option([], "--location", "-l"),
    topic: list[str] = typer.Option([], "--topic", "-t"),
    source: list[str] = typer.Option([], "--source", "-s", help="publisher, e.g. Dawn"),
    date_from: str | None = typer.Option(None, "--from", help="published on or after (YYYY-MM-DD)"),
    date_to: str | None = typer.Option(None, "--to", help="published on or before (YYYY-MM-DD)"),
    size: int = typer.Option(10, "--size", "-n", min=1, max=100),
    page: int = typer.Option(1, "--page", min=1),
    sort: str = typer.Option("relevance", "--sort", help="relevance, newest or oldest"),
    as_json: bool = typer.Option(False, "--json", help="print the API's JSON answer"),
) -> None:
    """Full-text search of the index, with filters; prints title, date, source and a highlighted snippet."""
    console = Console()
    try:
        params = SearchParams(
            q=query, country=country, person=person, organization=organization, location=location,
            topic=topic, source=source, size=size, page=page, sort=sort,  # type: ignore[arg-type]
            date_from=date.fromisoformat(date_from) if date_from else None,
            date_to=date.fromisoformat(date_to) if date_to else None,
        )
    except ValueError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    settings = get_settings()
    es = sync_client(settings)
    try:
        response = es.search(index=settings.index_alias, **build_search(params))
    except Exception as exc:
        Console(stderr=True).print(f"[bold red]error:[/] search failed at {settings.elasticsearch_url}: {exc}")
        raise typer.Exit(1) from exc
    finally:
        es.close()
    result = shape_response(params, response.body)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{result['total']} article(s) for {query!r}", show_lines=True)
    for column in ("published", "source", "title / snippet"):
        table.add_column(column)
    for hit in result["hits"]:
        cell = Text(hit["title"] or "(untitled)", style="bold")
        cell.append("\n").append_text(highlighted(hit["snippet"])).append(f"\n{hit['id']}", style="dim")
        table.add_row((hit["published_at"] or "-")[:10], hit["source"] or "-", cell)
    console.print(table)
