"""Writes deploy/kibana/saved_objects.ndjson: the data view, visualisations, saved search and
dashboard that the compose stack's kibana-setup imports into Kibana 8.19.

Generated rather than hand-edited so every object stays consistent (ids, references, field
names); tests/unit/test_kibana_saved_objects.py checks the file against the index mapping and
against this script. Run ``python deploy/kibana/build_saved_objects.py`` after changing it.

Aggregation-based visualisations (not Lens) are used on purpose: their field references are
plain ``params.field`` values that a test can check without Kibana.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent / "saved_objects.ndjson"

DATA_VIEW_ID = "newsflow-articles"
INDEX_PATTERN = "articles"  # the alias: every versioned index behind it
TIME_FIELD = "published_at"
CORE_MIGRATION = "8.8.0"
TYPE_MIGRATION = {"index-pattern": "8.0.0", "visualization": "8.5.0", "search": "8.0.0", "dashboard": "8.9.0"}
PANEL_VERSION = "8.19.0"
SEARCH_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _search_source(query: str = "") -> dict[str, str]:
    return {"searchSourceJSON": _dumps({"query": {"query": query, "language": "kuery"}, "filter": [],
                                        "indexRefName": SEARCH_REF})}


def _object(kind: str, object_id: str, attributes: dict[str, Any], references: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "attributes": attributes,
        "coreMigrationVersion": CORE_MIGRATION,
        "id": object_id,
        "managed": False,
        "references": references,
        "type": kind,
        "typeMigrationVersion": TYPE_MIGRATION[kind],
    }


def _data_view_ref() -> list[dict[str, str]]:
    return [{"id": DATA_VIEW_ID, "name": SEARCH_REF, "type": "index-pattern"}]


def data_view() -> dict[str, Any]:
    return _object("index-pattern", DATA_VIEW_ID, {
        "title": INDEX_PATTERN,
        "name": "newsflow articles",
        "timeFieldName": TIME_FIELD,
        "allowHidden": False,
        "fieldAttrs": "{}",
        "fieldFormatMap": "{}",
        "fields": "[]",
        "runtimeFieldMap": "{}",
        "sourceFilters": _dumps([{"value": "body"}]),  # long; Discover shows title and entities
    }, [])


def _count_agg(label: str = "Articles") -> dict[str, Any]:
    return {"id": "1", "enabled": True, "type": "count", "params": {"customLabel": label}, "schema": "metric"}


def _terms_agg(field: str, label: str, size: int, schema: str) -> dict[str, Any]:
    return {"id": "2", "enabled": True, "type": "terms", "schema": schema, "params": {
        "field": field, "orderBy": "1", "order": "desc", "size": size, "otherBucket": False,
        "otherBucketLabel": "Other", "missingBucket": False, "missingBucketLabel": "Missing", "customLabel": label,
    }}


def _xy_params(chart: str, horizontal: bool) -> dict[str, Any]:
    category_position, value_position = ("left", "bottom") if horizontal else ("bottom", "left")
    return {
        "type": chart,
        "addTooltip": True,
        "addLegend": False,
        "legendPosition": "right",
        "addTimeMarker": False,
        "detailedTooltip": True,
        "isVislibVis": True,
        "palette": {"type": "palette", "name": "default"},
        "grid": {"categoryLines": False},
        "labels": {"show": horizontal},
        "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full", "color": "#E7664C"},
        "times": [],
        "radiusRatio": 0,
        "categoryAxes": [{
            "id": "CategoryAxis-1", "type": "category", "position": category_position, "show": True, "style": {},
            "scale": {"type": "linear"}, "labels": {"show": True, "filter": not horizontal, "truncate": 200},
            "title": {},
        }],
        "valueAxes": [{
            "id": "ValueAxis-1", "name": "LeftAxis-1" if not horizontal else "BottomAxis-1", "type": "value",
            "position": value_position, "show": True, "style": {}, "scale": {"type": "linear", "mode": "normal"},
            "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100}, "title": {"text": "Articles"},
        }],
        "seriesParams": [{
            "show": True, "type": "histogram", "mode": "stacked", "data": {"label": "Articles", "id": "1"},
            "valueAxis": "ValueAxis-1", "drawLinesBetweenPoints": True, "lineWidth": 2, "showCircles": True,
            "interpolate": "linear",
        }],
    }


def _visualization(object_id: str, title: str, description: str, vis_type: str, params: dict[str, Any],
                   aggs: list[dict[str, Any]]) -> dict[str, Any]:
    return _object("visualization", object_id, {
        "title": title,
        "description": description,
        "version": 1,
        "uiStateJSON": "{}",
        "visState": _dumps({"title": title, "type": vis_type, "params": params, "aggs": aggs}),
        "kibanaSavedObjectMeta": _search_source(),
    }, _data_view_ref())


def articles_over_time() -> dict[str, Any]:
    histogram = {"id": "2", "enabled": True, "type": "date_histogram", "schema": "segment", "params": {
        "field": TIME_FIELD, "useNormalizedEsInterval": True, "scaleMetricValues": False, "interval": "auto",
        "drop_partials": False, "min_doc_count": 1, "extended_bounds": {}, "customLabel": "Published",
    }}
    return _visualization("newsflow-articles-over-time", "Articles over time",
                          "Articles per interval of their publication date", "histogram",
                          _xy_params("histogram", horizontal=False), [_count_agg(), histogram])


def top_bar(object_id: str, title: str, field: str, label: str) -> dict[str, Any]:
    return _visualization(object_id, title, f"The {label.lower()} most articles mention", "horizontal_bar",
                          _xy_params("histogram", horizontal=True), [_count_agg(), _terms_agg(field, label, 15,
                                                                                               "segment")])


def top_table(object_id: str, title: str, field: str, label: str) -> dict[str, Any]:
    params = {"perPage": 15, "showPartialRows": False, "showMetricsAtAllLevels": False, "showTotal": False,
              "totalFunc": "sum", "percentageCol": "", "autoFitRowToContent": False, "showToolbar": True}
    return _visualization(object_id, title, f"The {label.lower()} most articles mention", "table", params,
                          [_count_agg(), _terms_agg(field, label, 25, "bucket")])


VISUALIZATIONS = [
    articles_over_time(),
    top_bar("newsflow-top-countries", "Top countries", "countries", "Country"),
    top_bar("newsflow-top-topics", "Top topics", "topics", "Topic"),
    top_table("newsflow-top-people", "Top people", "people", "Person"),
    top_table("newsflow-top-organizations", "Top organizations", "organizations", "Organization"),
    top_table("newsflow-top-sources", "Top sources", "source", "Source"),
]


def saved_search() -> dict[str, Any]:
    return _object("search", "newsflow-latest-articles", {
        "title": "Latest articles",
        "description": "Every article, newest first, with its source and entities",
        "columns": ["title", "source", "countries", "people", "organizations", "topics"],
        "sort": [[TIME_FIELD, "desc"]],
        "grid": {},
        "hideChart": False,
        "isTextBasedQuery": False,
        "kibanaSavedObjectMeta": _search_source(),
    }, _data_view_ref())


def dashboard(visualizations: list[dict[str, Any]], search: dict[str, Any]) -> dict[str, Any]:
    layout = {  # id -> (x, y, w, h) on Kibana's 48-column grid
        "newsflow-articles-over-time": (0, 0, 48, 12),
        "newsflow-top-countries": (0, 12, 24, 15),
        "newsflow-top-topics": (24, 12, 24, 15),
        "newsflow-top-people": (0, 27, 16, 17),
        "newsflow-top-organizations": (16, 27, 16, 17),
        "newsflow-top-sources": (32, 27, 16, 17),
        search["id"]: (0, 44, 48, 18),
    }
    panels, references = [], []
    for n, obj in enumerate([*visualizations, search], start=1):
        x, y, w, h = layout[obj["id"]]
        panels.append({"version": PANEL_VERSION, "type": obj["type"], "panelIndex": str(n),
                       "gridData": {"x": x, "y": y, "w": w, "h": h, "i": str(n)},
                       "embeddableConfig": {"enhancements": {}}, "panelRefName": f"panel_{n}"})
        references.append({"id": obj["id"], "name": f"{n}:panel_{n}", "type": obj["type"]})
    return _object("dashboard", "newsflow-overview", {
        "title": "newsflow overview",
        "description": "Articles over time, and the countries, topics, people, organizations and sources they cover",
        "panelsJSON": _dumps(panels),
        "optionsJSON": _dumps({"useMargins": True, "syncColors": False, "syncCursor": True, "syncTooltips": False,
                               "hidePanelTitles": False}),
        "timeRestore": True,
        "timeFrom": "now-10y",
        "timeTo": "now",
        "refreshInterval": {"pause": True, "value": 60000},
        "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": _dumps({"query": {"query": "", "language": "kuery"},
                                                              "filter": []})},
    }, references)


def saved_objects() -> list[dict[str, Any]]:
    """Referenced objects first, as Kibana's own exports order them."""
    search = saved_search()
    return [data_view(), *VISUALIZATIONS, search, dashboard(VISUALIZATIONS, search)]


def render() -> str:
    return "".join(json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
                   for obj in saved_objects())


if __name__ == "__main__":
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {len(saved_objects())} saved objects to {OUTPUT}")
