"""Kibana cannot run here, so the saved objects are checked statically: every field they name
exists in the index mapping with a type that suits its use, every reference resolves, and the
committed file is what deploy/kibana/build_saved_objects.py writes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from services.indexer.mapping import index_mappings
from shared.contracts.settings import PROJECT_ROOT, Settings

KIBANA_DIR = PROJECT_ROOT / "deploy" / "kibana"
NDJSON = KIBANA_DIR / "saved_objects.ndjson"

# What each use of a field needs from its mapping type.
TERMS_TYPES = {"keyword"}
DATE_TYPES = {"date", "date_nanos"}
SORT_TYPES = TERMS_TYPES | DATE_TYPES | {"integer", "long", "double"}


def objects() -> list[dict[str, Any]]:
    return [json.loads(line) for line in NDJSON.read_text(encoding="utf-8").splitlines() if line.strip()]


def field_type(path: str, mapping: dict[str, Any] | None = None) -> str | None:
    """The mapping type of a dotted field path (``title.sort`` is a subfield), None if absent."""
    properties = (mapping or index_mappings())["properties"]
    head, *rest = path.split(".")
    node = properties.get(head)
    for part in rest:
        if node is None:
            return None
        node = (node.get("fields") or {}).get(part) or (node.get("properties") or {}).get(part)
    return None if node is None else node.get("type", "object")


def by_type(kind: str) -> list[dict[str, Any]]:
    return [o for o in objects() if o["type"] == kind]


def test_file_is_what_the_builder_writes() -> None:
    spec = importlib.util.spec_from_file_location("build_saved_objects", KIBANA_DIR / "build_saved_objects.py")
    assert spec and spec.loader
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert NDJSON.read_text(encoding="utf-8") == builder.render(), "run python deploy/kibana/build_saved_objects.py"


def test_one_json_object_per_line_with_unique_ids() -> None:
    objs = objects()
    assert {o["type"] for o in objs} == {"index-pattern", "visualization", "search", "dashboard"}
    keys = [(o["type"], o["id"]) for o in objs]
    assert len(keys) == len(set(keys))
    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    for obj in objs:  # Kibana refuses objects from a version newer than itself
        assert version(obj["coreMigrationVersion"]) <= (8, 19, 0)
        assert version(obj["typeMigrationVersion"]) <= (8, 19, 0)


def test_data_view_is_the_alias_with_published_at_as_time_field() -> None:
    (view,) = by_type("index-pattern")
    assert view["attributes"]["title"] == Settings().index_alias == "articles"
    time_field = view["attributes"]["timeFieldName"]
    assert time_field == "published_at" and field_type(time_field) in DATE_TYPES


def test_visualization_fields_exist_with_suitable_types() -> None:
    checked = []
    for vis in by_type("visualization"):
        state = json.loads(vis["attributes"]["visState"])
        assert state["title"] == vis["attributes"]["title"]
        for agg in state["aggs"]:
            field = agg["params"].get("field")
            if agg["type"] == "count":
                continue
            assert field, (vis["id"], agg)
            wanted = {"terms": TERMS_TYPES, "date_histogram": DATE_TYPES}[agg["type"]]
            assert field_type(field) in wanted, f"{vis['id']}: {field} is {field_type(field)}, needs {wanted}"
            checked.append((agg["type"], field))
    assert ("date_histogram", "published_at") in checked
    for field in ("countries", "people", "organizations", "topics", "source"):
        assert ("terms", field) in checked, field


def test_saved_search_columns_and_sort_exist() -> None:
    (search,) = by_type("search")
    for column in search["attributes"]["columns"]:
        assert field_type(column) is not None, column
    for field, direction in search["attributes"]["sort"]:
        assert field_type(field) in SORT_TYPES and direction in ("asc", "desc")


def test_every_reference_resolves() -> None:
    objs = objects()
    known = {(o["type"], o["id"]) for o in objs}
    for obj in objs:
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in known, (obj["id"], ref)
        source = obj["attributes"].get("kibanaSavedObjectMeta", {}).get("searchSourceJSON")
        if source and "indexRefName" in json.loads(source):
            names = {r["name"] for r in obj["references"]}
            assert json.loads(source)["indexRefName"] in names, obj["id"]


def test_dashboard_shows_every_visualization_and_the_search() -> None:
    (board,) = by_type("dashboard")
    panels = json.loads(board["attributes"]["panelsJSON"])
    refs = {r["name"]: r for r in board["references"]}
    shown = set()
    for panel in panels:
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert ref["type"] == panel["type"]
        shown.add((ref["type"], ref["id"]))
        grid = panel["gridData"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 48 and grid["i"] == panel["panelIndex"]
    assert shown == {(o["type"], o["id"]) for o in objects() if o["type"] in ("visualization", "search")}
    assert board["attributes"]["timeRestore"] is True


@pytest.mark.parametrize("path,expected", [("published_at", "date"), ("people", "keyword"),
                                           ("people.text", "text"), ("title.sort", "keyword"),
                                           ("money.currency", "keyword"), ("nothing", None)])
def test_field_type_reads_subfields_and_nested(path: str, expected: str | None) -> None:
    assert field_type(path) == expected


def test_kibana_setup_imports_this_file() -> None:
    compose = PROJECT_ROOT / "docker-compose.yml"
    if not compose.exists():
        pytest.skip("docker-compose.yml is not in this checkout")
    text = compose.read_text()
    assert "deploy/kibana" in text or "saved_objects.ndjson" in text
    assert Path(NDJSON).stat().st_size > 0
