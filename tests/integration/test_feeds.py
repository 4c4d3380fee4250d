"""``newsflow feeds`` against a local HTTP server (RSS, Atom, OPML list, a feed that changes between
polls, 304s, a 500, timeouts, a malformed feed, a page over the size limit), publishing into a
real pipeline: every good item is indexed once, the bad ones are reported, restarts repeat nothing."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest

from services.sources.status import read_source_status
from tests.integration.sources_support import SourceProcess, article, article_html, raw_messages

PAGE_LIMIT = 100_000  # NEWSFLOW_MAX_MESSAGE_BYTES of the feeds process only


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0


@dataclass
class FeedServer:
    """A threading http.server whose routes tests change between polls; it logs every request."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], int]] = field(default_factory=list)

    def start(self) -> FeedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                route = server.routes.get(path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = 404 if route is None else route.status
                if route and (
                    (route.etag and headers.get("if-none-match") == route.etag)
                    or (route.last_modified and headers.get("if-modified-since") == route.last_modified)
                ):
                    status = 304
                server.requests.append((path, headers, status))
                if route and route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(status)
                    if route and route.etag:
                        self.send_header("ETag", route.etag)
                    if route and route.last_modified:
                        self.send_header("Last-Modified", route.last_modified)
                    body = b"" if status == 304 or route is None else route.body
                    if status != 304:
                        self.send_header("Content-Type", route.content_type if route else "text/plain")
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def hits(self, path: str) -> list[tuple[dict[str, str], int]]:
        return [(h, s) for p, h, s in self.requests if p == path]

    def page(self, path: str, seed: int, **options: object) -> str:
        self.routes[path] = Route(article_html(seed).encode(), **options)
        return self.base + path


WHEN = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def rss(title: str, items: list[tuple[str, int]]) -> bytes:
    """RSS 2.0 with relative links (resolved against the feed URL), newest first."""
    entries = "".join(
        f"<item><title>{escape(article(seed)[0])}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{format_datetime(WHEN + timedelta(hours=seed % 50))}</pubDate>"
        f"<description>{escape(article(seed)[1][0])}</description></item>"
        for link, seed in reversed(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.invalid/</link><description>news</description>{entries}</channel></rss>").encode()


def atom(title: str, items: list[tuple[str, int]]) -> bytes:
    entries = "".join(
        f'<entry><title>{escape(article(seed)[0])}</title><link rel="alternate" href="{link}"/>'
        f"<id>urn:x:{seed}</id><updated>{(WHEN + timedelta(hours=seed % 50)).isoformat()}</updated>"
        f"<summary>{escape(article(seed)[1][0])}</summary></entry>"
        for link, seed in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
            f"<id>urn:x:feed</id><updated>{WHEN.isoformat()}</updated>{entries}</feed>").encode()


@pytest.fixture(scope="module")
def pipeline(make_pipeline: Callable[..., object]) -> object:
    return make_pipeline("feeds").start()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer().start()
    yield srv
    srv.stop()


def feeds_env(pipeline, home: Path) -> dict[str, str]:
    return {**pipeline.env, "NEWSFLOW_STACK_HOME": str(home), "NEWSFLOW_MAX_MESSAGE_BYTES": str(PAGE_LIMIT)}


def test_feeds_once_publishes_new_items_and_reports_bad_ones(pipeline, server: FeedServer, tmp_path: Path) -> None:
    before = raw_messages(pipeline.settings)
    xml = "application/rss+xml"
    server.page("/news/1.html", 401)
    server.page("/news/2.html", 402)
    server.page("/news/3.html", 403)
    server.routes["/news/big.html"] = Route(article_html(404).encode() * 80)  # over PAGE_LIMIT
    server.page("/world/1.html", 411)
    server.page("/world/flaky.html", 412, status=500)
    server.page("/world/slow.html", 413, delay=3)
    news_items = [("/news/1.html?utm_source=rss", 401), ("/news/2.html", 402), ("/news/big.html", 404)]
    server.routes["/news/rss.xml"] = Route(rss("The Daily Ledger", news_items), xml, etag='"v1"')
    world_items = [(server.base + "/world/1.html", 411), (server.base + "/world/flaky.html", 412),
                   (server.base + "/world/slow.html", 413), (server.base + "/news/2.html#top", 402)]
    server.routes["/world/atom.xml"] = Route(atom("World Wire", world_items), "application/atom+xml",
                                             last_modified="Mon, 02 Mar 2026 07:00:00 GMT")
    server.routes["/broken.xml"] = Route(b"<rss><channel><title>Broken</title><item><title>cut", xml)
    server.routes["/down.xml"] = Route(b"oops", "text/plain", status=500)
    server.routes["/slow.xml"] = Route(rss("Slow", []), xml, delay=3)
    opml = tmp_path / "follow.opml"
    opml.write_text(f"""<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
        <outline text="News"><outline text="Ledger" type="rss" xmlUrl="{server.base}/news/rss.xml"/>
        <outline text="Wire" type="rss" xmlUrl="{server.base}/world/atom.xml"/></outline>
        <outline text="Broken" type="rss" xmlUrl="{server.base}/broken.xml"/></body></opml>""")
    state, home = tmp_path / "feeds-state.json", tmp_path / "home"
    args = ["feeds", "--once", "--file", str(opml), f"{server.base}/down.xml", f"{server.base}/slow.xml",
            "--state", str(state), "--timeout", "1", "--retries", "1"]
    env = feeds_env(pipeline, home)

    first = SourceProcess(args, env)
    assert first.wait_exit(timeout=90) == 1, first.output
    assert sorted(w for _i, w in first.published()) == sorted(
        [f"{server.base}/news/1.html?utm_source=rss", f"{server.base}/news/2.html", f"{server.base}/world/1.html"]
    ), first.output
    out = first.output
    assert f"error {server.base}/news/big.html: over the {PAGE_LIMIT}-byte limit; skipped for good" in out \
        or f"error {server.base}/news/big.html: {len(article_html(404).encode()) * 80} bytes, over" in out
    assert f"error {server.base}/world/flaky.html: HTTP 500 after 2 attempts; will retry (poll 1 of 3)" in out
    assert f"error {server.base}/world/slow.html: timed out" in out
    assert f"error {server.base}/broken.xml: malformed feed" in out
    assert f"error {server.base}/down.xml: feed: HTTP 500 after 2 attempts" in out
    assert f"error {server.base}/slow.xml: feed: timed out" in out
    assert all("newsflow/" in h["user-agent"] for _p, h, _s in server.requests)

    # Between polls: the RSS feed gains an item, the flaky page recovers.
    news_items.append(("/news/3.html", 403))
    server.routes["/news/rss.xml"] = Route(rss("The Daily Ledger", news_items), xml, etag='"v2"')
    server.routes["/world/flaky.html"].status = 200

    second = SourceProcess(args, env)
    assert second.wait_exit(timeout=90) == 1, second.output  # slow.html, broken.xml, down.xml still fail
    assert sorted(w for _i, w in second.published()) == [f"{server.base}/news/3.html",
                                                          f"{server.base}/world/flaky.html"], second.output
    assert server.hits("/news/rss.xml")[1] == ({**server.hits("/news/rss.xml")[1][0], "if-none-match": '"v1"'}, 200)
    # The Atom feed had an item left to retry, so its validator was not kept: fetched whole again.
    assert "if-modified-since" not in server.hits("/world/atom.xml")[1][0]

    third = SourceProcess(args, env)
    assert third.wait_exit(timeout=90) == 1, third.output
    assert third.published() == []
    assert f"error {server.base}/world/slow.html: timed out" in third.output and "gave up after 3 polls" in third.output
    assert server.hits("/news/rss.xml")[2][1] == 304  # conditional request, nothing changed

    ids = [i for proc in (first, second, third) for i, _w in proc.published()]
    docs = pipeline.wait_for_ids(ids, timeout=180)
    by_url = {d["url"]: d for d in docs.values()}
    assert set(by_url) == {f"{server.base}/news/1.html?utm_source=rss", f"{server.base}/news/2.html",
                           f"{server.base}/news/3.html", f"{server.base}/world/1.html",
                           f"{server.base}/world/flaky.html"}
    assert by_url[f"{server.base}/world/1.html"]["source"] == "World Wire"
    assert by_url[f"{server.base}/news/3.html"]["source"] == "The Daily Ledger"
    assert by_url[f"{server.base}/news/3.html"]["title"] == article(403)[0]
    assert by_url[f"{server.base}/news/3.html"]["published_at"].startswith("2026-03-02T10:00:00")
    assert raw_messages(pipeline.settings) - before == 5


def test_feeds_poller_restarted_midway(pipeline, server: FeedServer, tmp_path: Path) -> None:
    before = raw_messages(pipeline.settings)
    items = [("/live/1.html", 501), ("/live/2.html", 502)]
    for path, seed in [*items, ("/live/3.html", 503)]:
        server.page(path, seed)
    server.routes["/live.xml"] = Route(rss("Live Desk", items), "application/rss+xml", etag='"a"')
    home, state = tmp_path / "home", tmp_path / "state.json"
    args = ["feeds", f"{server.base}/live.xml", "--interval", "1", "--state", str(state), "--summary-every", "1"]
    env = feeds_env(pipeline, home)
    status_settings = pipeline.settings.model_copy(update={"stack_home": home})

    poller = SourceProcess(args, env)
    try:
        poller.wait_published(2)
        poller.wait_for(lambda _p: any(s["published"] == 2 for s in read_source_status(status_settings)),
                        timeout=30, what="status file")
        [status] = read_source_status(status_settings)
        assert status["kind"] == "feeds" and status["running"] and status["targets"] == [f"{server.base}/live.xml"]
        assert status["feeds"][f"{server.base}/live.xml"]["title"] == "Live Desk"
    finally:
        poller.stop(signal.SIGKILL)

    items.append(("/live/3.html", 503))
    server.routes["/live.xml"] = Route(rss("Live Desk", items), "application/rss+xml", etag='"b"')
    restarted = SourceProcess(args, env)
    try:
        restarted.wait_published(1)
        polls = len(server.hits("/live.xml"))
        restarted.wait_for(lambda _p: len(server.hits("/live.xml")) >= polls + 2, timeout=30, what="two more polls")
        time.sleep(0.5)
    finally:
        assert restarted.stop() == 0
    assert [w for _i, w in restarted.published()] == [f"{server.base}/live/3.html"], restarted.output
    assert "summary:" in restarted.output and "final summary" in restarted.output
    assert server.hits("/live.xml")[-1][1] == 304  # later polls are conditional
    ids = [i for proc in (poller, restarted) for i, _w in proc.published()]
    pipeline.wait_for_ids(ids, timeout=180)
    assert raw_messages(pipeline.settings) - before == 3
    assert read_source_status(status_settings) == []
