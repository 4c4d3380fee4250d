"""Suite-wide guards: the integration tests run against the real stack, never skipped quietly."""

from __future__ import annotations

import os

import pytest

_integration = {"collected": 0, "skipped": 0}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _integration["collected"] = sum(1 for item in items if "tests/integration" in str(item.path))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "tests/integration" in report.nodeid:
        _integration["skipped"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run of the whole suite that ran no integration test, or skipped some, is a failure:
    the real Kafka and Elasticsearch are part of what is tested."""
    if os.environ.get("NEWSFLOW_ALLOW_SKIPS") or exitstatus != 0:
        return
    whole_suite = any(str(arg).rstrip("/") in ("tests", "tests/integration") for arg in session.config.args)
    if whole_suite and _integration["collected"] == 0:
        session.exitstatus = 1
        print("\nerror: no integration test was collected")
    if _integration["skipped"]:
        session.exitstatus = 1
        count = _integration["skipped"]
        print(f"\nerror: {count} integration test(s) were skipped (set NEWSFLOW_ALLOW_SKIPS=1 to allow)")
