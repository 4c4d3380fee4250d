"""The cleaner stage's pure logic: seeds against their gold, HTML pages, metadata precedence,
normalization, identity, fingerprints, language, and every kind of bad input."""

from __future__ import annotations

import json
import random
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.cleaner.clean import RejectedArticle, clean_article
from services.cleaner.fingerprint import fingerprint, hamming, is_near_duplicate
from services.cleaner.html import strip_raw_elements
from services.cleaner.text import split_glued, unwrap
from shared.contracts.identity import article_id, content_hash
from shared.contracts.schemas import CleanArticle, RawArticle

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
GOLD = json.loads((ROOT / "eval" / "gold" / "seeds-gold.json").read_text(encoding="utf-8"))["articles"]
SEED_PAGES = ROOT / "eval" / "corpus" / "seed_pages"
PARAGRAPH = (
    "The finance ministry said on Tuesday that revenue collection had risen by twelve per cent in "
    "the first quarter, helped by higher customs duties and a broader sales tax base."
)
ARTICLE = "\n\n".join(
    [
        PARAGRAPH,
        "Officials expect the trend to continue through the rest of the year, although they warned "
        "that a slowdown in imports could weigh on collections from the second half onwards.",
        "The figures were presented to the cabinet, which asked the ministry to prepare a plan for "
        "widening the tax net and reducing the reliance on indirect taxes over the next budget.",
    ]
)


def clean_text(content: str, **fields: object) -> CleanArticle:
    return clean_article(RawArticle(content=content, **fields))


def clean_html(content: str, **fields: object) -> CleanArticle:
    return clean_article(RawArticle(content=content, content_type="text/html", **fields))


def _fold(text: str) -> str:
    return " ".join(text.split())


# --- seeds against their gold ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOLD))
def test_seed_meets_gold(name: str) -> None:
    gold = GOLD[name]
    clean = clean_text((SEEDS / name).read_text(encoding="utf-8"))
    body = _fold(clean.body)
    assert body.startswith(_fold(gold["body_starts"])), body[:80]
    assert body.endswith(_fold(gold["body_ends"])), body[-80:]
    for snippet in gold["not_in_body"]:
        assert snippet.casefold() not in clean.body.casefold(), snippet
    assert clean.title == gold["title"]
    assert (clean.published_at.date().isoformat() if clean.published_at else None) == gold["published_date"]
    assert clean.source == gold["source"]
    for author in gold["authors"]:
        assert author in clean.authors
    assert clean.language == "en"
    assert "not_english" not in clean.quality_flags


def test_dateline_stays_and_caption_goes() -> None:
    clean = clean_text((SEEDS / "000_c628a8884a65bf52.txt").read_text(encoding="utf-8"))
    assert clean.body.startswith("ISLAMABAD: ")
    assert "White Star" not in clean.body
    assert "Baqir Sajjad Syed" not in clean.body


def test_inline_related_headline_dropped_subheading_kept() -> None:
    clean = clean_text((SEEDS / "002_ceec6d890d34f096.txt").read_text(encoding="utf-8"))
    assert "Wide potential of cooperation" not in clean.body
    clean = clean_text((SEEDS / "000_c628a8884a65bf52.txt").read_text(encoding="utf-8"))
    assert "\n\nTrade, energy cooperation\n\n" in clean.body


# --- plain text: classifier on general cues -------------------------------------------------


def test_scraped_text_with_menu_sidebar_and_comment_form() -> None:
    content = "\n".join(
        [
            "Home", "World", "Business", "Sport", "Opinion",
            "Revenue collection rises twelve per cent",
            "By Amina Khan",
            "Published March 4, 2024",
            ARTICLE,
            "Share this:", "Facebook", "Twitter",
            "Most Read",
            "Heatwave grips southern districts",
            "Port traffic rebounds after months of slowdown",
            "Cricket board names new selection committee",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
        ]
    )
    clean = clean_text(content)
    assert clean.body == ARTICLE
    assert clean.title == "Revenue collection rises twelve per cent"
    assert clean.authors == ["Amina Khan"]
    assert clean.published_at == datetime(2024, 3, 4, tzinfo=UTC)


def test_a_long_legal_notice_in_the_footer_is_no_article() -> None:
    # the providers' notice reserves rights twice over in one long paragraph: it outweighs a short
    # story by its length alone, but it is the footer's fine print
    notice = ("Quotes are delayed by at least fifteen minutes unless stated otherwise, and all times are "
              "local. Harbour Data: © 2024 Harbour Data Ltd. All rights reserved. Tide tables are supplied "
              "by the Coastal Office and remain its property; they may not be copied, resold or used to "
              "build other products without its written consent. " * 4).strip()
    paragraphs = [
        "The harbour authority said on Monday that ferry fares would rise by eight per cent in April.",
        "Commuters who buy monthly passes will see a smaller increase, the authority said.",
        "Operators welcomed the decision but warned that further rises could follow this summer.",
    ]
    content = "\n".join(["Home", "Markets", "Ferry fares to rise in April", *paragraphs,
                         "Facebook", "Twitter", "Contact us", notice])
    clean = clean_text(content)
    assert clean.body == "\n\n".join(paragraphs)
    assert clean.title == "Ferry fares to rise in April"


STORY_PARTS = [
    ["The harbour authority said on Monday that ferry fares would rise by eight per cent in April, after a "
     "year in which fuel costs climbed faster than the operators had planned for.",
     "Commuters who buy monthly passes will see a smaller increase, and the authority promised to review "
     "the fares again in the autumn once the new fuel contracts have been signed."],
    ["Operators welcomed the decision but warned that further rises could follow if the price of diesel "
     "kept climbing through the summer, as several analysts expect it will.",
     "The authority's chair said the increase was the smallest the board could approve without cutting "
     "the number of crossings on the quieter routes in the winter months.",
     "Passenger groups said they would ask the regional assembly to review the decision, and that they "
     "had collected more than four thousand signatures against it in a single week.",
     "The assembly's transport committee is due to meet in March, when the operators will be asked to "
     "publish their fuel contracts and the costs they expect over the next three years."],
]


def test_a_chart_printed_as_text_does_not_cut_the_article_in_two() -> None:
    # a chart's labels, one a line: its figures and their units, its years
    chart = ["Fuel costs per crossing", "$915", "thousand", "600", "300", "$263", "thousand", "0",
             "’19", "’20", "’21", "’22", "’23", "’24", "Fuel costs per crossing"]
    content = "\n".join(["Home", "Travel", "Ferry fares to rise in April", *STORY_PARTS[0], *chart,
                         *STORY_PARTS[1], "Share this:", "Facebook", "Most Read", "Heatwave grips the south"])
    assert clean_text(content).body == "\n\n".join(STORY_PARTS[0] + STORY_PARTS[1])


def test_a_code_listing_printed_as_text_does_not_cut_the_article_in_two() -> None:
    listing = ["fares: {", *["routes: [", "routes: [", "]", "..."] * 6, "]", "}"]
    content = "\n".join(["Home", "Travel", "Ferry fares to rise in April", *STORY_PARTS[0], *listing,
                         *STORY_PARTS[1], "Share this:", "Facebook", "Most Read", "Heatwave grips the south"])
    assert clean_text(content).body == "\n\n".join(STORY_PARTS[0] + STORY_PARTS[1])


def test_the_sites_other_columns_after_the_article_are_not_its_own() -> None:
    # teasers of the site's other columns read as prose (a headline, then a sentence or two) and
    # share the article's subject; their heading ends the article
    teasers = ["Harbour view", "The ferry operators warned the authority that diesel prices and fuel contracts "
               "would push fares up again, and passenger groups asked the assembly to review the decision.",
               "Fares fair", "The assembly's transport committee will ask the operators to publish their fuel "
               "contracts, and the authority's chair said the increase was the smallest the board could approve."]
    content = "\n".join(["Home", "Opinion", "Ferry fares to rise in April", *STORY_PARTS[1],
                         "JANE DOE IS THE HARBOUR EDITOR", "more stories", "Other Opinion Columns", "Editorial",
                         *teasers, "Contact us"])
    assert clean_text(content).body == "\n\n".join(STORY_PARTS[1])


def test_points_a_sentence_announces_inside_the_article_are_kept() -> None:
    # a point a line, without stops, under "... also said:": the article's, not a menu
    points = ["The ferry fares on the northern routes would rise by a smaller share",
              "Monthly passes would be reviewed again once the fuel contracts are signed",
              "The quieter winter crossings would be kept for at least another year",
              "Passenger groups would be asked to join the next review of the timetable",
              "The harbour board would publish its fuel costs every three months from now on",
              "New boats for the southern routes would be ordered before the end of the year"]
    intro = "In a long interview on Monday, the authority's chair also said:"
    content = "\n".join(["Home", "Travel", "Ferry fares to rise in April", *STORY_PARTS[0], intro, *points,
                         *STORY_PARTS[1], "Share this:", "Facebook", "Most Read", "Heatwave grips the south"])
    assert clean_text(content).body == "\n\n".join([*STORY_PARTS[0], intro, *points, *STORY_PARTS[1]])


def test_the_readers_comments_under_the_article_are_not_its_own() -> None:
    long = (" The fares have gone up three times since the new boats came in, while the timetable has only "
            "got worse, and nobody on the board seems to take the ferry.")
    comments = ["One fair reform would be to publish the fuel contracts in full, so that passengers can see "
                "for themselves what the operators pay for diesel every month." + long,
                "Reply", "March 5, 2024", "Harbour Regular",
                "The ferry board should listen to the pilots, who know the northern routes better than anyone "
                "and have warned about the winter crossings for years." + long,
                "Reply", "March 5, 2024", "Anonymous",
                "I cross the harbour every day on the early boat, and I am tired of paying more for less." + long,
                "Reply"]
    content = "\n".join(["Home", "Opinion", "Ferry fares to rise in April", *STORY_PARTS[1], "View comments (3)",
                         "Anonymous", *comments, "Contact us"])
    assert clean_text(content).body == "\n\n".join(STORY_PARTS[1])


def test_a_numbered_ranking_inside_the_article_is_kept() -> None:
    ranking = ["1. Finland", "2. Norway", "3. Australia", "4. Canada", "5. Germany", "6. France"]
    first, second = STORY_PARTS[1][:2], STORY_PARTS[1][2:]
    intro = "The survey ranked the harbours of six countries as follows:"
    content = "\n".join(["Home", "Travel", "Ferry fares to rise in April", *first, intro, *ranking, *second,
                         "Share this:", "Facebook", "Most Read", "Heatwave grips the south"])
    assert clean_text(content).body == "\n\n".join([*first, intro, *ranking, *second])


def test_a_path_of_sections_above_the_headline_is_no_headline() -> None:
    for path in ("Home >> Revenue collection >> Tax office news >> Article",
                 "Home › Revenue collection › Tax office news › Article"):
        content = "\n".join(["Home | News | Sport | Business", path, "Revenue collection rises twelve per cent",
                             "March 4, 2024", ARTICLE, "Share this:"])
        assert clean_text(content).title == "Revenue collection rises twelve per cent"


def test_a_by_line_wins_over_a_label_shaped_like_a_name_above_it() -> None:
    # a pager's links and a tag line under the headline look like names; the "by" line names the author
    content = "\n".join(["Home", "World", "Revenue collection rises twelve per cent", "Harbour Desk Picks",
                         "Newer Article", "on March 4, 2024", "by", "Amina Khan", ARTICLE, "Share this:", "Facebook"])
    clean = clean_text(content)
    assert clean.authors == ["Amina Khan"]
    assert clean.published_at == datetime(2024, 3, 4, tzinfo=UTC)


def test_a_name_set_in_capitals_under_the_headline_is_its_byline() -> None:
    content = "\n".join(["Home", "World", "Revenue collection rises twelve per cent", "AMINA KHAN",
                         "Associated PressMarch 4, 2024", ARTICLE, "Share this:", "Facebook"])
    assert clean_text(content).authors == ["Amina Khan"]
    content = "\n".join(["Home", "World", "Revenue collection rises twelve per cent", "Amina Khan, @akhan_news",
                         "Associated PressMarch 4, 2024", ARTICLE, "Share this:", "Facebook"])
    assert clean_text(content).authors == ["Amina Khan"]
    content = "\n".join(["Home", "World", "Revenue collection rises twelve per cent", "LIVE UPDATES",
                         "March 4, 2024", ARTICLE, "Share this:", "Facebook"])
    assert clean_text(content).authors == []


SUBHEADED = [
    PARAGRAPH,
    "Officials see risks for the second half",
    "Officials expect the trend to continue through the rest of the year, although they warned "
    "that a slowdown in imports could weigh on collections from the second half onwards.",
    "Cabinet review",
    "The figures were presented to the cabinet, which asked the ministry to prepare a plan for "
    "widening the tax net and reducing the reliance on indirect taxes over the next budget.",
]


def test_in_body_subheadings_kept() -> None:
    clean = clean_text("\n\n".join(SUBHEADED))
    assert clean.body == "\n\n".join(SUBHEADED)
    seed = clean_text((SEEDS / "000_c628a8884a65bf52.txt").read_text(encoding="utf-8"))
    assert "\n\nPM says improving ties with Moscow ‘a priority’\n\n" in seed.body
    assert "Moscow" in seed.body


def test_sidebar_headline_runs_removed_around_subheaded_article() -> None:
    sidebar = [
        "Heatwave grips southern districts",
        "Port traffic rebounds after months of slowdown",
        "Cricket board names new selection committee",
        "Central bank holds rates steady",
    ]
    content = "\n".join(["Trending", *sidebar, *SUBHEADED, "More stories", *reversed(sidebar)])
    clean = clean_text(content)
    assert clean.body == "\n\n".join(SUBHEADED)
    # a run of headlines between two paragraphs is a related list, not subheadings
    content = "\n".join([PARAGRAPH, *sidebar[:3], *SUBHEADED[2:]])
    for headline in sidebar[:3]:
        assert headline not in clean_text(content).body


def test_trailer_source_and_date_read_and_removed() -> None:
    clean = clean_text(ARTICLE + "\n\nPublished in The Daily Ledger, July 7th, 2023")
    assert clean.source == "The Daily Ledger"
    assert clean.published_at == datetime(2023, 7, 7, tzinfo=UTC)
    assert "Published in" not in clean.body
    clean = clean_text("date 2022-01-05 " + ARTICLE + "\n\nCopyright Metro Times, 2022")
    assert clean.source == "Metro Times"
    assert clean.published_at == datetime(2022, 1, 5, tzinfo=UTC)
    assert clean.body.startswith("The finance ministry")
    assert "Copyright" not in clean.body


def test_raw_fields_win_over_inferred() -> None:
    when = datetime(2020, 2, 2, 10, 0, tzinfo=UTC)
    clean = clean_text(
        "A headline that the text carries\n\n" + ARTICLE + "\n\nPublished in Other Paper, May 1st, 2019",
        title="Given title", source="Given Source", published_at=when, url="https://example.com/a?utm_source=x",
        language="en", id="given-id", metadata={"feed": "rss"},
    )
    assert (clean.title, clean.source, clean.published_at) == ("Given title", "Given Source", when)
    assert clean.url == "https://example.com/a?utm_source=x"
    assert clean.id == "given-id"
    assert clean.metadata["feed"] == "rss"


def test_headline_list_only_is_kept_and_flagged() -> None:
    topics = ("Trade", "Climate", "Budget", "Water", "Border")
    headlines = [f"{topic} talks stall as deadline nears" for topic in topics]
    clean = clean_text("\n".join(headlines))
    assert [clean.title, *clean.body.split("\n\n")] == headlines  # the leading one reads as the title
    assert {"whole_text", "no_prose", "short_body"} <= set(clean.quality_flags)


# --- HTML -------------------------------------------------------------------------------------

PAGE = f"""<!doctype html><html lang="en"><head>
<title>Revenue rises - The Ledger</title>
<meta property="og:title" content="Revenue collection rises twelve per cent">
<meta property="og:site_name" content="The Ledger">
<link rel="canonical" href="https://ledger.example.com/business/revenue-rises">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Revenue collection rises twelve per cent", "datePublished": "2024-03-04T09:30:00+05:00",
 "author": [{{"@type": "Person", "name": "Amina Khan"}}, {{"@type": "Person", "name": "Li Wei"}}],
 "publisher": {{"@type": "Organization", "name": "The Ledger"}}}}</script>
<script>var SCRIPTSECRET = "do not index me, this is a script that must never reach the body text";</script>
<style>.SECRETSTYLE {{ color: red; }}</style>
</head><body>
<div class="cookie-banner"><p>We use cookies to improve your experience.
By continuing you agree to our cookie policy.</p></div>
<nav><a href="/">Home</a> <a href="/business">Business</a></nav>
<article><h1>Revenue collection rises twelve per cent</h1>
<p class="byline">By Amina Khan and Li Wei</p>
{"".join(f"<p>{p}</p>" for p in ARTICLE.split(chr(10) * 2))}
<script>document.write("SCRIPTSECRET inside the article")</script>
</article>
<aside><h3>Most Read</h3><ul><li><a href="/1">Heatwave grips southern districts</a></li>
<li><a href="/2">Port traffic rebounds after months of slowdown</a></li></ul></aside>
<footer><p>Copyright 2024 The Ledger. All rights reserved.</p></footer>
</body></html>"""


def test_html_article_and_metadata() -> None:
    clean = clean_html(PAGE)
    assert clean.body == ARTICLE
    assert clean.title == "Revenue collection rises twelve per cent"
    assert clean.authors == ["Amina Khan", "Li Wei"]
    assert clean.published_at is not None and clean.published_at.date().isoformat() == "2024-03-04"
    assert clean.source == "The Ledger"
    assert clean.url == "https://ledger.example.com/business/revenue-rises"
    assert clean.id == article_id("https://ledger.example.com/business/revenue-rises", clean.body)


def test_html_never_outputs_script_or_style() -> None:
    clean = clean_html(PAGE)
    for secret in ("SCRIPTSECRET", "SECRETSTYLE", "document.write", "cookie"):
        assert secret not in clean.body


def test_strip_raw_elements_keeps_json_ld_and_survives_unclosed_tags() -> None:
    html = '<p>a</p><SCRIPT>x="<p>"</script ><script type="application/ld+json">{"a":1}</script><style>p{}'
    assert strip_raw_elements(html) == '<p>a</p><script type="application/ld+json">{"a":1}</script>'
    # characters whose lower case is longer ("İ" -> "i̇") must not shift the cut
    assert strip_raw_elements("İİİ<script>x</script><p>b</p></body>") == "İİİ<p>b</p></body>"
    started = time.perf_counter()
    strip_raw_elements("<script>" * 200_000)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("layout", ["wordpress", "newssite", "amp"])
def test_seed_pages_lose_their_furniture(layout: str) -> None:
    page = (SEED_PAGES / f"{layout}_000.html").read_text(encoding="utf-8")
    clean = clean_html(page)
    assert _fold(clean.body).startswith(_fold(GOLD["000_c628a8884a65bf52.txt"]["body_starts"]))
    assert _fold(clean.body).endswith(_fold(GOLD["000_c628a8884a65bf52.txt"]["body_ends"]))
    for furniture in ("Leave a Reply", "cookies", "Most Read", "Central bank holds", "READ MORE", "Subscribe"):
        assert furniture not in clean.body
    assert clean.title == GOLD["000_c628a8884a65bf52.txt"]["title"]


def test_html_furniture_pruned_but_an_article_in_a_form_kept() -> None:
    hidden = ('<div style="display: none"><p>Hidden teaser text that a browser never shows to the '
              'reader of this page, however long it runs on.</p></div>')
    page = PAGE.replace("<article>", hidden + "<form action='/'><article>").replace("</article>", "</article></form>")
    clean = clean_html(page)
    assert clean.body == ARTICLE
    assert "Hidden teaser" not in clean.body


def test_html_with_nothing_but_furniture_is_kept_and_flagged() -> None:
    page = ("<html><body><nav><a href='/'>Home</a><a href='/news'>News</a></nav>"
            "<footer><p>Copyright 2024 Example. All rights reserved.</p></footer></body></html>")
    clean = clean_html(page)
    assert "Copyright 2024 Example" in clean.body
    assert {"whole_text", "no_article", "no_prose"} <= set(clean.quality_flags)


def test_html_without_any_text_is_rejected() -> None:
    with pytest.raises(RejectedArticle, match="no text"):
        clean_html("<html><head><title></title></head><body><div><img src='a.jpg'></div> <p> </p></body></html>")


def test_html_in_text_body_is_sniffed() -> None:
    clean = clean_text(PAGE)
    assert clean.body == ARTICLE
    assert "html_in_text" in clean.quality_flags


# --- normalization ----------------------------------------------------------------------------


def test_normalization_keeps_meaning() -> None:
    decomposed = unicodedata.normalize("NFD", "Café “quoted” — dash")
    content = (
        f"{decomposed} &amp; entities&nbsp;decoded,   spaces\tcollapsed in this opening paragraph of the story.\n\n"
        + ARTICLE
    )
    clean = clean_text(content)
    first = clean.body.split("\n\n")[0]
    assert first == "Café “quoted” — dash & entities decoded, spaces collapsed in this opening paragraph of the story."
    assert unicodedata.is_normalized("NFC", clean.body)
    assert clean.body.count("\n\n") == 3


# --- identity and fingerprints ----------------------------------------------------------------


def test_identity_is_derived_and_stable() -> None:
    a, b = clean_text(ARTICLE), clean_text("  " + ARTICLE.replace("\n\n", "\n\n\n") + "\n")
    assert a.id == b.id == article_id(None, a.body)
    assert a.content_hash == content_hash(a.body)
    assert a.fingerprint == fingerprint(a.body)
    assert clean_text(ARTICLE, url="https://x.example/a").id == article_id("https://x.example/a", a.body)


def test_fingerprint_finds_near_duplicates() -> None:
    seed = (SEEDS / "004_7be49cec0fd698d3.txt").read_text(encoding="utf-8")
    original = clean_text(seed)
    edited = clean_text(seed.replace("Ambassador of Russia", "The ambassador of Russia").replace(
        "He said such regional-level", "He also said such regional-level"))
    other = clean_text((SEEDS / "003_b34446580c40c96b.txt").read_text(encoding="utf-8"))
    assert original.fingerprint is not None and len(original.fingerprint) == 16
    assert is_near_duplicate(original.fingerprint, edited.fingerprint)
    assert hamming(original.fingerprint, other.fingerprint) > 10
    assert hamming(fingerprint("a b c"), fingerprint("a b c")) == 0


# --- language ---------------------------------------------------------------------------------


def test_non_english_article_flagged() -> None:
    spanish = (
        "El Gobierno anunció el martes un nuevo plan para reducir la inflación, que se situó en el "
        "cuatro por ciento durante el último trimestre, según los datos oficiales publicados.\n\n"
        "Los analistas consideran que las medidas llegan tarde y que su efecto sobre los precios "
        "dependerá de la evolución de la energía y de los alimentos en los próximos meses."
    )
    clean = clean_text(spanish)
    assert clean.language == "es"
    assert "not_english" in clean.quality_flags


# --- bad input: a clear outcome every time ----------------------------------------------------


@pytest.mark.parametrize("content", ["", "   \n\t  ", "\x00\x01\x02", "\ufffd\ufffd\ufffd"])
def test_empty_or_invisible_content_rejected(content: str) -> None:
    with pytest.raises(RejectedArticle):
        clean_article(RawArticle.model_construct(content=content, content_type="text/plain"))


def test_control_and_replacement_chars_do_not_crash() -> None:
    noisy = ARTICLE.replace("ministry", "min\x00is\ufffdtry\x07").replace("cabinet", "cab\ud800inet")
    clean = clean_text(noisy)
    assert "\x00" not in clean.body and "\ufffd" not in clean.body and "\ud800" not in clean.body
    assert "ministry" in clean.body
    clean.to_json_bytes()


def test_binary_garbage_is_rejected_as_binary() -> None:
    garbage = bytes(range(256)).decode("latin-1") * 200
    with pytest.raises(RejectedArticle, match="binary"):
        clean_text(garbage)


@pytest.mark.parametrize("shape", ["paragraphs", "one line", "short lines"])
def test_ten_megabytes_finish_quickly(shape: str) -> None:
    size = 10_000_000
    content = {
        "paragraphs": (ARTICLE + "\n\n") * (size // len(ARTICLE)),
        "one line": (PARAGRAPH + " ") * (size // len(PARAGRAPH)),
        "short lines": "Home\nNews\n" * (size // 10),
    }[shape]
    started = time.perf_counter()
    try:
        clean = clean_text(content)
        assert "truncated_input" in clean.quality_flags
    except RejectedArticle:
        assert shape == "short lines"
    # about 1 s on a quiet core; the bound only catches work that grows faster than the input
    # (minutes at this size), not a busy machine
    assert time.perf_counter() - started < 60


# --- the article's header: headline, byline, date line ----------------------------------------

def test_byline_shapes() -> None:
    from services.cleaner.cues import byline_names, header_date, is_name

    assert byline_names("By Jane Doe and John Roe • 3/11/24 4:23pm") == ["Jane Doe", "John Roe"]
    assert byline_names("By Maria LopezPublished: Mar 22, 2024 10:55 AM EST") == ["Maria Lopez"]
    assert byline_names("Published By : Tom Reed") == ["Tom Reed"]
    assert byline_names("By Carla Mendes RN, MPH") == ["Carla Mendes"]
    # the paper's word before a staff role, and the paper named after "For", are no part of a name
    assert byline_names("By Tom Reed and Carla Mendes Globe Staff") == ["Tom Reed", "Carla Mendes"]
    assert byline_names("By Carla Mendes Herald Correspondent") == ["Carla Mendes"]
    assert byline_names("By Ana Maria Lopez Staff") == ["Ana Maria Lopez"]
    assert byline_names("By Carla Mendes For Dailymail.Com") == ["Carla Mendes"]
    assert byline_names("By Carla Mendes, Coast Weekly Staff") == ["Carla Mendes"]
    assert byline_names("By Carla Mendes on December 22, 2023") == ["Carla Mendes"]
    assert byline_names("By Carla Mendes in New York") == ["Carla Mendes"]
    # a job title a scraper ran into the name
    assert byline_names("By Carla MendesData and Graphics Journalist") == ["Carla Mendes"]
    assert byline_names("By Tom McReedSenior Writer") == ["Tom McReed"]
    assert byline_names("By Tom McReed") == ["Tom McReed"]
    assert byline_names("Stay informed by subscribing to our alerts") == []
    # "By" and "and" in other languages
    assert byline_names("Par Claire Dubois et Marc Lefèvre — 24 novembre 2017 à 18:42") == \
        ["Claire Dubois", "Marc Lefèvre"]
    assert byline_names("Por Juan Pérez y Ana López") == ["Juan Pérez", "Ana López"]
    assert byline_names("Von Anna Schmidt und Jan Weber") == ["Anna Schmidt", "Jan Weber"]
    assert byline_names("Door Jan de Vries en Piet Smit") == ["Jan de Vries", "Piet Smit"]
    assert byline_names("Par three greens were closed after the storm") == []
    assert byline_names("Di Stefano scored twice in the final") == []
    # a social handle, a remark in brackets, a date after a dash; a name credited for pictures
    assert byline_names("by Jane Doe @jdoe_news February 1, 2016: 12:41 PM ET") == ["Jane Doe"]
    assert byline_names("By Jane Doe@janedoe") == ["Jane Doe"]
    assert byline_names("Jane Doe - Apr 16, 2015 8:02 pm UTC") == ["Jane Doe"]
    assert byline_names("by Jane Doe (reporting) and John Roe (photography)") == ["Jane Doe"]
    assert byline_names("Par Claire Dubois (avec Marc Lefèvre et Anne Roy)") == ["Claire Dubois"]
    # an English headline that opens with one of those words is no byline
    assert byline_names("Von Miller Signs With Bills") == []
    assert byline_names("Door Dash Hires Executives") == []
    # a first-person essay: the subject, then its writer
    assert byline_names("Maria Lopez as told to Tom Reed") == ["Tom Reed"]
    assert byline_names("He said he had told to Tom Reed what he saw") == []
    assert not is_name("Advertise With Us") and not is_name("Political reporter") and is_name("Ana de la Cruz")
    assert header_date("Saturday 23 March 2024 09:25, UK") == datetime(2024, 3, 23, tzinfo=UTC)
    assert header_date("3/11/24 4:23pm") == datetime(2024, 3, 11, tzinfo=UTC)
    assert header_date("The council met on March 3, 2024 to discuss a long list of items on its agenda today") is None


SCRAPED_PAGE = "\n".join([
    "Home", "World", "Business", "Sport", "Culture", "Newsletters", "Search",
    "Harbour ferry fares to rise in April after fuel costs climb",
    "The operator says the increase is the first in three years.",
    "Nadia Petrova",
    "Transport correspondent",
    "Tuesday 12 March 2024 08:15, UK",
    "Watch the video",
    "Ferry fares across the harbour will rise by eight per cent in April, the operator said on Tuesday, "
    "blaming higher fuel costs and the price of new engines for its fleet.",
    "The operator said the fares had not changed since 2021 and that the increase was needed to keep "
    "the early morning crossings running through the winter months.",
    "Passenger groups said the rise would hit commuters hardest and asked the harbour board to review "
    "the operator's accounts before the new fares take effect next month.",
    "Most read", "Storm warning for the coast", "Rail strike called off", "Markets close higher",
])


def test_scraped_text_header() -> None:
    clean = clean_text(SCRAPED_PAGE)
    assert clean.title == "Harbour ferry fares to rise in April after fuel costs climb"
    assert clean.authors == ["Nadia Petrova"]
    assert clean.published_at == datetime(2024, 3, 12, tzinfo=UTC)
    # the standfirst under the headline opens the body, then the first paragraph
    assert clean.body.startswith("The operator says the increase is the first in three years.\n\nFerry fares across")
    assert "Transport correspondent" not in clean.body and "Most read" not in clean.body


HEADER_PAGE = f"""<!doctype html><html lang="en"><head>
<title>Ferry fares 2024: what to know | Harbour Times</title>
<meta property="og:title" content="Ferry fares 2024: what to know">
<meta property="og:site_name" content="Harbour Times">
<meta property="article:published_time" content="2024-03-13T01:10:00+00:00">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "author": {{"@type": "Organization", "name": "Harbour Times Staff"}}}}</script>
</head><body>
<nav><a href="/">Home</a></nav>
<main><h1>Harbour ferry fares to rise in April after fuel costs climb (video)</h1>
<div class="meta"><span>By Nadia Petrova</span> <span>March 12, 2024 at 9:10 p.m.</span></div>
{"".join(f"<p>{p}</p>" for p in ARTICLE.split(chr(10) * 2))}
</main></body></html>"""


def test_html_visible_headline_byline_and_day() -> None:
    clean = clean_html(HEADER_PAGE)
    assert clean.title == "Harbour ferry fares to rise in April after fuel costs climb"
    assert clean.authors == ["Nadia Petrova"]
    # the metadata's UTC instant is the next day; the page shows March 12
    assert clean.published_at is not None and clean.published_at.date().isoformat() == "2024-03-12"
    assert clean.body == ARTICLE


def test_metadata_title_kept_when_the_heading_adds_a_label() -> None:
    from services.cleaner.metadata import choose_title, clean_names, strip_media_tag

    assert choose_title("Council approves budget", ["Politics | Council approves budget"], None) == \
        "Council approves budget"
    assert choose_title("Council approves budget - The Gazette", ["Council approves budget"], "The Gazette") == \
        "Council approves budget"
    assert choose_title("Council approves budget", ["The Gazette"], "The Gazette") == "Council approves budget"
    assert strip_media_tag("WATCH: Council approves budget") == "Council approves budget"
    assert clean_names(["Jo Park | jpark@example.com", "Sam Lee MS", "RDN"]) == ["Jo Park", "Sam Lee"]


def test_eval_title_and_author_rules() -> None:
    from eval.cleaning import authors_right, title_right

    assert title_right("Council approves budget - The Gazette", "Council approves budget")
    assert not title_right("Council approves budget", "Council approves budget - The Gazette")
    assert not title_right("Council approves the budget", "Council approves budget")
    assert authors_right(["José  Núñez"], ["jose nunez"]) and not authors_right(["A B", "C D"], ["A B"])


def test_eval_reader_page_rules() -> None:
    """The reader-view pages' gold: a title that may keep the site's name, a byline as one string."""
    from eval.cleaning import names_in_byline, with_site_suffix

    assert with_site_suffix("Ferry fares rise _Transport _Harbour Net", "Ferry fares rise")
    assert with_site_suffix("Ferry fares rise (Harbour Times) - Portal", "Ferry fares rise")
    assert not with_site_suffix("Ferry fares rise again in April", "Ferry fares rise")
    assert not with_site_suffix("Ferry fares rise | " + "word " * 7, "Ferry fares rise")
    assert names_in_byline(["Jane Doe", "John Roe"], "By JANE DOE, John Roe | Staff Writers")
    assert not names_in_byline([], "By Jane Doe")
    assert not names_in_byline(["Jane Doe", "Harbour Desk"], "By Jane Doe")


def test_eval_says_in_words_which_development_targets_are_met() -> None:
    """0.949 prints as 0.95 in the table: the target line says it is not met."""
    from eval.cleaning import Case, Outcome, _target_line

    def page(title_ok: bool) -> Outcome:
        case = Case("dev html", "p", "", "text/html", "", half="A", site="s")
        return Outcome(case, f1=0.96, title_ok=title_ok, date_ok=True, authors_ok=None)

    line = _target_line("dev html", [page(True)] * 949 + [page(False)] * 51)
    assert "body F1 0.960 (>= 0.96: met)" in line and "title 0.949 (>= 0.95: NOT met)" in line
    assert "date 1.000 (>= 0.92: met)" in line and "authors - (>= 0.88: -)" in line


def test_header_lines_a_scraper_ran_together() -> None:
    from services.cleaner.cues import byline_names, header_date, unglue, updated_only

    assert unglue("CorrespondentMar 4, 20245:00 AM ET") == "Correspondent Mar 4, 2024 5:00 AM ET"
    assert header_date("Lena Ortiz, CorrespondentMar 4, 2024, 10:15 PM") == datetime(2024, 3, 4, tzinfo=UTC)
    assert header_date("UpdatedMar. 5, 20244:04AM EST/ PublishedMar. 4, 202412:16PM EST") == \
        datetime(2024, 3, 4, tzinfo=UTC)
    assert updated_only("Updated Mar 5, 2024") and not updated_only("UpdatedMar. 5, 2024 / PublishedMar. 4, 2024")
    assert byline_names("ByLena Ortiz") == ["Lena Ortiz"]
    assert byline_names("Lena OrtizMar 04, 20243 Shares") == ["Lena Ortiz"]
    assert byline_names("Lena Ortiz · The Courier · Posted: Mar 4, 2024 8:25 AM EST") == ["Lena Ortiz"]
    assert byline_names("Byron Hills") == []


def test_scraped_article_split_by_a_gallery_is_kept_whole() -> None:
    gallery = [f"Photographer {n}/Agency" for n in range(14)]
    parts = [
        "Menu", "Home", "Style",
        "The coats everyone will wear this winter, from capes to quilted jackets",
        "Winter coats are getting longer and warmer this year, with quilted jackets and wool capes leading "
        "the season's collections in most of the shops we visited in the city.",
        "We asked three stylists which coats are worth the money and which ones will look dated by spring, "
        "and their answers agreed more often than we expected.",
        *gallery,
        "Quilted jackets came back last winter and the stylists expect them to stay, because they are light, "
        "warm and easy to wear over a suit or a thick jumper.",
        *gallery[:6],
        "Wool capes are the surprise of the season: the stylists said they suit most shapes and keep their "
        "value, although they are harder to wear with a bag on the shoulder.",
        "Related stories", "Ten boots for the rain", "The best scarves under fifty pounds",
        "Readers who liked this also read about the history of the trench coat and the way it came to the "
        "city from the army surplus shops after the war.",
    ]
    clean = clean_text("\n".join(parts))
    assert clean.title == "The coats everyone will wear this winter, from capes to quilted jackets"
    assert "Quilted jackets came back" in clean.body and "Wool capes are the surprise" in clean.body
    assert "Photographer" not in clean.body and "trench coat" not in clean.body


def test_author_box_trimmed_only_at_the_article_edges() -> None:
    from services.cleaner.text import trim_bios

    story = [
        "The council approved the new budget on Tuesday after a long debate about the cost of road repairs.",
        "Marta Vries is the author of a history of the city's bridges and spoke against the plan at the meeting.",
        "The budget takes effect in April and will be reviewed again in the autumn.",
        "Tom Okafor is a senior reporter at the Gazette covering local government and transport.",
        "Sign up for our morning briefing.",
    ]
    assert trim_bios(story) == story[:3]  # the mid-story sentence about an author stays
    # the author's box above the article goes with the sentence that goes on about the same person
    box = ["Tom Okafor currently works for the Gazette as a writer.",
           "He is also a blogger who studied history in Leeds and moved to the coast in 2015."]
    plain = [story[0], story[2], "Road repairs will start in May on the two busiest streets of the old town."]
    assert trim_bios([*box, *plain]) == plain
    # a story that opens with "He was ..." keeps its opening when no author's box stands above it
    opening = "He was 24 when he first crossed the harbour bridge on foot, and he has walked it every day since."
    assert trim_bios([opening, *plain]) == [opening, *plain]


def test_headline_with_a_stop_opening_the_text() -> None:
    clean = clean_text("Fair Game? Councils Weigh the Cost of Free Parking.\n\n" + ARTICLE)
    assert clean.title == "Fair Game? Councils Weigh the Cost of Free Parking."
    assert clean.body == ARTICLE


def test_list_the_article_announces_stays_at_its_end() -> None:
    """A run of short list items at the end of the extracted blocks is a related-stories list,
    unless the article announces it with a paragraph ending in a colon."""
    from services.cleaner.text import filter_blocks

    items = ["Best Drama - Northern Lights", "Best Comedy - The Long Lunch", "Best Debut - Paper Boats",
             "Best Score - River Songs"]
    intro = "The jury handed out its awards on Saturday night, and the full list of winners is below:"
    kinds = ["p", "p", *["item"] * len(items)]
    announced = filter_blocks([PARAGRAPH, intro, *items], kinds=kinds).paragraphs
    assert announced[-len(items):] == items
    plain = filter_blocks([PARAGRAPH, intro.replace(" is below:", " was read out."), *items], kinds=kinds).paragraphs
    assert not set(items) & set(plain)


def test_lower_case_byline_is_not_the_headline_wrapped() -> None:
    """"by Jane Doe - 12/22/23" or "by University of Oslo" under a headline without a final stop
    is the byline, not the rest of a hard-wrapped headline."""
    from services.cleaner.text import unwrap

    headline = "Finance ministry reports a rise in quarterly revenue"
    assert unwrap([headline, "by Jane Doe - 12/22/23 11:35 AM ET"]) == [headline, "by Jane Doe - 12/22/23 11:35 AM ET"]
    assert unwrap([headline, "by a wide margin this year"]) == [f"{headline} by a wide margin this year"]
    assert unwrap([headline, "by University of Oslo"]) == [headline, "by University of Oslo"]
    assert unwrap([headline, "by Institute for Marine Research"]) == [headline, "by Institute for Marine Research"]
    # a "by:" label on its own line opens the byline below it, not the headline's last word
    assert unwrap([headline, "by:", "Jane Doe", "From:"]) == [headline, "by: Jane Doe", "From:"]


def test_the_one_date_a_scraped_page_prints_is_its_date() -> None:
    """No date line in the header: a page printing one date (below the story) is dated by it;
    two different dates (a sidebar's teasers) date nothing."""
    from services.cleaner.normalize import normalize_lines
    from services.cleaner.text import extract_text

    menu = "Home\nWorld\nBusiness\nFinance ministry reports a rise in quarterly revenue\n"
    article = "\n".join(f"In region {k}, {PARAGRAPH[0].lower()}{PARAGRAPH[1:]}" for k in range(1, 16))
    tail = "\nRelated Posts\nCLICK HERE TO COMMENT\n{date}\nShare This\n"
    one = extract_text(normalize_lines(menu + article + tail.format(date="Dec 13, 2023 11:11am PDT"))).cues
    assert one.published_at is not None and one.published_at.date().isoformat() == "2023-12-13"
    teaser = "Council approves plan number {k} for the harbour district\nNov {k}, 2023\n"
    sidebar = "".join(teaser.format(k=k) for k in range(1, 4))
    two = menu + article + tail.format(date="Dec 13, 2023 11:11am PDT") + "Most Read\n" + sidebar
    assert extract_text(normalize_lines(two)).cues.published_at is None


def test_a_month_run_into_a_figure_is_read() -> None:
    """"F1Dec 19, 2023": a scraper ran a role ending in a figure into the date."""
    from services.cleaner.cues import header_date

    when = header_date("Jane Doe, General Editor, F1Dec 19, 2023, 05:30 PM")
    assert when is not None and when.date().isoformat() == "2023-12-19"


def test_headline_written_as_sentences_over_its_standfirst() -> None:
    """A headline with its stops ("... are coming. Here's what they change.") is read when a
    longer standfirst and the byline follow it; the same line without that header is not."""
    from services.cleaner.normalize import normalize_lines
    from services.cleaner.text import extract_text

    headline = "New tax rules are coming. Here's what they change."
    dek = "The finance ministry wants a broader base and fewer exemptions, and the cabinet has agreed to most of it."
    header = f"Home\nBusiness\nEconomy\n{headline}\n{dek}\nBy Jane Doe\nPublished December 22, 2023\n"
    assert extract_text(normalize_lines(header + ARTICLE)).title == headline
    bare = f"Home\nBusiness\nEconomy\n{headline}\n{dek}\n"
    assert extract_text(normalize_lines(bare + ARTICLE)).title != headline


def test_middle_initial_in_a_byline() -> None:
    """"By Jane I. Doe": the initial "I." is part of the name, not the pronoun."""
    from services.cleaner.cues import byline_names, is_name

    assert byline_names("By Jane I. Doe") == ["Jane I. Doe"]
    assert not is_name("What I Know")


def test_what_furniture_says_is_no_headline() -> None:
    """A sign-up prompt's thanks or a subscription line right above the body is not the
    article's title, though it is short and shares no shape with prose."""
    from services.cleaner.normalize import normalize_lines
    from services.cleaner.text import extract_text

    for prompt in ("Thanks for signing up!", "Subscribe to our newsletter"):
        found = extract_text(normalize_lines(f"Home\nBusiness\n{prompt}\n{ARTICLE}")).title
        assert found != prompt


def test_a_photo_credit_is_no_headline() -> None:
    """A credit in brackets or a caption naming its credit, right above the body, is not the
    article's title."""
    from services.cleaner.normalize import normalize_lines
    from services.cleaner.text import extract_text

    for credit in ("(Jane Doe / The Finance Courier)", "Ministry staff count revenue receipts. Credit: Jane Doe 2023"):
        found = extract_text(normalize_lines(f"Home\nBusiness\n{credit}\n{ARTICLE}")).title
        assert found != credit


def test_cookie_consent_dialog_is_furniture_at_any_length() -> None:
    """A consent dialog's long paragraphs (cookies, the browser, opting out, in the site's own
    voice) are furniture; a sentence of a story about cookies is not."""
    from services.cleaner.text import says_furniture

    dialog = ("When you visit our website, we store cookies on your browser to collect information about "
              "you, your preferences or your device, and you can choose to opt-out of some types of "
              "cookies through the settings below, although blocking some of them may affect how the "
              "site works for you and which services we are able to offer while you browse it.")
    assert says_furniture(dialog, len(dialog.split()))
    story = "Regulators said the company had set tracking cookies without asking, and fined it."
    assert not says_furniture(story, len(story.split()))


def test_lead_far_above_the_region_below_its_headline_is_taken_back() -> None:
    """A gallery, a video playlist with its dates and a most-read strip of a dozen short lines
    between the first paragraphs and the rest keep the lead out of the densest region; below the
    headline found, prose is taken back, what sits above the headline is not."""
    strip = [f"Celebrity story number {n} with a short teaser headline" for n in range(1, 10)]
    parts = [
        "Home", "News", "Showbiz", "Local bakery wins the national bread prize for its sourdough loaf",
        "By Jane Doe", "Published December 22, 2023",
        "The small bakery on the harbour won the national bread prize on Friday for its sourdough loaf, "
        "beating more than two hundred bakeries from across the country.",
        "The bakery's owner said the prize was a surprise, because the sourdough recipe had been in her "
        "family for three generations and had never been entered in a competition.",
        "\"We never expected anything like it, and I still cannot quite believe it happened to us,\" she told "
        "reporters who gathered outside on Saturday morning.",
        "Tom Reyes covers food and restaurants for the newspaper and has judged two cooking contests.",
        "3", "The bakery's owner with the prize-winning loaf. Credit: Jane Doe", "3",
        "Watch", "Ten loaves to bake this winter", "December 13, 2023", "Most read in Showbiz",
        *strip,
        *(f"The judges said the loaf had a crisp crust and an open crumb, and that the bakery's sourdough "
          f"stood out in round {n} of the tasting, where the owner's family recipe impressed them." for n in (1, 2, 3)),
        "The owner said the prize money would pay for a second oven, so that the bakery can bake the "
        "sourdough loaf twice a day for the customers who queue on the harbour every morning.",
    ]
    clean = clean_text("\n".join(parts))
    assert clean.title == "Local bakery wins the national bread prize for its sourdough loaf"
    assert clean.body.startswith("The small bakery on the harbour won")
    assert "family for three generations" in clean.body and "second oven" in clean.body
    assert "cannot quite believe it" in clean.body  # a quote shares few words with the rest
    assert "Celebrity story" not in clean.body and "Tom Reyes covers" not in clean.body


def test_a_paragraph_printed_twice_is_kept_once() -> None:
    """A standfirst printed again as the first paragraph (a paragraph long enough not to read as
    a repeated sidebar line) is in the body once."""
    lead = ("Police have closed thousands of online accounts and fined more than six hundred people "
            "for spreading false rumours, the ministry said on Tuesday, in a campaign it says will run until "
            "the end of next year.")
    clean = clean_text("\n".join(["Home", "World", "Police close thousands of accounts over rumours", lead, lead,
                                  ARTICLE]))
    assert clean.body.count(lead) == 1 and ARTICLE.split("\n")[0] in clean.body


def test_list_a_scraped_article_announces_stays_at_its_end() -> None:
    """Scraped text: the run of short lines under "... the full list of winners is below:" is
    the article's, though it reads as a menu; the same lines without the announcement are not,
    and a table's one-word cells after a colon are not taken as the list."""
    winners = [f"Best {kind} - {name}" for kind, name in (
        ("Drama", "Northern Lights"), ("Comedy", "The Long Lunch"), ("Debut", "Paper Boats"),
        ("Score", "River Songs"), ("Actor", "Sam Lee"))]
    intro = "The jury handed out its awards on Saturday night, and the full list of winners is below:"
    tail = ["Share this article", "Home", "About us", "Contact"]
    announced = clean_text("\n".join([ARTICLE, intro, *winners, *tail])).body.split("\n\n")
    assert announced[-len(winners) - 1:] == [intro, *winners]
    plain = clean_text("\n".join([ARTICLE, *winners, *tail])).body
    assert not any(w in plain for w in winners)
    cells = ["SCHOOL", "W", "L", "Alabama", "127", "13"]
    table = clean_text("\n".join([ARTICLE, intro, *cells, *tail])).body
    assert "SCHOOL" not in table


def test_a_one_word_label_announces_a_list_at_the_end() -> None:
    """Wire copy ends a team story with "Squad:" and the players by position: the label
    announces the list as a sentence with a colon does; two words ("More information:") or a
    label furniture says ("Share:") do not."""
    squad = ["Goalkeepers - Jan Novak, Piotr Zielinski", "Defenders - Ivan Petrov, Marek Hamsik, Tomas Rosicky",
             "Forwards - Pavel Nedved, Milan Baros, Jan Koller"]
    tail = ["Share this article", "Home", "About us"]
    kept = clean_text("\n".join([ARTICLE, "Squad:", *squad, *tail])).body
    assert all(line in kept for line in squad) and "Share this" not in kept
    for label in ("More information:", "Share:"):
        assert not any(line in clean_text("\n".join([ARTICLE, label, *squad, *tail])).body for line in squad)


def test_a_heading_over_an_item_numbered_one_announces_its_list() -> None:
    """Results in a second layout below the story ("Men's 1,000 metres first round:", then "1.
    Jane Doe (Canada) 1:16.24" rows) stay with it; the same rows under a furniture heading go."""
    rows = [f"{n}. {name} ({country}) 1:16.{20 + n}" for n, (name, country) in enumerate(
        (("Sylvain Bouchard", "Canada"), ("Jan Bos", "Netherlands"), ("Grunde Njos", "Norway")), start=1)]
    tail = ["Share this article", "Home", "About us"]
    kept = clean_text("\n".join([ARTICLE, "Men's 1,000 metres first round:", *rows, *tail])).body
    assert all(row in kept for row in rows) and "Share this" not in kept
    dropped = clean_text("\n".join([ARTICLE, "Most read:", *rows, *tail])).body
    assert not any(row in dropped for row in rows)


def test_a_labelled_link_is_no_dateline() -> None:
    """"MLB: Team agrees to ..." near the top of the body is a labelled link to another story,
    not a report's dateline: the paragraphs above it stay."""
    first = ("The harbour club has made a big investment in two of the best players in the league, and the "
             "board says it expects the spending to pay off within two seasons.")
    second = ("The club's new pitcher won sixteen games last season and struck out more batters than anyone "
              "else in the league, the coaches said at the press conference on Friday.")
    link = "BASEBALL: Harbour club agrees to a monster deal with a pitching sensation from overseas"
    clean = clean_text("\n".join(["Home", "Sport", first, second, link, ARTICLE]))
    assert clean.body.startswith(first[:40]) and second in clean.body


def test_a_list_between_paragraphs_of_a_scraped_article_stays() -> None:
    """Short sentence-case lines between two paragraphs (a list of features) are the article's;
    a box of Title Case headlines between them is another story's list and goes."""
    above = [f"The new phone keeps the shape of last year's model, but the company changed more inside it "
             f"than the launch event suggested, and reviewers noticed it in test number {n}." for n in range(1, 4)]
    below = [f"The phone's screen is the other big change of the new model: it is brighter outdoors, the "
             f"reviewers said after test number {n}, and the camera is faster too." for n in range(4, 7)]
    features = ["Night mode for every camera", "A new slow-motion mode for the selfie camera",
                "Faster autofocus in low light", "Better stabilisation for video"]
    headlines = ["Ten Phones Worth Buying This Winter", "The Best Cheap Laptops For Students",
                 "Why Smart Watches Keep Getting Bigger"]
    body = clean_text("\n".join(["Home", "Tech", *above, *features, *below])).body
    assert all(f in body for f in features) and all(p in body for p in above + below)
    other = clean_text("\n".join(["Home", "Tech", *above, *headlines, *below])).body
    assert not any(h in other for h in headlines) and all(p in other for p in above + below)


def test_a_list_with_one_long_item_between_paragraphs_stays() -> None:
    """One item of a feature list may run past a list item's length ("Dynamic Island - a feature
    that ..."): the list stays."""
    above = [f"The new phone keeps the shape of last year's model, but the company changed more inside it "
             f"than the launch event suggested, and reviewers noticed it in test number {n}." for n in range(1, 4)]
    below = [f"The phone's screen is the other big change of the new model: it is brighter outdoors, the "
             f"reviewers said after test number {n}, and the camera is faster too." for n in range(4, 7)]
    features = ["Night mode for every camera", "A new slow-motion mode for the selfie camera",
                "Faster autofocus in low light", "Better stabilisation for video",
                "A larger battery in the smallest model, which the company says lasts a full day of heavy use "
                "with the screen at full brightness and every radio switched on (Pro only)"]
    body = clean_text("\n".join(["Home", "Tech", *above, *features, *below])).body
    assert all(f in body for f in features) and all(p in body for p in above + below)


def test_a_table_delivered_one_cell_a_line_is_no_list() -> None:
    """A table that a scraper delivers one cell a line (names, then figures alone: "127",
    ".907") between two paragraphs is no list of the article's: its cells go, the paragraphs
    stay. A list whose items name figures among words stays."""
    above = [f"The league's oldest clubs have won more often than the new ones since the format changed, and "
             f"the gap widened again in season number {n}, the league's report said." for n in range(1, 4)]
    below = [f"The report also found that clubs with their own grounds won more home games, a pattern that "
             f"held in season number {n} as in every season before it." for n in range(4, 7)]
    table = ["Club", "W", "L", "PCT"]
    for name, won, lost in (("Harbour", 127, 13), ("Northgate", 115, 14), ("Riverside", 118, 20),
                            ("Old Town", 113, 22), ("Westfield", 102, 28)):
        table += [name, str(won), str(lost), f"{won / (won + lost):.3f}".lstrip("0")]
    body = clean_text("\n".join(["Home", "Sport", *above, *table, *below])).body
    paragraphs = body.split("\n\n")
    assert paragraphs == [*above, *below]
    items = ["Harbour won 127 games", "Northgate won 115 games", "Riverside won 118 games", "Old Town won 113"]
    paragraphs = clean_text("\n".join(["Home", "Sport", *above, *items, *below])).body.split("\n\n")
    assert paragraphs == [*above, *items, *below]


def test_a_sentence_opening_a_list_below_the_region_brings_its_list() -> None:
    """Past a product box, a sentence of the article that ends with a colon and the list under it
    ("The special edition includes the following:") are the article's, like the prose around."""
    story = [f"The studio confirmed on Monday that the remastered game arrives in January, and preorders for "
             f"the standard edition opened at several stores, report number {n} said." for n in range(1, 6)]
    box = ["Preorder At Store One", "Preorder At Store Two", "$50", "Preorder The Special Edition"]
    intro = ("The special edition of the remastered game is sold only through the studio's own store, and it "
             "includes the base game as well as the following:")
    items = ["A set of collector trading cards", "A patch of the game's main faction",
             "A set of four enamel pins", "A steel display case"]
    after = ("The remastered game also brings a new survival mode to the studio's story, the preorder page of "
             "the special edition says, along with three levels cut from the original.")
    body = clean_text("\n".join(["Home", "Games", *story, *box, intro, *items, after, "Comments"])).body
    assert all(p in body for p in story) and intro in body and all(i in body for i in items) and after in body
    assert not any(b in body for b in box)


def test_the_sites_trust_panel_above_the_headline_is_not_the_article() -> None:
    """A review site's "Why you can trust us" panel (how it tests, that it earns affiliate
    commissions, what its editorial team does) is dense prose above the headline: neither the
    body nor the title."""
    panel = [
        "Why you can trust us",
        "The Review Desk independently tests and researches products to bring you our best recommendations "
        "and advice. When you buy through our links, we may earn a commission.",
        "Our recommendations are based on many hours of testing, research, and comparison shopping, and we "
        "gather data from the best available sources, including vendor and retailer listings.",
        "When you click through from our site to a retailer and buy a product or service, we may earn "
        "affiliate commissions. This helps support our work, but does not affect what we cover or how.",
        "The Review Desk's editorial team writes on behalf of you, our reader, and our editors review and "
        "check every article to make sure that what we publish meets the highest standards.",
    ]
    headline = "Lighthouse launches a cheaper cloud plan for small teams"
    story = [f"Lighthouse said on Tuesday that its new cloud plan costs half as much as the old one, and that "
             f"small teams can move their projects to it in a day, report number {n} said." for n in range(1, 7)]
    clean = clean_text("\n".join(["Home", "Reviews", *panel, "Close", "Home", "Cloud", headline, *story]))
    assert clean.title == headline
    assert clean.body.startswith(story[0]) and not any(p in clean.body for p in panel[1:])


def test_an_affiliate_note_under_the_byline_is_no_standfirst() -> None:
    """The line right under the byline and date is read as the standfirst, unless it is the
    site's furniture: "We may earn a commission from links on this page." stays out."""
    note = "We may earn a commission from links on this page."
    headline = "Harbour club signs a pitcher from overseas for a record fee"
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "Sport", headline, "By Jane Doe", "Published Thursday 1:30PM", note,
                                  "Photo", *story]))
    assert clean.title == headline and note not in clean.body and clean.body.startswith(story[0])


def test_the_authors_box_under_the_byline_is_no_standfirst() -> None:
    """A byline that opens the author's box on hover prints the biography right under it ("Jane
    Doe, CLC is a certified ... journalist covering health"): no standfirst of the article."""
    bio = ("Jane Doe, RN is a registered nurse, author, and journalist covering family health, sleep, "
           "and the science of ageing.")
    paras = "".join(f"<p>A short walk after dinner may help you sleep, according to a small study published this "
                    f"month, and doctors say part {n} of the advice is easy to follow at any age.</p>"
                    for n in range(1, 7))
    headline = "A walk after dinner may help you sleep"
    clean = clean_html(f"<html><head><title>{headline}</title></head><body><header><h1>{headline}</h1>"
                       f"<div class='byline'>By <a href='/jane'>Jane Doe</a></div><div class='tip'>{bio}</div>"
                       f"<div>Published December 20, 2023</div></header><article>{paras}</article></body></html>")
    assert clean.title == headline and bio not in clean.body and clean.body.startswith("A short walk")


def test_a_headline_glued_to_its_posted_on_line_is_split() -> None:
    """A scraper that joins inline elements runs the headline into its date line ("<headline>
    posted on 2023-12-19 23:30 EST by Jane Doe"): headline, date and author are each read. A
    sentence saying that something was posted on a day stays whole."""
    headline = "Harbour club signs a pitcher from overseas for a record fee"
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "Sport", f"{headline} posted on 2023-12-19 23:30 EST by Jane Doe",
                                  *story]))
    assert clean.title == headline and clean.published_at is not None
    assert clean.published_at.date().isoformat() == "2023-12-19" and clean.authors == ["Jane Doe"]
    sentence = ("The club's statement about the pitcher's contract was posted on December 8 by the league office "
                "and read out at the press conference.")
    assert sentence in clean_text("\n".join(["Home", "Sport", headline, *story[:3], sentence, *story[3:]])).body


def test_a_headline_glued_to_its_by_name_and_date_is_split() -> None:
    """"<headline> by Jane Doe, Dec 19th 2023": the headline is read without its byline, and the
    byline and date are read from the tail. A sentence of the body that names a day after a
    name with "by" stays whole."""
    headline = "Harbour club signs a pitcher from overseas for a record fee"
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "Sport", "Remind me later", f"{headline} by Jane Doe, Dec 19th 2023",
                                  *story]))
    assert clean.title == headline and clean.authors == ["Jane Doe"] and clean.published_at is not None
    assert clean.published_at.date().isoformat() == "2023-12-19"
    sentence = "The contract was signed on the harbour by Jane Doe, the club's chair, on December 8, 2023."
    assert sentence in clean_text("\n".join(["Home", "Sport", headline, *story[:3], sentence, *story[3:]])).body


def test_a_slide_counter_run_into_its_title_is_split() -> None:
    """A gallery's counter run into the first slide's title ("01/4Harbour club signs ..."): the
    title is read without the counter. A date or a fraction before a space or a small letter
    stays."""
    headline = "Harbour club signs a pitcher from overseas for a record fee"
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "Sport", f"01/4{headline}", *story]))
    assert clean.title == headline
    assert split_glued(["01/4Harbour club", "12/7 Harbour club", "3/4ths of the club"]) == [
        "01/4", "Harbour club", "12/7 Harbour club", "3/4ths of the club"]


def test_a_video_title_and_its_play_label_are_no_headline() -> None:
    """Under the headline a video player prints its "play" label and the video's title with its
    running time ("... in complete darkness? (6:37)"): the label is not joined to the headline
    as if it continued it, and the video's title is no headline. A hard-wrapped sentence still
    joins its next line."""
    headline = "Our ten best players of the season, and why the new pitcher is not one of them"
    video = "Watch the harbour club's pitcher train on the pier at night (6:37)"
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    clean = clean_text("\n".join([
        "Home", "Sport", "2d", headline, "play", video,
        "The club's new pitcher trained on the pier after dark on Tuesday, with the coaches watching.",
        "Jane Doe, Sport EditorDec 19, 2023, 05:30 PM", "Close", *story]))
    assert clean.title == headline
    assert unwrap(["The club signed the pitcher on Thursday for a record", "fee and a bonus.", headline, "play"]) == [
        "The club signed the pitcher on Thursday for a record fee and a bonus.", headline, "play"]


def test_a_line_ending_with_an_article_runs_on_into_a_name_set_on_the_next_line() -> None:
    """A link on a name that a scraper set on a line of its own: the line before it ends with
    "the" or "a", which no sentence or headline ends with, so the two are one sentence."""
    parts = ["The ferry company is preparing a new timetable app for phones like the",
             "Harbour Pass, a move that could end paper tickets on every route by the spring."]
    assert unwrap(parts) == [" ".join(parts)]
    headline = "Ferry company plans a new timetable app for the harbour routes"
    assert unwrap([headline, "Harbour Pass holders get the first look"]) == [
        headline, "Harbour Pass holders get the first look"]


def test_a_headline_that_opens_with_a_social_network_s_name_is_no_share_button() -> None:
    """"Facebook" or "Twitter icon" alone is a share button; a headline that opens with the
    network's name ("Twitter changes its rules ...") is a headline, and a short paragraph that
    opens with it is the article's."""
    headline = "Twitter changes its rules for political adverts before the election"
    story = [f"The company said on Tuesday that political adverts would carry a label naming who paid for "
             f"them, and that the change would reach every country by the spring, in step {n} of the plan."
             for n in range(1, 6)]
    short = "Twitter did not say how many adverts the change would affect."
    clean = clean_text("\n".join(["Home", "Tech", "Facebook", "Twitter icon", headline, "By Jane Doe",
                                   "Published December 22, 2023", *story[:2], short, *story[2:],
                                   "Facebook", "Twitter", "Email"]))
    assert clean.title == headline
    assert short in clean.body and "Twitter icon" not in clean.body and "Email" not in clean.body


def test_a_caption_ending_with_a_date_is_no_date_line() -> None:
    """A photo's caption that ends with a date ("The bridge was opened to traffic on May 4, 1962")
    under the byline is a sentence, not the article's date line; a label's few words before the
    date ("This story was published on ...") still make one."""
    story = [f"The harbour bridge turns sixty this week, and the council said on Friday that repairs to its deck "
             f"would begin in the spring, in step {n} of a plan to keep it open for another fifty years."
             for n in range(1, 6)]
    head = ["Home", "News", "Harbour bridge turns sixty as repairs are planned", "By Jane Doe"]
    caption = "The harbour bridge was opened to traffic by the mayor on May 4, 1962"
    clean = clean_text("\n".join([*head, caption, *story]))
    assert clean.published_at is None
    clean = clean_text("\n".join([*head, "This story was published on December 22, 2023", *story]))
    assert clean.published_at is not None and clean.published_at.date().isoformat() == "2023-12-22"


def test_a_text_size_widget_under_the_date_line_is_no_author() -> None:
    """"Text Size" (a font-size widget's label) between the date line and the byline is shaped
    like a name but names no one: the byline below gives the author."""
    from services.cleaner.cues import is_name

    story = [f"The harbour authority said on Friday that ferry fares would rise in the spring, and that the "
             f"money would pay for two new boats, in step {n} of a plan to modernise the fleet." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "News", "Ferry fares to rise in the spring", "Published:",
                                   "Wednesday, 21 Sep 2023 | 4:35 PM ET", "Text Size", "By: Jane Doe",
                                   "Senior Editor", *story]))
    assert clean.authors == ["Jane Doe"]
    assert not is_name("Text Size") and not is_name("Font Size")


def test_a_video_transcript_printed_with_running_times_is_no_lead() -> None:
    """A video's transcript above the article, a running time opening each line ("00:43 ..."),
    reads like sentences but is no part of the article; times of day ("8:41 PM on ...") are not
    running times."""
    headline = "Harbour bridge to close for repairs in the spring"
    transcript = [f"00:{n:02d} the council said today that the harbour bridge would close for repairs in spring."
                  for n in range(1, 40, 4)]
    story = [f"The council said on Friday that the harbour bridge would close for repairs in the spring, and that "
             f"ferries would run every ten minutes while it was shut, in step {n} of the plan." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "News", headline, "By Jane Doe", "Published December 22, 2023",
                                   "Automatically generated transcript", *transcript, "Share", *story]))
    assert clean.title == headline
    assert clean.body.split("\n\n") == story


def test_a_headline_written_as_sentences_over_a_short_standfirst_and_byline() -> None:
    """A headline in two sentences, a one-sentence standfirst shorter than it, then the byline:
    the headline is a candidate and is read."""
    headline = "Yes, the new harbour bridge is worth the wait. Here is what changes for cyclists and drivers."
    story = [f"The council opened the new harbour bridge on Thursday, and engineers said its cycle lane and "
             f"supports would outlast the old bridge by decades, according to report number {n}." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", ">", "City", headline, "Its cycle lane is wide.",
                                  "By Jane Doe on December 22, 2023", "Share on Facebook", *story]))
    assert clean.title == headline and clean.authors == ["Jane Doe"]


def test_the_headers_date_line_wins_and_a_bare_date_line_a_few_lines_above_counts() -> None:
    """A bare date line a few lines above the headline, an editors' note between them, is the
    article's date when none is printed below it (not a sidebar's dates further down); and the
    date line under the byline wins over a masthead's "today" above the headline."""
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    headline = "Harbour club signs a pitcher from overseas for a record fee"
    sidebar = ["More from Sport", "Harbour club loses its opening game at home", "Dec 23, 2023",
               "City council votes on the new bridge", "Dec 21, 2023", "Ferry fares rise in April", "Dec 20, 2023"]
    above = clean_text("\n".join([
        "Home", "Sport", "Baseball", "December 22, 2023", "report", "Editors' notes",
        "This article has been reviewed according to our editorial process.", "Editors have highlighted",
        "proofread", headline, "by Jane Doe , Harbour Daily", "Share", "Email", "Print", "Save", *story, *sidebar]))
    assert above.title == headline and above.published_at is not None
    assert above.published_at.date().isoformat() == "2023-12-22"
    masthead = clean_text("\n".join(["Home", "Sport", "Monday, December 25, 2023", "Baseball", "Scores", headline,
                                     "By Jane Doe", "December 22, 2023", *story]))
    assert masthead.published_at is not None and masthead.published_at.date().isoformat() == "2023-12-22"


def test_a_photo_caption_with_its_credit_is_no_headline() -> None:
    """A caption closing with its credit ("... on December 14, 2023 [Jane Doe/Agency]") between
    the standfirst and the byline shares the article's words but is no headline candidate."""
    headline = "Storm tracker: figures and graphics, updated daily"
    deck = "The count stands at 2,700 homes flooded along the harbour since the storm began."
    caption = "Residents look at the site of a flooded house on the harbour road on December 14, 2023 [Jane Doe/Agency]"
    story = [f"The harbour flood reached {n} more streets on Thursday, and residents of the harbour road said the "
             f"water rose faster than in any flood they remembered, according to the council's report."
             for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "World", "Live", headline, deck, caption, caption, "By Data Desk",
                                  "Published On 9 Oct 2023", *story]))
    assert clean.title == headline and caption not in clean.body


def test_a_headline_written_as_sentences_right_over_its_byline() -> None:
    """"I tried 16 recipes this year. These are the 5 I'll make again.": a headline with its stops,
    right over the author's name and the date line, is the headline; a standfirst under a
    headline is not, also when the byline follows it."""
    headline = "I tried 16 soup recipes this year. These are the 5 I'll be making again in 2024."
    story = [f"I cooked my way through the new soup book this year, and recipe number {n} was the one my "
             f"family asked for again and again, so it made the list of the five I will keep." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "Food", headline, "Jane Doe", "2023-12-23T10:52:01Z", "Share",
                                  *story]))
    assert clean.title == headline and clean.authors == ["Jane Doe"]
    other = "Harbour club signs a pitcher from overseas for a record fee"
    deck = "The club says the fee is the highest it has ever paid for a player."
    clean = clean_text("\n".join(["Home", "Sport", other, deck, "By Jane Doe", "December 23, 2023", *story]))
    assert clean.title == other


def test_a_by_set_on_its_own_line_opens_the_byline_below() -> None:
    """A scraper that puts each inline element on its own line splits "By" from the name:
    "By" / "Jane Doe on December 22, 2023" is one byline."""
    headline = "Harbour club signs a pitcher from overseas for a record fee"
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "Sport", headline, "By", "Jane Doe on December 22, 2023", *story]))
    assert clean.title == headline and clean.authors == ["Jane Doe"]
    assert clean.published_at is not None and clean.published_at.date().isoformat() == "2023-12-22"


def test_reporters_named_with_the_place_they_file_from_are_the_authors() -> None:
    """"Jane Doe and John Roe in New York" under the standfirst is the byline; two names alone
    ("Jane Doe and John Roe") may be a headline, and are not read so."""
    from services.cleaner.cues import names_line

    assert names_line("Jane Doe and John Roe in New York") and names_line("Jane Doe in Kyiv")
    assert not names_line("Jane Doe and John Roe") and not names_line("Elections in New York")
    headline = "Harbour club signs a pitcher from overseas for a record fee"
    deck = "The club says the fee is the highest it has ever paid for a player, and the league agrees."
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    clean = clean_text("\n".join(["Home", "Sport", headline, deck, "Jane Doe and John Roe in New York",
                                  "Fri 22 Dec 2023 17.47 CET", *story]))
    assert clean.title == headline and clean.authors == ["Jane Doe", "John Roe"]


def test_the_article_resumes_below_a_table_of_one_cell_a_line() -> None:
    """A table inside the article comes out of a scrape one cell a line (a hundred short lines):
    the article's paragraphs below it are the article's; the site's trademark line under them is
    not."""
    story = [f"The conference's new television deal pays each school more than before, and the league's "
             f"commissioner said on Monday that the money would keep its members together, note {n} said."
             for n in range(1, 6)]
    cells = ["SCHOOL", "CONF", "W", "L"] + [c for n in range(20) for c in (f"School{n}", "SEC", str(100 + n), "13")]
    after = ("What that means for the conference's members is not yet clear, and the commissioner said on "
             "Monday that the schools would vote on the television deal and the money in the spring.")
    legal = ("LEAGUE and its marks are trademarks of the League, LLC. All other trademarks are the property "
             "of their respective owners.")
    body = clean_text("\n".join(["Home", "Sport", *story, "Best records since 2014", *cells, after, legal])).body
    assert all(p in body for p in story) and after in body and legal not in body
    from services.cleaner.text import says_furniture

    assert says_furniture(legal, len(legal.split())) and not says_furniture(after, len(after.split()))


def test_a_newsletter_forms_prompt_and_consent_boxes_are_furniture() -> None:
    """A sign-up box set inside the article ("Sign up to get the best content of the week ...",
    "Contact me with news and offers from other brands", "Receive email from us on behalf of our
    partners"): the site's voice, not the article's; a sentence about signing up to get something
    else is the article's."""
    from services.cleaner.text import says_furniture

    for line in ("Sign up to get the best content of the week, and great deals, as picked by the editors.",
                 "Contact me with news and offers from other Harbour brands.",
                 "Receive email from us on behalf of our trusted partners or sponsors."):
        assert says_furniture(line, len(line.split())), line
    prose = "Voters can sign up to get their absentee ballots by mail until Friday, the county clerk said."
    assert not says_furniture(prose, len(prose.split()))


def test_media_fallbacks_link_calls_and_share_labels_are_furniture() -> None:
    """"Your browser does not support the <audio> element.", "CLICK HERE TO READ MORE FROM THE
    DAILY", "Social Sharing", "View this post on Instagram", "Start Free Trial", a contributors'
    disclaimer, an embed's privacy and terms line, "Get the full recipe here.", "(Learn more about
    ...)" set in brackets, a picture's
    credit alone ("Courtesy of ...", "Getty Images"), "You Might Also Like": what a page's
    player, link box, share widget,
    embedded post and buttons print between the paragraphs; a sentence that says a reader
    clicked or shared something stays."""
    from services.cleaner.text import says_furniture

    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    furniture = ["Your browser does not support the <audio> element.", "CLICK HERE TO READ MORE FROM THE DAILY",
                 "Social Sharing"]
    body = clean_text("\n".join(["Home", "Sport", story[0], furniture[0], story[1], story[2], furniture[1],
                                 story[3], furniture[2], story[4]])).body
    assert all(p in body for p in story) and not any(f in body for f in furniture)
    more = ["View this post on Instagram", "A post shared by @harbourclub", "Start Free Trial", "AdChoices",
            "READ MORE: The harbour club's coaches say the new pitcher will start the opening game of the "
            "season next month",
            "Opinions expressed by Daily contributors are their own.",
            "The video's privacy policy is available here and its terms of service are available here.",
            "Get the full recipe for the club's famous harbour stew here.", "Listen to the new club song here.",
            "You Might Also Like", "Follow the Harbour Daily on Instagram", "View full post on Youtube",
            "Save Article", "Courtesy of the Harbour Club", "Getty Images", "Source: Harbour Statistics Office.",
            "(Here's what to know about the new stadium.)", "(Learn more about how to buy season tickets.)",
            "For more, read How to Buy Season Tickets Online.", "For more on the club's history, see Our Story."]
    assert all(says_furniture(t, len(t.split())) for t in more)
    kept = ["Fans who click here to read the club's statement find no word on the fee.",
            "Social sharing of the video passed a million views by Friday, the club said.",
            "Get ready for a long season, the coach told the players who gathered here.",
            "See you at the game on Saturday. We will all be here.",
            "Courtesy of the club, every fan got a free ticket.",
            "Follow-up talks with the league on Monday went well, the club said.",
            "(Here the club's statement ends.) The league said nothing.",
            "(Two other clubs, here and abroad, had bid for the pitcher.)",
            "For more than a decade, read-outs of the club's accounts were kept secret."]
    assert not any(says_furniture(t, len(t.split())) for t in kept)


def test_a_credit_alone_in_brackets_goes_and_an_aside_stays() -> None:
    """"(Getty Images)" on a line of its own under a photo is its credit, no paragraph; an aside
    the article sets in brackets is a sentence and stays."""
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season, report number {n} said." for n in range(1, 6)]
    aside = "(Two other clubs had bid for the pitcher.)"
    body = clean_text("\n".join(["Home", "Sport", story[0], story[1], "(Getty Images)", story[2], aside,
                                 story[3], "[EPA]", story[4]])).body
    assert all(p in body for p in story) and aside in body
    assert "(Getty Images)" not in body and "[EPA]" not in body


def test_a_caption_with_its_credit_run_into_it_goes() -> None:
    """A caption whose credit a scraper ran into its last sentence ("... to mark the occasion.Getty
    Images", "... snowfall.NOAA") is no paragraph; a sentence that ends with a stop stays."""
    story = [f"The harbour club signed the pitcher on Thursday for a record fee, and the coaches said he would "
             f"start the opening game of the season in St. Louis, report number {n} said." for n in range(1, 6)]
    captions = ["Fans of the harbour club gathered on the old pier on Thursday evening to welcome the new pitcher "
                "and the coaches to the city.Jane Doe/Agency",
                "The harbour's rainfall over the two days of the storm was the highest in the records the city "
                "has kept.Weather Service"]
    body = clean_text("\n".join(["Home", "Sport", story[0], story[1], captions[0], story[2], story[3],
                                 captions[1], story[4]])).body
    assert all(p in body for p in story) and not any(c in body for c in captions)


def test_the_link_a_see_also_label_introduces_goes() -> None:
    """"SEE ALSO:" on its own line, then the linked story's headline (a full sentence or not),
    inside the article: both go, the paragraphs around them stay."""
    link = "I tried every budget phone this year. Here's what I learned."
    opening = ("The customs office said on Monday that import volumes had fallen for a third month, "
               "as traders waited for the new tariff schedule to take effect.")
    body = clean_text("\n".join(["Home", opening, "SEE ALSO:", link, ARTICLE])).body
    assert link not in body and "SEE ALSO" not in body
    assert body.startswith(opening) and ARTICLE.split("\n\n")[-1] in body


def test_the_author_box_past_the_body_ends_it() -> None:
    """More stories with their first paragraphs under the author's box are dense prose too: the
    box, found past the first half of the body, ends it."""
    story = [f"The council approved the new budget on Tuesday after debate number {n} about the cost of "
             f"road repairs in the old town and the harbour district." for n in range(1, 9)]
    bio = "Tom Okafor is a senior reporter at the Gazette covering local government and transport."
    others = [f"Another council voted on plan {n} for the bus network on Monday, and residents said the "
              f"new timetable would make their journeys to work shorter." for n in range(1, 4)]
    body = clean_text("\n".join(["Home", *story, bio, *others])).body
    assert all(p in body for p in story) and bio not in body and not any(p in body for p in others)


def test_title_case_headlines_with_a_final_mark_after_the_article_go() -> None:
    """"Star Shares Her Holiday Plans!": other stories' headlines in Title Case with a final "!"
    or "?" under the article are a related list, not sentences of the story."""
    story = [f"The singer brought her daughter to the film premiere on Monday, and the pair posed for "
             f"photographers for several minutes before going inside, report number {n} said." for n in range(1, 5)]
    related = ["Singer Talks About Being Attracted To The Right Kind Of People Amid New Romance!",
               "Comedian Has Special Surprise Planned For Girlfriend's Birthday!",
               "Why The Actress Feels So Safe And Secure With Her Boyfriend?",
               "Reality Couple Celebrating Their Son's First Christmas In The Cutest Way!"]
    body = clean_text("\n".join(["Home", *story, *related, "About us", "Contact"])).body
    assert all(p in body for p in story) and not any(r in body for r in related)


def test_a_carousel_of_long_headlines_is_no_article() -> None:
    """Four or more long lines in a row without a final stop (another stories' headlines, as a
    news site's carousel prints them) are not the article, however many words they hold."""
    carousel = [f"Local council leader number {n} says the new harbour bridge will be finished before "
                f"the summer despite the long delays and the rising cost of steel" for n in range(1, 7)]
    story = [f"The city's new tram line opened on Sunday, and the first passengers said report number {n} "
             f"had been right about the quiet carriages and the short waits." for n in range(1, 5)]
    body = clean_text("\n".join(["Home", *carousel, "Trams open at last", "By Jane Doe", *story])).body
    assert all(p in body for p in story) and not any(c in body for c in carousel)


def test_a_most_popular_box_inside_the_article_does_not_end_it() -> None:
    """A "Most Popular" box set inside the article (headlines and bylines), then two more of its
    paragraphs: the article goes on below the box. A box followed by other prose ends it."""
    story = [f"The designer bags took a back seat this year, as cheap nylon belt bags and quilted totes "
             f"from high-street shops sold out in city {n}, the retailers said." for n in range(1, 7)]
    box = ["Most Popular", "Celebrity Style", "Star Looks Unrecognizable With New Hair", "By Jane Doe"]
    gallery = [f"Photographer {n}/Agency" for n in range(12)]
    more = ["The quilted totes and nylon belt bags will stay popular next year, the retailers said, because "
            "shoppers want cheap bags that still look like the designer ones.",
            "Some retailers said the cheap nylon bags sold out twice this year, and they ordered more quilted "
            "totes for the spring from the same designer suppliers."]
    body = clean_text("\n".join(["Home", *story, *gallery, *box, *more])).body
    assert all(p in body for p in story + more) and "Star Looks" not in body
    other = ["The city's football club won its third match in a row on Saturday, and the coach praised the "
             "young defenders after the game.", *more]
    ended = clean_text("\n".join(["Home", *story, *gallery, *box, *other])).body
    assert not any(p in ended for p in other)


def test_other_stories_cards_after_the_article_go_its_own_sections_stay() -> None:
    """"Latest Videos": a title and a sentence, three times or more, about other things, at the
    body's end, go; a listicle's entries (a title and a sentence about the article's subject)
    stay."""
    story = [f"The actor said on Monday that the new crime series, filmed on the coast over a wet "
             f"winter, was the hardest role of his career, in interview number {n}." for n in range(1, 6)]
    cards = ["Ocean Giants Official Trailer", "Explore the deep sea with a famous naturalist, premieres on Sunday.",
             "Top Cars: New Season", "The presenters drive across the desert in three old sports cars.",
             "Wild Year Trailer", "A year in the life of a lion family on the African plains, in four parts."]
    body = clean_text("\n".join(["Home", *story, "Latest Videos", *cards, "About us"])).body
    assert all(p in body for p in story) and not any(c in body for c in cards[1::2])
    entries = ["The First Season", "The actor filmed the first season of the crime series on the coast in winter.",
               "The Second Season", "The second season of the crime series brought the actor back to the coast.",
               "The Third Season", "In the third season the actor's role in the series became the hardest one."]
    listicle = clean_text("\n".join(["Home", *story, *entries, "About us"])).body
    assert all(e in listicle for e in entries[1::2])


def test_an_inline_ticker_on_its_own_line_is_joined_back() -> None:
    """A scraper that sets inline chips (ticker symbols) as blocks splits a sentence around them:
    the pieces are one sentence again; a count or a menu word between lines is no chip."""
    from services.cleaner.text import unwrap

    parts = ["With a ten per cent decline this year, the utilities sector", "XX:SP500.55",
             "has lagged the broader index and its", "SPX", "23.6% advance."]
    assert unwrap(parts) == ["With a ten per cent decline this year, the utilities sector XX:SP500.55 has lagged "
                             "the broader index and its SPX 23.6% advance."]
    assert unwrap(["Maria Lopez and Daniel Brooks, together", "73", "edit"]) == [
        "Maria Lopez and Daniel Brooks, together", "73", "edit"]
    # an agency's name over the date line under a headline is the story's credit, no chip
    header = ["A third harbour pilot joins the strike on the northern routes", "AFP",
              "30 April 2015 at 07:19 (Updated: 30 April 2015 at 07:38)"]
    assert unwrap(header) == header


def test_a_section_heading_over_a_photo_caption_stays() -> None:
    """"Best strategy game" / "Five more minutes: Old Empires (1999)" / "(Image credit: Studio)"
    between two paragraphs: two headings and a caption are no menu; the headings stay."""
    above = [f"I played at least a hundred old games this year, and game number {n} is the one I would "
             f"still recommend to anyone who asks me about the old classics." for n in range(1, 4)]
    below = [f"The old strategy game still keeps me up at night, and session number {n} went on until "
             f"three in the morning before I noticed the time." for n in range(1, 4)]
    heads = ["Best strategy game", "Five more minutes: Old Empires (1999)"]
    body = clean_text("\n".join(["Home", *above, *heads, "(Image credit: Old Studio)", *below])).body
    assert all(h in body for h in heads) and "Image credit" not in body


def test_a_long_standings_table_is_kept_whole_when_the_classifier_keeps_part_of_it() -> None:
    """A standings table of four sections with no sentence in it: the line classifier keeps only
    part of it (its densest run of rows), which is more than a short body, so the whole text
    must still be tried because nothing kept is prose; every row is indexed, with the headline."""
    rng = random.Random(4)
    towns = [f"{a}{b}" for a in ("North", "South", "East", "West", "Ash", "Oak", "Elm", "Stone", "Brook", "Mill")
             for b in ("field", "ford", "bury", "wick", "ton", "ham", "by", "port")]
    lines = ["SOCCER - NORTHERN LEAGUE STANDINGS.", "LONDON 2025-03-01", "Standings in the northern leagues",
             "after Saturday's matches (tabulated - played, won, drawn, lost,", "goals for, goals against, points):"]
    rows = []
    for n, section in enumerate(("Premier league", "Division One", "Division Two", "Division Three")):
        lines.append(section)
        for town in towns[20 * n:20 * n + 20]:
            won, drawn, lost = rng.randint(2, 12), rng.randint(2, 8), rng.randint(2, 10)
            rows.append(f"{town} {won + drawn + lost} {won} {drawn} {lost} {rng.randint(10, 40)} "
                        f"{rng.randint(10, 40)} {3 * won + drawn}")
            lines.append(rows[-1])
    clean = clean_text("\n".join(lines))
    assert all(row in clean.body.split("\n\n") for row in rows)
    assert {"whole_text", "no_prose", "tabular"} <= set(clean.quality_flags)
    assert clean.title == "SOCCER - NORTHERN LEAGUE STANDINGS."


def test_captions_that_close_with_their_credit_go() -> None:
    """Photo captions set between the paragraphs end with their credit in the forms picture desks
    use ("Credit: ...", "(Name / Paper)", "Name/Agency", "Agency via Images"): they go, however
    long and sentence-like; paragraphs that speak of photos or slashes stay."""
    from services.cleaner.text import ends_with_credit

    captions = [
        "Residents clear debris from the flooded main street of the river town on Monday morning. Credit: Jane Doe",
        "The mayor speaks to reporters outside the town hall after the council vote on Tuesday. "
        "(Tom Smith / The Daily Courier)",
        "Volunteers fill sandbags near the old bridge as the water keeps rising. Ann Lee/Agency Images",
        "Firefighters carry a resident to safety across the flooded square. Agency via Wire Images",
        "The flood reached the first floor of the old library. Photograph by Mark Cole",
        "The old bridge, closed since Sunday, in an aerial view. [Sam Green/Wire]",
    ]
    prose = [
        "The photographer said the photo by the bridge was the hardest one she took that week.",
        "Prices rose 3.2% year on year, and the 24/7 helpline took more calls than ever.",
        "She said: the town will rebuild, and it will do so quickly.",
    ]
    assert all(ends_with_credit(c) for c in captions)
    assert not any(ends_with_credit(p) for p in prose)
    story = [f"The river burst its banks on Sunday night, and by morning report number {n} said the water "
             f"had reached the market square and the streets around the church." for n in range(1, 7)]
    body = clean_text("\n".join(["Home", *story[:3], captions[0], captions[1], *story[3:], "About us"])).body
    assert all(p in body for p in story) and "Credit:" not in body and "Courier" not in body


def test_the_site_speaking_of_itself_is_furniture() -> None:
    """Affiliate disclosures, editorial-policy notes, newsletter and subscription prompts and
    ad-blocker notices are the site's word about itself, not the article's, at any paragraph's
    length; a story that speaks of newsletters, subscriptions or commissions stays."""
    from services.cleaner.text import says_furniture

    voice = [
        "We may earn a commission from links on this page.",
        "If you purchase a product through a link on our site, we may receive compensation. By using this site, "
        "you consent to our User Agreement and agree that your clicks and interactions may be collected, recorded "
        "and stored by us and by social media and other third-party partners in accordance with our Privacy Policy.",
        "This article has been reviewed according to the magazine's editorial process and policies.",
        "Sign up for the weekly science newsletter, delivered right to your inbox every Friday.",
        "Want to bookmark your favourite articles to read later? Start your Premium subscription today.",
        "Click the AdBlock button on your browser and select Don't run on pages on this domain.",
        "To show you this content, we need your permission to use cookies.",
        "This content is provided by Podbox, which may be using cookies and other technologies.",
        "You can change your privacy settings at any time in the footer of this page.",
        "Use of and/or registration on any portion of this site constitutes acceptance of our User Agreement.",
        "The material on this site may not be reproduced, distributed or transmitted without our permission.",
        "Community Rules apply to all content you upload or otherwise submit to this site.",
        "An icon in the shape of an angle pointing down.",
    ]
    story = [
        "The streaming company said subscriptions rose by two million in the quarter, helped by a cheaper plan.",
        "The commission will publish its report on the harbour in the spring, the minister said on Monday.",
        "Readers of the town's newsletter voted for the new library design, which won by a wide margin.",
        "Experts advise that you change your privacy settings on the app and turn off location sharing.",
        "The results could not be reproduced by two other labs, and the journal withdrew the paper.",
        "New parking rules apply to every street in the old town from Monday, the council said.",
    ]
    notes = [
        "This interview has been lightly edited and condensed for clarity.",
        "This story will appear in the December 16 issue of the magazine.",
        "Editor's note: This continues a series where we review the top drivers of the season.",
        "A previous version of this story said that the bridge would open in May. It opens in June.",
    ]
    assert all(says_furniture(v, len(v.split())) for v in voice + notes)
    assert not any(says_furniture(s, len(s.split())) for s in story)
    assert not says_furniture("This story was updated on August 25.", 7)  # pages print it as the article's
    # an affiliate note set in a paragraph of the article is read as the article's, as many pages do
    inline = ("Just a heads up, some of the links in this guide are affiliate links: if you click on them and make "
              "a purchase, we may earn a small commission at no extra cost to you.")
    assert not says_furniture(inline, len(inline.split()))
    paragraphs = [f"The council approved the new harbour plan on Tuesday, and report number {n} said the work "
                  f"would start in the spring and last for two years." for n in range(1, 7)]
    body = clean_text("\n".join(["Home", *paragraphs[:3], voice[0], *paragraphs[3:], voice[3], "About us"])).body
    assert all(p in body for p in paragraphs) and "commission" not in body and "inbox" not in body


def test_the_lead_is_taken_back_past_two_strips_below_its_headline() -> None:
    """Below the headline found, the lead is taken back past one strip and then another: the
    span is counted from the last paragraph taken back, not from the region."""
    strip = [f"Celebrity story number {n} with a short teaser headline" for n in range(1, 13)]
    lead = ["The small bakery on the harbour won the national bread prize on Friday for its sourdough loaf, "
            "beating more than two hundred bakeries from across the country.",
            "The bakery's owner said the prize was a surprise, because the recipe had been in her family for "
            "three generations and had never been entered in a competition."]
    middle = ["\"We never expected anything like it, and I still cannot quite believe it happened to us,\" she "
              "told reporters who gathered outside on Saturday morning."]
    rest = [f"The judges said the loaf had a crisp crust and an open crumb, and that the bakery's sourdough stood "
            f"out in round {n} of the tasting, where the owner's family recipe impressed them." for n in (1, 2, 3, 4)]
    parts = ["Home", "News", "Local bakery wins the national bread prize for its sourdough loaf", "By Jane Doe",
             "Published December 22, 2023", *lead, *strip, *middle,
             *(s.replace("story", "photo") for s in strip), *rest]
    clean = clean_text("\n".join(parts))
    assert clean.title == "Local bakery wins the national bread prize for its sourdough loaf"
    assert clean.body.startswith("The small bakery on the harbour won")
    assert all(p in clean.body for p in lead + middle + rest) and "Celebrity" not in clean.body


def test_a_lead_split_off_by_a_most_read_box_is_taken_back_without_a_headline_found() -> None:
    """With no headline found above it, the lead is taken back past a "Most read" box of kickers
    and headlines longer than the span above the region: the span runs from the last paragraph
    taken back, each one about what the article says."""
    lead = [f"The small bakery on the harbour won the national bread prize on Friday for its sourdough loaf, "
            f"and its owner said the family recipe had made the difference in round {n} of the judging."
            for n in (1, 2, 3, 4)]
    box = ["Most read in News"] + [line for n in range(1, 5) for line in
                                   (f"KICKER {n}", f"Another story number {n} that readers clicked on today")]
    rest = [f"The judges said the sourdough loaf had a crisp crust and an open crumb, and that the bakery's family "
            f"recipe stood out in round {n} of the tasting held on the harbour on Friday." for n in range(5, 11)]
    clean = clean_text("\n".join(["Home", "News", "Menu", *lead, *box, *rest]))
    assert all(p in clean.body for p in lead + rest), clean.body[:300]
    assert "Another story" not in clean.body and "KICKER" not in clean.body


def test_a_lead_printed_again_as_a_teaser_still_opens_the_article() -> None:
    """The article's one-sentence lead, printed again lower down in a share box, loses its score
    as a repeated line; right above the region and about what it says, it is taken back."""
    lead = ("Harbour officials closed 14 piers on the east quay on Friday and fined more than 60 boat owners "
            "for mooring without a permit.")
    rest = [f"The harbour authority said the piers would reopen once repairs were finished, and that owners "
            f"fined in round {n} of the checks had until the end of the month to pay or appeal." for n in range(1, 6)]
    parts = ["Home", "News", "Menu", "SHARE", "TWEET", lead, *rest,
             "Share this story", lead, "Post to your feed", "Contact us"]
    clean = clean_text("\n".join(parts))
    assert clean.body.startswith(lead), clean.body[:200]
    assert clean.body.count(lead) == 1 and all(p in clean.body for p in rest)


def test_author_boxes_of_other_shapes_end_the_body() -> None:
    """The author's box also says what the author covers, where they work, or speaks in the first
    person ("As a senior analyst, I report on ..."), and may run long: at the body's end it goes
    with what follows it; a story's sentence about someone who covers a beat stays in the middle."""
    from services.cleaner.text import _is_bio

    boxes = [
        "Maria Lopez covers faith, science and the outdoors for the Daily Courier. She joined the paper in "
        "2006 and has worked across its city, culture and features desks.",
        "Gemma currently works for the European Agency on content and outreach, and was formerly the "
        "content director of two magazines about science and space.",
        "As a senior security analyst, I report on password managers, antivirus software and the tools "
        "that keep families safe online.",
    ]
    assert all(_is_bio(b) for b in boxes)
    assert not _is_bio("The committee works for months on each report, the chairman said on Monday.")
    story = [f"The council approved the new harbour plan on Tuesday, and report number {n} said the work "
             f"would start in the spring and last for two years." for n in range(1, 8)]
    for box in boxes:
        body = clean_text("\n".join(["Home", *story, box, "Latest", "About us"])).body
        assert all(p in body for p in story) and box not in body


def test_an_embedded_post_goes_with_its_signature() -> None:
    """A post quoted from a social network is set as its text and then its signature ("— Jane Doe
    (@janedoe) December 22, 2023"): both go, the article's paragraphs around them stay."""
    story = [f"The council approved the new harbour plan on Tuesday, and report number {n} said the work "
             f"would start in the spring and last for two years." for n in range(1, 7)]
    post = "Huge news for the harbour today: the council finally said yes to the plan, and the work starts in spring."
    signature = "— Jane Doe (@janedoe) December 22, 2023"
    page = ["Home", "Council approves the harbour plan", "By Tom Reyes", *story[:3], post, signature, *story[3:],
            "About us"]
    clean = clean_text("\n".join(page))
    assert clean.title == "Council approves the harbour plan" and clean.authors == ["Tom Reyes"]
    assert all(p in clean.body for p in story) and "Huge news" not in clean.body and "@janedoe" not in clean.body


def test_an_ingredient_list_inside_the_article_stays() -> None:
    """Lines that open with a quantity ("1 cup flour, sifted", "1/2 teaspoon salt"), three or more
    in a row, are the article's own list even where a heading and the steps around it keep it
    from sitting between two paragraphs; a menu of Title Case links does not count."""
    intro = [f"These peppermint cookies are a riff on the bakery's seasonal favourite, and batch number {n} "
             f"came out of the test kitchen softer than the one before it." for n in range(1, 4)]
    items = ["1 cup salted butter, softened", "1 cup packed dark brown sugar", "2 1/2 cups all purpose flour",
             "1/2 cup unsweetened cocoa powder", "1 teaspoon baking soda", "1/2 teaspoon salt"]
    steps = [f"Step {n}: beat the butter with a mixer until creamy, then add the sugar and the flour, and "
             f"chill the dough for an hour before you shape the cookies." for n in range(1, 4)]
    page = ["Home", "Recipes", *intro, "Tips for storing cookies", "Ingredients", *items, "Directions", *steps,
            "Rate It", "Print"]
    body = clean_text("\n".join(page)).body
    assert all(p in body for p in intro + items + steps)


def test_a_link_labelled_also_or_more_is_furniture() -> None:
    """"Also: <headline>" and "MORE: <headline>" between paragraphs link to other stories."""
    from services.cleaner.text import says_furniture

    for link in ("Also: The best wireless headphones of the year", "MORE: Why the team was left out of the playoffs"):
        assert says_furniture(link, len(link.split()))
    assert not says_furniture("More than two hundred bakeries entered the contest.", 8)


def test_the_authors_signature_under_the_article_goes() -> None:
    """The byline's name printed again as the article's last line, maybe with the job title
    below it, is the signature (the author's box may follow it): the authors field holds it, the
    body does not. A last line that names someone else, or a job title alone, stays."""
    from services.cleaner.text import without_signature

    story = [f"The ferry company said on Monday that crossing number {n} to the island would run twice a "
             f"day through the winter, after months of talks with the harbour board." for n in range(1, 6)]
    for signature in (["Jane Okoro"], ["— Jane Okoro"], ["Jane Okoro", "Senior Transport Editor"]):
        box = "Jane Okoro is a senior transport reporter for the Daily Courier."
        page = "\n".join(["Ferries will run all winter", "By Jane Okoro", *story, *signature, box, "Contact us"])
        found = clean_text(page)
        assert found.authors == ["Jane Okoro"]
        assert found.body.split("\n\n") == story
    assert without_signature([*story, "Tom Reyes"], ["Jane Okoro"])[-1] == "Tom Reyes"
    assert without_signature([*story, "Senior Editor"], ["Jane Okoro"])[-1] == "Senior Editor"
    assert without_signature(["Jane Okoro"], ["Jane Okoro"]) == ["Jane Okoro"]


def test_a_shopping_cards_lone_price_lines_go() -> None:
    """A product card's price on a line of its own ("$89", "£61") is no sentence of the article;
    the card's sentence, which names the price, stays."""
    intro = [f"Our editors tested dozens of winter jackets this season, and pick number {n} kept its wearer "
             f"dry through a week of rain on the coast and in the hills." for n in range(1, 4)]
    cards = []
    for n, name in enumerate(("Harbour Shell Jacket", "Summit Down Parka", "Trail Light Anorak", "Coast Rain Cape"),
                             start=1):
        cards += [name, f"The {name} costs ${80 + n}, kept its wearer dry through the rain on the coast and packs "
                  "into its own pocket for a week in the hills.", f"${80 + n}", f"£{60 + n}", "Outdoor Store"]
    body = clean_text("\n".join(["Shop", "The best winter jackets", *intro, *cards, "Newsletter", "About"])).body
    paragraphs = body.split("\n\n")
    assert all(p in paragraphs for p in intro)
    assert "The Summit Down Parka costs $82, kept its wearer dry" in body
    assert not any(p.startswith(("$", "£")) for p in paragraphs)


def test_an_author_label_line_is_a_byline() -> None:
    """"Author: Name, Role" and "Written by Name" on a line of their own are bylines wherever
    they stand (at the article's end, above the author's box): the body leaves them out; a
    sentence that opens with the words stays."""
    from services.cleaner.cues import Cues, read_line

    for line, name in (("Author: Jane Okoro, Senior Editor", "Jane Okoro"), ("Written by Tom Reyes", "Tom Reyes")):
        cues = Cues()
        assert read_line(line, cues) == "byline"
        assert cues.authors == [name]
    assert read_line("Written by hand, the letters were found in a drawer in 1998.", Cues()) is None
    story = [f"The ferry company said on Monday that crossing number {n} to the island would run twice a "
             f"day through the winter, after months of talks with the harbour board." for n in range(1, 6)]
    page = ["Ferries will run all winter", "December 4, 2024", *story, "Author: Jane Okoro, Senior Editor",
            "Coupon Codes", "Contact us"]
    assert clean_text("\n".join(page)).body.split("\n\n") == story


def test_a_summary_made_of_the_articles_own_sentences_goes() -> None:
    """A summary box above the story that strings together its first paragraph and a quote from
    further down is printed again by the story itself: the story's paragraphs stay, the summary
    goes."""
    lead = ("Harbour officials have closed 14 piers and fined more than 60 boat owners for mooring without a "
            "permit, as part of a clean-up that began in March, the port authority said on Friday.")
    quote = ('"We will keep checking every pier until the last abandoned boat has gone," the harbour master '
             'told reporters on the quay.')
    middle = [f"Owners of boat number {n} were given a month to move their craft to the new marina, which "
              f"opened last year at the northern end of the bay with two hundred berths." for n in range(1, 4)]
    summary = f"{lead} {quote}"
    page = ["Harbour clears abandoned boats", "Summary", summary, summary, "By Ana Lima",
            f"PORTVALE: {lead}", *middle, quote, "Most read", "Contact us"]
    paragraphs = clean_text("\n".join(page)).body.split("\n\n")
    assert summary not in paragraphs
    assert paragraphs == [f"PORTVALE: {lead}", *middle, quote]
    # a paragraph with a sentence of its own is no summary
    own = f"{lead} The authority expects the work to be finished before the summer season."
    page = ["Harbour clears abandoned boats", "By Ana Lima", own, *middle, quote, "Contact us"]
    assert clean_text("\n".join(page)).body.split("\n\n")[0] == own


def test_a_sentence_inside_a_site_notice_goes_with_it() -> None:
    """An ad-blocker dialog prints short sentences between its own lines ("We noticed you're using
    an ad blocker.", "We understand: you like to choose what you see.", "Please turn off your ad
    blocker to keep reading."): the one in between belongs to the notice. A sentence of the
    article next to one notice line stays."""
    story = [f"The river authority said on Friday that lock number {n} would reopen in the spring, after "
             f"divers found the old gates sound and the repair bill came in under budget." for n in range(1, 6)]
    notice = ["We noticed you're using an ad blocker.", "We understand: you like to choose what you see online.",
              "Please turn off your ad blocker to keep reading the Daily Courier."]
    page = ["Locks will reopen", *story[:3], *notice, *story[3:], "Contact us"]
    assert clean_text("\n".join(page)).body.split("\n\n") == story
    closing = "The towpath stays open while the work goes on, the authority said."
    page = ["Locks will reopen", *story, closing, notice[0], "Contact us"]
    assert clean_text("\n".join(page)).body.split("\n\n") == [*story, closing]


def test_icons_described_for_screen_readers_are_furniture() -> None:
    """A page that describes its share icons for screen readers ("An envelope. It indicates the
    ability to send an email.") prints two or more such lines: they go. One sentence of that
    shape alone is read as the article's."""
    story = [f"The river authority said on Friday that lock number {n} would reopen in the spring, after "
             f"divers found the old gates sound and the repair bill came in under budget." for n in range(1, 4)]
    icons = ["An envelope. It indicates the ability to send an email.",
             "A chain link. It symbolizes a link to this page."]
    flag = "A red flag. It indicates that the river is too high for small boats."
    page = ["Locks will reopen", *icons, *story, "Contact us"]
    assert clean_text("\n".join(page)).body.split("\n\n") == story
    page = ["Locks will reopen", *story[:2], flag, story[2], "Contact us"]
    assert clean_text("\n".join(page)).body.split("\n\n") == [*story[:2], flag, story[2]]


def test_a_section_heading_under_a_box_of_other_stories_stays() -> None:
    """A box of other stories' headlines set inside the article, right above a section heading:
    the headlines go, the short heading with the section's paragraph under it stays. A name
    under a headline (a live post's byline) is no heading."""
    first = [f"The river authority said on Friday that lock number {n} would reopen in the spring, after "
             f"divers found the old gates sound and the repair bill came in under budget." for n in range(1, 7)]
    second = [f"Boat owners who moor above lock number {n} will be told of the reopening date by letter in "
              f"February, the authority said, and the towpath stays open meanwhile." for n in range(7, 13)]
    box = ["Why Canal Boats Are Getting More Expensive to Moor Every Year",
           "The Best Towpath Walks for a Winter Weekend Away From the City",
           "How One Village Saved Its Old Lock Keeper's Cottage From Ruin"]
    for heading, kept in (("Plan your trip ahead", True), ("Jane Okoro and Tom Reyes", False)):
        page = ["Locks will reopen", "By Ana Lima", *first, *box, heading, *second, "Contact us"]
        paragraphs = clean_text("\n".join(page)).body.split("\n\n")
        assert paragraphs == [*first, *([heading] if kept else []), *second], heading


def test_a_newsletter_boxs_heading_and_blurb_go() -> None:
    """A sign-up box in the text: its heading names the newsletter and the line under it says
    what the newsletter brings. Neither is the article's; a paragraph about a newsletter, and
    the story's paragraph after a box, stay."""
    story = [f"The river authority said on Friday that lock number {n} would reopen in the spring, after "
             f"divers found the old gates sound and the repair bill came in under budget." for n in range(1, 4)]
    about = ("The authority's weekly newsletter, which goes to about two thousand boat owners, first "
             "reported the divers' findings on Thursday.")
    after = [f"Boat owners who moor above lock number {n} will be told of the reopening date by letter in "
             f"February, the authority said, and the towpath stays open meanwhile." for n in range(4, 6)]
    for box in (["Get the River Week Newsletter", "The week's news from the waterways, every Friday morning!"],
                ["Sign up for our newsletter", "Email address", "Free weekly newsletter",
                 "Locks, moorings and boating news, straight to your inbox."]):
        page = ["Locks will reopen in spring", "By Ana Lima", *story, about, *box, *after, "About us", "Contact"]
        paragraphs = clean_text("\n".join(page)).body.split("\n\n")
        assert paragraphs == [*story, about, *after]


def test_program_text_a_scraper_let_through_is_furniture() -> None:
    """A scraper that keeps the text of scripts, style sheets or templates delivers program lines
    (statements, JSON, markup, style rules) around the article: none is article text, while prose
    with colons, brackets, a semicolon at the end or words in angle brackets stays prose."""
    from services.cleaner.text import is_program_text

    program = [
        "window.dataLayer = window.dataLayer || [];",
        "googletag.cmd.push(function() {",
        "});",
        "}",
        "const pageTimeout = 2500;",
        "if (consent && consent.ready) {",
        '{"meta":{"site":{"id":"7","name":"courier"}},"story":{"id":"123"}}',
        "</noscript><script id=\"page-data\" type=\"application/json\">",
        "accountId: 1195,",
        "language: 'en_gb'",
        "{{story.authorName}}",
        ".lead>p:first-of-type:first-letter{float:left;font-size:6rem}",
        "@media (min-width:768px){.lead{margin:0}}",
        "// load the player after consent",
    ]
    prose = [
        "The mayor said: the harbour works (phase two) will start in May.",
        "Imports of cheese: 16 million kg from the EU (plus 1.7 million kg of industrial cheese);",
        'Open "Settings -> Privacy -> <name of the policy>" to change it, the company said.',
        "Scores: Leeds 2, York 1; Hull 0, Bath 3.",
        "He wrote that x = 3 was the answer, and the class agreed.",
    ]
    assert all(is_program_text(line) for line in program), [ln for ln in program if not is_program_text(ln)]
    assert not any(is_program_text(line) for line in prose), [ln for ln in prose if is_program_text(ln)]
    story = [f"The council approved the new harbour plan on Tuesday, and report number {n} said the work "
             f"would start in the spring and last for two years." for n in range(1, 7)]
    page = "\n".join(["Harbour plan approved", story[0], story[1], *program[:8], *story[2:], *program[8:], "About us"])
    assert clean_text(page).body.split("\n\n") == story
    # a long JSON blob after the article reads as many words, but it is no paragraph of it
    blob = '</noscript><script id="page-data" type="application/json">{"story":{' + ",".join(
        f'"field{n}":"the harbour plan part {n} of the council report on the works"' for n in range(12)) + "}}"
    config = ("window.pageConfig = {sections: ['harbour news and council reports', 'transport and the works in "
              "the spring'], consent: true, timeout: 2500, labels: ['the new harbour plan', 'the council']};")
    page = "\n".join(["Harbour plan approved", *story, blob, config, "About us"])
    assert clean_text(page).body.split("\n\n") == story


def test_an_about_the_author_heading_past_the_body_ends_it() -> None:
    """Under an "About the author" heading comes a biography, whatever its first sentence says
    ("Her mission is ..."): past the body's first half, the heading ends the article."""
    story = [f"The council approved the new budget on Tuesday after debate number {n} about the cost of "
             f"road repairs in the old town and the harbour district." for n in range(1, 9)]
    bio = ("Her mission is to use her knowledge of local government to help readers follow every decision "
           "their council takes, and to explain what it will cost them.")
    body = clean_text("\n".join(["Home", *story, "About the Author", bio, "Contact us"])).body
    assert body.split("\n\n") == story


def test_subheadings_a_table_of_contents_prints_again_stay() -> None:
    """A table of contents prints the article's subheadings a second time, so each reads as a
    repeated sidebar line; three or more of them copied in one run mark them as the article's
    sections, and they stay. A box of other stories inside the article, copied in a sidebar,
    still goes."""
    sections = ["Why The Harbour Matters", "What The Council Decided", "When The Works Begin", "What Comes Next"]
    paragraphs = [f"The council approved the new harbour plan on Tuesday, and section number {n} of the report "
                  f"said the work would start in the spring and last for two years." for n in range(1, 9)]
    article = [paragraphs[0]]
    for n, heading in enumerate(sections):
        article += [heading, paragraphs[2 * n + 1], *paragraphs[2 * n + 2:2 * n + 3]]
    page = ["Home", "Harbour plan approved", *article, "Contents", *sections, "About us", "Contact"]
    body = clean_text("\n".join(page)).body.split("\n\n")
    assert body == article
    others = ["Ferry Fares Rise Again", "New Bridge Opens Early", "Market Hall Reopens"]
    boxed = [*paragraphs[:4], *others, *paragraphs[4:]]
    body = clean_text("\n".join(["Home", "Harbour plan approved", *boxed, "Most read", *others, "About us"])).body
    assert not any(o in body.split("\n\n") for o in others) and all(p in body for p in paragraphs)
