"""The layout's promises: one stage registry that chains, shared/ split by role with no import
cycle, pure logic importing only contracts, and each topic name declared once."""

from __future__ import annotations

import ast
import itertools
import subprocess
from pathlib import Path

import pytest

from services.indexer.store import newest_index, version_key
from services.stages import STAGE_NAMES, STAGES, chain, stage
from shared.contracts.settings import PROJECT_ROOT, Settings, namespace_overrides

PACKAGES = ("shared", "services")
# Modules that hold pure logic: no Kafka, no Elasticsearch, no runtime.
PURE = ("services.cleaner", "services.extractor", "services.indexer.mapping", "services.search.query",
        "services.alerts.rules")
ADAPTERS = {"services.cleaner.worker", "services.extractor.worker"}  # logic classes the runner drives


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports (anywhere in the file)."""
    files = {module_name(p): p for pkg in PACKAGES for p in (PROJECT_ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                if isinstance(node, ast.ImportFrom) and node.module else [])
            found |= {t for t in targets if t in files}
        graph[name] = found - {name}
    return graph


def test_registry_chains_each_stage_output_into_the_next_input() -> None:
    settings = Settings()
    assert STAGE_NAMES == ("cleaner", "extractor", "indexer", "alerts", "webhooks")
    for upstream, downstream in itertools.pairwise(STAGES):
        assert upstream.output_topic is not None
        assert upstream.output_topic(settings) == downstream.input_topic(settings)
        assert upstream.output_model is downstream.input_model
    assert STAGES[-1].output_topic is None
    assert [s.name for s in chain("cleaner", "extractor")] == ["cleaner", "extractor"]
    assert stage("indexer").group(settings) == "newsflow-indexer"
    with pytest.raises(KeyError, match="choose one of cleaner, extractor, indexer, alerts, webhooks"):
        stage("nope")


@pytest.mark.parametrize("name", ["cleaner", "indexer", "alerts", "webhooks"])
def test_registry_builds_each_stage_logic(name: str) -> None:
    logic = stage(name).logic(Settings())
    assert callable(logic.handle) and callable(logic.start) and callable(logic.stop)


def test_namespaces_rename_every_topic_group_and_alias() -> None:
    settings = Settings().model_copy(update=namespace_overrides("ns1"))
    assert settings.pipeline_topics == ["ns1.articles.raw", "ns1.articles.clean", "ns1.articles.enriched",
                                        "ns1.articles.dlq", "ns1.articles.indexed", "ns1.articles.alerts"]
    assert (settings.index_alias, stage("cleaner").group(settings)) == ("ns1-articles", "ns1-cleaner")


def test_no_import_cycles() -> None:
    graph = import_graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path[path.index(nxt):], nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])


def test_contracts_import_nothing_of_the_runtime_and_pure_logic_only_contracts() -> None:
    for module, imports in import_graph().items():
        if module.startswith("shared.contracts"):
            assert all(i.startswith("shared.contracts") for i in imports), f"{module}: {imports}"
        if module.startswith(PURE) or module in ADAPTERS:
            runtime = {i for i in imports if i.startswith(("shared.runtime", "shared.devstack"))}
            assert not runtime, f"{module} imports the runtime: {runtime}"
        if module.startswith("shared.runtime"):
            assert not any(i.startswith(("shared.devstack", "services")) for i in imports), module
        if any(i.startswith("shared.devstack") for i in imports):
            assert module.startswith(("shared.devstack", "services.operations")), f"{module} uses the dev stack"


def test_each_topic_name_is_declared_once() -> None:
    patterns = [arg for name in ("raw", "clean", "enriched") for arg in ("-e", f'"articles.{name}"')]
    listed = subprocess.run(["git", "grep", "-l", *patterns, "--", "shared", "services", "bench", "eval"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, check=False).stdout.split()
    assert listed == ["shared/contracts/settings.py"]


def test_index_versions_sort_by_number() -> None:
    names = ["articles-v2", "articles-v10", "articles-v9.1", "articles-v9"]
    assert sorted(names, key=version_key) == ["articles-v2", "articles-v9", "articles-v9.1", "articles-v10"]
    assert newest_index(names) == "articles-v10"
