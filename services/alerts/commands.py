"""``newsflow alerts``: the same store calls as ``/api/alerts``, from the terminal."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from elasticsearch import AsyncElasticsearch
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from services.alerts import store
from services.alerts.rules import AlertSpec
from services.console import console, fail
from services.search.commands import results_table, validation_message
from shared.contracts.settings import get_settings
from shared.runtime.elastic import async_client

app = typer.Typer(help="Saved searches that notify: each new matching article goes to the alerts topic "
                       "and to the alert's webhook.", no_args_is_help=True)

T = TypeVar("T")


def _run(call: Callable[[AsyncElasticsearch], Awaitable[T]]) -> T:
    settings = get_settings()

    async def go() -> T:
        es = async_client(settings)
        try:
            return await call(es)
        finally:
            await es.close()

    try:
        return asyncio.run(go())
    except store.AlertNotFound as exc:
        fail(f"no alert named {exc.args[0]!r} (see `newsflow alerts list`)")
    except store.AlertExists as exc:
        fail(f"an alert named {exc.args[0]!r} exists; remove it first or pick another name")
    except Exception as exc:
        fail(f"Elasticsearch at {settings.elasticsearch_url}: {exc}")


def _describe(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v!r}" if k == "q" else f"{k}={','.join(v) if isinstance(v, list) else v}"
                    for k, v in params.items()) or "(everything)"


@app.command("add")
def add(
    name: str = typer.Argument(..., help="the alert's name: letters, digits, _ . -"),
    query: str = typer.Argument("", help='words, as for `newsflow search`: "a phrase", -exclude, a | b'),
    country: list[str] = typer.Option([], "--country", "-c", help="ISO code, e.g. RU (repeat for OR)"),
    person: list[str] = typer.Option([], "--person", "-p"),
    organization: list[str] = typer.Option([], "--organization", "-o"),
    location: list[str] = typer.Option([], "--location", "-l"),
    topic: list[str] = typer.Option([], "--topic", "-t"),
    source: list[str] = typer.Option([], "--source", "-s"),
    language: list[str] = typer.Option([], "--language"),
    webhook: str | None = typer.Option(None, "--webhook", help="http(s) URL that receives each match as JSON"),
) -> None:
    """Save a search as an alert: every article indexed from now on that the search would find
    is published once to the alerts topic (and POSTed to the webhook, if any)."""
    try:
        spec = AlertSpec.model_validate({
            "name": name, "q": query, "country": country, "person": person, "organization": organization,
            "location": location, "topic": topic, "source": source, "language": language, "webhook": webhook,
        })
    except ValidationError as exc:
        fail(validation_message(exc).replace("--name", "NAME"), code=2)
    view = _run(lambda es: store.add_alert(es, get_settings(), spec))
    console.print(f"[green]saved alert[/] [bold]{view['name']}[/]: {_describe(view['params'])}"
                  + (f" -> {view['webhook']}" if view["webhook"] else ""), highlight=False)


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Every alert with its search and webhook."""
    alerts = _run(lambda es: store.list_alerts(es, get_settings()))
    if as_json:
        sys.stdout.write(json.dumps(alerts, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("name", "search", "webhook", "created", title=f"{len(alerts)} alert(s)", title_justify="left")
    for alert in alerts:
        table.add_row(alert["name"], _describe(alert["params"]), alert["webhook"] or "-",
                      (alert["created_at"] or "")[:19])
    console.print(table)


@app.command("rm")
def rm(name: str = typer.Argument(..., help="the alert to remove")) -> None:
    """Remove an alert (its past matches stay on the topic)."""
    _run(lambda es: store.remove_alert(es, get_settings(), name))
    console.print(f"removed alert [bold]{name}[/]", highlight=False)


@app.command("test")
def test(
    name: str = typer.Argument(..., help="the alert to try"),
    size: int = typer.Option(10, "--size", "-n", min=0, max=100, help="articles to show"),
    as_json: bool = typer.Option(False, "--json", help="print the API's JSON answer"),
) -> None:
    """The already indexed articles this alert would match, newest first."""
    result = _run(lambda es: store.preview_alert(es, get_settings(), name, size))
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    console.print(results_table(result, f"alert {name}"))


@app.command("matches")
def matches(
    name: str = typer.Argument(..., help="the alert"),
    size: int = typer.Option(20, "--size", "-n", min=1, max=100),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """The alert's latest matches with their webhook delivery state, newest first."""

    async def both(es: AsyncElasticsearch) -> list[dict]:
        await store.get_alert(es, get_settings(), name)
        return await store.latest_matches(es, get_settings(), name, size)

    found = _run(both)
    if as_json:
        sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("matched", "article", "title", "fields", "webhook", title=f"{len(found)} latest match(es) of {name}",
                  title_justify="left")
    for m in found:
        table.add_row(m["matched_at"][:19], m["article_id"], escape(m.get("title") or "-"),
                      ", ".join(m["matched_fields"]), m.get("delivery") or "-")
    console.print(table)
