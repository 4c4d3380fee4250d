"""``newsflow search`` on the seeds: the same answers as the API, as JSON or a table."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from services.api.app import create_app

DAWN_MOU = "000_c628a8884a65bf52.txt"
BUSINESS_RECORDER = "002_ceec6d890d34f096.txt"


def files(result: dict, docs: dict[str, dict]) -> list[str]:
    return [docs[h["id"]]["metadata"]["file"] for h in result["hits"]]


def test_cli_json_is_the_api_answer(seeds_pipeline, indexed_seeds: dict[str, dict]) -> None:
    run = seeds_pipeline.run_cli("search", "energy", "--json")
    assert run.returncode == 0, run.stderr.decode()
    cli = json.loads(run.stdout)
    assert DAWN_MOU in files(cli, indexed_seeds)
    with TestClient(create_app(seeds_pipeline.settings)) as client:
        api = client.get("/api/search", params={"q": "energy"}).json()
    assert cli == api


def test_cli_filters_and_table(seeds_pipeline, indexed_seeds: dict[str, dict]) -> None:
    run = seeds_pipeline.run_cli("search", "--country", "ru", "--person", "Sergei Lavrov", "--json")
    assert run.returncode == 0, run.stderr.decode()
    assert files(json.loads(run.stdout), indexed_seeds) == [BUSINESS_RECORDER]

    dated = seeds_pipeline.run_cli("search", "--from", "2024-01-01", "--sort", "oldest", "--json")
    assert files(json.loads(dated.stdout), indexed_seeds) == [DAWN_MOU, BUSINESS_RECORDER]

    table = seeds_pipeline.run_cli("search", "Lavrov", "--size", "3")
    out = table.stdout.decode()
    assert table.returncode == 0, table.stderr.decode()
    assert "1-1 of 1 article(s) for 'Lavrov'" in out
    assert "Lavrov" in out and "top values" in out


def test_cli_refuses_bad_options_with_the_reason(seeds_pipeline) -> None:
    run = seeds_pipeline.run_cli("search", "--from", "2024-02-01", "--to", "2024-01-01")
    assert run.returncode == 2
    assert "is after" in run.stderr.decode()
    run = seeds_pipeline.run_cli("search", "--country", "Russia")
    assert run.returncode == 2 and "--country" in run.stderr.decode()
