"""Every real news item is indexed, whatever its shape or script, on the real Kafka and
Elasticsearch: a one-sentence brief, a results table, a market table, a list story and a photo
story with captions, each with the quality flags that say what it is made of, and pages in other
scripts; only values with no text at all (empty, whitespace, binary, control bytes) are
dead-lettered, each with its reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from shared.contracts.schemas import ContentType, RawArticle
from tests.integration.conftest import Pipeline

SCRIPTS = Path(__file__).resolve().parents[1] / "data" / "scripts"
MENU = "Home\nNews\nSport\nBusiness\nWeather"
FOOTER = "Share this article\nCopyright 2025 Valley Courier. All rights reserved."

BRIEF = f"{MENU}\nHarbour board names new chief\nPORT ELLEN, March 3 - The harbour board on Monday named " \
        f"Maria Okafor as its new chief executive.\n{FOOTER}"
RESULTS = ["Ashford United 2 Brixton Rovers 1", "Calder Town 0 Dunmore City 0", "Eastvale 3 Fenwick Athletic 2",
           "Gorton 1 Hale Park 4"]
TABLE = "\n".join([MENU, "Northern League results", "Results of Northern League matches played on Saturday:",
                   *RESULTS, FOOTER])
PRICES = ["Copper 9,412.50 +38.00", "Aluminium 2,281.00 -4.50", "Zinc 2,604.25 -11.75", "Nickel 16,940.00 +120.00"]
MARKET = "\n".join(["Metals close: copper firm, zinc eases", "Closing prices, in dollars per tonne:", *PRICES])
ITEMS = ["The vote is scheduled for Thursday afternoon", "Opposition parties want the fuel levy dropped",
         "Pensions rise by four per cent under the plan", "Councils get extra money for road repairs"]
CAPTIONS = ["Residents carry belongings through a flooded street on Sunday. Photo: Jan Kowalski",
            "A rescue boat passes the submerged market square. Photo: Ana Ruiz",
            "Volunteers fill sandbags outside the town hall. Photo: Jan Kowalski"]


def page(title: str, inner: str) -> str:
    return (f"<!doctype html><html lang='en'><head><title>{title} | Valley Courier</title></head><body>"
            "<nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>Weather</a></li></ul></nav>"
            f"<main><article><h1>{title}</h1>{inner}</article></main>"
            "<footer><p>Copyright 2025 Valley Courier. All rights reserved.</p></footer></body></html>")


LIST_PAGE = page("Four things to know before the budget vote",
                 "<ul>" + "".join(f"<li>{item}</li>" for item in ITEMS) + "</ul>")
PHOTO_PAGE = page("In pictures: the spring flood", "".join(
    f"<figure><img src='{n}.jpg'><figcaption>{caption}</figcaption></figure>" for n, caption in enumerate(CAPTIONS)))


def test_items_of_every_shape_are_indexed_with_their_flags(make_pipeline: Callable[..., Pipeline]) -> None:
    pipeline = make_pipeline("shapes").start()
    html = ContentType.HTML
    articles = [
        RawArticle(id="brief", content=BRIEF),
        RawArticle(id="results", content=TABLE),
        RawArticle(id="market", content=MARKET),
        RawArticle(id="list-story", content=LIST_PAGE, content_type=html),
        RawArticle(id="photo-story", content=PHOTO_PAGE, content_type=html),
        RawArticle(id="zh-page", content=(SCRIPTS / "zh.html").read_text(encoding="utf-8"), content_type=html),
        RawArticle(id="th-text", content=(SCRIPTS / "th.txt").read_text(encoding="utf-8")),
    ]
    docs = pipeline.wait_for_ids(pipeline.publish(articles), timeout=180)

    brief = docs["brief"]
    assert brief["title"] == "Harbour board names new chief"
    assert brief["body"].startswith("PORT ELLEN, March 3 - The harbour board") and "Weather" not in brief["body"]
    assert "short_body" in brief["quality_flags"]

    for key, rows in (("results", RESULTS), ("market", PRICES)):
        paragraphs = docs[key]["body"].split("\n\n")
        assert all(row in paragraphs for row in rows), docs[key]["body"]
        # every row is in the body, whether the classifier kept them or the whole text did
        assert {"tabular", "no_prose"} <= set(docs[key]["quality_flags"])
    assert docs["results"]["title"] == "Northern League results"

    story = docs["list-story"]
    assert story["body"].split("\n\n") == [f"• {item}" for item in ITEMS]
    assert {"list", "whole_text"} <= set(story["quality_flags"])

    photos = docs["photo-story"]
    assert photos["body"].split("\n\n") == CAPTIONS
    assert {"captions", "no_prose", "whole_text"} <= set(photos["quality_flags"])
    assert all("Copyright" not in d["body"] for d in docs.values())

    for key, lang in (("zh-page", "zh"), ("th-text", "th")):
        gold = json.loads((SCRIPTS / f"{lang}.gold.json").read_text(encoding="utf-8"))
        doc = docs[key]
        assert doc["body"].split("\n\n") == gold["body"]
        assert (doc["title"], doc["language"], doc["published_at"][:10]) == (gold["title"], lang, gold["date"])
        assert doc["word_count"] > 80

    # leaving the items without prose out is one query
    with pipeline.es() as es:
        prose = es.search(index=pipeline.settings.index_alias, size=20,
                          query={"bool": {"must_not": {"term": {"quality_flags": "no_prose"}}}})
    assert {h["_id"] for h in prose["hits"]["hits"]} == {"brief", "zh-page", "th-text"}


def test_only_values_without_text_are_dead_lettered(make_pipeline: Callable[..., Pipeline]) -> None:
    pipeline = make_pipeline("notext").start(("cleaner",))
    values = {
        b"empty": b"",
        b"whitespace": json.dumps({"content": " \n\t\u3000 "}).encode(),
        b"binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"control": json.dumps({"content": "\x00\x01\x02\x03\x04\x05\x06\x07"}).encode(),
        b"symbols": json.dumps({"content": "--- *** ..."}).encode(),
    }
    pipeline.produce_raw(list(values.items()))
    letters = {letter.key: letter for letter in pipeline.dead_letters(minimum=len(values))}
    expected = {
        "empty": ("EmptyMessage", ""),
        "whitespace": ("ValidationError", "content is empty"),
        "binary": ("InvalidJSON", ""),
        "control": ("RejectedArticle", "content is binary"),
        "symbols": ("RejectedArticle", "no text found"),
    }
    for key, (error_type, reason) in expected.items():
        letter = letters[key]
        assert (letter.stage, letter.error_type) == ("cleaner", error_type), letter
        assert reason in letter.error and letter.error, letter
    assert letters["binary"].value_encoding == "base64"
