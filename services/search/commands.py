"""``newsflow search``: the same query builder and answer as ``GET /api/search``, printed as a
table (with the top facet values) or as the API's JSON."""

from __future__ import annotations

import html
import json
import re
import sys

import typer
from elasticsearch import BadRequestError
from pydantic import ValidationError
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from services.search.query import (
    SORTS,
    SearchParams,
    build_search,
    cannot_collapse,
    empty_response,
    shape_response,
    uncollapsed,
)
from shared.contracts.settings import get_settings
from shared.runtime.elastic import sync_client

# Facet -> heading in the terminal summary.
FACET_LABELS = {
    "countries": "countries", "people": "people", "organizations": "organizations",
    "locations": "locations", "topics": "topics", "source": "sources",
}


def highlighted(snippet: str) -> Text:
    """The API's HTML snippet (<mark> around matches, entities escaped) as styled terminal text."""
    text, marked = Text(), False
    for part in re.split(r"(</?mark>)", snippet):
        if part in ("<mark>", "</mark>"):
            marked = part == "<mark>"
        elif part:
            text.append(html.unescape(part), style="bold yellow" if marked else None)
    return text


def validation_message(exc: ValidationError) -> str:
    """Pydantic's errors as one line per option, named the way the CLI names them."""
    names = {"date_from": "--from", "date_to": "--to", "q": "QUERY"}
    lines = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()) if not isinstance(p, int))
        label = names.get(field, f"--{field}" if field else "options")
        lines.append(f"{label}: {str(err.get('msg')).removeprefix('Value error, ')}")
    return "\n".join(lines)


def more_versions(count: int) -> str:
    return f"{count} more version{'' if count == 1 else 's'}"


def results_table(result: dict, query: str) -> Table:
    first = (result["page"] - 1) * result["size"] + 1
    shown = f"{first}-{first + len(result['hits']) - 1} of " if result["hits"] else ""
    counted = f"{result['total']} article(s)"
    if result.get("collapse") and result.get("stories", result["total"]) != result["total"]:
        counted = f"{result['stories']} stories ({result['total']} articles)"
    table = Table(title=f"{shown}{counted} for {query or 'everything'!r}", show_lines=True,
                  title_justify="left", expand=True)
    table.add_column("published", no_wrap=True, width=10)
    table.add_column("source", max_width=18)
    table.add_column("title / snippet / entities", ratio=1)
    for hit in result["hits"]:
        cell = highlighted(hit["title_highlight"]) if hit.get("title_highlight") else Text(hit["title"] or "(untitled)")
        cell.stylize("bold")
        if hit["snippet"]:
            cell.append("\n").append_text(highlighted(hit["snippet"]))
        tags = [", ".join(hit[f]) for f in ("countries", "people", "topics") if hit.get(f)]
        if tags:
            cell.append("\n" + " · ".join(tags), style="cyan")
        if hit.get("more_versions"):
            sources = ", ".join(dict.fromkeys(v["source"] or "unknown source" for v in hit.get("versions", [])))
            cell.append(f"\n{more_versions(hit['more_versions'])}: {sources}", style="magenta")
        cell.append(f"\n{hit['id']}", style="dim")
        table.add_row((hit["published_at"] or "undated")[:10], hit["source"] or "-", cell)
    return table


def facets_table(result: dict, top: int = 5) -> Table:
    table = Table(title="top values (use them as filters)", title_justify="left", show_header=True, expand=True)
    for label in FACET_LABELS.values():
        table.add_column(label, ratio=1)
    columns = [[f"{b['value']} ({b['count']})" for b in result["facets"].get(f, [])[:top]] for f in FACET_LABELS]
    for row in range(max((len(c) for c in columns), default=0)):
        table.add_row(*[c[row] if row < len(c) else "" for c in columns])
    return table


def search(
    query: str = typer.Argument("", help='words to look for; "a phrase", -exclude, a | b, prefix*'),
    country: list[str] = typer.Option([], "--country", "-c", help="ISO code, e.g. RU (repeat for OR)"),
    person: list[str] = typer.Option([], "--person", "-p", help="a person's canonical name"),
    organization: list[str] = typer.Option([], "--organization", "-o"),
    location: list[str] = typer.Option([], "--location", "-l"),
    topic: list[str] = typer.Option([], "--topic", "-t"),
    source: list[str] = typer.Option([], "--source", "-s", help="publisher, e.g. Dawn"),
    language: list[str] = typer.Option([], "--language", help="language code, e.g. en"),
    date_from: str | None = typer.Option(None, "--from", help="published on or after (YYYY-MM-DD)"),
    date_to: str | None = typer.Option(None, "--to", help="published on or before (YYYY-MM-DD)"),
    size: int = typer.Option(10, "--size", "-n", help="hits per page (0-100)"),
    page: int = typer.Option(1, "--page", help="1-based page"),
    sort: str = typer.Option("relevance", "--sort", help=", ".join(SORTS)),
    collapse: bool = typer.Option(True, "--collapse/--no-collapse",
                                  help="one hit per story (its copies as 'N more versions'), or every copy"),
    facets: bool = typer.Option(True, "--facets/--no-facets", help="show the top values of each entity field"),
    as_json: bool = typer.Option(False, "--json", help="print the API's JSON answer"),
) -> None:
    """Full-text search of the index, with filters; prints date, source, title and a highlighted
    snippet per article, then the top countries, people, organizations, locations, topics, sources."""
    err = Console(stderr=True)
    try:
        params = SearchParams.model_validate({
            "q": query, "country": country, "person": person, "organization": organization,
            "location": location, "topic": topic, "source": source, "language": language,
            "from": date_from, "to": date_to, "size": size, "page": page, "sort": sort,
            "collapse": collapse,
        })
    except ValidationError as exc:
        err.print(f"[bold red]error:[/] {validation_message(exc)}", highlight=False)
        raise typer.Exit(2) from exc
    settings = get_settings()
    es = sync_client(settings)
    try:
        try:
            response = es.search(index=settings.index_alias, ignore_unavailable=True, allow_no_indices=True,
                                 **build_search(params)).body
        except BadRequestError as exc:
            if not (params.collapse and cannot_collapse(exc)):
                raise
            params = uncollapsed(params)
            response = es.search(index=settings.index_alias, ignore_unavailable=True, allow_no_indices=True,
                                 **build_search(params)).body
    except Exception as exc:
        err.print(f"[bold red]error:[/] search failed at {settings.elasticsearch_url}: {exc}", highlight=False)
        raise typer.Exit(1) from exc
    finally:
        es.close()
    result = shape_response(params, response) if response["_shards"]["total"] else empty_response(params)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    parts: list = [results_table(result, params.q)]
    if facets and result["total"]:
        parts.append(facets_table(result))
    Console().print(Group(*parts))
