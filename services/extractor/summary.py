"""A 1 to 3 sentence extractive summary: the lead plus the sentences most central to the article.

News puts the essentials first, so the first sentence gets a bonus; other sentences score by the
average article-frequency of their content lemmas. Fragments (captions, headings, sign-offs) are
skipped. The chosen sentences keep their order in the article.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Doc

MIN_WORDS = 8
MAX_WORDS = 60
MAX_SENTENCES = 3
MAX_SUMMARY_WORDS = 90


def summarize(doc: Doc, max_sentences: int = MAX_SENTENCES) -> str | None:
    freq = Counter(t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop)
    if not freq:
        return None
    top = max(freq.values())
    candidates = []
    for index, sent in enumerate(doc.sents):
        words = [t for t in sent if t.is_alpha]
        text = " ".join(sent.text.split())
        if len(words) < MIN_WORDS or len(words) > MAX_WORDS or not re.search(r"[.!?\"”’]$", text):
            continue
        content = [freq[t.lemma_.lower()] / top for t in words if not t.is_stop]
        if not content:
            continue
        score = sum(content) / (len(content) ** 0.5)
        if index == 0 or not candidates:
            score *= 1.6
        candidates.append((score, index, text, len(words)))
    if not candidates:
        return None
    chosen = []
    total = 0
    for _score, index, text, n in sorted(candidates, key=lambda c: -c[0]):
        if len(chosen) >= max_sentences or (chosen and total + n > MAX_SUMMARY_WORDS):
            continue
        chosen.append((index, text))
        total += n
    return " ".join(text for _, text in sorted(chosen))
