"""Save the current search as an alert from the page, then see its match arrive, in headless
Chromium. Its own namespace (indexer and alerts workers, enriched articles put straight on the
enriched topic) so the seeds' counts other page tests check stay as they are."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration import test_browser_search as search_page
from tests.integration.alerts_support import article, produce
from tests.integration.conftest import Pipeline, api_server
from tests.integration.test_browser_search import ready

pytestmark = pytest.mark.browser

# The search page's Chromium and page fixtures; the page fixture finds ``server`` below by name.
browser = search_page.browser
page = search_page.page


@pytest.fixture(scope="module")
def alerts_site(make_pipeline) -> Pipeline:
    pipeline = make_pipeline("page-alerts").start(["indexer", "alerts"])
    earlier = [article("Wheat harvest in Punjab", "Farmers in Punjab report a record wheat harvest.", countries=["PK"]),
               article("Wheat prices in Kansas", "Wheat futures rose in Kansas.", countries=["US"])]
    produce(pipeline, earlier)
    pipeline.wait_for_ids([a.id for a in earlier], timeout=120)
    return pipeline


@pytest.fixture(scope="module")
def server(alerts_site: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``newsflow api`` on the namespace's alias (the page fixture asks for it by this name)."""
    with api_server(alerts_site, tmp_path_factory.mktemp("api-alerts") / "api.log") as base:
        yield base


def test_save_the_search_as_an_alert_and_see_its_matches(page, server: str, alerts_site: Pipeline) -> None:
    page.goto(server + "/?q=wheat&country=PK")
    ready(page)
    assert page.locator("#summary").inner_text() == "1–1 of 1 article for “wheat”"
    assert page.locator("#alert-form").is_hidden()

    page.locator("#save-alert").click()
    page.locator("#alert-name").fill("wheat-pakistan")
    page.locator("#alert-form button[type=submit]").click()
    page.wait_for_function("document.getElementById('alert-message').textContent.startsWith('Saved')")
    saved = httpx.get(f"{server}/api/alerts/wheat-pakistan").json()
    assert saved["params"] == {"q": "wheat", "country": ["PK"]}

    item = page.locator('#alert-list li[data-alert="wheat-pakistan"]')
    assert "“wheat” · country:" in item.inner_text()
    page.wait_for_function("""document.querySelector('#alert-list li[data-alert="wheat-pakistan"] ul.matches')
                              ?.dataset.state === 'loaded'""")
    assert "No match yet" in item.locator("ul.matches").inner_text()

    # Articles indexed from now on: one fits the saved search, one does not.
    fits = article("Wheat exports from Pakistan", "Pakistan allows wheat exports again.", countries=["PK"])
    other = article("Wheat in Kansas again", "More wheat news from Kansas.", countries=["US"])
    produce(alerts_site, [fits, other])
    page.wait_for_selector(f'#alert-list li[data-alert="wheat-pakistan"] li.match[data-id="{fits.id}"]',
                           timeout=90_000)  # the panel refreshes the open matches every few seconds
    assert item.locator("li.match").count() == 1
    assert "Wheat exports from Pakistan" in item.locator("li.match").inner_text()

    item.locator("button.remove").click()
    page.wait_for_function("""!document.querySelector('#alert-list li[data-alert="wheat-pakistan"]')""")
    assert httpx.get(f"{server}/api/alerts/wheat-pakistan").status_code == 404
