"""deploy/grafana/newsflow.json: it parses, every query is valid PromQL on newsflow's metric
names and labels only, every metric is shown, and the file is what build_dashboard.py writes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import pytest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "newsflow.json"
BUILDER = ROOT / "deploy" / "grafana" / "build_dashboard.py"

# The metrics newsflow exports, with their labels (the contract of the metrics endpoint).
COUNTERS = {
    "newsflow_messages_in_total": {"stage"},
    "newsflow_messages_out_total": {"stage"},
    "newsflow_dead_letters_total": {"stage", "reason"},
    "newsflow_es_bulk_items_total": {"outcome"},
    "newsflow_retries_total": {"stage", "operation"},
}
GAUGES = {
    "newsflow_consumer_lag": {"stage", "topic", "partition"},
    "newsflow_stage_stalled": {"stage"},
}
HISTOGRAMS = {
    "newsflow_batch_size": {"stage"},
    "newsflow_processing_seconds": {"stage"},
    "newsflow_publish_to_indexed_seconds": set(),
}
# Labels Prometheus adds to every scraped series.
TARGET_LABELS = {"job", "instance", "namespace", "pod"}


def series_labels() -> dict[str, set[str]]:
    """Every series name a query may select, with the labels it carries."""
    names = {**COUNTERS, **GAUGES}
    for name, labels in HISTOGRAMS.items():
        names[f"{name}_bucket"] = {*labels, "le"}
        names[f"{name}_sum"] = set(labels)
        names[f"{name}_count"] = set(labels)
    return {name: labels | TARGET_LABELS for name, labels in names.items()}


SERIES = series_labels()
# Grafana's variables, replaced by what Grafana would put there before Prometheus sees the query.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}


def exported_name(series: str) -> str:
    for name in HISTOGRAMS:
        if series in (f"{name}_bucket", f"{name}_sum", f"{name}_count"):
            return name
    return series


def walk_queries(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(where, PromQL) for every panel target and query variable of the dashboard."""
    if isinstance(node, dict):
        title = node.get("title") or node.get("name") or where
        if isinstance(node.get("expr"), str):
            yield title, node["expr"]
        query = node.get("query")
        if node.get("type") == "query" and isinstance(query, dict):
            yield title, query["query"]
        for value in node.values():
            yield from walk_queries(value, title)
    elif isinstance(node, list):
        for item in node:
            yield from walk_queries(item, where)


def selectors(expr: Any) -> Iterator[Any]:
    """Vector selectors of a parsed expression."""
    if isinstance(expr, promql_parser.VectorSelector):
        yield expr
        return
    for attr in ("lhs", "rhs", "expr", "param", "vector_selector"):
        child = getattr(expr, attr, None)
        if child is not None:
            yield from selectors(child)
    for arg in getattr(expr, "args", None) or []:
        yield from selectors(arg)


def grouping_checks(expr: Any) -> Iterator[tuple[list[str], set[str]]]:
    """(labels of a by/on clause, labels its operand's series carry)."""
    modifier = getattr(expr, "modifier", None)
    if isinstance(expr, promql_parser.AggregateExpr) and modifier is not None and str(modifier).startswith("by"):
        carried = set().union(*(SERIES.get(s.name, set()) for s in selectors(expr.expr)))
        yield list(modifier.labels), carried
    for attr in ("lhs", "rhs", "expr", "param"):
        child = getattr(expr, attr, None)
        if child is not None:
            yield from grouping_checks(child)
    for arg in getattr(expr, "args", None) or []:
        yield from grouping_checks(arg)


def prepare(query: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        query = query.replace(variable, value)
    # label_values(metric, label) is Grafana's, not PromQL: check its metric as a selector.
    match = re.fullmatch(r"label_values\((?P<metric>[^,]+),\s*(?P<label>\w+)\)", query.strip())
    if match:
        return f"count by ({match['label']}) ({match['metric']})"
    return query


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    found = list(walk_queries(dashboard))
    assert len(found) >= 10
    return found


def test_queries_use_only_newsflow_metrics(queries: list[tuple[str, str]]) -> None:
    for where, query in queries:
        parsed = promql_parser.parse(prepare(query))  # raises on invalid PromQL
        names = [s.name for s in selectors(parsed)]
        assert names, f"{where}: {query} selects no metric"
        for selector in selectors(parsed):
            assert selector.name in SERIES, f"{where}: {selector.name} is not a newsflow metric"
            unknown = {m.name for m in selector.matchers.matchers} - SERIES[selector.name]
            assert not unknown, f"{where}: {selector.name} has no label {unknown}"
        for labels, carried in grouping_checks(parsed):
            assert set(labels) <= carried, f"{where}: grouped by {set(labels) - carried}, which its series lack"


def test_histograms_are_read_as_histograms(queries: list[tuple[str, str]]) -> None:
    """Counters and histogram parts only through rate(); quantiles only over _bucket with le."""
    for where, query in queries:
        if "label_values(" in query:
            continue
        for name in COUNTERS:
            for match in re.finditer(rf"\b{name}\b", query):
                assert query[: match.start()].rstrip().endswith("rate("), f"{where}: {name} outside rate()"
        if "histogram_quantile" in query:
            assert "_bucket" in query and re.search(r"by \(le\b", query), f"{where}: {query}"


def test_every_metric_is_on_the_dashboard(queries: list[tuple[str, str]]) -> None:
    shown = {exported_name(s.name) for _, q in queries for s in selectors(promql_parser.parse(prepare(q)))}
    assert shown == {*COUNTERS, *GAUGES, *HISTOGRAMS}


def test_dashboard_shape(dashboard: dict[str, Any]) -> None:
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["x"] + pos["w"] <= 24
        if panel["type"] != "row":
            assert panel["datasource"]["uid"].strip("${}") in variables
            assert all(t["datasource"]["uid"].strip("${}") in variables for t in panel["targets"])
    cells = set()
    for panel in panels:  # no two panels overlap
        pos = panel["gridPos"]
        mine = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"]) for y in range(pos["y"], pos["y"] + pos["h"])}
        assert not cells & mine, panel["title"]
        cells |= mine


def test_dashboard_is_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(BUILDER), "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
