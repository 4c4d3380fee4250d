"""Stories: near-identical copies of one article found and grouped, deterministically.

Pure logic (no Elasticsearch): the indexer's ``story_store`` does the I/O with these functions,
and the evaluation and unit tests run them in memory through :class:`StoryGraph`.

- **Shingles.** A body is folded as for ``content_hash`` (case, accents, punctuation) and cut
  into overlapping ``SHINGLE``-word shingles, each hashed to 32 bits. Boilerplate the cleaner
  left, an edited headline (the title is not used), a few changed words or a cut last paragraph
  change few shingles.
- **Candidates.** A MinHash signature of the shingles (``NUM_PERM`` multiply-shift hash
  functions) is cut into ``BANDS`` bands of ``ROWS`` values; each band gives a keyword
  ("band key") stored with the article. Two articles share a band with probability J**ROWS for
  shingle Jaccard similarity J, so at least ``MIN_SHARED_KEYS`` (2) of the 60 bands with
  probability 0.98 at J = 0.3, 0.70 at J = 0.2, 0.12 at J = 0.1. The four 16-bit blocks of the
  cleaner's SimHash ``fingerprint`` are keys too: two fingerprints within 3 bits share at least
  one block.
- **Verification.** A candidate is a duplicate when the shared shingles cover most of the
  shorter text (containment, which tolerates truncation) and the shorter text is not a small
  part of the longer one (a quote or a brief does not make the long article a copy).
- **Stories.** Verified pairs are links; a story is a connected component of links, and its
  ``story_id`` is the id of the member that comes first by ``(published_at, id)`` (undated
  last). ``duplicate_of`` is the first linked article that comes before the article itself.
  Both are functions of the set of links only, never of arrival order, so any number of
  workers in any order reach the same values once every link is written.

A story groups near-identical copies only; different articles about the same event stay
different stories (see docs/search.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np

from shared.contracts.identity import normalize_text

SHINGLE = 4  # words per shingle
NUM_PERM = 120
BANDS = 60
ROWS = NUM_PERM // BANDS
SEED = 20240920  # fixed: band keys must be the same in every worker and every release
MAX_WORDS = 20_000  # beyond this, more words tell nothing new about which story it is
MIN_SHINGLES = 8  # shorter texts (a headline, a caption) never count as copies

MIN_SHARED_KEYS = 2  # a candidate shares at least this many band keys: one alone is mostly chance
CONTAINMENT_MIN = 0.6  # shared shingles / shingles of the shorter text
SIZE_RATIO_MIN = 0.2  # shingles of the shorter / of the longer text
UNDATED = "9999-12-31T23:59:59.999999Z"  # undated articles come after every dated one

_rng = np.random.default_rng(SEED)
# Multiply-shift hashing: h(x) = (a * x + b) mod 2**64, its high 32 bits; a odd.
_A = _rng.integers(1, 2**63 - 1, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63 - 1, size=NUM_PERM, dtype=np.uint64)
_EMPTY = np.zeros(0, dtype=np.uint64)


@lru_cache(maxsize=1024)
def shingles(body: str) -> np.ndarray:
    """The distinct 32-bit hashes of the body's word shingles, sorted (as uint64), read-only.
    Memoised: the indexer needs an article's shingles to write it, to find its copies and to
    verify it as another article's candidate, all within a batch or two."""
    words = normalize_text(body[: MAX_WORDS * 12]).split()[:MAX_WORDS]
    if len(words) < SHINGLE:
        return _EMPTY
    grams = (" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))
    values = [int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest(), "big") for g in grams]
    result = np.unique(np.array(values, dtype=np.uint64))
    result.setflags(write=False)
    return result


def minhash(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature (NUM_PERM values) of a shingle set; empty for an empty set."""
    if hashes.size == 0:
        return _EMPTY
    with np.errstate(over="ignore"):
        permuted = (hashes[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    return permuted.min(axis=0)


def band_keys(hashes: np.ndarray, fingerprint: str | None = None) -> list[str]:
    """The keywords two near-identical articles are likely to share (see the module doc):
    ``m<band>:<hash>`` per MinHash band, ``f<block>:<hex>`` per SimHash block. None for a text
    too short to compare."""
    if hashes.size < MIN_SHINGLES:
        return []
    signature = minhash(hashes)
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS:(band + 1) * ROWS].astype("<u8").tobytes()
        keys.append(f"m{band:02d}:{hashlib.blake2b(rows, digest_size=6).hexdigest()}")
    if fingerprint and len(fingerprint) == 16 and int(fingerprint, 16):
        keys += [f"f{block}:{fingerprint[block * 4:(block + 1) * 4]}" for block in range(4)]
    return keys


@dataclass(frozen=True)
class Similarity:
    shared: int
    smaller: int
    larger: int

    @property
    def containment(self) -> float:
        return self.shared / self.smaller if self.smaller else 0.0

    @property
    def jaccard(self) -> float:
        union = self.smaller + self.larger - self.shared
        return self.shared / union if union else 0.0

    @property
    def size_ratio(self) -> float:
        return self.smaller / self.larger if self.larger else 0.0


def similarity(a: np.ndarray, b: np.ndarray) -> Similarity:
    """Shingle overlap of two texts (sorted distinct hashes, as :func:`shingles` gives)."""
    shared = int(np.intersect1d(a, b, assume_unique=True).size)
    return Similarity(shared, min(a.size, b.size), max(a.size, b.size))


def is_near_duplicate(a: np.ndarray, b: np.ndarray) -> bool:
    """The same text give or take boilerplate, small edits or truncation. Symmetric."""
    if min(a.size, b.size) < MIN_SHINGLES:
        return False
    sim = similarity(a, b)
    return sim.containment >= CONTAINMENT_MIN and sim.size_ratio >= SIZE_RATIO_MIN


def order_key(published_at: datetime | str | None, article_id: str) -> str:
    """A string that sorts articles by (published_at, id), undated last: the story's first
    member has the smallest. Painless compares these strings the same way Python does."""
    if published_at is None or published_at == "":
        stamp = UNDATED
    else:
        when = datetime.fromisoformat(published_at) if isinstance(published_at, str) else published_at
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{stamp}|{article_id}"


def id_of(key: str) -> str:
    """The article id an :func:`order_key` was built from."""
    return key.split("|", 1)[1]


def first_linked_before(own_key: str, linked_keys: Iterable[str]) -> str | None:
    """``duplicate_of``: the id of the first linked article that comes before this one."""
    earlier = [k for k in linked_keys if k < own_key]
    return id_of(min(earlier)) if earlier else None


def story_of(member_keys: Iterable[str]) -> str:
    """``story_id``: the id of the component's first member."""
    return id_of(min(member_keys))


def rank_candidates(matches: dict[str, int], limit: int) -> list[str]:
    """Candidates sharing at least MIN_SHARED_KEYS band keys, most first, then by id: the same
    list whoever asks."""
    ranked = sorted(((c, n) for c, n in matches.items() if n >= MIN_SHARED_KEYS), key=lambda kv: (-kv[1], kv[0]))
    return [c for c, _ in ranked[:limit]]


@dataclass
class StoryInput:
    id: str
    body: str
    published_at: datetime | None = None
    fingerprint: str | None = None


@dataclass
class Assignment:
    story_id: str
    duplicate_of: str | None
    links: list[str] = field(default_factory=list)


class StoryGraph:
    """Stories held in memory, with the same candidates, verification and naming as the
    indexer's Elasticsearch path: the evaluation and the unit tests run it."""

    def __init__(self, max_candidates: int = 50) -> None:
        self.max_candidates = max_candidates
        self.keys: dict[str, str] = {}
        self.hashes: dict[str, np.ndarray] = {}
        self.bands: dict[str, set[str]] = {}
        self.links: dict[str, set[str]] = {}

    def add(self, article: StoryInput) -> list[str]:
        """Index one article; returns the ids it was linked to."""
        hashes = shingles(article.body)
        self.keys[article.id] = order_key(article.published_at, article.id)
        self.hashes[article.id] = hashes
        self.links.setdefault(article.id, set())
        matches: dict[str, int] = {}
        for key in band_keys(hashes, article.fingerprint):
            for other in self.bands.setdefault(key, set()):
                if other != article.id:
                    matches[other] = matches.get(other, 0) + 1
            self.bands[key].add(article.id)
        linked = [c for c in rank_candidates(matches, self.max_candidates)
                  if is_near_duplicate(hashes, self.hashes[c])]
        for other in linked:
            self.links[article.id].add(other)
            self.links[other].add(article.id)
        return linked

    def add_all(self, articles: Sequence[StoryInput]) -> StoryGraph:
        for article in articles:
            self.add(article)
        return self

    def assignments(self) -> dict[str, Assignment]:
        """story_id and duplicate_of of every article, from the links alone."""
        result: dict[str, Assignment] = {}
        seen: set[str] = set()
        for start in sorted(self.links):
            if start in seen:
                continue
            component, frontier = {start}, [start]
            while frontier:
                node = frontier.pop()
                for nxt in self.links[node] - component:
                    component.add(nxt)
                    frontier.append(nxt)
            seen |= component
            story = story_of(self.keys[m] for m in component)
            for member in component:
                result[member] = Assignment(
                    story, first_linked_before(self.keys[member], (self.keys[o] for o in self.links[member])),
                    sorted(self.links[member]))
        return result


@lru_cache(maxsize=1024)
def _bands(body: str, fingerprint: str | None) -> tuple[str, ...]:
    return tuple(band_keys(shingles(body), fingerprint))


def story_fields(article_id: str, published_at: datetime | str | None, body: str,
                 fingerprint: str | None) -> dict:
    """What a newly indexed article carries about its story before any link is known: its own
    story, no original, its band keys. ``story`` holds the bookkeeping the merge step needs:
    ``order`` (its own order key), ``key`` (the order key of its story's first member),
    ``links`` (near-duplicates found), ``duplicate_key`` (order key of ``duplicate_of``)."""
    order = order_key(published_at, article_id)
    return {
        "story_id": article_id,
        "duplicate_of": None,
        "story": {"order": order, "key": order, "links": [], "duplicate_key": None,
                  "bands": list(_bands(body, fingerprint))},
    }


def with_story(article_id: str, doc: dict) -> dict:
    """``doc`` as it is when it has story fields; else with those of a new article (documents
    indexed before stories existed get them when ``newsflow reindex`` copies them)."""
    if doc.get("story"):
        return doc
    return {**doc, **story_fields(article_id, doc.get("published_at"), doc.get("body") or "",
                                  doc.get("fingerprint"))}


# The merge steps, each a pure change of one document's story fields: it returns the partial
# document to write, or None when nothing changes. Each only adds links and lowers keys, so
# applying them in any order, repeatedly, ends at the same values.


def carry_story(fresh: dict, old: dict | None) -> dict:
    """The story fields of a re-written article: its own (``story_fields``) with the links,
    the earlier story and the earlier original it already had (a re-delivery keeps its story)."""
    previous = (old or {}).get("story") or {}
    story = dict(fresh["story"])
    result = {"story_id": fresh["story_id"], "duplicate_of": fresh["duplicate_of"], "story": story}
    if previous.get("links"):
        story["links"] = sorted(set(previous["links"]) | set(story["links"]))
    if previous.get("key") and previous["key"] < story["key"]:
        story["key"] = previous["key"]
        result["story_id"] = id_of(previous["key"])
    if previous.get("duplicate_key") and previous["duplicate_key"] < story["order"]:
        story["duplicate_key"] = previous["duplicate_key"]
        result["duplicate_of"] = id_of(previous["duplicate_key"])
    return result


def add_link(doc: dict, other_order: str) -> dict | None:
    """A link to the article whose order key is ``other_order``; when that article comes
    first, and before any original known so far, it becomes ``duplicate_of``."""
    story = doc.get("story")
    if not story or not story.get("order"):
        return None
    other = id_of(other_order)
    links = list(story.get("links") or [])
    change: dict = {}
    if other not in links:
        change["links"] = sorted([*links, other])
    current = story.get("duplicate_key")
    if other_order < story["order"] and (current is None or other_order < current):
        change["duplicate_key"] = other_order
    if not change:
        return None
    partial: dict = {"story": change}
    if "duplicate_key" in change:
        partial["duplicate_of"] = other
    return partial


def add_links(doc: dict, other_orders: Iterable[str]) -> dict | None:
    """:func:`add_link` for several articles at once: one partial document, or None."""
    story = dict(doc.get("story") or {})
    partial: dict = {}
    for other_order in sorted(other_orders):
        change = add_link({**doc, "story": story}, other_order)
        if change is not None:
            story.update(change["story"])
            partial = {**partial, **change, "story": {**partial.get("story", {}), **change["story"]}}
    return partial or None


def lower_story(doc: dict, first_key: str) -> dict | None:
    """The story's first member as a walk found it; never raises the key."""
    story = doc.get("story")
    if not story or (story.get("key") and story["key"] <= first_key):
        return None
    return {"story_id": id_of(first_key), "story": {"key": first_key}}
