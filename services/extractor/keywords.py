"""Keywords: ranked key phrases from part-of-speech patterns, no parser needed.

Candidates are maximal runs of adjectives, nouns and proper nouns ending in a noun (at most four
words, no stop words or numbers). A phrase scores by how often its words occur in the article
(content-word frequency), how often the phrase itself occurs, its length, and how early it first
appears. Phrases contained in a better one are dropped.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from spacy.tokens import Doc

from services.extractor.text import TITLE_WORDS

CONTENT_POS = {"ADJ", "NOUN", "PROPN"}
HEAD_POS = {"NOUN", "PROPN"}
MAX_WORDS = 4
GENERIC = {"year", "time", "day", "way", "thing", "part", "number", "side", "country", "people", "mr", "ms",
           "percent", "official", "source", "week", "month", "today", "area", "level", "field", "lot"}


def _usable(tok) -> bool:
    """A word that can be part of a key phrase: content word, not a person's name, title or hyphen half."""
    if tok.pos_ not in CONTENT_POS or tok.is_stop or not tok.is_alpha or len(tok) < 2:
        return False
    if tok.ent_type_ in {"PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}:
        return False
    if tok.lower_ in TITLE_WORDS and tok.lower_ not in {"army", "state", "defence", "defense", "finance", "commerce"}:
        return False
    doc = tok.doc
    before = doc[tok.i - 1] if tok.i > 0 else None
    after = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    glued_before = before is not None and before.text == "-" and not before.whitespace_
    glued_after = after is not None and after.text == "-" and not tok.whitespace_
    return not (glued_before or glued_after)


def _candidates(doc: Doc) -> list[tuple[int, list]]:
    runs: list[tuple[int, list]] = []
    current: list = []
    for tok in [*doc, None]:
        if tok is not None and _usable(tok):
            current.append(tok)
            continue
        while current and current[-1].pos_ not in HEAD_POS:
            current.pop()
        if current:
            for start in range(0, max(1, len(current) - MAX_WORDS + 1)):
                chunk = current[start:start + MAX_WORDS]
                runs.append((chunk[0].i, chunk))
        current = []
    return runs


def extract_keywords(doc: Doc, limit: int = 10) -> list[str]:
    """Top key phrases of the article, best first, as written (proper nouns keep their case)."""
    if len(doc) == 0:
        return []
    word_freq = Counter(t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and t.pos_ in CONTENT_POS)
    phrase_count: Counter[str] = Counter()
    first_pos: dict[str, int] = {}
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    for start, chunk in _candidates(doc):
        key = " ".join(t.lemma_.lower() for t in chunk)
        if len(chunk) == 1 and key in GENERIC:
            continue
        phrase_count[key] += 1
        first_pos.setdefault(key, start)
        surface[key][" ".join(t.text if t.pos_ == "PROPN" or (t.text[:1].isupper() and not t.is_sent_start)
                              else t.text.lower() for t in chunk)] += 1
    n = len(doc)
    scored = []
    for key, count in phrase_count.items():
        words = key.split()
        content = sum(word_freq[w] for w in words) / len(words)
        position = 1.0 + 0.5 * (1.0 - first_pos[key] / n)
        length = 1.0 + 0.4 * (len(words) - 1)
        scored.append((content * (1 + count) * position * length, key))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[str] = []
    for _, key in scored:
        if any(f" {key} " in f" {other} " for other in chosen):
            continue
        chosen.append(key)
        if len(chosen) >= limit:
            break
    return [surface[k].most_common(1)[0][0] for k in chosen]
