"""Metrics and health without a broker: the runner's counters over the in-memory transport, the
stall rule, the HTTP endpoints of one process, and how status reads group members."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from prometheus_client import REGISTRY, Counter, Gauge, Histogram

from services.operations.status import worker_row
from shared.contracts.settings import Settings
from shared.runtime import metrics
from shared.runtime.kafka import GroupMember
from shared.runtime.metrics import Health, StallDetector, serve_metrics
from shared.runtime.worker import client_id
from tests.unit.test_stage_runner import UpperLogic, message, raw, runner_with


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_runner_counts_in_out_dead_letters_and_batches() -> None:
    logic = UpperLogic(transient=1)
    runner, _transport = runner_with(logic)
    before = {
        "in": sample("newsflow_messages_in_total", stage="upper"),
        "out": sample("newsflow_messages_out_total", stage="upper"),
        "refused": sample("newsflow_dead_letters_total", stage="upper", reason="RejectedArticle"),
        "invalid": sample("newsflow_dead_letters_total", stage="upper", reason="InvalidJSON"),
        "batches": sample("newsflow_batch_size_count", stage="upper"),
        "sizes": sample("newsflow_batch_size_sum", stage="upper"),
        "seconds": sample("newsflow_processing_seconds_count", stage="upper"),
        "retries": sample("newsflow_retries_total", stage="upper", operation="handle"),
    }
    batch = [message(1, raw("a", "one")), message(2, raw("b", "refuse")), message(3, b"{not json"),
             message(4, raw("c", "two"))]
    acked = []

    async def ack() -> None:
        acked.append(True)

    await runner.handle_batch(batch, ack)
    assert acked == [True]
    assert sample("newsflow_messages_in_total", stage="upper") - before["in"] == 4
    assert sample("newsflow_messages_out_total", stage="upper") - before["out"] == 2
    assert sample("newsflow_dead_letters_total", stage="upper", reason="RejectedArticle") - before["refused"] == 1
    assert sample("newsflow_dead_letters_total", stage="upper", reason="InvalidJSON") - before["invalid"] == 1
    assert sample("newsflow_batch_size_count", stage="upper") - before["batches"] == 1
    assert sample("newsflow_batch_size_sum", stage="upper") - before["sizes"] == 4
    assert sample("newsflow_processing_seconds_count", stage="upper") - before["seconds"] == 1
    assert sample("newsflow_retries_total", stage="upper", operation="handle") - before["retries"] == 1


async def test_a_failed_delivery_counts_a_deliver_retry() -> None:
    runner, transport = runner_with(UpperLogic())
    transport.fail_next = 2
    before = sample("newsflow_retries_total", stage="upper", operation="deliver")
    await runner.handle_batch([message(1, raw("a", "one"))], _noop)
    assert sample("newsflow_retries_total", stage="upper", operation="deliver") - before == 2


async def _noop() -> None:
    return None


def test_stalled_only_with_lag_and_no_commit_for_the_window() -> None:
    detector = StallDetector(window=10)
    assert not detector.observe({0: 5, 1: 7}, {0: 3, 1: 0}, now=0)
    assert not detector.observe({0: 5, 1: 7}, {0: 3, 1: 0}, now=9)
    assert detector.observe({0: 5, 1: 7}, {0: 3, 1: 0}, now=10), "lag and no commit for 10 s"
    assert not detector.observe({0: 6, 1: 7}, {0: 2, 1: 0}, now=11), "a commit moved: working again"
    assert not detector.observe({0: 6, 1: 7}, {0: 0, 1: 0}, now=30), "no lag: idle, not stalled"
    assert not detector.observe({0: 6, 1: 7}, {0: 4, 1: 0}, now=35), "lag came back: the window starts again"
    assert detector.observe({0: 6, 1: 7}, {0: 4, 1: 0}, now=45)
    assert not detector.observe({}, {}, now=100), "no partitions: nothing to stall on"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_server_answers_metrics_and_the_probes_from_the_health_it_is_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    health = Health()
    server = serve_metrics(Settings(metrics_port=0, metrics_host="127.0.0.1"), health, "test")
    try:
        base = f"http://127.0.0.1:{server.port}"
        assert f":{server.port}/metrics" in capsys.readouterr().out, "the port is printed at start"
        status, body = get(f"{base}/metrics")
        assert status == 200 and "process_resident_memory_bytes" in body
        assert get(f"{base}/healthz/ready")[0] == 503, "not ready before partitions are assigned"
        assert get(f"{base}/healthz/live")[0] == 200
        health.set(ready=True, detail="partitions [0, 1]")
        assert get(f"{base}/healthz/ready") == (200, "ok: partitions [0, 1]\n")
        health.set(stalled=True, detail="stalled")
        assert get(f"{base}/healthz/live")[0] == 503
        assert get(f"{base}/nothing")[0] == 404
    finally:
        server.close()


def test_a_taken_port_falls_back_to_a_free_one() -> None:
    first = serve_metrics(Settings(metrics_port=0, metrics_host="127.0.0.1"))
    try:
        second = serve_metrics(Settings(metrics_port=first.port, metrics_host="127.0.0.1"))
        try:
            assert second.port not in (first.port, 0)
            assert get(f"http://127.0.0.1:{second.port}/metrics")[0] == 200
        finally:
            second.close()
    finally:
        first.close()


def test_status_reads_host_pid_and_metrics_port_from_the_client_id_and_flags_a_stalled_member() -> None:
    member = GroupMember("g-extractor", "m-1", client_id("g-extractor", 9464), "10.0.0.7",
                         {"g.clean": [1, 0], "g-extractor-__assignor-__leader": [0]})
    lags = {0: 4, 1: 0, 2: 9}
    row = worker_row("extractor", "g.clean", member, lags, moved={0: False, 1: False, 2: True})
    assert (row.partitions, row.lag, row.host, row.metrics_port) == ([0, 1], 4, "10.0.0.7", 9464)
    assert row.pid is not None and row.hostname
    assert row.stalled is True, "lag on its partitions and none of them moved"
    assert worker_row("extractor", "g.clean", member, lags, moved={0: True}).stalled is False
    assert worker_row("extractor", "g.clean", member, {0: 0, 1: 0}, moved={}).stalled is False, "no lag"
    assert worker_row("extractor", "g.clean", member, lags, moved=None).stalled is None, "not checked"
    foreign = GroupMember("g-extractor", "m-2", "some-other-client", "10.0.0.8", {})
    assert worker_row("extractor", "g.clean", foreign, lags, None).pid is None


def test_the_exported_names_and_labels_are_the_ones_the_dashboard_and_chart_use() -> None:
    """The contract with deploy/grafana and deploy/helm: names, types and labels, exactly."""
    from tests.unit.test_grafana_dashboard import COUNTERS, GAUGES, HISTOGRAMS

    def exported(kind: type) -> dict[str, set[str]]:
        suffix = "_total" if kind is Counter else ""
        return {m._name + suffix: set(m._labelnames)  # the client keeps them only there
                for m in vars(metrics).values() if isinstance(m, kind) and type(m) is kind}

    counters, gauges, histograms = exported(Counter), exported(Gauge), exported(Histogram)
    for wanted, have in ((COUNTERS, counters), (GAUGES, gauges), (HISTOGRAMS, histograms)):
        for name, labels in wanted.items():
            assert have.get(name) == labels, f"{name}: {have.get(name)} != {labels}"
    extra = set(counters) - set(COUNTERS)
    assert extra == {"newsflow_published_total", "newsflow_source_errors_total", "newsflow_http_requests_total"}
