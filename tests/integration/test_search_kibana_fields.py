"""The Kibana saved objects against the mapping of a real index the pipeline created (not just
mapping.py): every field they aggregate on is there, with a type Kibana can aggregate."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

# The unit test's helpers, loaded by path: the tests folders are not packages.
_spec = importlib.util.spec_from_file_location(
    "kibana_checks", Path(__file__).resolve().parent.parent / "unit" / "test_kibana_saved_objects.py")
assert _spec and _spec.loader
_checks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_checks)
DATE_TYPES, TERMS_TYPES = _checks.DATE_TYPES, _checks.TERMS_TYPES
by_type, field_type = _checks.by_type, _checks.field_type


def test_saved_object_fields_exist_in_the_live_index(seeds_pipeline, indexed_seeds: dict[str, dict]) -> None:
    alias = seeds_pipeline.settings.index_alias
    with seeds_pipeline.es() as es:
        (index_mapping,) = es.indices.get_mapping(index=alias).body.values()
    mapping = index_mapping["mappings"]
    (view,) = by_type("index-pattern")
    assert field_type(view["attributes"]["timeFieldName"], mapping) in DATE_TYPES
    for vis in by_type("visualization"):
        for agg in json.loads(vis["attributes"]["visState"])["aggs"]:
            if agg["type"] == "terms":
                assert field_type(agg["params"]["field"], mapping) in TERMS_TYPES, (vis["id"], agg)
            elif agg["type"] == "date_histogram":
                assert field_type(agg["params"]["field"], mapping) in DATE_TYPES, (vis["id"], agg)
    (search,) = by_type("search")
    assert all(field_type(column, mapping) for column in search["attributes"]["columns"])
    # and the fields hold values: the seeds fill every faceted field Kibana charts
    for field in ("countries", "people", "organizations", "topics", "source", "published_at"):
        assert any(doc.get(field) for doc in indexed_seeds.values()), field
