"""The scraped-text headline ranker: the shipped model matches the features the cleaner computes,
scores what its weights say, picks the headline over furniture, standfirsts and breadcrumbs,
and its training is deterministic."""

from __future__ import annotations

import json

import numpy as np

from services.cleaner.headline import MODEL_DIR, HeadlineModel, current_model, load_model, use_model
from services.cleaner.normalize import normalize_lines
from services.cleaner.text import (
    HEADLINE_FEATURES,
    contents_entries,
    extract_text,
    header_candidates,
    header_context,
    title_scores,
)

LEDE = ("The city council voted on Tuesday to close the old harbour bridge to cars from next spring, "
        "after engineers found that its steel supports had corroded faster than expected.")
BODY = "\n".join([
    LEDE,
    "Council members said the bridge would stay open to pedestrians and cyclists while the harbour "
    "authority looks for money to repair the supports, a job engineers expect to take two years.",
    "Drivers will be sent over the ring road, which the council says can take the extra traffic "
    "once two new lanes open in the autumn, although residents fear longer journeys into the centre.",
    "The harbour authority said it would publish the engineers' report on the bridge supports next "
    "week and hold a public meeting on the closure before the end of the month.",
])
HEADLINE = "Council closes old harbour bridge to cars after supports corrode"


def _title(text: str) -> str | None:
    return extract_text(normalize_lines(text)).title


def test_shipped_models_match_the_features() -> None:
    """Every shipped model weighs exactly the features the cleaner computes, in that order
    (a feature added without retraining would silently shift every weight)."""
    for name in ("headline.json", "headline_A.json", "headline_B.json"):
        model = load_model(MODEL_DIR / name)
        assert model.features == HEADLINE_FEATURES, name
        assert len(model.weights) == len(model.mean) == len(model.scale) == len(HEADLINE_FEATURES)


def test_score_is_the_weighted_standardised_features() -> None:
    model = HeadlineModel(("a", "b"), (1.0, 2.0), (2.0, 4.0), (3.0, -1.0), -5.0)
    assert model.score([5.0, 10.0]) == 3.0 * (5.0 - 1.0) / 2.0 - 1.0 * (10.0 - 2.0) / 4.0
    again = HeadlineModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again == model and again.score([5.0, 10.0]) == model.score([5.0, 10.0])


def test_use_model_swaps_and_restores() -> None:
    shipped = current_model()
    other = HeadlineModel(tuple(HEADLINE_FEATURES), (0.0,) * len(HEADLINE_FEATURES),
                          (1.0,) * len(HEADLINE_FEATURES), (0.0,) * len(HEADLINE_FEATURES), 0.0)
    with use_model(other):
        assert current_model() is other
    assert current_model() is shipped


def test_headline_over_furniture_label_and_standfirst() -> None:
    """Menus, a section label, a trust panel's heading and the standfirst (which shares even
    more words with the body) sit around the headline; the headline is read."""
    standfirst = "Engineers found the steel supports of the harbour bridge corroded faster than expected"
    page = "\n".join([
        "Home", "News", "Sport", "Business", "Subscribe", "Local News",
        HEADLINE, standfirst, "By Jane Doe", "Published March 4, 2024",
        "Why you can trust our reporting", BODY,
        "Related stories", "Festival returns to the old market square this summer",
    ])
    assert _title(page) == HEADLINE


def test_breadcrumb_holding_the_headline_is_not_the_headline() -> None:
    page = "\n".join([
        "Home", "News", f"News / City / {HEADLINE}", HEADLINE, "By Jane Doe", "March 4, 2024", BODY,
    ])
    assert _title(page) == HEADLINE


def test_table_of_contents_entries_are_not_the_headline() -> None:
    """A table of contents between the byline and the body lists the article's subheadings,
    questions that share more words with the body than the headline does; each is printed
    again further down, so none of them is the headline. A header printed twice, copy by copy
    side by side, is no table of contents."""
    headline = "Everything You Wanted to Know About the Notice on Your Street This Week"
    sections = ["Why Is the Old Harbour Bridge Closing to Cars?", "What Did the Engineers Find in the Supports?",
                "Where Will Drivers Go Once the Bridge Closes?", "When Will the Harbour Authority Publish the Report?"]
    paras = BODY.split("\n")
    page = "\n".join([
        "Home", "News", headline, "The bridge you cross every day is closing, and here is what comes next.",
        "Author:", "Jane Doe", "March 4, 2024", "Contents", *sections,
        paras[0], sections[0], paras[1], sections[1], paras[2], sections[2], paras[3], sections[3],
        "The bridge will close to cars on the first of April, the council said in its notice on Tuesday.",
    ])
    assert _title(page) == headline
    texts = ["Home", HEADLINE, HEADLINE, "By Jane Doe", "Home", HEADLINE, HEADLINE, "By Jane Doe", *BODY.split("\n")]
    assert contents_entries(texts, 0, 8) == set()
    listed = ["Contents", *sections, *[line for pair in zip(sections, paras, strict=True) for line in pair]]
    assert contents_entries(listed, 0, 5) == {1, 2, 3, 4}


def test_words_run_together_count_against_a_candidate() -> None:
    """A menu whose items a scraper ran together ("NewsOpinion Columns ...") is marked as
    such among the candidates' features, and every shipped model weighs that against the line."""
    menu = "NewsOpinion Columns Letters Readers' views Send us a letter on the harbour bridge"
    texts = ["Skip to main content", menu, menu.replace("sO", "s O"), HEADLINE, "By Jane Doe", "March 4, 2024",
             *BODY.split("\n")]
    start = 6
    lo, _hi, kinds, body, anchor = header_context(texts, start, start)
    scores = title_scores(texts, start, lo, kinds, body)
    found = dict(header_candidates(texts, start, lo, kinds, body, anchor, scores, None))
    glued = HEADLINE_FEATURES.index("glued")
    assert found[1][glued] == 1.0 and found[2][glued] == 0.0 and found[3][glued] == 0.0
    for name in ("headline", "headline_A", "headline_B"):
        assert load_model(MODEL_DIR / f"{name}.json").weights[glued] < 0


def test_no_model_falls_back_to_the_hand_set_score() -> None:
    page = "\n".join(["Home", "News", HEADLINE, "By Jane Doe", "March 4, 2024", BODY])
    with use_model(None):
        assert _title(page) == HEADLINE


def test_training_is_deterministic_and_learns_the_separating_feature() -> None:
    """The conditional logit puts the labelled line first on pages where one feature marks it,
    and the same data gives the same weights."""
    from eval.train_headline import Page, fit_pages, pick_accuracy

    rng = np.random.default_rng(7)
    width = len(HEADLINE_FEATURES)
    pages = []
    for i in range(30):
        rows = rng.normal(size=(8, width))
        labels = np.zeros(8)
        right = i % 8
        rows[right, 0] += 3.0
        labels[right] = 1.0
        pages.append(Page(f"p{i}", "A", rows, labels))
    first, second = fit_pages(pages), fit_pages(pages)
    assert first == second
    assert first.weights[0] > 0
    assert pick_accuracy(first, pages) >= 0.9
