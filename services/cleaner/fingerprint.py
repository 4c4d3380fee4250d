"""Near-duplicate fingerprints: a 64-bit SimHash over word shingles.

``content_hash`` catches exact copies; syndicated or lightly edited copies of one story (a
changed headline, a trailer added, a paragraph trimmed) differ in a few shingles only, so their
SimHashes differ in a few bits. Two bodies whose fingerprints are within
``NEAR_DUPLICATE_BITS`` bits (Hamming distance) are treated as the same story.
"""

from __future__ import annotations

import hashlib

import numpy as np

from shared.contracts.identity import normalize_text

SHINGLE = 3
NEAR_DUPLICATE_BITS = 3
# A story is identified by its first 50,000 words; beyond that, hashing costs time and tells
# nothing new about which story it is.
MAX_WORDS = 50_000
_MASK = (1 << 64) - 1


# Word hashes are memoised: the words of news text repeat from article to article, and a hash
# is the same wherever it is computed. The table is emptied when it grows past its bound.
_WORD_HASHES: dict[str, int] = {}
_WORD_HASHES_MAX = 200_000


def _hash64(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")


def _word_hash(word: str) -> int:
    value = _WORD_HASHES.get(word)
    if value is None:
        if len(_WORD_HASHES) >= _WORD_HASHES_MAX:
            _WORD_HASHES.clear()
        value = _WORD_HASHES[word] = _hash64(word)
    return value


def _rotl(values: np.ndarray, bits: int) -> np.ndarray:
    if bits == 0:
        return values
    return (values << np.uint64(bits)) | (values >> np.uint64(64 - bits))


def simhash(text: str, shingle: int = SHINGLE, folded: str | None = None) -> int:
    """SimHash of the text's word shingles (words folded as for content_hash), every
    occurrence counted. A shingle's 64-bit hash combines its words' hashes, each rotated by
    its position, so each distinct word is hashed once and the rest is vector arithmetic.
    ``folded`` is ``normalize_text(text)`` when the caller already has it."""
    if folded is None:
        folded = normalize_text(text[: MAX_WORDS * 12])
    words = folded.split()[:MAX_WORDS]
    if not words:
        return 0
    size = min(shingle, len(words))
    values = list(map(_WORD_HASHES.get, words))  # memoised hashes, looked up at C speed
    if None in values:
        values = [_word_hash(w) if v is None else v for w, v in zip(words, values, strict=True)]
    word_hashes = np.array(values, dtype=np.uint64)
    count = len(words) - size + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(size):
        hashes ^= _rotl(word_hashes[offset:offset + count], offset * 21 % 64)
    bits = np.unpackbits(hashes.astype(">u8").view(np.uint8).reshape(count, 8), axis=1)
    ones = bits.sum(axis=0, dtype=np.int64)  # bit 0 is the most significant
    result = 0
    for position in range(64):
        if 2 * int(ones[position]) > count:
            result |= 1 << (63 - position)
    return result


def fingerprint(text: str, folded: str | None = None) -> str:
    """The SimHash as 16 lower-case hex digits (CleanArticle.fingerprint); ``folded`` as for
    simhash."""
    return f"{simhash(text, folded=folded):016x}"


def hamming(a: str | int, b: str | int) -> int:
    """Bits that differ between two fingerprints, given as hex strings or ints."""
    x = int(a, 16) if isinstance(a, str) else a
    y = int(b, 16) if isinstance(b, str) else b
    return ((x ^ y) & _MASK).bit_count()


def is_near_duplicate(a: str | int, b: str | int, max_bits: int = NEAR_DUPLICATE_BITS) -> bool:
    """True when two fingerprints are close enough to be the same story."""
    return hamming(a, b) <= max_bits
