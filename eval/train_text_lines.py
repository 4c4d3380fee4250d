"""Train the scraped-text line model (services/cleaner/linemodel.py) on the development corpus.

    python -m eval.train_text_lines [--check]

Each page of the development corpus is turned into its visible text (eval/visible.py) and run
through the cleaner with the model switched off, recording every line's features (what the
hand classifier said of it and of its neighbours, its shape and words). A line is labelled
article text when most of its words sit in a word 4-gram of the page (read across line breaks,
so that a two-word subheading between paragraphs counts) that the gold body also has: the
harness's own body measure, line by line.

A logistic model (L2-penalised, fitted by Newton's method, each line weighted by the square
root of its word count, so long paragraphs count more as they do in the body measure) is fitted
with numpy alone; the two decoding thresholds are then chosen on the same training pages by the
mean body F1 of the decoded lines. Everything is deterministic (no sampling).

Three models are written: services/cleaner/models/text_lines.json (all pages: what the cleaner
ships) and eval/models/text_lines.trained-on-A.json / -B.json (one half of the sites each), with
which eval.cleaning scores each page of the other half: held-out figures, never in-sample ones.
``--check`` trains in memory and compares with the committed files instead of writing them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from eval.cleaning import ROOT, dev_corpus_path, shingles, site_half
from eval.visible import visible_text
from services.cleaner import linemodel
from services.cleaner.clean import RejectedArticle, clean_article
from shared.contracts.schemas import RawArticle

HALF_MODELS = ROOT / "eval" / "models"
L2 = 1.0
NEWTON_STEPS = 30
THRESHOLDS = tuple(round(0.25 + 0.05 * k, 2) for k in range(11))  # 0.25 .. 0.75
_TOKEN = re.compile(r"\w+", re.U)


def half_model_path(trained_on: str) -> Path:
    return HALF_MODELS / f"text_lines.trained-on-{trained_on}.json"


def line_labels(texts: list[str], gold: str) -> np.ndarray:
    """1.0 for a line most of whose words lie in a 4-gram of the page that the gold body has."""
    gold_grams = set(shingles(gold))
    words: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        tokens = _TOKEN.findall(text.casefold())
        words.extend(tokens)
        owner.extend([i] * len(tokens))
    covered = np.zeros(len(words), dtype=bool)
    for j in range(len(words) - 3):
        if tuple(words[j:j + 4]) in gold_grams:
            covered[j:j + 4] = True
    hits = np.zeros(len(texts))
    totals = np.zeros(len(texts))
    for j, i in enumerate(owner):
        totals[i] += 1
        hits[i] += covered[j]
    return ((totals > 0) & (hits >= 0.5 * np.maximum(totals, 1))).astype(float)


def load_pages() -> list[dict[str, Any]]:
    """Every development page as recorded line features, labels, its half and gold body."""
    pages = []
    with gzip.open(dev_corpus_path(), "rt", encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            text = visible_text(row["content"])
            with linemodel.using(None), linemodel.recording() as found:
                try:
                    clean_article(RawArticle(content=text, content_type="text/plain"))
                except RejectedArticle:
                    continue
            if not found:
                continue
            page = found[-1]
            page["labels"] = line_labels(page["texts"], row["gold"]["body"])
            page["half"] = site_half(row["site"])
            page["gold"] = row["gold"]["body"]
            page["gold_shingles"] = shingles(row["gold"]["body"])
            pages.append(page)
    return pages


def fit(pages: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standardisation and logistic weights, by Newton's method with an L2 penalty."""
    x = np.vstack([p["rows"] for p in pages])
    y = np.concatenate([p["labels"] for p in pages])
    w = np.sqrt(np.maximum(np.concatenate([np.asarray(p["words"], dtype=float) for p in pages]), 1.0))
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], L2)
    penalty[-1] = 0.0
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        grad = z.T @ (w * (p - y)) + penalty * beta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, beta[:-1], float(beta[-1])


def _f1(texts: list[str], chosen: list[int], gold: Counter[tuple[str, ...]]) -> float:
    found = shingles("\n\n".join(texts[k] for k in chosen))
    overlap = sum((found & gold).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(found.values()), overlap / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def page_f1(model: linemodel.Model, page: dict[str, Any], probabilities: np.ndarray | None = None) -> float:
    """Body F1 of the lines the model keeps on one recorded page (the hand choice when none)."""
    if probabilities is None:
        probabilities = model.probabilities(page["rows"])
    chosen = linemodel.decode(probabilities, page["words"], model.threshold, model.region_threshold,
                              page["hard"]) or page["kept"]
    return _f1(page["texts"], chosen, page["gold_shingles"])


def train(pages: list[dict[str, Any]]) -> linemodel.Model:
    """Weights fitted on ``pages``, thresholds chosen on them by mean body F1."""
    mean, scale, weights, bias = fit(pages)
    best: tuple[float, float, float] | None = None
    probabilities = [linemodel.Model(mean, scale, weights, bias, 0.5, 0.5).probabilities(p["rows"]) for p in pages]
    for region in THRESHOLDS:
        for keep in THRESHOLDS:
            model = linemodel.Model(mean, scale, weights, bias, keep, region)
            score = float(np.mean([page_f1(model, p, q) for p, q in zip(pages, probabilities, strict=True)]))
            if best is None or score > best[0] + 1e-9:
                best = (score, keep, region)
    assert best is not None
    return linemodel.Model(mean, scale, weights, bias, best[1], best[2])


def _hand_f1(pages: list[dict[str, Any]]) -> float:
    return float(np.mean([_f1(p["texts"], p["kept"], p["gold_shingles"]) for p in pages]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed weights, write nothing")
    args = parser.parse_args(argv)
    pages = load_pages()
    if not pages:
        sys.stderr.write("development corpus not found\n")
        return 2
    models = {"all": train(pages)}
    for half in "AB":
        models[half] = train([p for p in pages if p["half"] == half])
    for half, other in (("A", "B"), ("B", "A")):
        held = [p for p in pages if p["half"] == other]
        print(f"trained on {half}, scored on {other} ({len(held)} pages): line-level body F1 "
              f"{np.mean([page_f1(models[half], p) for p in held]):.3f} (hand classifier {_hand_f1(held):.3f})")
    targets = {"all": linemodel.MODEL_PATH, "A": half_model_path("A"), "B": half_model_path("B")}
    status = 0
    for key, path in targets.items():
        text = json.dumps(models[key].to_dict(), indent=1) + "\n"
        if args.check:
            same = path.is_file() and path.read_text(encoding="utf-8") == text
            print(f"{path.relative_to(ROOT)}: {'matches' if same else 'differs'}")
            status |= not same
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
