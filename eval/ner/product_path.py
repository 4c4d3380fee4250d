"""Entity F1 through the product path: score the output of ``newsflow extract --jsonl`` on the
CoNLL-2003 test documents against their gold, per document, with eval/extraction.py's name rule
(counts summed over documents; a refused document counts as nothing found).

    PYTHONPATH=$PWD .venv/bin/python -m eval.ner.conll2003 /tmp/conll-test.jsonl
    PYTHONPATH=$PWD .venv/bin/newsflow extract --jsonl /tmp/conll-test.jsonl > /tmp/conll-out.jsonl
    PYTHONPATH=$PWD .venv/bin/python -m eval.ner.product_path /tmp/conll-out.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.extraction import Counts, acronym_definitions, ner_counts
from eval.ner import conll2003

KINDS = ("PER", "ORG", "LOC")


def score(lines: list[str]) -> tuple[dict[str, Counts], int]:
    """Counts per entity type over the documents of ``lines``, and how many were refused."""
    docs = {d.id: d for d in conll2003.load()}
    totals = {kind: Counts() for kind in KINDS}
    refused = 0
    for line in lines:
        result = json.loads(line)
        doc = docs[result["id"]]
        refused += "error" in result
        found = {} if "error" in result else {
            "PER": result["people"], "ORG": result["organizations"], "LOC": result["locations"]}
        for kind, counts in ner_counts(found, doc.entities, False, acronym_definitions(doc.text)).items():
            totals[kind].add(counts)
    return totals, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path, help="the output of newsflow extract --jsonl")
    args = parser.parse_args(argv)
    lines = [ln for ln in args.results.read_text(encoding="utf-8").splitlines() if ln.strip()]
    totals, refused = score(lines)
    overall = Counts()
    for counts in totals.values():
        overall.add(counts)
    print(f"documents {len(lines)}, refused {refused}; "
          + ", ".join(f"{kind} F1 {totals[kind].f1:.3f}" for kind in KINDS)
          + f"; all P {overall.precision:.3f} R {overall.recall:.3f} F1 {overall.f1:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
