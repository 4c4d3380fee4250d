"""``newsflow feeds``: follow RSS and Atom feeds and publish each new item's page once.

Each poll fetches every feed with a conditional request (If-None-Match / If-Modified-Since from
the last answer), hands the bytes to feedparser, and for every item whose canonical URL was never
seen fetches the page (timeouts, retries with backoff, a per-host concurrency limit, a size
limit) and publishes it as a text/html RawArticle. What was published or given up on is kept in
a :class:`FeedState`, so a restart skips it.

A feed's validators are stored only when every new item of that answer was published or given up
on for good; while an item still has retries left the next poll fetches the whole feed again,
so a 304 can never hide an item that was not published yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import httpx

from services.producer.publish import Publisher
from services.sources.state import FeedState, now_iso
from services.sources.status import Reporter, run_source
from shared.contracts.identity import canonical_url
from shared.contracts.schemas import ContentType, RawArticle
from shared.contracts.settings import Settings


def _version() -> str:
    try:
        return metadata.version("newsflow")
    except metadata.PackageNotFoundError:
        return "0"


USER_AGENT = f"newsflow/{_version()} (news feed follower; polite polling, conditional requests)"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
MAX_RETRY_AFTER = 30.0


# --------------------------------------------------------------------------- feed lists ---

def unique(urls: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for url in urls:
        url = url.strip()
        if url and url not in seen:
            seen.add(url)
            out.append(url)
    return out


def parse_opml(text: str) -> list[str]:
    """The ``xmlUrl`` of every outline, however deeply grouped, in document order."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ValueError(f"not valid OPML: {exc}") from exc
    return unique(el.get("xmlUrl") or el.get("xmlurl") or "" for el in root.iter("outline"))


def parse_feed_list(text: str, name: str = "") -> list[str]:
    """Feed URLs from a file's text: OPML (by suffix or when it starts with ``<``), else one URL a
    line, blank lines and ``#`` comments ignored."""
    if name.lower().endswith((".opml", ".xml")) or text.lstrip().startswith("<"):
        return parse_opml(text)
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return unique(line for line in lines if line and not line.startswith("#"))


def read_feed_list(path: Path) -> list[str]:
    return parse_feed_list(path.read_text(encoding="utf-8"), path.name)


def check_feed_url(url: str) -> str | None:
    """Why a feed URL cannot be followed, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url!r}"
    return None


# -------------------------------------------------------------------------------- feeds ---

@dataclass(frozen=True)
class FeedItem:
    link: str
    canonical: str
    title: str | None
    published_at: datetime | None


@dataclass
class ParsedFeed:
    title: str
    items: list[FeedItem]
    problem: str | None = None
    without_link: int = 0


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return link
    for candidate in entry.get("links", []):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return candidate["href"]
    return None


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            with contextlib.suppress(TypeError, ValueError):
                return datetime(*value[:6], tzinfo=UTC)
    return None


def parse_feed(content: bytes, feed_url: str, content_type: str | None = None) -> ParsedFeed:
    """The feed's title and its items (oldest first), or the problem that makes it unusable.
    Relative links are resolved against the feed's URL."""
    parsed = feedparser.parse(
        content, response_headers={"content-location": feed_url, "content-type": content_type or "application/xml"},
    )
    title = (parsed.feed.get("title") or "").strip() or (urlsplit(feed_url).hostname or feed_url)
    if not parsed.entries:
        if parsed.bozo:
            return ParsedFeed(title, [], f"malformed feed: {parsed.get('bozo_exception')}")
        if not parsed.get("version"):
            return ParsedFeed(title, [], "not an RSS or Atom feed")
    items, without_link = [], 0
    for entry in parsed.entries:
        link = _entry_link(entry)
        if not link or urlsplit(link).scheme not in ("http", "https"):
            without_link += 1
            continue
        items.append(FeedItem(link, canonical_url(link), (entry.get("title") or "").strip() or None,
                              _entry_date(entry)))
    if parsed.bozo and not items:
        return ParsedFeed(title, [], f"malformed feed: {parsed.get('bozo_exception')}", without_link)
    if all(i.published_at for i in items):
        items.sort(key=lambda i: i.published_at or datetime.min.replace(tzinfo=UTC))
    else:
        items.reverse()  # feeds list the newest first
    return ParsedFeed(title, items, without_link=without_link)


# ------------------------------------------------------------------------------ fetching ---

class FetchError(Exception):
    """A fetch that failed; ``permanent`` when trying again cannot help (404, too large...)."""

    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass
class Fetched:
    status: int
    url: str
    headers: httpx.Headers
    body: bytes


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_page(body: bytes, content_type: str | None) -> str:
    """Text of a page: the charset of the header, else of a <meta> tag, else UTF-8."""
    candidates = []
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type or "", re.IGNORECASE)
    if match:
        candidates.append(match.group(1))
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    for charset in [*candidates, "utf-8"]:
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return body.decode(charset)
    return body.decode("utf-8", errors="replace")


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after", "")
    return min(float(value), MAX_RETRY_AFTER) if value.strip().isdigit() else None


class HostLimiter:
    """At most ``per_host`` requests at once to any one host: polite to publishers."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._semaphores: dict[str, asyncio.Semaphore] = {}

    def __call__(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        return self._semaphores.setdefault(host, asyncio.Semaphore(self.per_host))


class Fetcher:
    def __init__(
        self, client: httpx.AsyncClient, limit: int, *, retries: int = 2, backoff: float = 0.5, per_host: int = 2,
    ) -> None:
        self.client = client
        self.limit = limit
        self.retries = retries
        self.backoff = backoff
        self.hosts = HostLimiter(per_host)

    async def _once(self, url: str, headers: dict[str, str]) -> Fetched:
        async with self.hosts(url), self.client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.limit:
                raise FetchError(f"{declared} bytes, over the {self.limit}-byte limit", permanent=True)
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.limit:
                    raise FetchError(f"over the {self.limit}-byte limit", permanent=True)
                chunks.append(chunk)
            return Fetched(response.status_code, str(response.url), response.headers, b"".join(chunks))

    async def get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        """GET with retries and exponential backoff for timeouts, network errors, 429 and 5xx;
        other 4xx fail at once. Returns 2xx and 304 answers."""
        attempt = 0
        while True:
            delay = self.backoff * 2**attempt
            try:
                fetched = await self._once(url, headers or {})
            except httpx.TimeoutException as exc:
                error = FetchError(f"timed out ({type(exc).__name__})", permanent=False)
            except httpx.TransportError as exc:
                error = FetchError(f"{type(exc).__name__}: {exc}", permanent=False)
            else:
                if fetched.status < 300 or fetched.status == 304:
                    return fetched
                transient = fetched.status in (408, 425, 429) or fetched.status >= 500
                error = FetchError(f"HTTP {fetched.status}", permanent=not transient)
                delay = _retry_after(fetched.headers) or delay
            if error.permanent or attempt >= self.retries:
                if attempt:
                    error.args = (f"{error.args[0]} after {attempt + 1} attempts",)
                raise error
            attempt += 1
            await asyncio.sleep(delay)


def is_html(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return not media or "html" in media or media in ("application/xml", "text/xml")


# ------------------------------------------------------------------------------- polling ---

class FeedPoller:
    def __init__(
        self, settings: Settings, feeds: list[str], state: FeedState, reporter: Reporter, fetcher: Fetcher,
        *, max_attempts: int = 3,
    ) -> None:
        self.settings = settings
        self.feeds = feeds
        self.state = state
        self.reporter = reporter
        self.fetcher = fetcher
        self.max_attempts = max_attempts
        self.publisher = Publisher(settings)
        self.stopping = asyncio.Event()
        self._inflight: set[str] = set()
        self._reported_linkless: set[str] = set()

    async def poll(self) -> None:
        await asyncio.gather(*(self.poll_feed(url) for url in self.feeds))
        self.reporter.polled(feeds={url: self._feed_summary(url) for url in self.feeds})

    def _feed_summary(self, url: str) -> dict[str, Any]:
        feed = self.state.feeds.get(url, {})
        return {k: feed[k] for k in ("title", "last_poll_at", "last_status", "error") if feed.get(k) is not None}

    async def poll_feed(self, url: str) -> None:
        feed = self.state.feed(url)
        conditional = {}
        if feed.get("etag"):
            conditional["If-None-Match"] = feed["etag"]
        if feed.get("last_modified"):
            conditional["If-Modified-Since"] = feed["last_modified"]
        feed["last_poll_at"] = now_iso()
        try:
            answer = await self.fetcher.get(url, {"Accept": FEED_ACCEPT, **conditional})
        except FetchError as exc:
            feed.update(last_status="error", error=str(exc))
            self.reporter.error(url, f"feed: {exc}")
            return
        if answer.status == 304:
            feed.update(last_status=304, error=None)
            return
        parsed = parse_feed(answer.body, answer.url, answer.headers.get("content-type"))
        feed["title"] = parsed.title
        if parsed.problem:
            feed.update(last_status="error", error=parsed.problem)
            self.reporter.error(url, parsed.problem)
            return
        if parsed.without_link and url not in self._reported_linkless:
            self._reported_linkless.add(url)
            self.reporter.skipped(url, f"{parsed.without_link} item(s) without an http(s) link")
        complete = await self._handle_items(url, parsed)
        feed.update(last_status=answer.status, error=None)
        if complete:  # every new item is done with: the next poll may be answered 304
            feed["etag"] = answer.headers.get("etag")
            feed["last_modified"] = answer.headers.get("last-modified")
        self.state.save()

    async def _handle_items(self, feed_url: str, parsed: ParsedFeed) -> bool:
        """Fetch and publish the unseen items; False when some must be tried again later."""
        new = []
        for item in parsed.items:
            if self.state.seen(item.canonical) or item.canonical in self._inflight:
                self.reporter.count("skipped")  # already handled: counted, not printed
                continue
            self._inflight.add(item.canonical)
            new.append(item)
        try:
            pages = await asyncio.gather(*(self._page(item) for item in new), return_exceptions=True)
            complete = True
            ready: list[tuple[FeedItem, RawArticle]] = []
            for item, page in zip(new, pages, strict=True):
                if isinstance(page, RawArticle):
                    ready.append((item, page.model_copy(update={"source": parsed.title,
                                                                "metadata": {"feed": feed_url}})))
                elif isinstance(page, FetchError):
                    complete &= self._failed(feed_url, item, page)
                elif isinstance(page, BaseException):
                    raise page
            if ready:
                try:
                    sent = await self.publisher.publish_retrying([raw for _item, raw in ready])
                except Exception as exc:
                    self.reporter.error(feed_url, f"could not publish to {self.settings.topic_raw}: {exc}")
                    return False
                for (item, _raw), raw in zip(ready, sent, strict=True):
                    self.state.mark(item.canonical, feed_url, article_id=raw.id)
                    self.reporter.published(raw.id or "", item.link, item.title)
            return complete
        finally:
            self._inflight.difference_update(i.canonical for i in new)

    def _failed(self, feed_url: str, item: FeedItem, error: FetchError) -> bool:
        """Report a page that could not be fetched; True when it is given up on for good."""
        if error.permanent:
            self.state.mark(item.canonical, feed_url, error=str(error))
            self.reporter.error(item.link, f"{error}; skipped for good")
            return True
        attempts = self.state.failed_attempt(item.canonical)
        if attempts >= self.max_attempts:
            self.state.mark(item.canonical, feed_url, error=str(error))
            self.reporter.error(item.link, f"{error}; gave up after {attempts} polls")
            return True
        self.reporter.error(item.link, f"{error}; will retry (poll {attempts} of {self.max_attempts})")
        return False

    async def _page(self, item: FeedItem) -> RawArticle:
        page = await self.fetcher.get(item.link, {"Accept": PAGE_ACCEPT})
        content_type = page.headers.get("content-type")
        if not is_html(content_type):
            raise FetchError(f"not an HTML page ({content_type})", permanent=True)
        text = decode_page(page.body, content_type)
        if not text.strip():
            raise FetchError("empty page", permanent=True)
        return RawArticle(
            url=item.link, title=item.title, published_at=item.published_at, content=text,
            content_type=ContentType.HTML, fetched_at=datetime.now(UTC),
        )

    async def run(self, once: bool = False, interval: float = 300.0) -> None:
        await self.publisher.start()
        try:
            while not self.stopping.is_set():
                task = asyncio.create_task(self.poll())
                stop = asyncio.create_task(self.stopping.wait())
                await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
                stop.cancel()
                if not task.done():  # stopped mid-poll: what was not recorded is fetched again
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                    break
                task.result()
                if once:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), interval)
        finally:
            await self.publisher.stop()


async def run_feeds(
    settings: Settings, feeds: list[str], state_path: Path, *, interval: float, once: bool, timeout: float,
    retries: int, per_host: int, summary_every: float,
) -> int:
    """The command's body: lock the state, poll until SIGINT/SIGTERM (or once), report; returns
    the exit code (with ``once``: 1 when something failed)."""
    state = FeedState(state_path)
    with state.held():
        reporter = Reporter(settings, "feeds", feeds, summary_every=summary_every)
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=True, max_redirects=5,
            headers={"User-Agent": USER_AGENT}, limits=httpx.Limits(max_connections=32),
        )
        async with client:
            fetcher = Fetcher(client, settings.max_message_bytes, retries=retries, per_host=per_host)
            poller = FeedPoller(settings, feeds, state, reporter, fetcher)
            banner = (
                f"following {len(feeds)} feed(s) -> {settings.topic_raw} "
                f"({'once' if once else f'every {interval:g}s'}, state {state_path}, {len(state.items)} item(s) known)"
            )
            return await run_source(reporter, state, poller.stopping, banner, poller.run(once=once, interval=interval),
                                    once)
