"""Alerts against the real stack: enriched articles go onto the namespace's enriched topic, the
indexer, alerts and webhooks workers run as processes, and the tests read articles.alerts, the
dead letters and what a local webhook receiver got."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from services.alerts.rules import match_id, match_record
from services.alerts.store import matches_index
from services.api.app import create_app
from shared.contracts.schemas import AlertMatch, EnrichedArticle
from tests.integration.alerts_support import article, produce, read_matches
from tests.integration.conftest import Pipeline

WEBHOOK_ATTEMPTS = 4


@pytest.fixture(scope="module")
def alerts_pipeline(make_pipeline) -> Pipeline:
    pipeline = make_pipeline("alerts", webhook_initial_delay=0.2, webhook_max_delay=1.0,
                             webhook_attempts=WEBHOOK_ATTEMPTS, batch_size=16)
    return pipeline.start(["indexer", "alerts", "webhooks"])


@pytest.fixture(scope="module")
def client(alerts_pipeline: Pipeline) -> Iterator[TestClient]:
    with TestClient(create_app(alerts_pipeline.settings)) as test_client:
        yield test_client


def add_alert(client: TestClient, **body: object) -> dict:
    response = client.post("/api/alerts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_each_match_is_published_once_across_a_killed_alerts_worker(alerts_pipeline: Pipeline,
                                                                    client: TestClient) -> None:
    pipeline = alerts_pipeline
    add_alert(client, name="kill-energy-pk", q="energy", country=["PK"])
    add_alert(client, name="kill-russia", country=["RU"])
    add_alert(client, name="kill-zebra", q="zebra")

    def make(n: int) -> list[EnrichedArticle]:
        made = []
        for i in range(n):
            if i % 3 == 0:
                made.append(article(f"Energy corridor talks {i}", "Pakistan signs an energy deal.", countries=["PK"]))
            elif i % 3 == 1:
                made.append(article(f"Moscow meeting {i}", "Ministers met in Moscow.", countries=["RU"]))
            else:  # energy without Pakistan: no alert fits
                made.append(article(f"Energy prices in France {i}", "Energy costs rise.", countries=["FR"]))
        return made

    first, second = make(90), make(60)
    # A worker that died after claiming a match and before publishing it left this record behind.
    orphan = second[0]
    with pipeline.es() as es:
        es.indices.refresh(index=matches_index(pipeline.settings))
        orphan_match = AlertMatch(match_id=match_id("kill-energy-pk", orphan.id), alert="kill-energy-pk",
                                  article_id=orphan.id)
        es.index(index=matches_index(pipeline.settings), id=orphan_match.match_id,
                 document=match_record(orphan_match, None), op_type="create")

    produce(pipeline, first)
    pipeline.wait_for(lambda: any(m.alert.startswith("kill-") for m in read_matches(pipeline)), 90,
                      "the first matches")
    victim = pipeline.workers["alerts"].pop()
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    produce(pipeline, second + first[:30])  # new articles, and a redelivery of articles already matched
    pipeline.start_worker("alerts")

    expected = {("kill-energy-pk", a.id) for a in first + second if a.countries == ["PK"]}
    expected |= {("kill-russia", a.id) for a in first + second if a.countries == ["RU"]}

    def all_there() -> bool:
        return {(m.alert, m.article_id) for m in read_matches(pipeline) if m.alert.startswith("kill-")} >= expected

    pipeline.wait_for(all_there, 120, f"{len(expected)} matches")
    time.sleep(3)  # time enough for a duplicate to show up
    seen = Counter((m.alert, m.article_id) for m in read_matches(pipeline) if m.alert.startswith("kill-"))
    assert set(seen) == expected
    assert [pair for pair, n in seen.items() if n > 1] == []

    # An alert matches exactly what its search finds: the test route lists the same articles.
    for name in ("kill-energy-pk", "kill-russia", "kill-zebra"):
        found = client.get(f"/api/alerts/{name}/test", params={"size": 100}).json()
        assert {h["id"] for h in found["hits"]} == {a for alert, a in expected if alert == name}
    energy = next(m for m in read_matches(pipeline) if m.alert == "kill-energy-pk")
    assert energy.matched_fields[-1] == "countries" and "title" in energy.matched_fields
    assert energy.match_id == match_id("kill-energy-pk", energy.article_id)


class Receiver:
    """A webhook receiver: ``/recover`` answers 503 twice per match, then 200; ``/down`` always 500."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int, dict]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key", "")
                with receiver.lock:
                    before = sum(1 for c in receiver.calls if c[0] == self.path and c[1] == key)
                    status = 500 if self.path == "/down" else (503 if before < 2 else 200)
                    receiver.calls.append((self.path, key, status, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def on(self, path: str) -> list[tuple[str, str, int, dict]]:
        with self.lock:
            return [c for c in self.calls if c[0] == path]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


def test_a_webhook_that_fails_then_recovers_gets_one_delivery(alerts_pipeline: Pipeline, client: TestClient,
                                                               receiver: Receiver) -> None:
    add_alert(client, name="hook-recover", q="lithium", webhook=f"{receiver.base}/recover")
    target = article("Lithium mine opens in Chile", "A new lithium mine.", countries=["CL"])
    produce(alerts_pipeline, [target])
    alerts_pipeline.wait_for(lambda: any(c[2] == 200 for c in receiver.on("/recover")), 60, "a delivery")
    time.sleep(3)
    calls = receiver.on("/recover")
    assert [c[2] for c in calls] == [503, 503, 200]
    assert {c[1] for c in calls} == {match_id("hook-recover", target.id)}
    assert calls[-1][3]["article_id"] == target.id and calls[-1][3]["alert"] == "hook-recover"
    [record] = client.get("/api/alerts/hook-recover/matches").json()["matches"]
    assert (record["delivery"], record["attempts"], record["article_id"]) == ("delivered", 3, target.id)
    letters = [d for d in dead_letters_now(alerts_pipeline) if d.stage == "webhooks"]
    assert all(json.loads(d.value)["alert"] != "hook-recover" for d in letters)


def dead_letters_now(pipeline: Pipeline) -> list:
    try:
        return pipeline.dead_letters(minimum=0, timeout=10)
    except AssertionError:
        return []


def test_a_webhook_that_never_recovers_ends_in_a_dead_letter(alerts_pipeline: Pipeline, client: TestClient,
                                                            receiver: Receiver) -> None:
    add_alert(client, name="hook-down", q="cobalt", webhook=f"{receiver.base}/down")
    target = article("Cobalt exports halted", "Cobalt shipments stop.", countries=["CD"])
    produce(alerts_pipeline, [target])

    def letter() -> list:
        return [d for d in dead_letters_now(alerts_pipeline)
                if d.stage == "webhooks" and json.loads(d.value)["article_id"] == target.id]

    alerts_pipeline.wait_for(lambda: bool(letter()), 90, "the webhook's dead letter")
    time.sleep(2)
    [dead] = letter()
    assert dead.error_type == "WebhookFailed"
    assert "HTTP 500" in dead.error and f"after {WEBHOOK_ATTEMPTS} attempt(s)" in dead.error
    assert dead.topic == alerts_pipeline.settings.topic_alerts and dead.key == "hook-down"
    assert AlertMatch.model_validate_json(dead.value).match_id == match_id("hook-down", target.id)
    assert [c[2] for c in receiver.on("/down")] == [500] * WEBHOOK_ATTEMPTS
    [record] = client.get("/api/alerts/hook-down/matches").json()["matches"]
    assert (record["delivery"], record["attempts"]) == ("dead", WEBHOOK_ATTEMPTS)


def test_alerts_crud_over_the_api(client: TestClient) -> None:
    created = add_alert(client, name="crud-api", q="energy", country=["pk"], webhook="https://example.org/hook")
    assert created["params"] == {"q": "energy", "country": ["PK"]} and created["webhook"] == "https://example.org/hook"
    assert client.post("/api/alerts", json={"name": "crud-api", "q": "x"}).status_code == 409
    bad = client.post("/api/alerts", json={"name": "no spaces", "country": ["Russia"]})
    assert bad.status_code == 422
    assert {p["parameter"] for p in bad.json()["detail"]} >= {"name", "country"}
    assert "crud-api" in [a["name"] for a in client.get("/api/alerts").json()["alerts"]]
    assert client.get("/api/alerts/crud-api").json()["params"] == {"q": "energy", "country": ["PK"]}
    search = client.get("/api/search", params={"q": "energy", "country": "PK", "size": 100, "sort": "newest"}).json()
    tested = client.get("/api/alerts/crud-api/test", params={"size": 100}).json()
    assert [h["id"] for h in tested["hits"]] == [h["id"] for h in search["hits"]]
    assert client.get("/api/alerts/crud-api/matches").json() == {"alert": "crud-api", "matches": []}
    assert client.delete("/api/alerts/crud-api").status_code == 204
    assert client.get("/api/alerts/crud-api").status_code == 404
    assert client.delete("/api/alerts/crud-api").status_code == 404
    assert client.get("/api/alerts/crud-api/test").status_code == 404


def test_alerts_crud_from_the_cli(alerts_pipeline: Pipeline, client: TestClient) -> None:
    run = alerts_pipeline.run_cli
    added = run("alerts", "add", "crud-cli", "energy", "--country", "PK", "--topic", "energy")
    assert added.returncode == 0, added.stderr.decode()
    assert b"crud-cli" in added.stdout
    again = run("alerts", "add", "crud-cli", "anything")
    assert again.returncode == 1 and b"exists" in again.stderr
    invalid = run("alerts", "add", "crud-bad", "--country", "Russia")
    assert invalid.returncode == 2 and b"--country" in invalid.stderr
    listed = json.loads(run("alerts", "list", "--json").stdout)
    mine = next(a for a in listed if a["name"] == "crud-cli")
    assert mine["params"] == {"q": "energy", "country": ["PK"], "topic": ["energy"]}
    tested = json.loads(run("alerts", "test", "crud-cli", "--json", "-n", "100").stdout)
    via_api = client.get("/api/alerts/crud-cli/test", params={"size": 100}).json()
    assert [h["id"] for h in tested["hits"]] == [h["id"] for h in via_api["hits"]]
    assert run("alerts", "rm", "crud-cli").returncode == 0
    gone = run("alerts", "rm", "crud-cli")
    assert gone.returncode == 1 and b"no alert named" in gone.stderr
    assert "crud-cli" not in [a["name"] for a in json.loads(run("alerts", "list", "--json").stdout)]
