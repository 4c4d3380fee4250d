"""Train the scraped-text headline model (services/cleaner/headline.py) on the development corpus.

Each page's visible text goes through the product path up to the header reader; every candidate
line above (and just inside) the body the region search found is a row of general features
(services/cleaner/text.py::HEADLINE_FEATURES), labelled 1 when it is the gold title under the
evaluation's title rule. A conditional logit (the candidates of a page compete in a softmax;
L2-regularised, fitted by Newton's method on standardised features: deterministic, no random
state) scores the rows; the product takes the best-scoring line of a page.

Three models are written to services/cleaner/model/: ``headline.json`` from every page (what
the product uses), ``headline_A.json`` and ``headline_B.json`` from the pages of one half of
the sites each (the evaluation scores a page of half B with the model of half A and the other
way round, so its figures are never in-sample). The held-out pick accuracy per half is printed.

    PYTHONPATH=$PWD python -m eval.train_headline
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import services.cleaner.text as text_module
from eval.cleaning import dev_cases, title_right
from services.cleaner.clean import RejectedArticle, clean_article
from services.cleaner.headline import MODEL_DIR, HeadlineModel, use_model
from services.cleaner.metadata import strip_media_tag
from shared.contracts.schemas import RawArticle

L2 = 10.0  # ridge penalty on the standardised weights
MIN_SCORE = -1e9  # the best candidate is always taken (a wrong line and none are equally wrong)
NEWTON_STEPS = 50


@dataclass
class Page:
    name: str
    half: str
    rows: np.ndarray  # candidates x features
    labels: np.ndarray  # 1 where the candidate is the gold title


def page_rows(texts: list[str], start: int, body_start: int | None, gold: str) -> tuple[np.ndarray, np.ndarray]:
    """The candidate lines of one header and their labels."""
    lo, _hi, kinds, body, anchor = text_module.header_context(texts, start, body_start)
    scores = text_module.title_scores(texts, start, lo, kinds, body)
    rule_pick = text_module._rule_headline(texts, start, lo, kinds, body, anchor, scores)
    found = text_module.header_candidates(texts, start, lo, kinds, body, anchor, scores, rule_pick)
    width = len(text_module.HEADLINE_FEATURES)
    rows = np.array([values for _, values in found], dtype=float).reshape(-1, width)
    labels = np.array([title_right(strip_media_tag(texts[k]), gold) for k, _ in found], dtype=float)
    return rows, labels


def collect(path: Path | None = None) -> list[Page]:
    """The candidates of every page with a gold title, read where the product reads them."""
    calls: list[tuple[list[str], int, int | None]] = []
    original = text_module.read_header

    def recording(texts: list[str], start: int, body_start: int | None = None) -> text_module.Header:
        calls.append((list(texts), start, body_start))
        return original(texts, start, body_start)

    pages: list[Page] = []
    text_module.read_header = recording
    try:
        with use_model(None):
            for case in dev_cases(scraped=True, path=path):
                if not case.title:
                    continue
                calls.clear()
                try:
                    clean_article(RawArticle(content=case.content, content_type=case.content_type))
                except RejectedArticle:
                    continue
                if not calls:
                    continue
                rows, labels = page_rows(*calls[0], case.title)
                pages.append(Page(case.name, case.half or "", rows, labels))
    finally:
        text_module.read_header = original
    return pages


def _softmax_terms(w: np.ndarray, pages: list[tuple[np.ndarray, np.ndarray]]
                   ) -> tuple[float, np.ndarray, np.ndarray]:
    """Loss, gradient and Hessian of the conditional logit: per page, the cross-entropy
    between the softmax of its candidates' scores and the uniform choice of its right lines."""
    loss, grad, hess = 0.0, np.zeros_like(w), np.zeros((len(w), len(w)))
    for z, target in pages:
        s = z @ w
        s -= s.max()
        e = np.exp(s)
        p = e / e.sum()
        loss -= float(target @ np.log(p + 1e-300))
        grad += z.T @ (p - target)
        zp = z.T @ p
        hess += (z * p[:, None]).T @ z - np.outer(zp, zp)
    return loss, grad, hess


def fit_pages(pages: list[Page], l2: float = L2, min_score: float = MIN_SCORE) -> HeadlineModel:
    """The conditional logit over the pages whose title is among the candidates, fitted by
    Newton's method with step halving on standardised features (deterministic)."""
    used = [p for p in pages if len(p.rows) and p.labels.any()]
    rows = np.vstack([p.rows for p in used])
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    data = [((p.rows - mean) / scale, p.labels / p.labels.sum()) for p in used]
    w = np.zeros(rows.shape[1])

    def objective(v: np.ndarray) -> float:
        return _softmax_terms(v, data)[0] + 0.5 * l2 * float(v @ v)

    for _ in range(NEWTON_STEPS):
        loss, grad, hess = _softmax_terms(w, data)
        loss += 0.5 * l2 * float(w @ w)
        grad += l2 * w
        hess += l2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while objective(w - t * step) > loss and t > 1e-4:
            t /= 2
        w -= t * step
        if np.abs(t * step).max() < 1e-8:
            break
    return HeadlineModel(tuple(text_module.HEADLINE_FEATURES), tuple(float(v) for v in mean),
                         tuple(float(v) for v in scale), tuple(float(v) for v in w), min_score)


def pick_accuracy(model: HeadlineModel, pages: list[Page]) -> float:
    """The share of pages whose best candidate (above the floor) is the gold title."""
    right = 0
    for page in pages:
        if not len(page.rows):
            continue
        scores = [model.score(list(row)) for row in page.rows]
        best = int(np.argmax(scores))
        right += bool(page.labels[best]) and scores[best] > model.min_score
    return right / len(pages) if pages else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="the development corpus (jsonl.gz)")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--min-score", type=float, default=MIN_SCORE)
    args = parser.parse_args(argv)
    pages = collect(args.corpus)
    reachable = sum(bool(p.labels.any()) for p in pages)
    print(f"{len(pages)} pages with a gold title; the title is among the candidates on {reachable}")
    args.out.mkdir(parents=True, exist_ok=True)
    for half, other in (("A", "B"), ("B", "A")):
        train = [p for p in pages if p.half == half]
        model = fit_pages(train, args.l2, args.min_score)
        held_out = [p for p in pages if p.half == other]
        print(f"trained on half {half} ({len(train)} pages): pick accuracy in-sample "
              f"{pick_accuracy(model, train):.3f}, on half {other} {pick_accuracy(model, held_out):.3f}")
        (args.out / f"headline_{half}.json").write_text(json.dumps(model.to_dict(), indent=1) + "\n")
    model = fit_pages(pages, args.l2, args.min_score)
    print(f"trained on all {len(pages)} pages: pick accuracy in-sample {pick_accuracy(model, pages):.3f}")
    (args.out / "headline.json").write_text(json.dumps(model.to_dict(), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
