"""HTML page -> article paragraphs and page metadata.

trafilatura finds the main content block (its tree heuristics plus readability and jusText
fallbacks); this module adds what it misses on news pages: metadata from JSON-LD/OpenGraph
(services.cleaner.metadata), a second pass of the line classifier over what trafilatura kept
(trailing "more stories" lists, copyright and comment-form lines, photo captions, bylines and
the repeated headline), and, when trafilatura finds nothing, the plain-text classifier run on
the page's visible text. Script, style and template content never reach the output: those
elements are dropped before any text is read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import trafilatura
from lxml import etree

from services.cleaner.cues import ROLE_END, Cues, header_date, is_name
from services.cleaner.dates import DATE_RE
from services.cleaner.metadata import PageMeta, parse_tree, read_page_meta
from services.cleaner.normalize import normalize_inline, normalize_lines
from services.cleaner.segment import count_words
from services.cleaner.shape import is_prose
from services.cleaner.text import CONTRIBUTOR_DISCLAIMER, TextResult, extract_text, filter_blocks, read_byline

INVISIBLE_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "head", "iframe", "object", "embed",
    "canvas", "select", "option", "button", "input", "textarea", "video", "audio", "map",
})
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "h1", "h2", "h3",
    "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td",
    "th", "thead", "tbody", "figure", "figcaption", "form", "fieldset", "address", "hr", "br",
    "body", "html", "title", "caption", "details", "summary", "menu", "label",
})
MIN_HTML_WORDS = 40
FULL_RUN_WORDS = 150
# The full pass runs only when one container of the page holds prose well over what the fast
# pass kept (twice as much, and more by the length of a short article, ~150 words): otherwise
# there is no article text left for it to find.
FULL_RUN_PROSE_FACTOR = 2.0
# Below this many characters of prose in the whole page (about 35 words, under the 40 an
# article needs), trafilatura is not run at all.
MIN_PROSE_CHARS = 200
FULL_RUN_PROSE_MARGIN = 900
# A precision-minded pass can stop short of an article whose paragraphs are interleaved with
# quote boxes or embeds: when one container holds half as much prose again as was kept (and
# ~50 words more), a recall-minded pass is tried too, and kept when it is the same article
# extended (it holds most of what the first pass found) rather than another block.
RECALL_RUN_PROSE_FACTOR = 1.5
RECALL_RUN_PROSE_MARGIN = 300
RECALL_MIN_AGREEMENT = 0.8
# Under FULL_RUN_WORDS kept, the visible-text classifier's text replaces the fast pass's when it
# holds this many times its words of prose.
SHORT_KEEP_PROSE_FACTOR = 2.0
LINK_SHARE_MAX = 0.5
GAP_REPEAT_SHARE = 0.5
GAP_MIN_CHARS = 150
GAP_PROBE_CHARS = 60
_BREAK = "\u2029"


@dataclass
class HtmlResult:
    """The article found in a page: paragraphs, the page's metadata, cues read from the text."""

    paragraphs: list[str]
    meta: PageMeta
    cues: Cues = field(default_factory=Cues)
    title: str | None = None
    method: str = "trafilatura"
    truncated: bool = False


def visible_text(tree: Any) -> str:
    """The text a browser shows, one line per block element (roughly innerText): what a
    scraper that ignores the markup would have captured. An unparseable page (None) has none."""
    if tree is None:
        return ""
    parts: list[str] = []
    skip_depth = 0
    for event, element in etree.iterwalk(tree, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            # the text after a comment is the page's ("By <!-- -->Jane Doe", as server-rendered
            # pages print it)
            if element.tail and not skip_depth:
                parts.append(element.tail)
            continue
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if event == "start":
            if skip_depth or tag in INVISIBLE_TAGS or not isinstance(element.tag, str):
                skip_depth += 1
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if element.text:
                parts.append(element.text)
        else:
            if skip_depth:
                skip_depth -= 1
                if skip_depth:
                    continue
            elif tag in BLOCK_TAGS:
                parts.append("\n")
            if element.tail and not skip_depth:
                parts.append(element.tail)
    text = "".join(parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _body_blocks(body: Any) -> list[tuple[str, str]]:
    """(kind, text) for each block trafilatura kept: p, head, item, quote, cell..."""
    blocks: list[tuple[str, str]] = []
    for element in body:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("list", "table"):
            children = element.iter("item") if tag == "list" else element.iter("row")
            for child in children:
                pieces = [normalize_inline(t) for t in child.itertext()]
                text = normalize_inline(" ".join(p for p in pieces if p))
                if text:
                    blocks.append(("item" if tag == "list" else "row", text))
            continue
        # An explicit line break (<br>) separates paragraphs; a newline in the source is space.
        for lb in element.iter("lb"):
            lb.tail = _BREAK + (lb.tail or "")
        raw = "".join(element.itertext())
        for piece in raw.split(_BREAK):
            text = normalize_inline(piece)
            if text:
                blocks.append((tag or "p", text))
    return blocks


_RAW_OPEN = re.compile(r"<(script|style|noscript|template|svg)\b", re.I)
_RAW_CLOSE = {tag: re.compile(f"</{tag}", re.I) for tag in ("script", "style", "noscript", "template", "svg")}


def strip_raw_elements(content: str) -> str:
    """Drop script, style, noscript, template and svg elements from the markup before parsing,
    keeping JSON-LD scripts (page metadata). Linear: each opening and closing tag is found by a
    case-insensitive pattern search from the last position (the page is never copied
    lower-cased), and an element never closed ends the page, as it does in a browser."""
    out: list[str] = []
    pos = 0
    while True:
        match = _RAW_OPEN.search(content, pos)
        if match is None:
            out.append(content[pos:])
            break
        tag = match.group(1).lower()
        start = match.start()
        tag_end = content.find(">", match.end())
        closing = _RAW_CLOSE[tag].search(content, tag_end if tag_end >= 0 else match.end())
        close = closing.start() if closing else -1
        if tag == "script" and tag_end >= 0 and "ld+json" in content[start:tag_end].lower():
            out.append(content[pos:close if close >= 0 else len(content)])
            pos = close if close >= 0 else len(content)
            if close < 0:
                break
            out.append(content[close:close + len(tag) + 2])
            pos = close + len(tag) + 2
            continue
        out.append(content[pos:start])
        if close < 0:
            break
        end = content.find(">", close)
        pos = len(content) if end < 0 else end + 1
    return "".join(out)


def _drop_raw(tree: Any) -> None:
    """The JSON-LD scripts kept for metadata must not reach any text extraction, nor comments:
    trafilatura, handed a tree, keeps a paragraph's text only up to its first comment ("And
    <!-- -->winter<!-- --> — from ..." gave "And"). Stripped, their tails stay in place."""
    for element in tree.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    etree.strip_tags(tree, etree.Comment)


# Subtrees that are page furniture by their element or by being hidden: navigation, asides,
# footers, menus, forms (comment and newsletter forms), headers outside the article, and
# elements a browser does not show. trafilatura discards all of them too, but only after running
# its many tree patterns over them; cutting them first makes every later step cheaper. Elements
# are found by tag (a plain walk) and by attribute (an XPath over attributes): both cheaper than
# one XPath testing every element.
FURNITURE_TAGS = ("nav", "aside", "footer", "menu", "form", "dialog", "header")
_HIDDEN = etree.XPath(
    "//@hidden/.. | //@aria-hidden[.='true']/.. | //@style[contains(., 'none') or contains(., 'hidden')]/.."
    " | //@role[.='dialog' or .='alertdialog']/.. | //@aria-modal[.='true']/.."
    " | //@class[contains(., 'odal') or contains(., 'ewsletter')]/.."
)
# A modal box or a newsletter sign-up box by its class, in the names page templates give them
# ("modal", "modal__inner", "c-globalModal_content", "newsletter-form__strapline"): an overlay
# (a disclosure, a sign-up, a country picker) drawn over the page or a sign-up form set between
# paragraphs, never the article.
_MODAL_CLASS = re.compile(r"(?:^|[-_])(?i:modal)(?:$|[-_])|[a-z]Modal(?:$|[-_])|(?i:newsletter)")
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# What must never be cut with the furniture: the article itself and its headline.
_ARTICLE_BODY = etree.XPath("//@itemprop[.='articleBody' or .='articlebody']/..")
FURNITURE_SHARE = 0.5


def _is_furniture(element: Any) -> bool:
    tag = element.tag
    if tag == "header":
        return not any(a.tag in ("article", "main") for a in element.iterancestors())
    if tag in FURNITURE_TAGS:
        return True
    attrib = element.attrib
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return True
    if attrib.get("role") in ("dialog", "alertdialog") or attrib.get("aria-modal") == "true":
        return True
    if any(_MODAL_CLASS.search(token) for token in attrib.get("class", "").split()):
        return True
    return _HIDING_STYLE.search(attrib.get("style", "")) is not None


def prune_furniture(tree: Any) -> int:
    """Drop furniture subtrees in place, keeping their tail text; a candidate that holds the
    article, its headline or half the page's text stays (a page wrapped in one form, a
    hidden-until-loaded article). Returns how many subtrees were dropped."""
    candidates = list(tree.iter(*FURNITURE_TAGS)) + _HIDDEN(tree)
    if not candidates:
        return 0
    total = len(tree.text_content()) or 1
    protected: set[Any] = set()
    for anchor in [*tree.iter("article", "main", "h1"), *_ARTICLE_BODY(tree)]:
        protected.add(anchor)
        protected.update(anchor.iterancestors())
    dropped: set[Any] = set()
    for element in candidates:
        if element in dropped or element in protected or element.getparent() is None:
            continue
        if not _is_furniture(element) or any(a in dropped for a in element.iterancestors()):
            continue
        if len(element.text_content()) > total * FURNITURE_SHARE:
            continue
        dropped.add(element)
        element.drop_tree()
    return len(dropped)


# Photo captions: elements a template names for them ("caption", "imageCaption",
# "figure-caption", "wp-caption-text") and <figcaption>. A news extractor keeps them as
# paragraphs when they sit between the article's paragraphs; they describe the pictures, not the
# story. (A line repeating an image's alt text is no such cue: product listings name each
# product in both.)
_CAPTION_CANDIDATES = etree.XPath("//figcaption | //@class[contains(., 'aption')]/..")
_CAPTION_CLASS = re.compile(r"caption", re.I)
CAPTION_MAX_WORDS = 60


def drop_captions(tree: Any) -> int:
    """Drop photo captions in place (tail text kept), before the extractor reads the page: an
    element named a caption. Never one holding the article or its headline, or one of more than
    60 words. Returns how many were dropped."""
    protected: set[Any] = set()
    for anchor in [*tree.iter("article", "main", "h1"), *_ARTICLE_BODY(tree)]:
        protected.add(anchor)
        protected.update(anchor.iterancestors())
    candidates = [
        e for e in _CAPTION_CANDIDATES(tree)
        if e.tag == "figcaption" or any(_CAPTION_CLASS.search(t) for t in e.get("class", "").split())
    ]
    dropped = 0
    for element in candidates:
        if element in protected or element.getparent() is None:
            continue
        if len(element.text_content().split()) > CAPTION_MAX_WORDS:
            continue
        element.drop_tree()
        dropped += 1
    return dropped


def caption_texts(tree: Any) -> set[str]:
    """The page's photo captions and image descriptions (alt text), folded: a line under the
    headline that is one of them describes the lead image and is no standfirst."""
    found = {e.get("alt") or "" for e in tree.iter("img")}
    found.update(
        e.text_content() for e in _CAPTION_CANDIDATES(tree)
        if e.tag == "figcaption" or any(_CAPTION_CLASS.search(t) for t in e.get("class", "").split())
    )
    return {" ".join(t.casefold().split()) for t in found if t.strip()}


_WRAP_AFTER = ("figure", "p", "div", "h2", "h3", "h4", "blockquote", "table", "ul", "ol")
LOOSE_TEXT_CHARS = 80


def wrap_loose_text(tree: Any) -> int:
    """Prose set as bare text after a block element (a paragraph that follows a <figure> without
    its own <p>, inline links and all) wrapped in a paragraph: the extractor reads a block's
    tail as no paragraph of the article and can drop it. Returns how many were wrapped."""
    done = 0
    for block in list(tree.iter(*_WRAP_AFTER)):
        tail = block.tail or ""
        parent = block.getparent()
        if parent is None or len(tail.strip()) < 20:
            continue
        run = []
        sibling = block.getnext()
        while sibling is not None and isinstance(sibling.tag, str) and sibling.tag in _INLINE_TAGS:
            run.append(sibling)
            sibling = sibling.getnext()
        text = " ".join((tail + "".join(e.text_content() + (e.tail or "") for e in run)).split())
        if len(text) < LOOSE_TEXT_CHARS or text.rstrip("\"'”’»)]")[-1:] not in _SENTENCE_STOPS:
            continue  # prose only: a sentence-length run that ends like one
        paragraph = etree.Element("p")
        paragraph.text, block.tail = tail, None
        index = parent.index(block) + 1
        for element in run:
            paragraph.append(element)  # moves it, with its tail
        parent.insert(index, paragraph)
        done += 1
    return done


_ARIA_HEADINGS = etree.XPath("//*[@role='heading'][not(self::h1 or self::h2 or self::h3 or self::h4 or self::h5 "
                             "or self::h6)]")


def aria_headings(tree: Any) -> int:
    """An element that declares itself a heading (``role="heading"``, ``aria-level``) made the
    heading element it stands for: the extractor knows headings by their tag, and drops a short
    line in a bare <div> as no paragraph. Returns how many were retagged."""
    done = 0
    for element in _ARIA_HEADINGS(tree):
        if any(isinstance(c.tag, str) and c.tag not in _INLINE_TAGS for c in element):
            continue  # a container of blocks, not a heading line
        level = (element.get("aria-level") or "").strip()
        element.tag = f"h{level}" if level in {"2", "3", "4", "5", "6"} else "h2"
        done += 1
    return done


def unlink_subheads(tree: Any) -> int:
    """A subheading that is a link (a listicle's "<h2><a>Venue</a></h2>" above each entry) read
    as the heading it is: the extractor drops headings made of a link as link furniture. Only
    where the heading stands among the article's paragraphs (a prose sibling), not in a list
    of story teasers; or whatever stands around it when the link is the section's own permalink
    ("<h2 id=x><a href='#x'>"), never a link to another story. Returns how many were unwrapped."""
    done = 0
    for heading in tree.iter("h2", "h3", "h4"):
        children = [c for c in heading if isinstance(c.tag, str)]
        if len(children) != 1 or children[0].tag != "a" or (heading.text or "").strip():
            continue
        parent = heading.getparent()
        anchor = (children[0].get("href") or "").startswith("#")  # the section's own permalink
        if parent is None or (not anchor and not any(
            sib.tag == "p" and len(sib.text_content()) >= PROSE_BLOCK_CHARS for sib in parent
        )):
            continue
        etree.strip_tags(heading, "a")
        done += 1
    return done


_INLINE_TAGS = frozenset({
    "a", "span", "em", "strong", "b", "i", "u", "small", "font", "abbr", "cite", "q", "sub", "sup",
    "mark", "time",
})
PROSE_BLOCK_CHARS = 80
_SENTENCE_STOPS = (".", "!", "?", "…", "。", "！", "？", "।", "။", "؟")


def _prose_texts(tree: Any) -> Iterator[tuple[Any, str]]:
    """(block, text) for each prose block, in document order: a block whose own text (inline
    children included, nested blocks not) runs to 80 characters or more and ends like a
    sentence (or is written in a script without sentence stops, as Thai is)."""
    for element in tree.iter("p", "div", "td", "li", "blockquote", "section", "article", "dd", "pre"):
        parts = [element.text or ""]
        for child in element:
            if isinstance(child.tag, str) and child.tag in _INLINE_TAGS:
                parts.append(child.text_content())
            parts.append(child.tail or "")
        text = " ".join("".join(parts).split())
        if len(text) >= PROSE_BLOCK_CHARS and (
            text.rstrip("\"'”’»)]")[-1:] in _SENTENCE_STOPS
            or not any(map(text.__contains__, _SENTENCE_STOPS))
        ):
            yield element, text


def _prose_blocks(tree: Any) -> Iterator[tuple[Any, int]]:
    """(block, characters) for each prose block, in document order."""
    for element, text in _prose_texts(tree):
        yield element, len(text)


def prose_gap(prose: list[str], kept: list[str]) -> bool:
    """Whether the page's prose blocks (``prose``, in document order) hold prose the extraction
    left out between two blocks it kept (150+ characters in all: a paragraph or two, more than
    a stray caption or teaser line): the article's own text, dropped from inside it (a blurb in
    a shopping box, a paragraph that opens on a link)."""
    joined = " ".join(kept)
    seen: set[tuple[str, ...]] | None = None
    inside, pending, missing = False, 0, 0
    for text in prose:
        # most kept blocks are kept word for word (a block kept only in part is judged by its words)
        found = text[:GAP_PROBE_CHARS] in joined and text[-GAP_PROBE_CHARS:] in joined
        if not found:
            seen = _trigrams(joined) if seen is None else seen
            found = _repeats(text, seen)
        if found:
            inside, missing = True, missing + pending
            pending = 0
            if missing >= GAP_MIN_CHARS:
                return True
        elif inside:
            pending += len(text)
    return False


def has_prose(tree: Any, min_chars: int) -> bool:
    """Whether the page's prose blocks add up to ``min_chars`` (stops reading once they do)."""
    total = 0
    for _, size in _prose_blocks(tree):
        total += size
        if total >= min_chars:
            return True
    return False


def container_prose(tree: Any, blocks: list[tuple[Any, str]] | None = None) -> int:
    """Characters of prose in the one container that holds the most (prose blocks summed per
    parent element; ``blocks`` when the caller has them already). An article keeps its
    paragraphs side by side in one container; an index page spreads its teasers over many cards."""
    by_parent: dict[Any, int] = {}
    for element, text in _prose_texts(tree) if blocks is None else blocks:
        parent = element.getparent()
        by_parent[parent] = by_parent.get(parent, 0) + len(text)
    return max(by_parent.values(), default=0)


def _trafilatura_blocks(
    tree: Any, meta: PageMeta, fast: bool, links: set[str] | None = None, recall: bool = False,
    precision: bool | None = None,
) -> TextResult:
    """trafilatura's main-content blocks, through the second classifier pass (minded for
    precision unless ``recall``, or as ``precision`` says)."""
    if precision is None:
        precision = not recall
    try:
        doc = trafilatura.bare_extraction(
            tree, favor_precision=precision, favor_recall=recall, include_comments=False, include_tables=False,
            with_metadata=False, fast=fast,
        )
    except (ValueError, TypeError, etree.LxmlError):
        doc = None
    blocks = _body_blocks(doc.body) if doc is not None and doc.body is not None else []
    if links:
        # a block that is nothing but a link to another story (a "related" teaser the extractor
        # kept between paragraphs), maybe behind a label ("MORE: <link>", "Also: <link>")
        blocks = [(k, t) for k, t in blocks if k == "head" or not _is_link_line(t, links)]
    blocks = [(k, t) for k, t in blocks if not is_page_notice(t) and not _is_bio(t, meta.author_bios)]
    found = filter_blocks([text for _, text in blocks], known_title=meta.title, kinds=[k for k, _ in blocks])
    found.paragraphs = drop_headline_copy(drop_editorial_notes(found.paragraphs), meta.title)
    return found


HEADLINE_COPY_SPAN = 3  # opening paragraphs searched for the headline printed again
HEADLINE_COPY_EXTRA = 4  # words besides the headline: a label, a slide number ("News", "01/7")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def drop_headline_copy(paragraphs: list[str], title: str | None) -> list[str]:
    """Without the headline printed again at the article's top with a label run into it
    ("News <headline>", "01/7<headline>"): the title, not the body."""
    if not title or len(paragraphs) < 2:
        return paragraphs
    folded = " ".join(_words(title))
    for k, paragraph in enumerate(paragraphs[:HEADLINE_COPY_SPAN]):
        words = _words(paragraph)
        if folded and folded in " ".join(words) and len(words) - folded.count(" ") - 1 <= HEADLINE_COPY_EXTRA:
            return paragraphs[:k] + paragraphs[k + 1:]
    return paragraphs


# Notes the editors set at an article's edges about the article itself: an editor's note, a
# correction, where the story first appeared, the series it belongs to. (A bare "This story was
# updated on <date>" stays: it dates the text.)
_EDITORIAL_NOTE = re.compile(
    r"^(?:editor[’']?s[’']? note\b|corrections?\s*:|clarifications?\s*:|(?:a previous|an earlier) version of "
    r"this (?:story|article|report|piece)|this (?:story|article|report|piece|post) (?:originally appeared|"
    r"first appeared|was originally published|was first published|is republished|is part of|was produced by|"
    r"is published in partnership)|"
    r"(?:this|the following) (?:interview|conversation|transcript|q&a) (?:has been|was|is) (?:lightly |slightly )?"
    r"edited\b|" + CONTRIBUTOR_DISCLAIMER + r"\b|"
    r"(?:lead |top |main )?(?:image|photo|photograph)s?(?: credits?)?\s*:|styling\s*:|"
    r"(?:story )?source\s*:|materials? (?:provided|supplied) by\b|more information\s*:|journal reference\s*:|"
    r"(?:some )?(?:names and )?(?:names|details) (?:have been|were|has been) changed\b)",
    re.I,
)
# What the publisher says to readers at the article's end, in any template: a newsletter's
# legal line, an investment disclosure, a subscription offer, an invitation to its forums, the
# newsletter the text was sent as; where to follow, write to or listen to the author (a social
# handle, a columnist's address, a podcast), a newsletter sign-up.
_PUBLISHER_NOTICE = re.compile(
    r"subscribing to (?:a|our|this) newsletter indicates your consent|"
    r"^follow\b.{1,80}\bon (?:instagram|twitter|x|facebook|threads|tiktok|bluesky|linkedin|mastodon)\b|"
    r"^you can (?:e-?mail|write to|reach|contact) .{1,60}\bat [\w.+-]+@[\w-]+\.\w|^[\w.+-]+@[\w-]+\.[\w.]+\.\s|"
    r"^sign up (?:for|to) .{1,60}\bnewsletter\b|\bsubscribe wherever you get your podcasts\b|"
    r"\bsign up for (?:my|our) free\b|^not a subscriber\b|"
    r"(?:do|does) not own (?:shares|positions?) in any (?:securities|stocks|companies) mentioned|"
    r"^special offer for .{1,40} readers\b|^join (?:our|the) .{1,40}\b(?:forums?|community)\b|"
    r"^you(?:’|')re reading (?:the )?.{1,60} newsletter\b",
    re.I,
)
_NOTE_HEADING = re.compile(r"^(?:corrections?|clarifications?|editor[’']?s[’']? notes?|story source)\s*:?$", re.I)
NOTE_EDGE = 2  # paragraphs from either end of the body


def drop_editorial_notes(paragraphs: list[str]) -> list[str]:
    """The article without editorial notes or publisher notices among its first or last two
    paragraphs (and a bare "Corrections" heading above such a note)."""
    n = len(paragraphs)
    drop = {i for i, p in enumerate(paragraphs) if (i < NOTE_EDGE or i >= n - NOTE_EDGE) and (
        _EDITORIAL_NOTE.match(p) or _PUBLISHER_NOTICE.search(p))}
    drop |= {i - 1 for i in drop if i > 0 and _NOTE_HEADING.match(paragraphs[i - 1])}
    if not drop or len(drop) >= n:
        return paragraphs
    return [p for i, p in enumerate(paragraphs) if i not in drop]


BIO_PREFIX_CHARS = 60


def _is_bio(text: str, bios: list[str]) -> bool:
    """The author's box: a block that opens like the biography the page's JSON-LD gives for an
    author (the same words, the page's box may be cut short or run on)."""
    if not bios:
        return False
    folded = " ".join(_words(text))
    return len(folded) >= BIO_PREFIX_CHARS and any(
        " ".join(_words(bio)).startswith(folded[:BIO_PREFIX_CHARS]) for bio in bios
    )


_LINK_LABEL = re.compile(r"^[^\W\d][\w' ]{0,24}:\s+")


def _is_link_line(text: str, links: set[str]) -> bool:
    folded = " ".join(text.casefold().split())
    if folded in links:
        return True
    label = _LINK_LABEL.match(folded)
    return label is not None and label.group().count(" ") <= 3 and folded[label.end():] in links


# What a page prints about itself among an article's paragraphs, in any template: the day and
# time alone on a line (the header's date line, set inside the article's container), how old
# the article is, an app to install, an embedded post's signature ("— Name (@handle) March 3,
# 2024"), a "view this post on Instagram" placeholder.
_AGE_NOTICE = re.compile(r"^this (?:article|story|page|content) is (?:more than|over) \S+ \w+ old\.?$", re.I)
_APP_PROMPT = re.compile(r"^(?:install|download|get) (?:the|our) .{1,40}\bapp\b", re.I)
_POST_SIGNATURE = re.compile(rf"[—–-]\s*[^()\n]{{1,80}}\(@\w{{1,30}}\)\s*{DATE_RE}\s*$", re.I)
_POST_PLACEHOLDER = re.compile(
    r"^(?:view this post on (?:instagram|facebook|tiktok|x)|a post shared by .{1,80})$", re.I
)
NOTICE_MAX_WORDS = 12


def is_page_notice(text: str) -> bool:
    """A block that is the page speaking of itself or an embedded post, not the article."""
    if _POST_SIGNATURE.search(text):
        return True
    if len(text.split()) > NOTICE_MAX_WORDS:
        return False
    if _AGE_NOTICE.match(text) or _APP_PROMPT.match(text) or _POST_PLACEHOLDER.match(text):
        return True
    return text.rstrip()[-1:] not in ".!?\"”" and header_date(text) is not None and _date_only(text)


_DATE_WORDS = re.compile(
    rf"{DATE_RE}|\b\d{{1,2}}[:.]\d\d(?:\s*[ap]\.?m\.?)?|\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)"
    r"(?:day)?\b|\b(?:updated|published|posted|last|on|at|am|pm)\b|[^\w\s]",
    re.I,
)
_ZONE_TAG = re.compile(r"\b[A-Z]{2,4}\b")  # "EST", "GMT", "UK"


def _date_only(text: str) -> bool:
    """Nothing but a date, a time, a weekday, "Updated"/"Published" and a zone or place tag."""
    return len(_DATE_WORDS.sub(" ", _ZONE_TAG.sub(" ", text)).split()) <= 1


LINK_MIN_WORDS = 4


def link_texts(tree: Any) -> set[str]:
    """The folded texts of the page's links of four words or more: story links, not buttons."""
    out: set[str] = set()
    for a in tree.iter("a"):
        text = " ".join(a.text_content().casefold().split())
        if text.count(" ") >= LINK_MIN_WORDS - 1:
            out.add(text)
    return out


HEADER_LINES = 400  # visible lines read for the headline's byline (the header sits near the top)


# marks the headline's line in the visible text: a Unicode noncharacter, which no text holds (a
# private-use character would not do: icon fonts print those as glyphs)
_MARK = "\ufdd0"


def _visible_lines(tree: Any, headline: Any) -> tuple[list[str], int | None]:
    """The page's visible lines, and the index of the line the headline element opens (None
    without one, or when it is not shown)."""
    if headline is None:
        return visible_text(tree).split("\n"), None
    saved = headline.text
    headline.text = _MARK + (saved or "")
    try:
        texts = visible_text(tree).split("\n")
    finally:
        headline.text = saved
    index = next((i for i, t in enumerate(texts) if t.startswith(_MARK)), None)
    if index is not None:
        texts[index] = texts[index][1:].strip()
        if not texts[index]:  # the element's own text was only a line break: its words follow
            del texts[index]
        if index >= len(texts):
            index = None
    return texts, index


def _same_day(shown: datetime, meta_date: datetime | None) -> bool:
    """Whether the metadata instant falls on the calendar day the page prints, in the page's own
    time zone (the offset the metadata carries)."""
    return meta_date is not None and meta_date.date() == shown.date()


def _spelled_as_published(byline: list[str], persons: list[str]) -> list[str]:
    """The byline's authors, as the publisher's metadata spells them when the byline only adds to
    the same names what a scraped byline runs into them (an affiliation, a job title: "Adam Sennott
    Globe", "Jane DoeData", "Graphics Journalist"): every byline name then holds a metadata name or
    is a job title, and every metadata name is in the byline. Otherwise the byline as read (it
    credits whom the page shows)."""
    if not persons:
        return byline
    held = [next((p for p in persons if p.casefold() in name.casefold()), None) for name in byline]
    if all(p is not None or ROLE_END.search(name) for p, name in zip(held, byline, strict=True)) \
            and set(persons) <= set(held):
        return list(dict.fromkeys(p for p in held if p is not None))
    return byline


def _read_visible_header(tree: Any, meta: PageMeta) -> str | None:
    """The byline and date line printed under the page's headline, read as a reader sees them:
    a "By ..." byline names the authors the page credits (metadata often lists an organisation,
    a profile handle or extra contributors, or nothing); a date line under the headline is the
    calendar day the page shows (metadata is often in UTC, a day off for evening stories).
    The headline's line is the line its <h1> element opens (a sidebar or a "most read" list
    can print the same words higher up), else the first line that reads as the title.
    Returns the standfirst printed under the headline, if any."""
    title = meta.title
    if not title:
        return None
    texts, index = _visible_lines(tree, meta.headline_node)
    head = [t.casefold() for t in texts[:HEADER_LINES]]
    if meta.headline_node is None:
        title = meta.title = _visible_title(title, meta.title_candidates, head)
    if title.endswith(("...", "…")):
        # a metadata title cut short: the page prints it whole
        prefix = title.rstrip(".… ").casefold()
        whole = next((i for i, t in enumerate(head) if t.startswith(prefix) and len(t) > len(prefix)), None)
        if whole is not None and len(texts[whole].split()) <= 40:
            title = meta.title = texts[whole]
    folded = title.casefold()
    if index is not None and texts[index].casefold() != folded:
        # a label set in its own block inside the <h1> ("Opinion"): the title's line follows
        index = next((i for i in range(index, min(index + 3, len(texts))) if texts[i].casefold() == folded), index)
    # the headline's own line, else a line holding it (a kicker or a label run into it)
    if index is None:
        index = next((i for i, t in enumerate(head) if t == folded), None)
    if index is None:
        index = next((i for i, t in enumerate(head) if folded in t and len(t) <= len(folded) * 2 + 20), None)
    if index is None:
        return None
    header = read_byline(texts, index)
    persons = [n for n in meta.authors if is_name(n)]
    if header.authors and (header.by_line or not persons):
        meta.authors = _spelled_as_published(header.authors, persons)
    if header.published_at is not None and not _same_day(header.published_at, meta.published_at):
        # the printed day wins; the metadata instant stays when it is that day (it has the time)
        meta.published_at = header.published_at
    if next((i for i, t in enumerate(head) if t == folded), index) < index - 1:
        # the headline's words also stand higher up (a menu bar, a "most read" list): what
        # follows the <h1> is its byline, but a standfirst is taken only under an unambiguous
        # headline, as the extraction's first paragraph may already be it (a copy right above
        # the headline's line is the same header: a label's twin, a hidden copy for screens)
        return None
    return header.standfirst


def _visible_title(title: str, candidates: list[str], head: list[str]) -> str:
    """Without an <h1>: of the page's metadata titles, the first one printed as a line of its
    own (a social-media variant is often not on the page at all)."""
    shown = set(head)
    if title.casefold() in shown:
        return title
    return next((c for c in candidates if c.casefold() in shown), title)


def _with_standfirst(
    paragraphs: list[str], standfirst: str | None, title: str | None = None, captions: set[str] | None = None,
) -> list[str]:
    """The standfirst opens the article unless the extraction already holds it (or it is a page
    notice, an editorial note, the headline again or a photo's caption)."""
    if not standfirst or not paragraphs or is_page_notice(standfirst) or _EDITORIAL_NOTE.match(standfirst):
        return paragraphs
    if captions and " ".join(standfirst.casefold().split()) in captions:
        return paragraphs
    if drop_headline_copy([standfirst, *paragraphs[:1]], title)[0] != standfirst:
        return paragraphs
    folded = " ".join(standfirst.casefold().split())
    if any(folded in " ".join(p.casefold().split()) for p in paragraphs[:5]):
        return paragraphs
    return [standfirst, *paragraphs]


ARTICLE_BODY_MIN_WORDS = 150
ARTICLE_BODY_MIN_SHARED = 0.5


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def _article_body_rescue(paragraphs: list[str], meta: PageMeta) -> list[str] | None:
    """The publisher's own articleBody (JSON-LD) when the extraction missed most of it: the
    extractor then picked the wrong block (a gallery, a sidebar, a related story)."""
    body = meta.article_body
    if not body or len(body.split()) < ARTICLE_BODY_MIN_WORDS:
        return None
    theirs = _trigrams(body)
    ours = _trigrams(" ".join(paragraphs))
    if theirs and len(theirs & ours) / len(theirs) >= ARTICLE_BODY_MIN_SHARED:
        return None
    blocks = [normalize_inline(b) for b in re.split(r"\n+", article_body_text(body))]
    found = filter_blocks([b for b in blocks if b], known_title=meta.title)
    return found.paragraphs or None


# a content-management shortcode around a photo's caption, left in the text by its template
_CAPTION_SHORTCODE = re.compile(r"\[caption\b[^\]]*\].*?\[/caption\]", re.I | re.S)
# a sentence's stop run into the next one's capital: the paragraph break the markup had
_LOST_BREAK = re.compile(r"(?<=[a-z0-9\u00df-\u00ff][.!?])(?=[A-Z][a-z])|(?<=[a-z][.!?][\"”’])(?=[A-Z][a-z])")


def article_body_text(body: str) -> str:
    """A JSON-LD articleBody as paragraphs: caption shortcodes out, and a line break where one
    sentence runs into the next without a space (the markup's paragraph tags were stripped
    with nothing in their place)."""
    return _LOST_BREAK.sub("\n", _CAPTION_SHORTCODE.sub("\n", body))


def _fresh_pass(
    stripped: str, meta: PageMeta, links: set[str], recall: bool = False, balanced: bool = False,
) -> TextResult | None:
    """Another trafilatura pass on a fresh tree (the first one was pruned in place): the full
    pass with its fallbacks, the fast one minded for recall, or (``balanced``) the fast one
    minded for neither."""
    fresh = parse_tree(stripped)
    if fresh is None:
        return None
    _drop_raw(fresh)
    prune_furniture(fresh)
    drop_captions(fresh)
    aria_headings(fresh)
    unlink_subheads(fresh)
    wrap_loose_text(fresh)
    if balanced:
        return _trafilatura_blocks(fresh, meta, fast=True, links=links, precision=False)
    return _trafilatura_blocks(fresh, meta, fast=recall, links=links, recall=recall)


def _is_prose(text: str) -> bool:
    return len(text) >= PROSE_BLOCK_CHARS and text.rstrip("\"'”’)] ").endswith(_SENTENCE_STOPS)


def _link_share(text: str, links: set[str]) -> float:
    """The share of a paragraph's characters that are the text of one of the page's links."""
    covered = sum(len(link) for link in links if link in text)
    return min(1.0, covered / max(1, len(text)))


def fill_gaps(kept: list[str], wider: list[str], links: set[str] | None = None) -> list[str]:
    """``kept`` with the runs of ``wider`` that sit between two of its own paragraphs: blocks
    the precision-minded pass dropped inside the article (a product's blurb in a shopping box,
    a paragraph opening on a link). A run comes in only when it holds prose, is not mostly
    link text and repeats nothing already kept (the two passes print some paragraphs a little
    differently)."""
    matcher = difflib.SequenceMatcher(a=kept, b=wider, autojunk=False)
    seen = _trigrams(" ".join(kept))
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "insert":
            out.extend(kept[i1:i2])
        if tag not in ("insert", "replace") or i1 == 0 or i2 == len(kept):
            continue
        run = [p for p in wider[j1:j2] if not _repeats(p, seen) and _link_share(p, links or set()) < LINK_SHARE_MAX]
        if any(_is_prose(p) for p in run):
            out.extend(run)
    return out


def _repeats(text: str, seen: set[tuple[str, ...]]) -> bool:
    grams = _trigrams(text)
    return bool(grams) and len(grams & seen) >= GAP_REPEAT_SHARE * len(grams)


def extract_html(content: str, max_chars: int | None = None) -> HtmlResult:
    """Article paragraphs and metadata from a whole HTML page; empty paragraphs when the page
    holds no article. Markup beyond ``max_chars`` (counted after scripts and styles are
    removed) is cut off and the result says so."""
    stripped = strip_raw_elements(content)
    truncated = max_chars is not None and len(stripped) > max_chars
    if truncated:
        stripped = stripped[:max_chars]
    tree = parse_tree(stripped)
    if tree is None:
        return HtmlResult([], PageMeta(), method="unparseable", truncated=truncated)
    meta = read_page_meta(tree)
    _drop_raw(tree)
    standfirst = _read_visible_header(tree, meta)
    captions = caption_texts(tree) if standfirst else set()
    prune_furniture(tree)
    drop_captions(tree)
    aria_headings(tree)
    unlink_subheads(tree)
    wrap_loose_text(tree)
    # Hardly any sentence-length prose on the page (a front page, a gallery, a portal): nothing
    # for trafilatura to find; the visible-text classifier below decides.
    no_prose = not has_prose(tree, MIN_PROSE_CHARS)
    links = link_texts(tree)
    kept = TextResult([]) if no_prose else _trafilatura_blocks(tree, meta, fast=True, links=links)
    words = sum(map(count_words, kept.paragraphs))
    kept_chars = sum(len(p) for p in kept.paragraphs)
    # (trafilatura has only cut comment sections and appended stories out of ``tree`` in place)
    prose = list(_prose_texts(tree))
    most = container_prose(tree, prose)
    if words >= FULL_RUN_WORDS and most > RECALL_RUN_PROSE_FACTOR * kept_chars + RECALL_RUN_PROSE_MARGIN:
        wider = _fresh_pass(stripped, meta, links, recall=True)
        if wider is not None:
            wider_words = sum(map(count_words, wider.paragraphs))
            ours = _trigrams(" ".join(kept.paragraphs))
            if wider_words > words and ours and \
                    len(ours & _trigrams(" ".join(wider.paragraphs))) >= RECALL_MIN_AGREEMENT * len(ours):
                kept, words = wider, wider_words
    if (
        words < FULL_RUN_WORDS
        and most > FULL_RUN_PROSE_FACTOR * kept_chars + FULL_RUN_PROSE_MARGIN
    ):
        # Little found by the fast pass while the page holds more prose than that: let
        # trafilatura also try its readability and jusText fallbacks on a fresh tree (the first
        # one was pruned in place), keep the longer.
        full = _fresh_pass(stripped, meta, links)
        if full is not None:
            full_words = sum(map(count_words, full.paragraphs))
            if full_words > words:
                kept, words = full, full_words
    if words >= MIN_HTML_WORDS and prose_gap([text for _, text in prose], kept.paragraphs):
        # The article's own prose was left out between paragraphs kept: a pass minded neither
        # for precision nor for recall fills those gaps (and only those: its extra blocks at
        # either end are mostly related-story boxes and author notes).
        wide = _fresh_pass(stripped, meta, links, balanced=True)
        if wide is not None:
            kept.paragraphs = fill_gaps(kept.paragraphs, wide.paragraphs, links)
    rescued = _article_body_rescue(kept.paragraphs, meta)
    if rescued is not None:
        return HtmlResult(rescued, meta, kept.cues, kept.title, "json-ld", truncated)
    if words >= FULL_RUN_WORDS:
        body = _with_standfirst(kept.paragraphs, standfirst, meta.title, captions)
        return HtmlResult(body, meta, kept.cues, kept.title, truncated=truncated)
    # A short text kept: the page may hold no more, or the fast pass took a box of headlines or
    # stopped after two paragraphs. The visible-text classifier reads the page too, and its text
    # wins when it is longer (under 40 words kept) or holds twice the prose.
    page = parse_tree(stripped)  # trafilatura has pruned the first tree in place
    if page is not None:
        _drop_raw(page)
        drop_captions(page)
        found = extract_text(normalize_lines(visible_text(page)), known_title=meta.title)
        if reads_more(found.paragraphs, kept.paragraphs):
            return HtmlResult(found.paragraphs, meta, found.cues, found.title, "visible-text", truncated)
    if words >= MIN_HTML_WORDS:
        body = _with_standfirst(kept.paragraphs, standfirst, meta.title, captions)
        return HtmlResult(body, meta, kept.cues, kept.title, truncated=truncated)
    return HtmlResult(kept.paragraphs, meta, kept.cues, kept.title, truncated=truncated)


def _prose_words(paragraphs: list[str]) -> int:
    """Words in the paragraphs that read as prose (not headlines, labels or list items)."""
    return sum(count_words(p) for p in paragraphs if is_prose(p))


def reads_more(found: list[str], kept: list[str]) -> bool:
    """Whether the visible-text classifier's paragraphs beat a short text the fast pass kept:
    more words when it kept too few for an article, else twice its words of prose."""
    words = sum(map(count_words, kept))
    if words < MIN_HTML_WORDS:
        return sum(map(count_words, found)) > words
    return _prose_words(found) > SHORT_KEEP_PROSE_FACTOR * _prose_words(kept)


def furniture_free_text(content: str, max_chars: int | None = None, prune: bool = True) -> str:
    """The page's visible text (one line per block element) without scripts, styles and (unless
    ``prune`` is false) the subtrees that are furniture by their element (navigation, asides,
    footers, forms, hidden elements): the whole text of a page whose article the extractors
    found too little of."""
    stripped = strip_raw_elements(content)
    tree = parse_tree(stripped[:max_chars] if max_chars is not None else stripped)
    if tree is None:
        return ""
    _drop_raw(tree)
    if prune:
        prune_furniture(tree)
    _render_rows_and_items(tree)
    return normalize_lines(visible_text(tree))


def _render_rows_and_items(tree: Any) -> None:
    """As a browser shows them: a table row on one line (its cells side by side), a list item
    with its marker (a bullet, or its number in an ordered list)."""
    for cell in list(tree.iter("td", "th")):
        cell.tag = "span"
        cell.tail = " " + (cell.tail or "")
    for listing in tree.iter("ul", "ol"):
        items = [child for child in listing if child.tag == "li"]
        for number, item in enumerate(items, 1):
            item.text = ("• " if listing.tag == "ul" else f"{number}. ") + (item.text or "")
