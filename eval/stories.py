"""Evaluate near-duplicate detection and story grouping on a generated syndication set.

    python -m eval.stories [--copies 2] [--seed 7] [--no-related] [--verbose] [--write-set PATH]

The set: every page of ../shared/eval/news-pages-dev.jsonl.gz (its HTML, through the cleaner)
and every seed (seeds/*.txt) is an original story. Each is republished ``--copies`` times by
made-up outlets: the gold body (the cleaned seed for seeds) inside another site's page with its
own navigation, sidebars, share bars, inline promos and footer, under an edited headline, with
the last paragraph cut (the second copy also loses the one before and gains a dateline and an
editor's note), a few words changed, another URL (so another id), source and publication time.
Copies go through the same cleaner as the originals. The originals are distinct stories on
overlapping subjects (the five seeds are five different articles on Pakistan and Russia; the
pages come two by two from one site), so every pair of articles from two different originals
must stay apart. To make that harder, each neighbouring pair (consecutive pages of one site,
consecutive seeds) gives one more article: the second story republished with a background
paragraph of the first inserted, as follow-ups reuse a wire paragraph; it belongs to the second
story only.

Printed: duplicate-pair precision and recall, where a predicted pair is two articles given the
same ``story_id`` (the grouping users see) and, separately, two articles directly linked as
near-duplicates; and whether two arrival orders gave identical ``story_id``s and
``duplicate_of``s. Exit status 1 when precision < 0.98 or recall < 0.95.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from services.cleaner.clean import RejectedArticle, clean_article
from services.indexer.stories import StoryGraph, StoryInput
from shared.contracts.schemas import CleanArticle, ContentType, RawArticle

ROOT = Path(__file__).resolve().parents[1]

PAGES_NAME = Path("shared") / "eval" / "news-pages-dev.jsonl.gz"
SEEDS = ROOT / "seeds"
PRECISION_MIN = 0.98
RECALL_MIN = 0.95

# Made-up outlets that republish stories, each with its own page furniture.
OUTLETS = (
    ("Harbour Ledger", "harbourledger.example", "News Sport Business Opinion Culture Weather"),
    ("Valley Tribune Online", "valleytribune.example", "Home Local National World Money Life"),
    ("The Daily Meridian", "dailymeridian.example", "Latest Politics Economy Tech Health Travel"),
    ("Northwire", "northwire.example", "Top stories Markets Energy Science Video Podcasts"),
    ("Coastal Courier", "coastalcourier.example", "Front page Region Nation Globe Arts Obituaries"),
    ("Metro Dispatch", "metrodispatch.example", "Breaking City Crime Schools Transit Events"),
)
PROMOS = (
    "Sign up for our morning newsletter and never miss a story.",
    "Advertisement",
    "Follow us on social media for the latest updates.",
    "Subscribe now for unlimited access to all our journalism.",
)
SWAPS = (
    ("said", "stated"), ("says", "states"), ("also", "additionally"), ("new", "fresh"), ("major", "key"),
    ("government", "administration"), ("officials", "authorities"), ("however", "but"), ("very", "highly"),
    ("big", "large"), ("show", "indicate"), ("help", "assist"), ("about", "around"), ("after", "following"),
)
DATELINES = ("LONDON", "NEW YORK", "SINGAPORE", "NAIROBI", "SYDNEY")


@dataclass
class Original:
    key: str
    title: str
    body: str  # the text the copies republish
    raw: RawArticle  # the original as a source delivers it
    published: datetime
    site: str = ""


def pages_file() -> Path:
    """``../shared/eval/news-pages-dev.jsonl.gz`` next to the checkout (or next to a folder above
    it, for a worktree kept in a subfolder)."""
    for folder in ROOT.parents:
        if (folder / PAGES_NAME).exists():
            return folder / PAGES_NAME
    raise SystemExit(f"error: {PAGES_NAME} not found next to {ROOT} or a folder above it")


def load_originals() -> list[Original]:
    originals = []
    with gzip.open(pages_file(), "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            gold = row["gold"]
            try:
                published = datetime.fromisoformat(str(gold.get("published_date"))[:10])
            except ValueError:  # undated in the gold
                published = datetime(2024, 1, 1)
            published = published.replace(hour=8, tzinfo=UTC)
            raw = RawArticle(url=row["url"], content=row["content"], content_type=ContentType.HTML,
                             published_at=published)
            originals.append(Original(f"page:{row['id']}", gold.get("title") or "", gold["body"], raw, published,
                                      row.get("site") or ""))
    for path in sorted(SEEDS.glob("*.txt")):
        raw = RawArticle(id=f"seed-{path.stem}", content=path.read_text(encoding="utf-8"))
        cleaned = clean_article(raw)
        published = cleaned.published_at or datetime(2024, 9, 20, 8, tzinfo=UTC)
        originals.append(Original(f"seed:{path.stem}", cleaned.title or "", cleaned.body, raw, published, "seeds"))
    return originals


def edit_headline(title: str, rng: random.Random, outlet: str) -> str:
    words = title.split()
    choice = rng.randrange(4)
    if choice == 0:
        return f"UPDATE 1-{title}"
    if choice == 1 and len(words) > 4:
        return " ".join(words[: len(words) - 2]) + f" | {outlet}"
    if choice == 2:
        return f"Report: {title.rstrip('.')}"
    return f"{title} (updated)"


def change_words(paragraph: str, rng: random.Random, count: int) -> tuple[str, int]:
    """Up to ``count`` words swapped for near synonyms or dropped."""
    words = paragraph.split(" ")
    changed = 0
    positions = list(range(len(words)))
    rng.shuffle(positions)
    for i in positions:
        if changed >= count:
            break
        bare = words[i].strip(".,;:!?\"'“”").lower()
        for old, new in SWAPS:
            if bare == old:
                words[i] = words[i].replace(old, new).replace(old.capitalize(), new.capitalize())
                changed += 1
                break
        else:
            if len(bare) > 6 and rng.random() < 0.05:
                words[i] = ""  # a dropped adjective or name
                changed += 1
    return " ".join(w for w in words if w), changed


def related_pairs(originals: list[Original]) -> list[tuple[Original, Original]]:
    """Originals on neighbouring subjects: consecutive pages of one site, and the seeds."""
    by_site: dict[str, list[Original]] = {}
    for original in originals:
        by_site.setdefault(original.site, []).append(original)
    return [(a, b) for group in by_site.values() for a, b in itertools.pairwise(group)]


def borrowing(story: Original, lender: Original, rng: random.Random) -> Original:
    """Another article of ``story``'s outlet that reuses a background paragraph of ``lender``
    (a paragraph at most a quarter of the lender's words long): still ``story``, never
    ``lender``."""
    words = len(lender.body.split())
    reusable = [p for p in lender.body.split("\n\n") if 12 <= len(p.split()) <= words // 4]
    paragraphs = story.body.split("\n\n")
    if reusable:
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), rng.choice(reusable))
    return Original(story.key, story.title, "\n\n".join(paragraphs), story.raw,
                    max(story.published, lender.published) + timedelta(hours=2), story.site)


def republish(original: Original, copy: int, rng: random.Random) -> RawArticle:
    name, domain, sections = OUTLETS[rng.randrange(len(OUTLETS))]
    paragraphs = [p.strip() for p in original.body.split("\n\n") if p.strip()]
    if len(paragraphs) > 2:
        paragraphs = paragraphs[:-1]  # the cut last paragraph
    if copy >= 1 and len(paragraphs) > 6:
        paragraphs = paragraphs[:-1]
    budget = rng.randint(3, 6)  # a few changed words
    for _ in range(3):
        if budget <= 0:
            break
        i = rng.randrange(len(paragraphs))
        paragraphs[i], changed = change_words(paragraphs[i], rng, budget)
        budget -= changed
    if copy >= 1:
        paragraphs[0] = f"{rng.choice(DATELINES)} ({name}) - {paragraphs[0]}"
        paragraphs.append(f"This story was first published elsewhere and is republished by {name}.")
    body_html = []
    for i, paragraph in enumerate(paragraphs):
        body_html.append(f"<p>{escape(paragraph)}</p>")
        if i == 1:
            body_html.append(f'<aside class="promo"><p>{escape(rng.choice(PROMOS))}</p></aside>')
    title = edit_headline(original.title, rng, name)
    published = original.published + timedelta(hours=rng.randint(1, 48))
    nav = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in sections.split())
    related = "".join(f'<li><a href="/story/{rng.randrange(10**6)}">More from {name}: story {n}</a></li>'
                      for n in range(4))
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - {name}</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="{name}">
<meta property="article:published_time" content="{published.isoformat()}"></head><body>
<header><div class="logo">{name}</div><nav><ul>{nav}</ul></nav></header>
<main><article><h1>{escape(title)}</h1><p class="byline">By {name} staff | {published:%B %d, %Y}</p>
<div class="share">Share on Facebook Share on X Email Print</div>
<div class="article-body">{''.join(body_html)}</div>
<div class="tags">Tags: news, world, {name.split()[0].lower()}</div></article>
<aside class="sidebar"><h2>Most read</h2><ul>{related}</ul></aside></main>
<footer><p>© {published.year} {name}. All rights reserved.</p><p>About us · Contact · Privacy policy · Terms</p>
</footer></body></html>"""
    slug = "-".join(re.findall(r"[a-z0-9]+", original.title.lower())[:6]) or "story"
    return RawArticle(url=f"https://www.{domain}/{published:%Y/%m}/{slug}-{copy}-{rng.randrange(10**6)}",
                      source=name, content=page, content_type=ContentType.HTML, published_at=published)


@dataclass
class Item:
    story: str  # the original it came from: the truth
    article: CleanArticle


def raw_set(copies: int, seed: int, related: bool) -> list[tuple[str, RawArticle]]:
    """(original's key, article) for every original, its copies and, with ``related``, the
    articles that borrow a paragraph from a neighbouring story."""
    rng = random.Random(seed)
    originals = load_originals()
    raws = []
    for original in originals:
        raws += [(original.key, r) for r in [original.raw] + [republish(original, n, rng) for n in range(copies)]]
    if related:
        for lender, story in related_pairs(originals):
            raws.append((story.key, republish(borrowing(story, lender, rng), copies, rng)))
    return raws


def build_set(copies: int, seed: int, related: bool = True) -> tuple[list[Item], int]:
    """The articles (cleaned) and how many inputs the cleaner refused."""
    items, refused = [], 0
    for key, raw in raw_set(copies, seed, related):
        try:
            items.append(Item(key, clean_article(raw)))
        except RejectedArticle:
            refused += 1
    return items, refused


def pairs_of(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for members in groups.values() for p in itertools.combinations(members, 2)}


def run(items: list[Item], order_seed: int) -> dict:
    shuffled = list(items)
    random.Random(order_seed).shuffle(shuffled)
    graph = StoryGraph().add_all([StoryInput(i.article.id, i.article.body, i.article.published_at,
                                             i.article.fingerprint) for i in shuffled])
    return graph.assignments()


def score(predicted: set, truth: set) -> tuple[float, float, int, int]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    return precision, recall, len(predicted - truth), len(truth - predicted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=2, help="republished copies per original")
    parser.add_argument("--seed", type=int, default=7, help="seed of the copies' edits")
    parser.add_argument("--verbose", action="store_true", help="list the wrong pairs")
    parser.add_argument("--no-related", dest="related", action="store_false",
                        help="leave out the articles that borrow a paragraph from a neighbouring story")
    parser.add_argument("--write-set", type=Path, help="also write the set as RawArticle JSON lines")
    args = parser.parse_args(argv)

    started = time.monotonic()
    items, refused = build_set(args.copies, args.seed, args.related)
    if args.write_set:
        with args.write_set.open("w", encoding="utf-8") as out:
            for key, raw in raw_set(args.copies, args.seed, args.related):
                out.write(json.dumps({"story": key, "article": raw.model_dump(mode="json")}) + "\n")
    built = time.monotonic() - started
    by_id = {i.article.id: i for i in items}
    assert len(by_id) == len(items), "two articles of the set share an id"

    started = time.monotonic()
    first = run(items, order_seed=1)
    grouping = time.monotonic() - started
    second = run(items, order_seed=2)
    same_order = all((first[k].story_id, first[k].duplicate_of) == (second[k].story_id, second[k].duplicate_of)
                     for k in first)

    truth_groups: dict[str, list[str]] = {}
    for item in items:
        truth_groups.setdefault(item.story, []).append(item.article.id)
    story_groups: dict[str, list[str]] = {}
    for article_id, assignment in first.items():
        story_groups.setdefault(assignment.story_id, []).append(article_id)
    truth = pairs_of(truth_groups)
    story_pairs = pairs_of(story_groups)
    link_pairs = {tuple(sorted((a, b))) for a, asg in first.items() for b in asg.links}

    sp, sr, s_fp, s_fn = score(story_pairs, truth)
    lp, lr, l_fp, l_fn = score(link_pairs, truth)
    originals = len(truth_groups)
    negatives = len(items) * (len(items) - 1) // 2 - len(truth)
    related = len(items) + refused - originals * (args.copies + 1)
    print(f"syndication set: {originals} original stories ({sum(k.startswith('seed:') for k in truth_groups)} "
          f"seeds), {args.copies} copies of each, {related} related articles that borrow a paragraph from a "
          f"neighbouring story: {len(items)} articles ({refused} refused by the cleaner); "
          f"{len(truth)} duplicate pairs, {negatives} distinct pairs")
    print(f"same story_id   precision {sp:.4f}  recall {sr:.4f}  ({s_fp} false, {s_fn} missed pairs)")
    print(f"direct link     precision {lp:.4f}  recall {lr:.4f}  ({l_fp} false, {l_fn} missed pairs)")
    print(f"stories found: {len(story_groups)} (truth {originals}); two arrival orders give the same "
          f"story_id and duplicate_of: {'yes' if same_order else 'NO'}")
    print(f"time: set built and cleaned in {built:.1f}s, grouped in {grouping:.2f}s")
    if args.verbose:
        for a, b in sorted(story_pairs - truth):
            print("false:", by_id[a].story, by_id[a].article.title, "<->", by_id[b].story, by_id[b].article.title)
        for a, b in sorted(truth - story_pairs):
            print("missed:", by_id[a].story, by_id[a].article.title, "|", by_id[b].article.title,
                  by_id[a].article.word_count, by_id[b].article.word_count)
    ok = sp >= PRECISION_MIN and sr >= RECALL_MIN and same_order
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
