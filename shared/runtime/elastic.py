"""Elasticsearch plumbing: one way to build a client from the settings, and health."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch

from shared.contracts.settings import Settings


def client_options(settings: Settings) -> dict[str, Any]:
    """Hosts, credentials and CA from the settings (``NEWSFLOW_ELASTICSEARCH_*``) for every client:
    workers, API, CLI, status and tests."""
    options: dict[str, Any] = {
        "hosts": [u.strip() for u in settings.elasticsearch_url.split(",")],
        "request_timeout": settings.elasticsearch_timeout,
        "retry_on_timeout": True,
        "max_retries": 2,
    }
    if settings.elasticsearch_username:
        options["basic_auth"] = (settings.elasticsearch_username, settings.elasticsearch_password or "")
    if settings.elasticsearch_ca_certs:
        options["ca_certs"] = settings.elasticsearch_ca_certs
    return options


def async_client(settings: Settings, **overrides: Any) -> AsyncElasticsearch:
    return AsyncElasticsearch(**{**client_options(settings), **overrides})


def sync_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(**client_options(settings))
