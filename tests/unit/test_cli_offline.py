"""`newsflow clean` and `newsflow extract` offline, as the contract describes them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.contracts.settings import PROJECT_ROOT

NEWSFLOW = str(Path(sys.executable).parent / "newsflow")
SEED = PROJECT_ROOT / "seeds" / "000_c628a8884a65bf52.txt"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSFLOW, *args], input=stdin, capture_output=True, text=True, timeout=300, check=False)


def test_clean_a_text_file_prints_the_clean_article() -> None:
    result = run("clean", str(SEED))
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "Pakistan, Russia sign MoU for cooperation in multiple sectors"
    assert article["body"].startswith("ISLAMABAD: Pakistan and Russia on Thursday formalised")
    assert "Published in Dawn" not in article["body"]
    assert article["word_count"] > 200 and len(article["id"]) == 16


def test_clean_reads_html_from_standard_input() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the report says the delegations met in Islamabad on Thursday to discuss "
        f"trade, energy and transport links between the two countries over the coming years.</p>"
        for n in range(4)
    )
    page = f"<html><head><title>Talks held</title><script>var x = 1;</script></head><body>{paragraphs}</body></html>"
    result = run("clean", "-", stdin=page)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)["body"]
    assert "Paragraph 3 of the report" in body and "var x" not in body


@pytest.mark.parametrize("command", ["clean", "extract"])
def test_jsonl_gives_one_line_per_input_in_order_with_errors_in_place(command: str) -> None:
    good = SEED.read_text()
    lines = [
        json.dumps({"id": "first", "content": good}),
        "{not json",
        json.dumps({"id": "binary", "content": "\x00\x01\x02\x03\x04"}),
        json.dumps({"id": "no-content"}),
        json.dumps({"id": "last", "content": good, "source": "Dawn"}),
    ]
    result = run(command, "-", "--jsonl", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[0]["id"] == "first" and "body" in out[0]
    assert out[1]["id"] is None and "JSON" in out[1]["error"]
    assert out[2]["id"] == "binary" and "binary" in out[2]["error"]
    assert out[3]["id"] == "no-content" and "content" in out[3]["error"]
    assert out[4]["id"] == "last" and out[4]["source"] == "Dawn"
    if command == "extract":
        assert {"PK", "RU"} <= set(out[0]["countries"])
        assert any("Sharif" in person for person in out[0]["people"])


def test_a_missing_file_is_a_clear_error() -> None:
    result = run("clean", "/nonexistent/article.txt")
    assert result.returncode == 1 and "no such file" in result.stderr
