"""The extractor's rule modules on their own: money, dates, places, acronyms, names, topics, casing."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from services.extractor.dates import find_dates
from services.extractor.entities import acronym_definitions, clean_person
from services.extractor.money import find_money
from services.extractor.places import gazetteer
from services.extractor.text import normalize_case
from services.extractor.topics import TopicModel, classify


@pytest.mark.parametrize(("text", "expected"), [
    ("crossed the $1 billion mark", [(1e9, "USD")]),
    ("stands at US $ 478.03 million, a balance of $ US 184.20 million",
     [(478_030_000, "USD"), (184_200_000, "USD")]),
    ("Rs 5bn for roads", [(5e9, "PKR")]),
    ("a €20m deal and £3.5 million more", [(20e6, "EUR"), (3.5e6, "GBP")]),
    ("300 million roubles and 7.5bn yuan", [(300e6, "RUB"), (7.5e9, "CNY")]),
    ("it took 2 hours 5 minutes", []),
])
def test_money(text: str, expected: list[tuple[float, str]]) -> None:
    assert [(m.amount, m.currency) for m in find_money(text)] == expected


def test_rupees_follow_the_article_country() -> None:
    assert find_money("Rs 200 crore", countries=["IN"])[0].currency == "INR"
    assert find_money("Rs 200 crore", countries=["IN"])[0].amount == 2e9


def test_dates_relative_and_absolute() -> None:
    published = datetime(2024, 11, 3)  # a Sunday
    spans = ["on Saturday", "this month", "next month", "December last year", "October 15-16", "2003",
             "recent years", "2024-11-03"]
    assert find_dates(spans, published) == [
        date(2024, 11, 2), date(2024, 11, 1), date(2024, 12, 1), date(2023, 12, 1),
        date(2024, 10, 15), date(2024, 10, 16), date(2024, 11, 3)]


def test_relative_dates_need_a_publication_date() -> None:
    assert find_dates(["Thursday", "next month", "September 20, 2024"], None) == [date(2024, 9, 20)]


@pytest.mark.parametrize(("name", "code"), [
    ("Russian Federation", "RU"), ("U.S.", "US"), ("Britain", "GB"), ("Pakistan", "PK")])
def test_country_names(name: str, code: str) -> None:
    assert gazetteer().country(name) == code


def test_demonyms_cities_and_regions() -> None:
    gaz = gazetteer()
    assert gaz.demonym("Russian") == "RU" and gaz.demonym("Pakistanis") == "PK"
    assert gaz.resolve("Islamabad") == "PK" and gaz.resolve("Moscow") == "RU"
    assert gaz.resolve("Republic of Tatarstan") == "RU"
    assert gaz.resolve("Punjab") is None  # India's and Pakistan's: the article must say which
    assert gaz.resolve("Punjab", context=["PK"]) == "PK"
    assert gaz.country("us") is None  # the pronoun


def test_acronym_definitions() -> None:
    text = ("Pakistan's Foreign Office (FO) and the Institute of Strategic Studies Islamabad (ISSI) and "
            "Oil and Gas Development Company Limited (OGDCL) met.")
    assert acronym_definitions(text) == {
        "FO": "Foreign Office", "ISSI": "Institute of Strategic Studies Islamabad",
        "OGDCL": "Oil and Gas Development Company Limited"}


@pytest.mark.parametrize(("raw", "clean"), [
    ("Prime Minister Shehbaz Sharif's", "Shehbaz Sharif"), ("Mr Sharif", "Sharif"),
    ("General Bajwa", "Bajwa"), ("FO Spokesperson Mumtaz Zahra Baloch", "Mumtaz Zahra Baloch"),
    ("SCO", None), ("Minister", None)])
def test_person_cleaning(raw: str, clean: str | None) -> None:
    assert clean_person(raw) == clean


def test_topics_from_weighted_cues() -> None:
    lemmas = ["the", "army", "hold", "a", "joint", "military", "exercise", "and", "the", "defence", "minister",
              "discuss", "weapon", "and", "missile", "supply", "with", "the", "navy"]
    assert classify(lemmas)[0] == "defence"
    assert classify(["the", "cat", "sit", "on", "the", "mat"]) == []


def _words(text: str) -> list[str]:
    return text.lower().replace(".", " ").replace(",", " ").split()


def test_every_topic_with_enough_evidence_is_kept_not_a_fixed_top_k() -> None:
    # Diplomacy dominates; trade is named twice and still passes the absolute and relative bars.
    text = ("The ambassador met the foreign minister. The envoy and the diplomat held bilateral talks at the "
            "embassy. The delegation discussed the treaty and diplomacy with its counterpart. Both want more "
            "trade. The summit closed with a call for trade.")
    topics = classify(_words(text))
    assert topics[0] == "diplomacy" and "trade" in topics


def test_a_cue_named_once_in_passing_is_not_a_topic() -> None:
    text = ("The ambassador met the foreign minister. The envoy and the diplomat held bilateral talks at the "
            "embassy. The delegation discussed the treaty with its counterpart and later saw a film.")
    assert classify(_words(text)) == ["diplomacy"]


def test_threshold_grows_with_length() -> None:
    cues = _words("export rise and the tariff fall")
    assert classify(cues) == ["trade"]
    filler = ["the", "day", "be", "quiet", "and", "long"] * 400
    assert classify(cues + filler) == []  # two cues in 2,400 words are not what the article is about


def test_surface_words_title_and_lead_count() -> None:
    lemmas = _words("the good leave the port under a custom check")  # what a lemmatizer makes of it
    forms = _words("the goods leave the port under a customs check")
    assert "trade" not in classify(lemmas)
    assert "trade" in classify(lemmas, forms, title=_words("Tariff row"))
    # The same two weak cues pass in the lead, not in the body's tail.
    body = _words("officials spoke and the weather was fine") * 5
    cues = _words("a vote and a rally for the election")
    assert "politics" in classify(cues + body, factors=[1.5] * len(cues) + [1.0] * len(body))


def test_multi_word_cues_are_matched_in_lemmatized_form() -> None:
    lemmas = _words("the arm deal and the arm control talk and the arm control regime")
    assert "nuclear" not in TopicModel().classify(lemmas)
    lemmatized = TopicModel(lambda phrases: [p.replace("arms", "arm") for p in phrases])
    assert {"defence", "nuclear"} <= set(lemmatized.classify(lemmas))


def test_shouting_is_recased_without_moving_offsets() -> None:
    keep = frozenset({"UN"})
    text = "ISLAMABAD: the UN met.\nSOCCER - JAPAN GET LUCKY WIN, CHINA IN SURPRISE DEFEAT."
    out = normalize_case(text, keep, is_name=lambda w: gazetteer().country(w) is not None)
    assert len(out) == len(text)
    assert out.startswith("Islamabad: the UN met.")
    assert "Japan get lucky win, China in surprise defeat" in out
