"""Extractor: real outcomes on news text, and bad input that must not break a batch."""

from __future__ import annotations

import resource
from datetime import date, datetime

import pytest

from services.extractor.extract import FLAG_EMPTY, FLAG_NOT_ENGLISH, FLAG_TRUNCATED, Extractor, chunks
from shared.contracts.schemas import CleanArticle
from shared.contracts.settings import Settings

ARTICLE = """ISLAMABAD: Pakistan and Russia on Thursday formalised their commitment to deepening bilateral ties \
with the signing of a memorandum of understanding for expanding cooperation across multiple sectors.

The agreement, signed by Russian Deputy Prime Minister Alexei Overchuk and Pakistan's Deputy Prime Minister \
Ishaq Dar, has set the stage for enhancing cooperation in trade, energy, connectivity and defence.

The signing followed a meeting between Mr Overchuk and Prime Minister Shehbaz Sharif. Mr Sharif said he looks \
forward to welcoming Russian Prime Minister Mikhail Mishustin to Islamabad next month for the Shanghai \
Cooperation Organisation meeting.

The talks were held at Pakistan's Foreign Office (FO) a day earlier, the FO said. Bilateral trade crossed \
the $1 billion mark, while Rs 5bn was set aside for energy projects and gas imports.
"""


def article(body: str, **kw: object) -> CleanArticle:
    fields = {"id": kw.pop("id", "a1"), "body": body, "content_hash": "h", "language": "en",
              "published_at": datetime(2024, 9, 20, 8, 15)}
    fields.update(kw)
    return CleanArticle(**fields)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(Settings().spacy_model, max_chars=20_000, max_chunks=2)


@pytest.fixture(scope="module")
def enriched(extractor: Extractor):
    return extractor.extract([article(ARTICLE)])[0]


def test_people_are_full_names_without_titles(enriched) -> None:
    assert enriched.people == ["Alexei Overchuk", "Ishaq Dar", "Shehbaz Sharif", "Mikhail Mishustin"]


def test_places_are_not_people_and_acronyms_tie_to_their_expansion(enriched) -> None:
    assert "Moscow" not in enriched.people
    assert "Foreign Office" in enriched.organizations
    assert "FO" not in enriched.organizations
    assert "Shanghai Cooperation Organisation" in enriched.organizations


def test_locations_and_countries(enriched) -> None:
    assert {"Islamabad", "Pakistan", "Russia"} <= set(enriched.locations)
    assert enriched.countries == ["PK", "RU"]


def test_money_amount_and_currency(enriched) -> None:
    assert [(m.amount, m.currency) for m in enriched.money] == [(1e9, "USD"), (5e9, "PKR")]


def test_dates_resolved_against_publication(enriched) -> None:
    # 'Thursday' in a Friday paper is the day before; 'next month' is the first of October.
    assert date(2024, 9, 19) in enriched.dates
    assert date(2024, 10, 1) in enriched.dates


def test_topics_keywords_summary(enriched) -> None:
    assert {"diplomacy", "trade", "energy"} <= set(enriched.topics)
    assert enriched.keywords and len(enriched.keywords) <= 10
    assert enriched.summary and enriched.summary.startswith("Islamabad: Pakistan and Russia")
    assert enriched.summary.count(". ") <= 3


def test_carries_clean_fields_through(enriched) -> None:
    assert enriched.id == "a1"
    assert enriched.body == ARTICLE
    assert enriched.published_at == datetime(2024, 9, 20, 8, 15)


def test_non_english_article_is_flagged_and_left_empty(extractor: Extractor) -> None:
    body = ("Pakistan und Russland haben am Donnerstag in Islamabad eine Absichtserklärung unterzeichnet, "
            "um die Zusammenarbeit in den Bereichen Handel, Energie und Verteidigung auszubauen. ") * 3
    for result in extractor.extract([article(body, language="de"), article(body, language=None)]):
        assert FLAG_NOT_ENGLISH in result.quality_flags
        assert result.people == result.organizations == result.locations == result.topics == []
        assert result.summary is None


def test_article_without_entities(extractor: Extractor) -> None:
    body = "it was a quiet day and nothing at all happened here, which suited everyone who lives nearby very well."
    result = extractor.extract([article(body)])[0]
    assert result.people == result.organizations == result.locations == result.countries == []
    assert result.money == []


def test_empty_body_does_not_break_the_batch(extractor: Extractor) -> None:
    results = extractor.extract([article(""), article(ARTICLE, id="a2"), article("   \n\n  ", id="a3")])
    assert [r.id for r in results] == ["a1", "a2", "a3"]
    assert FLAG_EMPTY in results[0].quality_flags and FLAG_EMPTY in results[2].quality_flags
    assert results[1].people  # the good article in the middle is still extracted


def test_huge_article_is_chunked_and_truncated_within_memory(extractor: Extractor) -> None:
    paragraph = ("Officials in Islamabad met a delegation from Moscow to discuss trade and energy. " * 5).strip()
    body = "\n\n".join([paragraph] * 1600)  # over 100,000 words
    assert len(body.split()) >= 100_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = extractor.extract([article(body)])[0]
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert FLAG_TRUNCATED in result.quality_flags
    assert result.countries == ["PK", "RU"]
    assert grown_mb < 300


def test_chunks_cut_at_paragraphs_and_cover_the_text() -> None:
    text = "\n\n".join(f"Paragraph {i} " + "word " * 50 for i in range(40))
    pieces = list(chunks(text, 1000))
    assert all(len(p) <= 1000 for p in pieces)
    assert "".join(pieces) == text
    assert all(p.startswith(("Paragraph", "\n\nParagraph")) for p in pieces)


def test_from_settings_uses_model_and_chunk_size() -> None:
    ex = Extractor.from_settings(Settings(max_nlp_chars=5000))
    assert ex.max_chars == 5000
    assert "parser" not in ex.nlp.pipe_names


def test_the_dateline_the_cleaner_left_out_of_the_body_names_a_place(extractor: Extractor) -> None:
    """Wire copy prints "MADRID 1996-12-06" above its text: the cleaner reads the date from it,
    keeps it out of the body and passes it on; its place is where the story was filed, also a
    small one its region qualifies ("VAIL, Colorado"). A date line that opens with no known place
    names none."""
    from services.cleaner.clean import clean_article
    from shared.contracts.schemas import RawArticle

    story = ("SOCCER - COACH PICKS UNCAPPED MIDFIELDER FOR QUALIFIER.\nMADRID 1996-12-06\n"
             "The national coach has added an uncapped midfielder to his squad for the qualifier on "
             "December 14, after an injury to the captain in training this week.")
    clean = clean_article(RawArticle(content=story))
    assert clean.metadata["dateline"] == "MADRID 1996-12-06" and "MADRID" not in clean.body
    assert "Madrid" in extractor.extract([clean])[0].locations  # the shouted name in its usual case
    updated = clean.model_copy(update={"metadata": {"dateline": "Updated 1996-12-06"}})
    assert "Updated" not in extractor.extract([updated])[0].locations
    # a smaller place, qualified by its region or country: both are places
    resort = clean.model_copy(update={"metadata": {"dateline": "VAIL, Colorado 1996-12-07"}})
    places = [p.lower() for p in extractor.extract([resort])[0].locations]
    assert "vail" in places and "colorado" in places


def test_a_guessed_language_is_checked_against_the_text(extractor: Extractor) -> None:
    """A language the cleaner only guessed (``language_uncertain``) does not keep a results table
    from the English model, and German prose stays out of it, guessed or undeclared."""
    from services.extractor.extract import FLAG_NOT_ENGLISH, looks_english

    results = ("Leading second round scores in the open championship at the city golf club on Friday: "
               "132 Des Terblanche 65 67 133 Mark McNulty (Zimbabwe) 72 61 134 Steve van Vuuren 65 69 136 "
               "Nick Price (Zimbabwe) 68 68, Justin Hobday 71 65, Andrew Pitts (U.S.) 69 67")
    german = ("Die Regierung hat am Montag beschlossen, die Preise für den öffentlichen Verkehr im kommenden Jahr "
              "nicht zu erhöhen. Der Minister sagte, man wolle die Pendler entlasten, die seit dem Sommer "
              "deutlich mehr für ihre Fahrkarten bezahlen müssen als noch vor einem Jahr.")
    assert looks_english(results) and not looks_english(german)
    table = extractor.extract([article(results, language="pcm", quality_flags=["language_uncertain"])])[0]
    assert FLAG_NOT_ENGLISH not in table.quality_flags and "Mark McNulty" in table.people
    for language in ("de", None):
        prose = extractor.extract([article(german, language=language, quality_flags=["language_uncertain"])])[0]
        assert FLAG_NOT_ENGLISH in prose.quality_flags and not prose.people
    declared = extractor.extract([article(results, language="de")])[0]  # declared, not guessed: trusted
    assert FLAG_NOT_ENGLISH in declared.quality_flags


def test_a_common_word_opening_a_sentence_is_no_person(extractor: Extractor) -> None:
    """"Sure, the fares will rise": a dictionary word the article also writes in lower case is a
    word that opens a sentence, not a one-word name."""
    texts = ["The harbour board met on Monday to discuss the ferry fares with the operators.\n\n"
             "Suspicious passengers asked why the fares rose again. Many were suspicious of the board's "
             "figures, and Ana Ruiz, who chairs the board, promised a review.",
             "Sure, the fares will rise, Ana Ruiz told reporters at the harbour on Monday. She was sure the "
             "review would help, and Ruiz said the board would meet again in May."]
    for found in extractor.extract([article(text, id=f"w{n}") for n, text in enumerate(texts)]):
        assert found.people == ["Ana Ruiz"]
