"""``newsflow watch`` as a subprocess in its own namespace, feeding a real pipeline: files present
at start, files arriving while it runs (one written slowly, one renamed from .part), files it must
ignore or report, a crash and restart, and a second watcher refused on the same state."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from services.producer.publish import with_identity
from services.sources.status import read_source_status
from shared.contracts.schemas import ContentType, RawArticle
from tests.integration.sources_support import SourceProcess, article_html, article_text, raw_messages


@pytest.fixture(scope="module")
def pipeline(make_pipeline: Callable[..., object]) -> object:
    return make_pipeline("watch").start()


def source_env(pipeline, home: Path) -> dict[str, str]:
    """The namespace's environment, with the source's status and state files under ``home``."""
    return {**pipeline.env, "NEWSFLOW_STACK_HOME": str(home)}


def text_id(text: str) -> str:
    return with_identity(RawArticle(content=text)).id or ""


def html_id(html: str) -> str:
    return with_identity(RawArticle(content=html, content_type=ContentType.HTML)).id or ""


def test_watch_publishes_each_arrival_once(pipeline, tmp_path: Path) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    (inbox / "sub").mkdir(parents=True)
    before = raw_messages(pipeline.settings)

    # Present before the watcher starts.
    present, short = article_text(101), "\x00\x01\x02\x03\x04\x05\n"  # no text: dead-lettered
    (inbox / "present.txt").write_text(present)
    (inbox / "short.txt").write_text(short)
    batch = [RawArticle(url=f"https://news.example.org/world/{n}", title=f"Report {n}", content=article_text(n))
             for n in (102, 103)]
    (inbox / "sub" / "batch.jsonl").write_text(
        "\n".join(a.model_dump_json() for a in batch) + "\n{not json\n")
    (inbox / "broken.json").write_text('{"title": "cut off')
    (inbox / "no-content.json").write_text('{"title": "a title and nothing else"}')
    (inbox / ".hidden.txt").write_text(article_text(104))
    (inbox / "notes.md").write_text(article_text(105))

    watcher = SourceProcess(
        ["watch", str(inbox), "--interval", "0.2", "--settle", "1", "--summary-every", "1"],
        source_env(pipeline, home),
    )
    try:
        watcher.wait_published(4)

        # Arrivals while it runs: a page, a download renamed when complete, a file written slowly.
        arrived, downloaded, slow = article_html(106), article_html(107), article_text(108)
        (inbox / "arrived.html").write_text(arrived)
        part = inbox / "download.html.part"
        part.write_text(downloaded)
        time.sleep(1.5)  # longer than the settle time: a .part file is never read, however still
        part.rename(inbox / "download.html")
        third = len(slow) // 3
        with (inbox / "slow.txt").open("w") as handle:
            for chunk in (slow[:third], slow[third:2 * third], slow[2 * third:]):
                handle.write(chunk)
                handle.flush()
                time.sleep(0.4)  # pauses shorter than the settle time
        watcher.wait_published(7)

        status_settings = pipeline.settings.model_copy(update={"stack_home": home})
        deadline = time.monotonic() + 10  # the status file is rewritten every --summary-every seconds
        statuses = read_source_status(status_settings)
        while time.monotonic() < deadline and not (statuses and statuses[0]["published"] == 7):
            time.sleep(0.2)
            statuses = read_source_status(status_settings)
        assert [(s["kind"], s["pid"], s["running"]) for s in statuses] == [("watch", watcher.proc.pid, True)]
        assert statuses[0]["targets"] == [str(inbox.resolve())]
        assert statuses[0]["published"] == 7 and statuses[0]["errors"] == 3
        assert statuses[0]["last_poll_at"]
        time.sleep(1.5)  # more polls: nothing may be published again
    finally:
        code = watcher.stop()
    assert code == 0, watcher.output

    published = watcher.published()
    wheres = sorted(where for _id, where in published)
    assert wheres == sorted(["inbox/present.txt", "inbox/short.txt", "inbox/sub/batch.jsonl",
                             "inbox/sub/batch.jsonl", "inbox/arrived.html", "inbox/download.html",
                             "inbox/slow.txt"]), watcher.output
    by_where = {where: article_id for article_id, where in published}
    assert by_where["inbox/slow.txt"] == text_id(slow), "the slow file was read before it was complete"
    assert by_where["inbox/present.txt"] == text_id(present)
    assert by_where["inbox/arrived.html"] == html_id(arrived)
    assert by_where["inbox/download.html"] == html_id(downloaded)

    output = watcher.output
    for reported in ("error inbox/broken.json: not JSON", "error inbox/no-content.json: content",
                     "error inbox/sub/batch.jsonl:3: not JSON"):
        assert reported in output
    for ignored in (".hidden", "notes.md", ".part"):
        assert ignored not in output.split("watching", 1)[1].split("\n", 1)[1]
    assert " summary: " in output and "final summary: 1 target(s)" in output

    good = [i for i, where in published if where != "inbox/short.txt"]
    docs = pipeline.wait_for_ids(good, timeout=180)
    assert slow.split("\n\n")[-1].strip() in docs[by_where["inbox/slow.txt"]]["body"]
    assert {docs[a.id or ""]["url"] for a in map(with_identity, batch)} == {a.url for a in batch}
    letters = pipeline.dead_letters(minimum=1)
    assert by_where["inbox/short.txt"] in {d.key for d in letters}
    assert raw_messages(pipeline.settings) - before == 7  # each article sent once
    assert pipeline.count() == 6
    assert read_source_status(pipeline.settings.model_copy(update={"stack_home": home})) == []


def test_watch_restart_neither_loses_nor_repeats(pipeline, tmp_path: Path) -> None:
    inbox, home, state = tmp_path / "inbox", tmp_path / "home", tmp_path / "watch-state.json"
    inbox.mkdir()
    env = source_env(pipeline, home)
    before = raw_messages(pipeline.settings)
    args = ["watch", str(inbox), "--state", str(state), "--interval", "0.2", "--settle", "0.5"]
    (inbox / "a.txt").write_text(article_text(201))
    (inbox / "b.txt").write_text(article_text(202))

    first = SourceProcess(args, env)
    try:
        first.wait_published(2)
        second = SourceProcess(args, env)  # same state file: refused while the first runs
        assert second.wait_exit(timeout=60) == 1
        assert "in use by pid" in second.output
    finally:
        first.stop(signal.SIGKILL)  # a crash, not a clean stop
    assert json.loads(state.read_text())["files"].keys() == {str(inbox / "a.txt"), str(inbox / "b.txt")}
    crashed = read_source_status(pipeline.settings.model_copy(update={"stack_home": home}))
    assert [(s["pid"], s["running"]) for s in crashed] == [(first.proc.pid, False)]

    # While it is down: a new file, a touched one (same content) and an edited one.
    (inbox / "c.txt").write_text(article_text(203))
    os.utime(inbox / "a.txt")
    (inbox / "b.txt").write_text(article_text(204))

    restarted = SourceProcess(args, env)
    try:
        restarted.wait_published(2)
        time.sleep(1.5)  # a few more polls: a.txt must stay unpublished
    finally:
        assert restarted.stop() == 0
    assert sorted(w for _i, w in restarted.published()) == ["inbox/b.txt", "inbox/c.txt"], restarted.output
    assert "2 file(s) known" in restarted.output

    ids = [i for i, _w in first.published() + restarted.published()]
    assert len(set(ids)) == 4
    pipeline.wait_for_ids(ids, timeout=180)
    assert raw_messages(pipeline.settings) - before == 4
    assert read_source_status(pipeline.settings.model_copy(update={"stack_home": home})) == []
