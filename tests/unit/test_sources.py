"""The pure parts of the live sources: feed lists, feed parsing, state files, settling, status."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.sources.feeds import check_feed_url, decode_page, is_html, parse_feed, parse_feed_list, parse_opml
from services.sources.state import (
    MAX_SEEN_ITEMS,
    FeedState,
    FileStat,
    StateLocked,
    WatchState,
    default_state_path,
    write_json_atomic,
)
from services.sources.status import Reporter, read_source_status
from services.sources.watch import Settler, is_candidate, scan
from shared.contracts.settings import Settings

# ------------------------------------------------------------------------------ feed lists ---

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>subscriptions</title></head><body>
  <outline text="World">
    <outline text="A" type="rss" xmlUrl="https://a.example/feed.xml" htmlUrl="https://a.example/"/>
    <outline text="Nested"><outline text="B" type="rss" xmlUrl="https://b.example/atom"/></outline>
  </outline>
  <outline text="no feed here" htmlUrl="https://c.example/"/>
  <outline text="A again" type="rss" xmlUrl="https://a.example/feed.xml"/>
</body></opml>"""


def test_opml_gives_every_feed_once_in_order() -> None:
    assert parse_opml(OPML) == ["https://a.example/feed.xml", "https://b.example/atom"]
    assert parse_feed_list(OPML, "subs.txt") == parse_opml(OPML)  # recognised by its content too


def test_broken_opml_is_an_error() -> None:
    with pytest.raises(ValueError, match="not valid OPML"):
        parse_feed_list("<opml><body><outline", "subs.opml")


def test_plain_feed_list_skips_blanks_comments_and_duplicates() -> None:
    text = "# my feeds\nhttps://a.example/rss\n\n  https://b.example/atom   # the wire\nhttps://a.example/rss\n"
    assert parse_feed_list(text, "feeds.txt") == ["https://a.example/rss", "https://b.example/atom"]


def test_feed_urls_must_be_http() -> None:
    assert check_feed_url("https://a.example/rss") is None
    assert check_feed_url("ftp://a.example/rss")
    assert check_feed_url("a.example/rss")


# ----------------------------------------------------------------------------- feed parsing ---

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>The Ledger</title><link>https://l.example/</link>
<item><title>Second</title><link>/news/2?utm_source=rss</link><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>First</title><link>https://www.l.example/news/1/</link>
<pubDate>Mon, 02 Mar 2026 09:00:00 GMT</pubDate></item>
<item><title>No link</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<id>urn:w</id><updated>2026-03-02T00:00:00Z</updated>
<entry><title>Only</title><id>urn:1</id><link rel="alternate" href="https://w.example/a"/>
<updated>2026-03-02T08:30:00Z</updated></entry></feed>"""


def test_rss_items_come_oldest_first_with_resolved_links_and_dates() -> None:
    feed = parse_feed(RSS, "https://l.example/feeds/rss.xml", "application/rss+xml")
    assert feed.problem is None and feed.title == "The Ledger" and feed.without_link == 1
    assert [i.title for i in feed.items] == ["First", "Second"]
    assert feed.items[1].link == "https://l.example/news/2?utm_source=rss"
    assert feed.items[1].canonical == "https://l.example/news/2"
    assert feed.items[0].canonical == "https://l.example/news/1"
    assert feed.items[0].published_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_atom_entries_and_a_title_from_the_host_when_missing() -> None:
    feed = parse_feed(ATOM, "https://w.example/atom")
    assert feed.title == "Wire" and [i.link for i in feed.items] == ["https://w.example/a"]
    untitled = parse_feed(ATOM.replace(b"<title>Wire</title>", b""), "https://w.example/atom")
    assert untitled.title == "w.example"


@pytest.mark.parametrize("body", [b"<rss><channel><title>x</title><item><title>cut", b"<html><body>hi</body></html>",
                                  b"not xml at all"])
def test_unusable_feeds_have_a_problem(body: bytes) -> None:
    assert parse_feed(body, "https://x.example/feed").problem


def test_page_decoding_follows_header_then_meta_then_utf8() -> None:
    text = "Café in Zürich"
    assert decode_page(text.encode("latin-1"), "text/html; charset=ISO-8859-1") == text
    page = f'<html><head><meta charset="windows-1252"></head><body>{text}</body></html>'
    assert text in decode_page(page.encode("cp1252"), "text/html")
    assert decode_page(text.encode(), None) == text
    assert decode_page(b"\xff\xfe broken", "text/html; charset=nonsense")  # never raises


def test_only_html_pages_are_published() -> None:
    assert is_html("text/html; charset=utf-8") and is_html("application/xhtml+xml") and is_html(None)
    assert not is_html("application/pdf") and not is_html("image/png")


# ------------------------------------------------------------------------------ state files ---

def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "state.json"
    write_json_atomic(target, {"a": 1})
    write_json_atomic(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]


def test_watch_state_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "watch.json"
    state = WatchState(path)
    state.load()
    stat = FileStat(10, 1_000)
    assert not state.unchanged("/in/a.txt", stat)
    state.record("/in/a.txt", "h1", stat, ["id1"], [])
    state.save()
    again = WatchState(path)
    again.load()
    assert again.unchanged("/in/a.txt", stat) and not again.unchanged("/in/a.txt", FileStat(10, 2_000))
    assert again.handled("/in/a.txt", "h1") and not again.handled("/in/a.txt", "h2")
    again.touch("/in/a.txt", FileStat(10, 2_000))
    assert again.unchanged("/in/a.txt", FileStat(10, 2_000)) and again.files["/in/a.txt"]["ids"] == ["id1"]


def test_a_corrupt_state_is_refused_not_reset(tmp_path: Path) -> None:
    path = tmp_path / "watch.json"
    path.write_text("{half")
    with pytest.raises(ValueError, match="not JSON"):
        WatchState(path).load()
    path.write_text('{"version": 99}')
    with pytest.raises(ValueError, match="unknown format"):
        WatchState(path).load()


def test_one_process_at_a_time_per_state(tmp_path: Path) -> None:
    first, second = WatchState(tmp_path / "s.json"), WatchState(tmp_path / "s.json")
    first.lock()
    try:
        with pytest.raises(StateLocked, match=str(os.getpid())):
            second.lock()
    finally:
        first.unlock()
    second.lock()
    second.unlock()


def test_feed_state_remembers_items_and_counts_attempts(tmp_path: Path) -> None:
    state = FeedState(tmp_path / "feeds.json")
    state.load()
    assert state.failed_attempt("https://x/1") == 1 and state.failed_attempt("https://x/1") == 2
    state.mark("https://x/1", "https://x/feed", error="HTTP 500")
    state.mark("https://x/2", "https://x/feed", article_id="abc")
    assert state.attempts == {}
    assert state.items["https://x/1"]["status"] == "failed" and state.items["https://x/2"]["id"] == "abc"
    state.save()
    reloaded = FeedState(tmp_path / "feeds.json")
    reloaded.load()
    assert reloaded.seen("https://x/2") and not reloaded.seen("https://x/3")


def test_feed_state_forgets_the_oldest_items_beyond_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("services.sources.state.MAX_SEEN_ITEMS", 3)
    state = FeedState(tmp_path / "feeds.json")
    state.load()
    for n in range(5):
        state.mark(f"u{n}", "f", article_id=str(n))
    assert list(state.items) == ["u2", "u3", "u4"]
    assert MAX_SEEN_ITEMS > 3


def test_default_state_is_per_kind_and_topic(tmp_path: Path) -> None:
    settings = Settings(stack_home=tmp_path, topic_raw="ns/1.articles.raw")
    assert default_state_path(settings, "watch") == tmp_path / "state" / "watch-ns_1.articles.raw.json"


# --------------------------------------------------------------------------------- settling ---

def test_a_new_file_waits_until_its_stat_holds_for_the_settle_time() -> None:
    settler = Settler(2.0)
    wall = 1_000_000.0
    written = FileStat(10, int(wall * 1e9))
    assert not settler.observe("f", written, now=0.0, wall_now=wall)
    assert not settler.observe("f", written, now=1.0, wall_now=wall + 1)
    grown = FileStat(20, int((wall + 1.5) * 1e9))  # still being written: the clock starts again
    assert not settler.observe("f", grown, now=1.5, wall_now=wall + 1.5)
    assert not settler.observe("f", grown, now=3.0, wall_now=wall + 3.0)
    assert settler.observe("f", grown, now=3.6, wall_now=wall + 3.6)


def test_an_old_file_found_at_start_is_ready_at_once() -> None:
    settler = Settler(2.0)
    assert settler.observe("f", FileStat(5, int(1_000 * 1e9)), now=0.0, wall_now=5_000.0)


def test_a_future_mtime_waits_for_the_watchers_own_clock() -> None:
    settler = Settler(1.0)
    future = FileStat(5, int(9_000 * 1e9))
    assert not settler.observe("f", future, now=0.0, wall_now=5_000.0)
    assert settler.observe("f", future, now=1.2, wall_now=5_001.2)


def test_forgotten_files_start_over() -> None:
    settler = Settler(1.0)
    stat = FileStat(5, int(5_000 * 1e9))
    settler.observe("gone", stat, now=0.0, wall_now=5_000.0)
    settler.keep_only([])
    assert settler.pending == 0


@pytest.mark.parametrize(("name", "wanted"), [
    ("story.txt", True), ("page.HTML", True), ("feed.json", True), ("lines.jsonl", True), ("page.htm", True),
    (".hidden.txt", False), ("story.txt.part", False), ("story.txt.crdownload", False), ("story.tmp", False),
    ("story.txt~", False), ("~$story.txt", False), ("#story.txt#", False), ("notes.md", False), ("pic.png", False),
])
def test_candidate_names(name: str, wanted: bool) -> None:
    assert is_candidate(name) is wanted


def test_scan_skips_hidden_folders_and_unsupported_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ("a.txt", "sub/b.json", ".git/c.txt", "d.part", "e.md"):
        (tmp_path / rel).write_text("x")
    assert sorted(Path(p).relative_to(tmp_path).as_posix() for p in scan([tmp_path])) == ["a.txt", "sub/b.json"]


# ----------------------------------------------------------------------------------- status ---

def test_status_files_are_read_and_dead_sources_marked(tmp_path: Path) -> None:
    settings = Settings(stack_home=tmp_path)
    out = io.StringIO()
    reporter = Reporter(settings, "watch", ["/in"], out=out)
    reporter.start()
    reporter.published("id1", "in/a.txt", "A")
    reporter.error("in/b.json", "not JSON")
    reporter.polled(settling=2)
    dead = tmp_path / "run" / "sources" / "feeds-999999999.json"
    dead.write_text(json.dumps({"kind": "feeds", "pid": 999999999, "published": 4}))
    (tmp_path / "run" / "sources" / "junk.json").write_text("{not json")
    found = read_source_status(settings)
    assert [(s["kind"], s["running"]) for s in found] == [("feeds", False), ("watch", True)]
    mine = found[1]
    assert mine["pid"] == os.getpid() and mine["published"] == 1 and mine["errors"] == 1 and mine["skipped"] == 0
    assert mine["targets"] == ["/in"] and mine["settling"] == 2 and mine["started_at"] and mine["last_poll_at"]
    reporter.stop()
    assert [s["kind"] for s in read_source_status(settings)] == ["feeds"]
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("watch: published id1 in/a.txt 'A'") and lines[1].endswith("error in/b.json: not JSON")
    assert "final summary: 1 target(s)" in lines[-1] and "total 1 published, 0 skipped, 1 errors" in lines[-1]


def test_no_status_folder_means_no_sources(tmp_path: Path) -> None:
    assert read_source_status(Settings(stack_home=tmp_path / "nowhere")) == []
