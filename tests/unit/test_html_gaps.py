"""HTML body gaps: prose the precision-minded extraction left out between paragraphs it kept is
taken back from a balanced pass, and only there (not at the article's ends, not link text, not
a paragraph already kept in another print, not a run without prose)."""

from __future__ import annotations

from services.cleaner.html import _prose_texts, fill_gaps, prose_gap, reads_more
from services.cleaner.metadata import parse_tree
from tests.unit.news_text import PARAGRAPHS

KEPT = PARAGRAPHS  # what the precision-minded pass kept
BLURB_NAME = "Harbour Pass Wallet"
BLURB = ("A slim leather wallet that holds a monthly pass and two cards, and it comes in four colours "
         "that suit every season of the year.")


def test_prose_between_kept_paragraphs_comes_back_with_its_short_heading() -> None:
    wider = [KEPT[0], BLURB_NAME, BLURB, KEPT[1], KEPT[2]]
    assert fill_gaps(KEPT, wider) == [KEPT[0], BLURB_NAME, BLURB, KEPT[1], KEPT[2]]


def test_blocks_before_the_first_or_after_the_last_kept_paragraph_stay_out() -> None:
    related = "Read more of our coverage of the city's transport budget, which the council will publish soon."
    wider = [related, *KEPT, "About the author", related]
    assert fill_gaps(KEPT, wider) == KEPT


def test_a_run_without_prose_or_made_of_link_text_stays_out() -> None:
    assert fill_gaps(KEPT, [KEPT[0], "$50", "$100", KEPT[1], KEPT[2]]) == KEPT
    link = "Taiwan is driving tensions between the two powers, and here is what comes next for the strait."
    assert fill_gaps(KEPT, [KEPT[0], link, KEPT[1], KEPT[2]], links={link}) == KEPT
    assert fill_gaps(KEPT, [KEPT[0], link, KEPT[1], KEPT[2]]) == [KEPT[0], link, KEPT[1], KEPT[2]]


def test_a_kept_paragraph_printed_differently_is_not_added_twice() -> None:
    variant = KEPT[1].replace("monthly passes", "monthly  passes (see below)")
    assert fill_gaps(KEPT, [KEPT[0], variant, KEPT[2]]) == KEPT


def prose_of(page: str) -> list[str]:
    return [text for _, text in _prose_texts(parse_tree(page))]


def _page(*blocks: str) -> str:
    return "<html><body><article>" + "".join(f"<p>{b}</p>" for b in blocks) + "</article></body></html>"


def test_a_gap_is_prose_left_out_between_kept_blocks_only() -> None:
    second = "The same wallet also comes in a larger size with room for a ferry timetable and receipts."
    assert prose_gap(prose_of(_page(KEPT[0], BLURB, second, KEPT[1], KEPT[2])), KEPT)
    kept_all = [KEPT[0], BLURB, second, KEPT[1], KEPT[2]]
    assert not prose_gap(prose_of(_page(*kept_all)), kept_all)
    # one short line left out (a caption, a teaser) is no gap worth another pass
    assert not prose_gap(prose_of(_page(KEPT[0], BLURB, KEPT[1], KEPT[2])), KEPT)
    # prose around the article (a sidebar, a footer note) is no gap
    assert not prose_gap(prose_of(_page(BLURB, second, *KEPT, BLURB, second)), KEPT)


def test_a_subheading_linking_to_its_own_section_is_a_heading() -> None:
    from lxml import etree

    from services.cleaner.html import unlink_subheads

    tree = parse_tree(
        "<html><body><div><h2 id='s1'><a href='#s1'>Where the fares go</a></h2>"
        f"<div><span>{KEPT[0]}</span></div></div>"
        "<div><h2><a href='/other-story'>Another story entirely</a></h2><div><span>teaser</span></div></div>"
        "</body></html>"
    )
    assert unlink_subheads(tree) == 1
    headings = [etree.tostring(h, encoding="unicode", with_tail=False) for h in tree.iter("h2")]
    assert headings[0] == '<h2 id="s1">Where the fares go</h2>'
    assert "<a " in headings[1]


def test_an_element_declaring_itself_a_heading_becomes_one() -> None:
    from services.cleaner.html import aria_headings

    tree = parse_tree(
        "<html><body><div role='heading' aria-level='3'>Best <em>budget</em> pass</div>"
        "<div role='heading'>Fares</div><h2 role='heading'>Kept</h2>"
        f"<div role='heading'><p>{KEPT[0]}</p></div></body></html>"
    )
    assert aria_headings(tree) == 2
    assert [h.tag for h in tree.iter("h2", "h3")] == ["h3", "h2", "h2"]
    assert [h.text_content() for h in tree.iter("h2", "h3")] == ["Best budget pass", "Fares", "Kept"]


def test_where_to_follow_write_to_or_hear_the_author_is_a_notice_at_the_end_only() -> None:
    from services.cleaner.html import drop_editorial_notes

    notices = [
        "Follow our travel editor Jane Roe on Instagram at @janeroe.",
        "You can email Jane Roe at ask@example.org or send a letter to the paper's office.",
        "ask.jane@example.org. Jane regrets she cannot enter into personal correspondence.",
        "Sign up for the Morning Fares newsletter for our top stories delivered to your inbox.",
        "The full interview is on our podcast. Listen and subscribe wherever you get your podcasts.",
        "Don't miss a thing. Sign up for my free fares e-course and learn every trick of the pier.",
    ]
    for notice in notices:
        assert drop_editorial_notes([*KEPT, notice]) == KEPT, notice
    # the same words inside the article are its text
    middle = [KEPT[0], KEPT[1], notices[0], KEPT[2], KEPT[0], KEPT[1]]
    assert drop_editorial_notes(middle) == middle
    tip = "Anyone with information is asked to email the harbour police at tips@example.org."
    assert drop_editorial_notes([*KEPT, tip]) == [*KEPT, tip]


def test_a_lead_photo_caption_under_the_headline_is_no_standfirst() -> None:
    from services.cleaner.clean import clean_article
    from shared.contracts.schemas import RawArticle

    caption = "Commuters board the early ferry at the north pier terminal on a grey morning in March."
    body = "".join(f"<p>{p}</p>" for p in [*KEPT, *KEPT[:2]])
    for figure in (f"<figure><img src='a.jpg' alt='{caption}'><figcaption>{caption}</figcaption></figure>",
                   f"<div><img src='a.jpg' alt='{caption}'></div><div>{caption}</div>"):
        page = (f"<html><head><title>Ferry fares to rise in April</title></head><body><article><h1>Ferry fares to rise "
                f"in April</h1>{figure}<div>{body}</div></article></body></html>")
        clean = clean_article(RawArticle(content=page, content_type="text/html"))
        assert "north pier" not in clean.body
        assert clean.body.startswith(KEPT[0][:40])


def test_interview_notes_contributor_disclaimers_and_photo_credits_are_editorial_notes() -> None:
    from services.cleaner.html import drop_editorial_notes

    for note in ("This interview has been lightly edited and condensed for clarity.",
                 "Opinions expressed by Harbour Contributors are their own.",
                 "Lead image: Jane Roe. Styling: John Doe.",
                 "Styling: John Doe. Grooming: Ann Poe. Production: North Pier Studio.",
                 "Materials provided by the Harbour Institute. Note: Content may be edited for style and length.",
                 "More information: Jane Roe et al, Ferry fares and fuel, Journal of Harbours (2024).",
                 "Some details have been changed"):
        assert drop_editorial_notes([*KEPT, note]) == KEPT, note
        assert drop_editorial_notes([note, *KEPT]) == KEPT, note


def test_article_body_text_drops_caption_shortcodes_and_restores_lost_breaks() -> None:
    from services.cleaner.html import article_body_text

    body = ("[caption id=\"x\"]Commuters at the pier. Image: Jane Roe[/caption]" + KEPT[0] + KEPT[1]
            + " The U.S. agency agreed.")
    lines = [line.strip() for line in article_body_text(body).split("\n") if line.strip()]
    assert lines == [KEPT[0], KEPT[1] + " The U.S. agency agreed."]


def test_a_source_heading_goes_with_its_note() -> None:
    from services.cleaner.html import drop_editorial_notes

    tail = ["Story Source:", "Materials provided by the Harbour Institute. Note: Content may be edited for style."]
    assert drop_editorial_notes([*KEPT, *tail]) == KEPT


def test_a_standfirst_under_a_headline_printed_twice_in_a_row_opens_the_body() -> None:
    """A headline whose line is printed again right above it (a label's twin, a copy for screen
    readers) is still one header: its standfirst opens the body. A copy higher up the page (a
    "most read" list) leaves the standfirst out, as the body may already hold it."""
    from services.cleaner.clean import clean_article
    from shared.contracts.schemas import RawArticle

    dek = "The port authority says the new timetable will cut waiting times by half for most commuters."
    body = "".join(f"<p>{p}</p>" for p in [*KEPT, *KEPT[:2]])
    title = "Ferry fares to rise in April"
    twin = f"<div class='title-twin'>{title}</div>"
    far = f"<ul><li>{title}</li><li>Harbour opens new pier</li><li>Council votes on bus lanes</li></ul>"
    for above, expected in ((twin, True), (far + "<p>Most read today</p>", False)):
        page = (f"<html><head><title>{title}</title></head><body><header>{above}<h1>{title}</h1>"
                f"<p class='dek'>{dek}</p><p>By Ana Lima</p></header><article>{body}</article></body></html>")
        clean = clean_article(RawArticle(content=page, content_type="text/html"))
        assert clean.body.startswith(dek) is expected, above
        assert KEPT[0][:40] in clean.body


HEADLINES = [  # a box of other stories' headlines, as a precision-minded pass may keep on a short page
    "Week Ahead: Ferry Fares Set to Rise Again",
    "Council Weighs a Second Tram Line",
    "Harbour Bridge Repairs Run Into Spring",
    "Why Commuters Are Leaving the Early Trains",
    "Bus Depot Plan Draws a Crowd at City Hall",
    "Cyclists Ask for a Lane on the Quay",
    "Night Buses Return After a Two-Year Pause",
]


def test_the_classifier_s_article_beats_a_box_of_headlines_kept_from_a_short_page() -> None:
    assert reads_more(list(PARAGRAPHS), HEADLINES)


def test_a_short_article_kept_whole_stays_when_the_classifier_adds_only_a_little() -> None:
    assert not reads_more([*PARAGRAPHS[:2], BLURB], PARAGRAPHS[:2])
    assert not reads_more(HEADLINES, PARAGRAPHS[:2])
