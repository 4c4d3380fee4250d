"""HTML metadata: which title a page's headline and metadata agree on, the byline and date read
under the headline's own element, <time> near the headline, the day a story's URL names, and the
metadata instant kept when it is the day the page prints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from services.cleaner.clean import clean_article
from services.cleaner.dates import url_date
from services.cleaner.metadata import choose_title
from shared.contracts.schemas import CleanArticle, RawArticle
from tests.unit.news_text import PARAGRAPHS

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


def test_a_section_name_in_an_h1_gives_way_to_the_story_the_metadata_names() -> None:
    # the section's <h1> shares no word with the metadata title: the metadata names the story
    assert choose_title("Why ferries cost more in winter", ["Travel Advice Centre"], None,
                        ["Why ferries cost more in winter"]) == "Why ferries cost more in winter"
    # a later <h1> that a metadata title repeats is the headline, not the show's name above it
    assert choose_title("Ferry fares rise in April", ["Harbour Morning Show", "Ferry fares rise in April"], None,
                        ["Ferry fares rise in April"]) == "Ferry fares rise in April"
    # one shared word is enough to keep the visible headline over an SEO variant
    assert choose_title("Winter ferry fares explained", ["Why you pay more to cross in winter"], None,
                        ["Winter ferry fares explained"]) == "Why you pay more to cross in winter"
    # in a script without spaces the segmenter's words are compared: a reworded metadata title
    # still shares words with the headline
    assert choose_title("四月起港口渡轮票价上涨 乘客不满", ["港口渡轮票价四月起上涨百分之八"], None,
                        ["四月起港口渡轮票价上涨 乘客不满"]) == "港口渡轮票价四月起上涨百分之八"
    # a one-word metadata title is a brand: the headline stays
    assert choose_title("Tidewatch", ["Monitoring the harbour's tides"], None, ["Tidewatch"]) == \
        "Monitoring the harbour's tides"


def test_a_headline_in_a_script_without_spaces_and_a_title_split_by_underscores() -> None:
    # the <h1> is one "word" by spaces, a dozen by the segmenter's count: it is the headline
    page = f"""<html><head><title>港口渡轮票价四月起上涨百分之八_交通频道_海港新闻网</title></head><body>
<h1>港口渡轮票价四月起上涨百分之八</h1>{BODY}</body></html>"""
    assert clean_html(page).title == "港口渡轮票价四月起上涨百分之八"
    # without an <h1>: the <title>'s section and site, after underscores, are cut off
    page = f"""<html><head><title>港口渡轮票价四月起上涨百分之八_交通频道_海港新闻网</title></head><body>
<div>港口渡轮票价四月起上涨百分之八</div>{BODY}</body></html>"""
    clean = clean_html(page)
    assert clean.title == "港口渡轮票价四月起上涨百分之八"
    assert clean.source == "海港新闻网"
    from services.cleaner.metadata import _site_from_title

    assert _site_from_title("release_notes_2024", None) == ("release_notes_2024", None)


def test_a_paragraph_holding_html_comments_is_kept_whole() -> None:
    # a page framework leaves empty comments between a paragraph's text runs
    split = ("And <!-- -->winter<!-- --> — from the salt used on the piers to the storms that batter them "
             "— makes the repairs even harder for the harbour board.")
    page = f"""<html><head><title>Ferry fares to rise in April</title></head><body>
<h1>Ferry fares to rise in April</h1>{BODY}<p>{split}</p></body></html>"""
    assert clean_html(page).body.endswith(
        "And winter — from the salt used on the piers to the storms that batter them — makes the repairs "
        "even harder for the harbour board.")


def test_a_permalink_pilcrow_after_the_headline_is_not_part_of_it() -> None:
    page = f"""<html><head><title>Harbour Docs</title></head><body>
<h1>Ferry fares to rise in April<a class="headerlink" href="#fares">¶</a></h1>{BODY}</body></html>"""
    assert clean_html(page).title == "Ferry fares to rise in April"


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


def test_byline_read_past_a_box_of_share_buttons_under_the_headline() -> None:
    networks = ["Facebook", "Twitter", "LinkedIn", "Reddit", "Pinterest", "WhatsApp", "Telegram"]
    buttons = "".join(f"<li>Share on {n}</li><li>Share via {n}</li>" for n in networks)
    page = f"""<html><head><title>Ferry fares to rise in April</title></head><body>
<h1>Ferry fares to rise in April</h1><ul class="tools">{buttons}<li>Comments</li></ul>
<p class="by">By Nadia Petrova</p><p class="when">December 19, 2023</p>{BODY}</body></html>"""
    clean = clean_html(page)
    assert clean.authors == ["Nadia Petrova"]
    assert clean.published_at is not None and clean.published_at.date().isoformat() == "2023-12-19"


def test_icon_glyphs_above_the_headline_do_not_hide_its_byline() -> None:
    # icon fonts print private-use characters as glyphs ("\ue000" a share icon) on lines of their own
    page = f"""<html><head><title>Ferry fares to rise in April</title></head><body>
<ul><li><span>\ue000</span></li><li>on Facebook</li><li><span>\ue001</span></li><li>on Twitter</li></ul>
<ul>{"".join(f"<li>Section {n}</li>" for n in range(14))}</ul>
<h1>Ferry fares to rise in April</h1>
<div class="byline"><span>By </span><span class="fn">Nadia Petrova</span><time>March 4, 2024</time></div>
{BODY}</body></html>"""
    clean = clean_html(page)
    assert clean.authors == ["Nadia Petrova"]
    assert clean.published_at is not None and clean.published_at.date().isoformat() == "2024-03-04"


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


# --- the article's body from HTML: what sits among its paragraphs but is not the story --------

def test_modal_overlays_and_captions_are_not_the_article() -> None:
    page = f"""<html><head><title>Ferry fares to rise in April</title></head><body>
<div class="c-globalModal_content"><p>Our recommendations are based on many hours of testing,
research and comparison shopping, and we may earn a commission when you buy through links.</p></div>
<div role="dialog"><p>We use cookies and similar technologies to give you a better experience of
this site, and you can change your choices at any time in the settings.</p></div>
<h1>Ferry fares to rise in April</h1>{BODY}
<figure><img src="a.jpg"><figcaption>Passengers board a ferry at the harbour terminal on a windy
morning earlier this month.</figcaption></figure>
<p class="imageCaption">The harbour master speaks to reporters outside the authority's offices on Monday</p>
<p>The new fares take effect on the first of April and will be shown on every ticket machine
at the terminals, the authority said in a statement published on its website.</p></body></html>"""
    body = clean_html(page).body
    assert body.startswith(PARAGRAPHS[0]) and "new fares take effect" in body
    for furniture in ("recommendations", "cookies", "Passengers board", "harbour master speaks"):
        assert furniture not in body


def test_page_notices_inside_the_body() -> None:
    from services.cleaner.html import is_page_notice

    for notice in ("Saturday 23 December 2023 05:39, UK", "Updated Dec. 22, 2023, 10:20 p.m. ET",
                   "This article is more than 1 month old", "Install the Harbour News app for free",
                   "View this post on Instagram",
                   "Ferries are the best.— Jane Doe (@janedoe) December 21, 2023"):
        assert is_page_notice(notice), notice
    for sentence in ("The meeting is on March 3, 2024.", "March 3, 2024 was a cold day",
                     "In 2023 the council met on March 3", "Get the best of the harbour this summer"):
        assert not is_page_notice(sentence), sentence


def test_labelled_links_editorial_notes_and_the_headline_again() -> None:
    from services.cleaner.html import drop_editorial_notes, drop_headline_copy

    page = f"""<html><head><title>Ferry fares to rise in April</title></head><body>
<h1>Ferry fares to rise in April</h1><p>News Ferry fares to rise in April</p>{BODY}
<p>MORE: <a href="/b">Bridge tolls frozen for another year after review</a></p>
<p>Ticket offices will stay open longer during the first week so that passengers can ask about
the changes, and the authority will publish a full list of fares online.</p></body></html>"""
    body = clean_html(page).body
    assert body.startswith(PARAGRAPHS[0]) and "Bridge tolls" not in body and "Ticket offices" in body
    notes = ["Editor's note: This story is part of a series on the cost of commuting.", *PARAGRAPHS,
             "Corrections", "A previous version of this story gave the wrong date for the rise."]
    assert drop_editorial_notes(notes) == PARAGRAPHS
    # in the middle of the article such a sentence is what the story says
    middle = [PARAGRAPHS[0], PARAGRAPHS[1], "Correction: the fares were cut last year.", *PARAGRAPHS[1:], "End."]
    assert drop_editorial_notes(middle) == middle
    assert drop_headline_copy(["01/7Ferry fares to rise in April", *PARAGRAPHS], "Ferry fares to rise in April") == \
        PARAGRAPHS
    assert drop_headline_copy(PARAGRAPHS, "Ferry fares to rise in April") == PARAGRAPHS


def test_linked_subheadings_stay_and_tables_leave_a_prose_article() -> None:
    venues = "".join(
        f'<h2><a href="/v{i}">{name}</a></h2><p>{PARAGRAPHS[i]}</p>'
        for i, name in enumerate(("Harbour Tavern", "Pier Street Bar", "Lighthouse Inn"))
    )
    page = f"""<html><head><title>Where to watch the ferries</title></head><body>
<h1>Where to watch the ferries</h1><article>{venues}
<table><tr><td>Route</td><td>Old fare</td><td>New fare</td></tr>
<tr><td>North pier</td><td>2.10</td><td>2.30</td></tr><tr><td>South pier</td><td>1.90</td><td>2.05</td></tr>
</table></article></body></html>"""
    body = clean_html(page).body
    assert "Harbour Tavern" in body and "Lighthouse Inn" in body
    assert "North pier" not in body


def test_newsletter_box_and_the_authors_box_from_json_ld() -> None:
    bio = ("Nadia Petrova covers transport and the harbour for the paper, and before that wrote about "
           "shipping for a trade weekly for ten years.")
    page = f"""<html><head><title>Ferry fares to rise in April</title>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Ferry fares to rise in April",
"author": {{"@type": "Person", "name": "Nadia Petrova", "description": "{bio}"}}}}</script></head><body>
<h1>Ferry fares to rise in April</h1><article>{BODY}
<section class="newsletter-form__main"><p>Breaking harbour news, the latest updates on ferries,
tides, fares and timetables, every morning in your inbox and always free of charge.</p></section>
<p>Ticket offices will stay open longer during the first week so that passengers can ask about
the changes, and the authority will publish a full list of fares online.</p>
<div class="about"><p>{bio}</p></div></article></body></html>"""
    clean = clean_html(page)
    assert clean.authors == ["Nadia Petrova"]
    assert "Ticket offices" in clean.body
    assert "Breaking harbour news" not in clean.body and "trade weekly" not in clean.body


def test_prose_set_as_bare_text_after_a_figure_is_a_paragraph() -> None:
    from services.cleaner.html import wrap_loose_text
    from services.cleaner.metadata import parse_tree

    tree = parse_tree(
        '<html><body><div id="story"><figure><img src="a.jpg"></figure>The harbour authority said on '
        'Monday that <a href="/fares">ferry fares</a> would rise in April after fuel costs climbed.'
        '<p>More.</p><div>Menu</div>Unlock a world of benefits, just a click away - Login</div></body></html>'
    )
    assert wrap_loose_text(tree) == 1
    story = tree.get_element_by_id("story")
    wrapped = story[1]
    assert wrapped.tag == "p" and wrapped.text_content().startswith("The harbour authority said on Monday that ferry")
    assert wrapped.text_content().endswith("fuel costs climbed.")
    # a run that does not end like a sentence (a login prompt) stays as it was
    assert story[-1].tail.startswith("Unlock")


def test_url_day_is_the_last_resort_for_scraped_text_too() -> None:
    text = "Ferry fares to rise in April\n\n" + "\n\n".join(PARAGRAPHS)
    url = "https://example.com/news/2023/08/24/ferry-fares"
    assert clean_article(RawArticle(content=text, url=url)).published_at == datetime(2023, 8, 24, tzinfo=UTC)
    dated = "Ferry fares to rise in April\n\nMarch 12, 2024\n\n" + "\n\n".join(PARAGRAPHS)
    assert clean_article(RawArticle(content=dated, url=url)).published_at == datetime(2024, 3, 12, tzinfo=UTC)


def test_byline_names_spelled_as_the_publishers_metadata_spells_them() -> None:
    """A byline whose names run into an affiliation or a job title ("Adam Sennott Globe Staff",
    "Jane Doe Data and Graphics Journalist") credits the people the JSON-LD names, also when its
    Person holds a list of names; a byline naming someone the metadata leaves out is kept as read."""
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Ferry fares to rise in April",'
          ' "author": {"@type": "Person", "name": ["Nadia Petrova", "Adam Sennott"]}}</script>')

    def page(byline: str) -> str:
        return (f"<html><head>{ld}</head><body><h1>Ferry fares to rise in April</h1>"
                f"<p class=\"by\">{byline}</p>{BODY}</body></html>")

    assert clean_html(page("By Nadia Petrova and Adam Sennott Harbour Staff")).authors == \
        ["Nadia Petrova", "Adam Sennott"]
    assert clean_html(page("By Nadia Petrova and Adam Sennott <span>Data and Graphics Journalist</span>")).authors \
        == ["Nadia Petrova", "Adam Sennott"]
    assert clean_html(page("By Nadia Petrova, Adam Sennott and Tom Okafor")).authors == \
        ["Nadia Petrova", "Adam Sennott", "Tom Okafor"]


def test_text_after_a_comment_is_read_like_any_other() -> None:
    """Server-rendered pages put an empty comment between text nodes ("By <!-- -->Jane Doe"): the
    text after it is the page's, for the cleaner's visible text and for the evaluation's scraped
    form alike; a date line set as a list item ("• Updated: ...") is a date line."""
    from eval.visible import visible_text as scraped_text
    from services.cleaner.cues import Cues, read_line
    from services.cleaner.html import visible_text
    from services.cleaner.metadata import parse_tree

    page = ("<html><body><div class=\"author\"><span>By <!-- -->Nadia Petrova</span></div>"
            "<p>Fares rise<!-- x --> in April.</p><script>var a; <!-- y --></script>after</body></html>")
    assert visible_text(parse_tree(page)) == scraped_text(page) == "By Nadia Petrova\nFares rise in April.\nafter"
    assert read_line("• Updated: Dec. 21, 2023, 1:29 p.m.", Cues()) == "date"
    byline = f"""<html><head><title>Ferry fares to rise in April</title></head><body>
<h1>Ferry fares to rise in April</h1><div class="by"><span>By <!-- -->Nadia Petrova</span></div>{BODY}</body></html>"""
    assert clean_html(byline).authors == ["Nadia Petrova"]


def test_a_date_line_in_parts_between_bars_is_a_date_line() -> None:
    """"Published: December 23, 2023 at 8:48 p.m. | UPDATED: December 23, 2023 at 10:54 a.m." and
    its tail set on a line of its own ("at 8:48 p.m. | UPDATED: ...") are date lines, kept out of
    the body, and so are parts between slashes closed by the source's label; a byline and a date
    between bars, or menu labels and a year, are not date lines."""
    from services.cleaner.cues import Cues, read_line

    both = "Published: December 23, 2023 at 8:48 p.m. | UPDATED: December 23, 2023 at 10:54 a.m."
    tail = "at 8:48 p.m. | UPDATED: December 23, 2023 at 10:54 a.m."
    assert read_line(both, Cues()) == read_line(tail, Cues()) == "date"
    assert read_line("Sports | Scores | 2023", Cues()) is None
    # parts between slashes, with the source's label closing the line
    slashes = "Dec. 22, 2023, 5:24 AM UTC / Updated Dec. 22, 2023, 2:01 PM UTC / Source: Daily Courier"
    assert read_line(slashes, Cues()) == "date"
    assert read_line("Harbour / Ferries / Fares rise by 5% in 2024", Cues()) is None
    assert read_line("Ferry fares / rise by 5% / in April 2024 / the operator said", Cues()) is None
    body = clean_article(RawArticle(content="\n".join(["Home", "News", "Ferry fares to rise in April",
                                                       "Published: December 23, 2023", tail, *PARAGRAPHS]))).body
    assert tail not in body and body.startswith(PARAGRAPHS[0])


def test_authors_marked_up_as_schema_org_microdata() -> None:
    """No author in the metadata tags or JSON-LD, but the byline is marked up as microdata
    (itemprop="author", its itemprop="name"): a person's name without the agency after it, or an
    organisation alone."""
    def page(*names: str) -> str:
        byline = "".join(f'<a itemprop="author" itemscope itemtype="https://schema.org/Person" href="/a/{i}">'
                         f'<span itemprop="name">{name}</span></a>' for i, name in enumerate(names))
        return (f"<html><head><title>Ferry fares to rise in April</title></head><body><article>"
                f"<h1>Ferry fares to rise in April</h1><p class='byline'>{byline}</p>{BODY}</article></body></html>")

    assert clean_html(page("Jane Doe, Harbour Press", "John Roe, Harbour Press")).authors == ["Jane Doe", "John Roe"]
    assert clean_html(page("Harbour Press")).authors == ["Harbour Press"]
