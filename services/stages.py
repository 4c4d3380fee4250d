"""The pipeline's stages, declared once: name, input topic and model, output topic and model, logic.

Everything that needs to know the stages reads this registry: the worker command, the offline
``clean``/``extract`` commands, ``status``, ``make demo``, the benchmarks and the tests. Adding a
stage is one new folder under ``services/`` with its logic class, plus one entry here.

A stage's logic is imported when a worker builds it, not when the registry is read, so commands
that only list stages never load spaCy.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from shared.contracts.schemas import AlertMatch, CleanArticle, EnrichedArticle, IndexedArticle, RawArticle
from shared.contracts.settings import Settings
from shared.runtime.stage import StageLogic, StageSpec


def logic_of(module: str, name: str) -> Callable[[Settings], StageLogic]:
    """A factory that imports ``module`` and builds its logic class ``name`` from the settings."""

    def build(settings: Settings) -> StageLogic:
        return getattr(importlib.import_module(module), name)(settings)

    build.__qualname__ = f"{module}.{name}"
    return build


STAGES: tuple[StageSpec, ...] = (
    StageSpec(
        name="cleaner",
        summary="raw -> clean: the article alone, with title, authors, date, source, language",
        input_topic=lambda s: s.topic_raw,
        input_model=RawArticle,
        output_topic=lambda s: s.topic_clean,
        output_model=CleanArticle,
        logic=logic_of("services.cleaner.worker", "CleanerLogic"),
    ),
    StageSpec(
        name="extractor",
        summary="clean -> enriched: people, organizations, places, countries, money, dates, topics",
        input_topic=lambda s: s.topic_clean,
        input_model=CleanArticle,
        output_topic=lambda s: s.topic_enriched,
        output_model=EnrichedArticle,
        logic=logic_of("services.extractor.worker", "ExtractorLogic"),
    ),
    StageSpec(
        name="indexer",
        summary="enriched -> Elasticsearch: one document per article id behind the alias; then indexed",
        input_topic=lambda s: s.topic_enriched,
        input_model=EnrichedArticle,
        output_topic=lambda s: s.topic_indexed,
        output_model=IndexedArticle,
        logic=logic_of("services.indexer.worker", "IndexerLogic"),
    ),
    StageSpec(
        name="alerts",
        summary="indexed -> alerts: runs the saved alerts' searches on each new article, each match once",
        input_topic=lambda s: s.topic_indexed,
        input_model=IndexedArticle,
        # Published by the stage itself, after claiming each match in Elasticsearch: one article
        # gives any number of matches, and the claim keeps a redelivered batch from repeating them.
        output_topic=lambda s: s.topic_alerts,
        output_model=AlertMatch,
        logic=logic_of("services.alerts.worker", "AlertsLogic"),
    ),
    StageSpec(
        name="webhooks",
        summary="alerts -> webhooks: each match POSTed once to its alert's URL, retried, else dead-lettered",
        input_topic=lambda s: s.topic_alerts,
        input_model=AlertMatch,
        output_topic=None,
        output_model=None,
        logic=logic_of("services.alerts.worker", "WebhookLogic"),
    ),
)

STAGE_NAMES: tuple[str, ...] = tuple(spec.name for spec in STAGES)


def stage(name: str) -> StageSpec:
    """The stage called ``name``; KeyError with the known names otherwise."""
    for spec in STAGES:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown stage {name!r}: choose one of {', '.join(STAGE_NAMES)}")


def chain(first: str, last: str) -> list[StageSpec]:
    """The stages from ``first`` to ``last`` in pipeline order (the offline commands run these)."""
    names = list(STAGE_NAMES)
    return list(STAGES[names.index(first) : names.index(last) + 1])
