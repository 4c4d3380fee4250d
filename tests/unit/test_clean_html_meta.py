"""HTML metadata: which title a page's headline and metadata agree on, the byline and date read
under the headline's own element, <time> near the headline, the day a story's URL names, and the
metadata instant kept when it is the day the page prints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from services.cleaner.clean import clean_article
from services.cleaner.dates import url_date
from services.cleaner.metadata import choose_title
from shared.contracts.schemas import CleanArticle, RawArticle

PARAGRAPHS = [
    "The harbour authority said on Monday that ferry fares would rise by eight per cent in April, "
    "after a year in which fuel costs climbed faster than the operators had planned for.",
    "Commuters who buy monthly passes will see a smaller increase, and the authority promised to "
    "review the fares again in the autumn once the new fuel contracts have been signed.",
    "Operators welcomed the decision but warned that further rises could follow if the price of "
    "diesel kept climbing through the summer, as several analysts expect it will.",
]
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def clean_html(content: str) -> CleanArticle:
    return clean_article(RawArticle(content=content, content_type="text/html"))


def test_headline_repeated_by_another_metadata_title_wins_over_a_shorter_one() -> None:
    # JSON-LD has a short SEO headline; OpenGraph repeats the visible <h1> word for word
    assert choose_title("Ferry Fares (So Far)", ["A Complete List of Ferry Fares (So Far)"], None,
                        ["Ferry Fares (So Far)", "A Complete List of Ferry Fares (So Far)"]) == \
        "A Complete List of Ferry Fares (So Far)"
    # a label with a separator is still a label, even when another title repeats it
    assert choose_title("Ferry fares rise", ["Opinion Ferry fares rise"], None,
                        ["Ferry fares rise", "Opinion | Ferry fares rise"]) == "Ferry fares rise"
    # without such a repetition the heading holding the metadata title plus a label loses
    assert choose_title("Ferry fares rise", ["Transport | Ferry fares rise"], None, ["Ferry fares rise"]) == \
        "Ferry fares rise"


def test_without_h1_the_metadata_title_printed_on_the_page_wins() -> None:
    page = f"""<html><head>
<meta property="og:title" content="You will not believe what ferries cost now">
<title>Ferry fares to rise in April - Harbour News</title></head><body>
<div class="top">Ferry fares to rise in April</div>{BODY}</body></html>"""
    assert clean_html(page).title == "Ferry fares to rise in April"


def test_byline_and_date_read_under_the_headline_element_not_a_sidebar_copy() -> None:
    page = f"""<html><head><title>Ferry fares to rise in April | Harbour News</title></head><body>
<div class="most-read"><ul><li><a href="/a">Ferry fares to rise in April</a></li>
<li>December 24, 2023</li><li><a href="/b">Bridge tolls frozen for another year</a></li></ul></div>
<div class="story"><h1>
  Ferry fares to rise in April</h1>
<p class="by">By Nadia Petrova, December 19, 2023</p>{BODY}</div></body></html>"""
    clean = clean_html(page)
    assert clean.title == "Ferry fares to rise in April"
    assert clean.authors == ["Nadia Petrova"]
    assert clean.published_at is not None and clean.published_at.date().isoformat() == "2023-12-19"


def test_time_element_near_the_headline_dates_the_page() -> None:
    page = f"""<html><head><title>Ferry fares to rise in April</title></head><body>
<ul class="latest"><li>Bridge tolls frozen <time datetime="2023-12-24T13:05:00-05:00">13:05</time></li>
<li>Port strike ends <time datetime="2023-12-23T11:00:00-05:00">Dec 23</time></li></ul>
<h1>Ferry fares to rise in April</h1><time datetime="2023-12-19T17:45:00-05:00"></time>
{BODY}</body></html>"""
    clean = clean_html(page)
    assert clean.published_at == datetime(2023, 12, 19, 17, 45, tzinfo=timezone(timedelta(hours=-5)))


def test_metadata_instant_kept_when_it_is_the_day_the_page_prints() -> None:
    page = f"""<html><head><title>Ferry fares to rise in April</title>
<meta property="article:published_time" content="2023-12-22T22:02:10+05:30"></head><body>
<h1>Ferry fares to rise in April</h1><p>By Nadia Petrova</p><p>December 22, 2023</p>
{BODY}</body></html>"""
    clean = clean_html(page)
    # the page's own zone and time, not the bare day at midnight UTC
    assert clean.published_at == datetime(2023, 12, 22, 22, 2, 10, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    other_day = page.replace("December 22, 2023", "December 23, 2023")
    assert clean_html(other_day).published_at == datetime(2023, 12, 23, tzinfo=UTC)


def test_day_named_by_the_url() -> None:
    assert url_date("https://example.com/news/2023/08/24/1307-a-2023-review") == datetime(2023, 8, 24, tzinfo=UTC)
    assert url_date("https://example.com/feature/2023-12-19/a-story/.205666") == datetime(2023, 12, 19, tzinfo=UTC)
    assert url_date("https://example.com/20230824/story") == datetime(2023, 8, 24, tzinfo=UTC)
    assert url_date("https://example.com/2023/13/01/story") is None  # no 13th month
    assert url_date("https://example.com/story/2023/12/story") is None  # a month is not a day
    assert url_date("https://example.com/id/2023123456") is None
    assert url_date("https://2023-08-24.example.com/story?d=2023/08/24") is None  # host and query are not read
    page = f"""<html><head><title>Ferry fares to rise in April</title>
<link rel="canonical" href="https://example.com/news/2023/08/24/ferry-fares.html"></head><body>
<h1>Ferry fares to rise in April</h1>{BODY}</body></html>"""
    assert clean_html(page).published_at == datetime(2023, 8, 24, tzinfo=UTC)
