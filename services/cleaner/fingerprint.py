"""Near-duplicate fingerprints: a 64-bit SimHash over word shingles.

``content_hash`` catches exact copies; syndicated or lightly edited copies of one story (a
changed headline, a trailer added, a paragraph trimmed) differ in a few shingles only, so their
SimHashes differ in a few bits. Two bodies whose fingerprints are within
``NEAR_DUPLICATE_BITS`` bits (Hamming distance) are treated as the same story.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from shared.identity import normalize_text

SHINGLE = 3
NEAR_DUPLICATE_BITS = 3
# A story is identified by its first 50,000 words; beyond that, hashing costs time and tells
# nothing new about which story it is.
MAX_WORDS = 50_000
_MASK = (1 << 64) - 1
_WORD = re.compile(r"\w+", re.U)


def _hash64(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(text: str, shingle: int = SHINGLE) -> int:
    """SimHash of the text's word shingles (words folded as for content_hash), each shingle
    weighted by how often it occurs."""
    words = normalize_text(text[: MAX_WORDS * 12]).split()[:MAX_WORDS]
    if not words:
        return 0
    size = min(shingle, len(words))
    counts: dict[str, int] = {}
    for i in range(len(words) - size + 1):
        key = " ".join(words[i:i + size])
        counts[key] = counts.get(key, 0) + 1
    hashes = np.fromiter((_hash64(k) for k in counts), dtype=np.uint64, count=len(counts))
    weights = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    total = int(weights.sum())
    result = 0
    for bit in range(64):
        ones = int(weights[((hashes >> np.uint64(bit)) & np.uint64(1)).astype(bool)].sum())
        if 2 * ones > total:
            result |= 1 << bit
    return result & _MASK


def fingerprint(text: str) -> str:
    """The SimHash as 16 lower-case hex digits (CleanArticle.fingerprint)."""
    return f"{simhash(text):016x}"


def hamming(a: str | int, b: str | int) -> int:
    """Bits that differ between two fingerprints, given as hex strings or ints."""
    x = int(a, 16) if isinstance(a, str) else a
    y = int(b, 16) if isinstance(b, str) else b
    return ((x ^ y) & _MASK).bit_count()


def is_near_duplicate(a: str | int, b: str | int, max_bits: int = NEAR_DUPLICATE_BITS) -> bool:
    """True when two fingerprints are close enough to be the same story."""
    return hamming(a, b) <= max_bits
