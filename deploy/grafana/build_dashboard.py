"""Writes deploy/grafana/newsflow.json, the Grafana dashboard of newsflow's Prometheus metrics.

    python deploy/grafana/build_dashboard.py          # rewrite the JSON
    python deploy/grafana/build_dashboard.py --check  # exit 1 if the JSON is not what this writes

The dashboard is built here rather than edited in Grafana so that every query stays on the
metric names newsflow exports (tests/unit/test_grafana_dashboard.py checks them) and the JSON
diffs stay readable. Import it in Grafana (Dashboards -> New -> Import); it asks for a
Prometheus data source.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "newsflow.json"

DS = {"type": "prometheus", "uid": "${datasource}"}
RATE = "$__rate_interval"
STAGE = 'stage=~"$stage"'
# Lag per partition, counted once even if more than one process reports the same partition
# (the previous owner during a rebalance, or every member reporting its group's lag).
LAG = f"max by (stage, topic, partition) (newsflow_consumer_lag{{{STAGE}}})"

WIDTH = 24
_layout: dict[str, int] = {}
_ids = iter(())


def _reset() -> None:
    """Start a new layout: ids and grid positions depend only on the panels' order."""
    global _ids
    _layout.update(x=0, y=0, row_height=0)
    _ids = iter(range(1, 1000))


def _place(w: int, h: int) -> dict[str, int]:
    """Left-to-right, top-to-bottom placement on Grafana's 24-column grid."""
    if _layout["x"] + w > WIDTH:
        _layout["x"] = 0
        _layout["y"] += _layout["row_height"]
        _layout["row_height"] = 0
    pos = {"x": _layout["x"], "y": _layout["y"], "w": w, "h": h}
    _layout["x"] += w
    _layout["row_height"] = max(_layout["row_height"], h)
    return pos


def row(title: str) -> dict[str, Any]:
    if _layout["x"]:
        _layout["x"], _layout["y"], _layout["row_height"] = 0, _layout["y"] + _layout["row_height"], 0
    panel = {"type": "row", "id": next(_ids), "title": title, "collapsed": False, "panels": [],
             "gridPos": _place(WIDTH, 1)}
    _layout["x"], _layout["y"], _layout["row_height"] = 0, _layout["y"] + 1, 0
    return panel


def target(expr: str, legend: str = "", ref: str = "A") -> dict[str, Any]:
    return {"datasource": DS, "expr": expr, "legendFormat": legend or "__auto", "refId": ref, "range": True}


def targets(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [target(expr, legend, chr(ord("A") + i)) for i, (expr, legend) in enumerate(pairs)]


def timeseries(title: str, description: str, tgts: list[dict[str, Any]], unit: str, w: int = 12, h: int = 8,
               stack: bool = False) -> dict[str, Any]:
    custom: dict[str, Any] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never"}
    if stack:
        custom["stacking"] = {"mode": "normal", "group": "A"}
    return {
        "type": "timeseries", "id": next(_ids), "title": title, "description": description, "datasource": DS,
        "gridPos": _place(w, h), "targets": tgts,
        "fieldConfig": {"defaults": {"unit": unit, "custom": custom}, "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
    }


def stat(title: str, description: str, expr: str, unit: str, thresholds: list[tuple[float | None, str]],
         w: int = 4, h: int = 4) -> dict[str, Any]:
    steps = [{"color": color, "value": value} for value, color in thresholds]
    return {
        "type": "stat", "id": next(_ids), "title": title, "description": description, "datasource": DS,
        "gridPos": _place(w, h), "targets": [target(expr, title)],
        "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}},
                        "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "background", "graphMode": "area", "textMode": "value"},
    }


def quantiles(metric: str, by: str, qs: tuple[float, ...] = (0.5, 0.99), selector: str = "") -> list[tuple[str, str]]:
    """histogram_quantile over a histogram's buckets, one query per quantile."""
    group = f"le, {by}" if by else "le"
    legend_by = f"{{{{{by}}}}} " if by else ""
    sel = f"{{{selector}}}" if selector else ""
    return [
        (f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket{sel}[{RATE}])))",
         f"{legend_by}p{round(q * 100)}")
        for q in qs
    ]


def panels() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    out.append(row("Overview"))
    out += [
        stat("Articles in /s", "Messages taken from the input topics by all stages.",
             f"sum(rate(newsflow_messages_in_total{{{STAGE}}}[{RATE}]))", "ops", [(None, "blue")]),
        stat("Indexed /s", "Articles the indexer stage sent on (written to Elasticsearch).",
             f'sum(rate(newsflow_messages_out_total{{stage="indexer"}}[{RATE}]))', "ops", [(None, "blue")]),
        stat("Dead letters /s", "Messages sent to the dead-letter topic, all stages and reasons.",
             f"sum(rate(newsflow_dead_letters_total{{{STAGE}}}[{RATE}]))", "ops",
             [(None, "green"), (0.01, "orange"), (1, "red")]),
        stat("Consumer lag", "Messages waiting in the input topics of the stages, all partitions.",
             f"sum({LAG})", "short", [(None, "green"), (1000, "orange"), (10000, "red")]),
        stat("Stalled stages", "Stages whose committed offsets stopped moving while they have lag.",
             "count(max by (stage) (newsflow_stage_stalled) > 0) or vector(0)", "short", [(None, "green"), (1, "red")]),
        stat("Publish → indexed p99", "From the article's ingest time to its document's indexing.",
             f"histogram_quantile(0.99, sum by (le) (rate(newsflow_publish_to_indexed_seconds_bucket[{RATE}])))",
             "s", [(None, "green"), (1, "orange"), (5, "red")]),
    ]
    out.append(row("Throughput"))
    out += [
        timeseries("Messages in and out per stage", "In: taken from the stage's input topic. Out: sent on to the "
                   "next topic (or, for the indexer, written to Elasticsearch).", targets(
                       (f"sum by (stage) (rate(newsflow_messages_in_total{{{STAGE}}}[{RATE}]))", "{{stage}} in"),
                       (f"sum by (stage) (rate(newsflow_messages_out_total{{{STAGE}}}[{RATE}]))", "{{stage}} out"),
                   ), "ops"),
        timeseries("Dead letters by stage and reason", "Rate of messages dead-lettered; the reason is the error "
                   "type.", targets(
                       (f"sum by (stage, reason) (rate(newsflow_dead_letters_total{{{STAGE}}}[{RATE}]))",
                        "{{stage}} {{reason}}"),
                   ), "ops", stack=True),
        timeseries("Dead-letter ratio per stage", "Dead letters over messages in.", targets(
            (f"sum by (stage) (rate(newsflow_dead_letters_total{{{STAGE}}}[{RATE}])) / "
             f"sum by (stage) (rate(newsflow_messages_in_total{{{STAGE}}}[{RATE}]))", "{{stage}}"),
        ), "percentunit"),
        timeseries("Retries by stage and operation", "Transient failures retried with backoff (sends, bulk "
                   "requests, ...). A steady rate means a dependency is struggling.", targets(
                       (f"sum by (stage, operation) (rate(newsflow_retries_total{{{STAGE}}}[{RATE}]))",
                        "{{stage}} {{operation}}"),
                   ), "ops"),
    ]
    out.append(row("Lag and health"))
    out += [
        timeseries("Consumer lag per stage", "What KEDA scales each stage on.", targets(
            (f"sum by (stage) ({LAG})", "{{stage}}"),
        ), "short"),
        timeseries("Consumer lag per partition", "An uneven spread means a hot key or a stuck consumer.", targets(
            (LAG,
             "{{stage}} {{topic}}[{{partition}}]"),
        ), "short"),
        timeseries("Stalled", "1 while a stage has lag and its committed offsets do not move (liveness fails "
                   "then, and Kubernetes restarts the worker).", targets(
                       (f"max by (stage) (newsflow_stage_stalled{{{STAGE}}})", "{{stage}}"),
                   ), "short"),
        timeseries("Workers per stage", "Processes reporting metrics, per stage.", targets(
            (f"count by (stage) (newsflow_stage_stalled{{{STAGE}}})", "{{stage}}"),
        ), "short"),
    ]
    out.append(row("Latency and batches"))
    out += [
        timeseries("Processing time per batch", "Time a stage spends on one batch, p50 and p99.", targets(
            *quantiles("newsflow_processing_seconds", "stage", selector=STAGE),
        ), "s"),
        timeseries("Batch size", "Messages per batch: mean and p99. Small batches under load mean the batch "
                   "timeout, not the size, closes them.", targets(
                       (f"sum by (stage) (rate(newsflow_batch_size_sum{{{STAGE}}}[{RATE}])) / "
                        f"sum by (stage) (rate(newsflow_batch_size_count{{{STAGE}}}[{RATE}]))", "{{stage}} mean"),
                       *quantiles("newsflow_batch_size", "stage", (0.99,), selector=STAGE),
                   ), "short"),
        timeseries("Publish → indexed", "From the article's ingest time to its document's indexing: p50, p90, "
                   "p99.", targets(*quantiles("newsflow_publish_to_indexed_seconds", "", (0.5, 0.9, 0.99))), "s"),
        timeseries("Elasticsearch bulk items by outcome", "Documents sent in bulk requests, by outcome.", targets(
            (f"sum by (outcome) (rate(newsflow_es_bulk_items_total[{RATE}]))", "{{outcome}}"),
        ), "ops", stack=True),
    ]
    return out


def dashboard() -> dict[str, Any]:
    _reset()
    return {
        "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
                       {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
        "uid": "newsflow-pipeline",
        "title": "newsflow pipeline",
        "description": "Throughput, dead letters, lag, stalls and latency of newsflow's stages.",
        "tags": ["newsflow", "kafka", "elasticsearch"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0, "refresh": 1},
            {"name": "stage", "label": "Stage", "type": "query", "datasource": DS,
             "query": {"query": "label_values(newsflow_messages_in_total, stage)", "refId": "stage"},
             "definition": "label_values(newsflow_messages_in_total, stage)",
             "multi": True, "includeAll": True, "allValue": ".*", "current": {}, "refresh": 2, "sort": 1,
             "hide": 0},
        ]},
        "annotations": {"list": []},
        "panels": panels(),
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that the JSON is up to date")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            sys.exit(f"{OUT} is out of date: run python {Path(__file__).name}")
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
