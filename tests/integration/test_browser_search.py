"""The search page end to end: ``newsflow api`` on a free port over the seeds namespace, driven
by headless Chromium. Type a query, click a facet, see the narrowed results; click the timeline.
Set NEWSFLOW_UPDATE_SCREENSHOT=1 to refresh docs/search-page.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from shared.contracts.settings import PROJECT_ROOT
from tests.integration.conftest import api_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NEWSFLOW = str(Path(os.environ.get("VIRTUAL_ENV", PROJECT_ROOT / ".venv")) / "bin" / "newsflow")
BUSINESS_RECORDER = "002_ceec6d890d34f096.txt"
SCREENSHOT = PROJECT_ROOT / "docs" / "search-page.png"


@pytest.fixture(scope="module")
def server(seeds_pipeline, indexed_seeds: dict[str, dict], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``newsflow api`` as users run it, on the seeds namespace's alias."""
    with api_server(seeds_pipeline, tmp_path_factory.mktemp("api") / "api.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    """A page that may only talk to our server; anything else is refused and remembered."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.foreign = []  # type: ignore[attr-defined]
    page.console_errors = []  # type: ignore[attr-defined]
    local = urlsplit(server).netloc

    def only_local(route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == local or url.startswith("data:"):
            route.continue_()
        else:
            page.foreign.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    assert page.foreign == [], "the page fetched something from outside"
    assert page.console_errors == []
    context.close()


def ready(page) -> None:
    page.wait_for_function("document.body.dataset.state === 'ready' && !document.body.classList.contains('loading')")


def hit_ids(page) -> list[str]:
    return page.locator("#hits li.hit").evaluate_all("items => items.map(i => i.dataset.id)")


def test_type_a_query_click_a_facet_see_narrowed_results(page, server: str, indexed_seeds: dict[str, dict]) -> None:
    by_file = {doc["metadata"]["file"]: article_id for article_id, doc in indexed_seeds.items()}
    page.goto(server + "/")
    ready(page)
    assert page.locator("#summary").inner_text() == "1–5 of 5 articles"

    page.locator("#q").fill("Russia")
    page.locator("#q").press("Enter")
    page.wait_for_function("document.getElementById('summary').textContent.includes('Russia')")
    ready(page)
    before = hit_ids(page)
    assert len(before) >= 2
    assert page.locator("#hits mark").count() > 0  # highlighted snippets
    assert "q=Russia" in page.url

    if os.environ.get("NEWSFLOW_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=False)

    facet = page.locator('#facet-lists button[data-facet="person"][data-value="Sergei Lavrov"]')
    if not facet.is_visible():  # beyond the first values: unfold the list as a reader would
        page.locator('#facet-lists section[data-facet-field="people"] button.more').click()
    count = int(facet.locator(".count").inner_text())
    assert count == 1
    facet.click()
    page.wait_for_function("document.querySelectorAll('#hits li.hit').length === 1")
    ready(page)
    assert hit_ids(page) == [by_file[BUSINESS_RECORDER]]
    assert page.locator("#summary").inner_text() == "1–1 of 1 article for “Russia”"
    assert "person=Sergei+Lavrov" in page.url
    assert page.locator('#active-filters button[data-filter="person"]').inner_text().startswith("Sergei Lavrov")
    assert page.locator('#facet-lists button.on[data-value="Sergei Lavrov"]').count() == 1

    # back to the wider results, then the whole article
    page.go_back()
    page.wait_for_function("document.querySelectorAll('#hits li.hit').length > 1")
    ready(page)
    assert hit_ids(page) == before
    page.locator(f'#hits li[data-id="{by_file[BUSINESS_RECORDER]}"] a.title').click()
    page.wait_for_url(f"**/articles/{by_file[BUSINESS_RECORDER]}")
    assert "Sergei Lavrov" in page.locator("article").inner_text()


def test_timeline_bars_count_articles_and_narrow_by_date(page, server: str, indexed_seeds: dict[str, dict]) -> None:
    page.goto(server + "/")
    ready(page)
    bars = page.locator("#chart svg rect.bar")
    counts = [int(c) for c in bars.evaluate_all("bars => bars.map(b => b.dataset.count)")]
    dated = [d for d in indexed_seeds.values() if d.get("published_at")]
    assert sum(counts) == len(dated) >= 1
    undated = len(indexed_seeds) - len(dated)
    if undated:
        assert f"{undated} undated" in page.locator("#undated").inner_text()

    last = bars.last
    start = last.get_attribute("data-from")
    expected = int(last.get_attribute("data-count"))
    last.click()
    page.wait_for_function(f"document.querySelectorAll('#hits li.hit').length === {expected}")
    ready(page)
    assert f"from={start}" in page.url
    for article_id in hit_ids(page):
        assert indexed_seeds[article_id]["published_at"][:10] >= start
    assert page.locator("#from").input_value() == start
