"""The scraped-text headline ranker: the shipped model matches the features the cleaner computes,
scores what its weights say, picks the headline over furniture, standfirsts and breadcrumbs,
and its training is deterministic."""

from __future__ import annotations

import json

import numpy as np

from services.cleaner.headline import MODEL_DIR, HeadlineModel, current_model, load_model, use_model
from services.cleaner.normalize import normalize_lines
from services.cleaner.text import HEADLINE_FEATURES, extract_text

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
