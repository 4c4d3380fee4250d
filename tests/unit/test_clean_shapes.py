"""Real news of every shape is cleaned, never refused: a one-sentence brief, a results table,
a market table, a list story, a photo story with captions, as scraped text and as whole pages.
Items with little prose keep their text and say what they are made of in quality flags; only
input with no text at all is rejected."""

from __future__ import annotations

import pytest

from services.cleaner.clean import RejectedArticle, clean_article
from services.cleaner.shape import is_row, lenient_lines, shape_flags
from shared.contracts.schemas import CleanArticle, RawArticle

MENU = "Home\nNews\nSport\nBusiness\nWeather"
FOOTER = "Share this article\nSubscribe to our newsletter\nCopyright 2025 Valley Courier. All rights reserved."
FURNITURE = ("Home", "Weather", "Share this", "newsletter", "Copyright", "Most read", "Council approves")

BRIEF_TITLE = "Harbour board names new chief"
BRIEF = "PORT ELLEN, March 3 - The harbour board on Monday named Maria Okafor as its new chief executive."
RESULTS = [
    "Ashford United 2 Brixton Rovers 1",
    "Calder Town 0 Dunmore City 0",
    "Eastvale 3 Fenwick Athletic 2",
    "Gorton 1 Hale Park 4",
]
STANDINGS = ["Ashford United 20 14 4 2 46", "Eastvale 20 12 5 3 41", "Calder Town 20 9 6 5 33"]
PRICES = ["Copper 9,412.50 +38.00", "Aluminium 2,281.00 -4.50", "Zinc 2,604.25 -11.75", "Nickel 16,940.00 +120.00"]
ITEMS = [
    "The vote is scheduled for Thursday afternoon",
    "Opposition parties want the fuel levy dropped",
    "Pensions rise by four per cent under the plan",
    "Councils get extra money for road repairs",
    "A rebel group of backbenchers could still block it",
]
CAPTIONS = [
    "Residents carry belongings through a flooded street in Norbridge on Sunday. Photo: Jan Kowalski",
    "A rescue boat passes the submerged market square. Photo: Ana Ruiz",
    "Volunteers fill sandbags outside the town hall. Photo: Jan Kowalski",
]


def clean_text(content: str) -> CleanArticle:
    return clean_article(RawArticle(content=content))


def page(title: str, inner: str) -> str:
    return f"""<!doctype html><html lang="en"><head><title>{title} | Valley Courier</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2025-04-12T10:00:00Z"></head><body>
<header><a href="/">Valley Courier</a></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/sport">Sport</a></li><li><a href="/w">Weather</a></li></ul></nav>
<main><article><h1>{title}</h1>{inner}</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Council approves new bus lanes for the town centre</a></li>
<li><a href="/b">Bakery wins regional award for its sourdough loaf</a></li></ul></aside>
<footer><p>Copyright 2025 Valley Courier. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def clean_page(title: str, inner: str) -> CleanArticle:
    return clean_article(RawArticle(content=page(title, inner), content_type="text/html"))


def paragraphs(clean: CleanArticle) -> list[str]:
    return clean.body.split("\n\n")


def assert_no_furniture(clean: CleanArticle) -> None:
    leaked = [word for word in FURNITURE if word in clean.body]
    assert not leaked, f"furniture in the body: {leaked}"


# --- scraped text -----------------------------------------------------------------------------


def test_one_sentence_brief_is_kept_with_its_title() -> None:
    clean = clean_text(f"{MENU}\n{BRIEF_TITLE}\n{BRIEF}\n{FOOTER}")
    assert clean.title == BRIEF_TITLE
    assert clean.body == BRIEF
    assert "short_body" in clean.quality_flags
    assert "tabular" not in clean.quality_flags and "no_prose" not in clean.quality_flags


def test_results_table_keeps_every_row_and_is_flagged_tabular() -> None:
    intro = "LEEDHAM, April 12 - Results of Northern League matches played on Saturday:"
    text = "\n".join([MENU, "Northern League results", intro, *RESULTS, "Standings:", *STANDINGS, FOOTER])
    clean = clean_text(text)
    assert clean.title == "Northern League results"
    for row in RESULTS + STANDINGS:
        assert row in paragraphs(clean)
    assert {"tabular", "no_prose", "whole_text", "short_body"} <= set(clean.quality_flags)
    assert_no_furniture(clean)


def test_market_table_with_repeated_rows_keeps_them_all() -> None:
    # one row ("Chicago 0 0") stands in two sections of the table: rows are never repetition furniture
    lines = ["Grain receipts, in bushels:", "Wheat", "Chicago 0 0", "Toledo 61,514 0", "Corn", "Chicago 0 0",
             "Toledo 285,505 561,287", *PRICES]
    clean = clean_text("\n".join(["Grain receipts and metals prices", *lines]))
    assert paragraphs(clean).count("Chicago 0 0") == 2
    assert "tabular" in clean.quality_flags


def test_list_story_keeps_its_items_and_is_flagged_list() -> None:
    text = "\n".join([MENU, "Five things to know before the budget vote", *(f"- {i}" for i in ITEMS), FOOTER])
    clean = clean_text(text)
    assert clean.title == "Five things to know before the budget vote"
    assert paragraphs(clean) == [f"- {i}" for i in ITEMS]
    assert {"list", "whole_text"} <= set(clean.quality_flags)


def test_photo_story_keeps_its_captions_and_is_flagged() -> None:
    clean = clean_text("\n".join([MENU, "In pictures: the spring flood along the river", *CAPTIONS, FOOTER]))
    assert paragraphs(clean) == CAPTIONS
    assert {"captions", "whole_text"} <= set(clean.quality_flags)
    assert_no_furniture(clean)


def test_a_normal_article_gets_no_shape_flags() -> None:
    article = "\n\n".join(
        f"The regional council said on {day} that it would spend more on roads, schools and clinics in "
        "the valley, after a year in which its revenue rose faster than it had forecast in the spring."
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday")
    )
    clean = clean_text(f"{MENU}\nCouncil raises spending\n{article}\n{FOOTER}")
    assert clean.body == article
    assert not {"whole_text", "no_prose", "tabular", "list", "captions", "short_body"} & set(clean.quality_flags)


# --- whole pages ------------------------------------------------------------------------------


def test_html_brief() -> None:
    clean = clean_page(BRIEF_TITLE, "<p>The harbour board on Monday named Maria Okafor as its new chief executive.</p>")
    assert clean.title == BRIEF_TITLE
    assert clean.body == "The harbour board on Monday named Maria Okafor as its new chief executive."
    assert clean.published_at is not None and clean.published_at.year == 2025
    assert "short_body" in clean.quality_flags


def test_html_results_table_rows_stay_whole() -> None:
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row.rsplit(" ", 1)) + "</tr>" for row in STANDINGS
    )
    clean = clean_page("Northern League standings", f"<p>Standings after Saturday:</p><table>{rows}</table>")
    for row in STANDINGS:
        assert row in paragraphs(clean)
    assert {"tabular", "whole_text"} <= set(clean.quality_flags)
    assert_no_furniture(clean)


def test_html_list_story_and_photo_story() -> None:
    listing = clean_page("Five things to know", "<ul>" + "".join(f"<li>{i}</li>" for i in ITEMS) + "</ul>")
    assert paragraphs(listing) == [f"• {i}" for i in ITEMS]
    assert "list" in listing.quality_flags
    assert_no_furniture(listing)
    figures = "".join(
        f'<figure><img src="{n}.jpg"><figcaption>{c}</figcaption></figure>' for n, c in enumerate(CAPTIONS)
    )
    photos = clean_page("In pictures: the spring flood", figures)
    assert paragraphs(photos) == CAPTIONS
    assert "captions" in photos.quality_flags
    assert_no_furniture(photos)


# --- no text at all ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "empty"),
        (" \n\t\u3000 ", "empty"),
        ("\x00\x01\x02\x1b\x7f" * 50, "binary"),
        ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 30, "binary"),
        ("\ufffd" * 100, "binary"),
        ("---\n***\n...", "no text"),
    ],
)
def test_only_input_without_text_is_rejected(content: str, reason: str) -> None:
    with pytest.raises(RejectedArticle, match=reason):
        clean_article(RawArticle.model_construct(content=content, content_type="text/plain"))


# --- the pieces -------------------------------------------------------------------------------


def test_rows_are_figures_not_sentences() -> None:
    assert all(map(is_row, RESULTS + STANDINGS + PRICES))
    assert not is_row("Revenue rose 12 per cent in 2024, the ministry said on Tuesday, after a weak year.")
    assert not is_row(ITEMS[0])


def test_shape_flags_and_menus() -> None:
    assert shape_flags([]) == ["no_prose"]
    assert "tabular" in shape_flags(["Results:", *RESULTS])
    assert shape_flags([f"1. {i}." for i in ITEMS]) == ["list"]
    assert "captions" in shape_flags(CAPTIONS)
    assert "captions" not in shape_flags(["Photos: Inside the city's hospitals", "Gallery: The spring flood"])
    kept = lenient_lines("Home\nNews\nSport\nThe council met on Monday to discuss the budget for the year.\nHome")
    assert kept == ["The council met on Monday to discuss the budget for the year."]


def test_a_brief_is_not_padded_with_the_headlines_around_it() -> None:
    # a layout of plain divs: no nav, aside or footer element marks the menu and the sidebar
    page_ = (
        "<html><head><title>Harbour board names new chief | Courier</title></head><body>"
        "<div><a href='/'>Home</a> <a href='/n'>News</a> <a href='/w'>Weather</a></div>"
        "<div><h1>Harbour board names new chief</h1><p>The harbour board on Monday named Maria Okafor "
        "as its new chief executive.</p></div><div><h3>Most read</h3>"
        "<div><a href='/a'>Council approves new bus lanes for the town centre</a></div>"
        "<div><a href='/b'>Bakery wins regional award for its sourdough loaf</a></div>"
        "<div><a href='/c'>Police appeal for witnesses after crash on the ring road</a></div></div>"
        "<div>Copyright 2025 Courier. All rights reserved.</div></body></html>"
    )
    clean = clean_article(RawArticle(content=page_, content_type="text/html"))
    assert clean.body == "The harbour board on Monday named Maria Okafor as its new chief executive."
    assert "whole_text" not in clean.quality_flags and "short_body" in clean.quality_flags


def test_a_result_under_its_headline_is_kept() -> None:
    # the classifier keeps the one sentence; the line of figures under it is the item's news
    text = "\n".join(["Cup second round result", "LONDON, March 3 - Result of a Cup second round match on Friday:",
                      "Plymouth 4 Exeter 1"])
    clean = clean_text(text)
    assert paragraphs(clean)[-1] == "Plymouth 4 Exeter 1"
    assert "whole_text" in clean.quality_flags
