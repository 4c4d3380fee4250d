"""``newsflow api``: the HTTP API and the search page under uvicorn."""

from __future__ import annotations

import typer

from shared.contracts.settings import get_settings


def api(
    host: str | None = typer.Option(None, "--host", help="interface to listen on (default NEWSFLOW_API_HOST)"),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="port (default NEWSFLOW_API_PORT, 8000)"),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn's log level"),
) -> None:
    """Serve the search page at /, the JSON API under /api, /healthz and the OpenAPI page at /docs."""
    import uvicorn

    from services.api.app import create_app
    from shared.runtime.metrics import serve_metrics

    settings = get_settings()
    server = serve_metrics(settings, what="api")  # ready once serving: the API's own /healthz checks Kafka and ES
    try:
        uvicorn.run(
            create_app(settings), host=host or settings.api_host, port=port or settings.api_port,
            log_level=log_level.lower(), proxy_headers=True,
        )
    finally:
        server.close()
