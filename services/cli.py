"""The ``newsflow`` command. Each command lives with the domain it serves; this module only
groups them (the help page shows the groups) and calls the same code the workers and API call."""

from __future__ import annotations

import typer

from services.alerts import commands as alert_commands
from services.api import commands as api_commands
from services.indexer import reindex as reindex_commands
from services.operations import commands as operations
from services.operations import offline
from services.producer import commands as producer_commands
from services.search import commands as search_commands
from services.sources import commands as source_commands

app = typer.Typer(
    help="newsflow: stream news articles through Kafka into a searchable Elasticsearch index.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

PIPELINE, OFFLINE, SEARCH, SOURCES, LOCAL = "Pipeline", "Offline (no broker)", "Search", "Live sources", "Local stack"

app.add_typer(operations.stack_app, name="stack", rich_help_panel=LOCAL)
app.command("demo-stop", rich_help_panel=LOCAL)(operations.demo_stop)

app.command("worker", rich_help_panel=PIPELINE)(operations.worker)
app.command("publish", rich_help_panel=PIPELINE)(producer_commands.publish)
app.command("status", rich_help_panel=PIPELINE)(operations.status)
app.add_typer(operations.dlq_app, name="dlq", rich_help_panel=PIPELINE)

app.command("clean", rich_help_panel=OFFLINE)(offline.clean)
app.command("extract", rich_help_panel=OFFLINE)(offline.extract)

app.command("search", rich_help_panel=SEARCH)(search_commands.search)
app.command("api", rich_help_panel=SEARCH)(api_commands.api)
app.command("reindex", rich_help_panel=SEARCH)(reindex_commands.command)
app.add_typer(alert_commands.app, name="alerts", rich_help_panel=SEARCH)

app.command("watch", rich_help_panel=SOURCES)(source_commands.watch)
app.command("feeds", rich_help_panel=SOURCES)(source_commands.feeds)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
