"""Page metadata from what publishers put there for machines: schema.org JSON-LD, OpenGraph,
article:* and common meta tags, <link rel=canonical>, <html lang>.

Structured data is more reliable than anything inferred from the visible text, so it is read
first and in a fixed order of trust: JSON-LD article objects, then OpenGraph / article:*, then
named meta tags (Dublin Core, parsely, sailthru...), then the <title> element.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from services.cleaner.cues import is_name
from services.cleaner.dates import parse_date
from services.cleaner.normalize import normalize_inline
from services.cleaner.segment import count_words, has_spaceless, words

_ARTICLE_TYPES = re.compile(r"(?:News|Reportage|Analysis|Opinion|Review|Background)?Article$|BlogPosting$|"
                            r"LiveBlogPosting$|Report$|SocialMediaPosting$", re.I)
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "date", "pubdate",
    "publishdate", "publish-date", "publish_date", "published_time", "dc.date", "dc.date.issued",
    "dcterms.created", "dcterms.date", "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime",
    "citation_publication_date", "article.published", "originalpublicationdate", "displaydate",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl",
                "citation_author")
_SOURCE_META = ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site")
_TITLE_META = ("og:title", "twitter:title", "dc.title", "parsely-title", "sailthru.title", "headline")
_URLISH = re.compile(r"^(?:https?:)?//|^www\.", re.I)


@dataclass
class PageMeta:
    """What the page says about itself; None when it does not say."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    description: str | None = None
    article_body: str | None = None
    section: str | None = None
    # every title the page gives machines (JSON-LD headline, OpenGraph, meta tags, <title>),
    # in order of trust: the visible headline is checked against them
    title_candidates: list[str] = field(default_factory=list)
    # what the publisher's JSON-LD says about each author (the author's box printed on the page)
    author_bios: list[str] = field(default_factory=list)
    # the <h1> element the title was read from (None when it came from metadata)
    headline_node: Any = field(default=None, repr=False, compare=False)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if not isinstance(value, str):
        return None
    value = normalize_inline(value)
    return value or None


def _one_per_name(items: list[Any]) -> list[Any]:
    """A Person whose "name" is a list ({"@type": "Person", "name": ["A B", "C D"]}) as one
    Person per name."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("name"), list):
            out.extend({**item, "name": each} for each in item["name"])
        else:
            out.append(item)
    return out


def _names(value: Any) -> list[str]:
    """schema.org author: a string, a Person/Organization, or a list of those."""
    names: list[str] = []
    for item in _one_per_name(value if isinstance(value, list) else [value]):
        name = _text(item)
        if name and not _URLISH.match(name) and len(name) <= 80:
            names.extend(n.strip() for n in re.split(r"\s*(?:,|\band\b|&)\s*", name) if n.strip())
    return list(dict.fromkeys(names))


MICRODATA_AUTHORS_MAX = 10
MICRODATA_NAME_MAX_WORDS = 12


def _microdata_authors(tree: Any) -> list[str]:
    """The authors schema.org microdata marks up (``itemprop="author"``, its ``itemprop="name"``
    when it has one): a person's name, with the agency after it left out ("Jane Doe, Associated
    Press" -> Jane Doe), or an organisation alone ("Associated Press")."""
    names: list[str] = []
    nodes = tree.xpath('//*[contains(concat(" ", normalize-space(@itemprop), " "), " author ")]')
    for node in nodes[:MICRODATA_AUTHORS_MAX]:
        named = node.xpath('.//*[contains(concat(" ", normalize-space(@itemprop), " "), " name ")]')
        source = named[0] if named else node
        value = normalize_inline(source.get("content") or source.text_content() or "")
        parts = _names(value) if value and len(value.split()) <= MICRODATA_NAME_MAX_WORDS else []
        names.extend([part for part in parts if is_name(part)] or parts)
    return list(dict.fromkeys(names))


BIO_MIN_WORDS = 8


def _bios(value: Any) -> list[str]:
    """The descriptions of schema.org author Person objects: their biographies."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        bio = _text(item.get("description")) if isinstance(item, dict) else None
        if bio and len(bio.split()) >= BIO_MIN_WORDS:
            out.append(bio)
    return out


def _json_ld_objects(tree: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for script in tree.xpath('//script[contains(translate(@type,"LDJSON","ldjson"),"ld+json")]'):
        raw = (script.text or "").strip()
        if not raw or len(raw) > 2_000_000:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:
                data = json.loads(re.sub(r"[\x00-\x1f]", " ", raw))
            except ValueError:
                continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                out.append(item)
                for key in ("@graph", "mainEntity", "itemListElement"):
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])
    return out


def _is_article(obj: dict[str, Any]) -> bool:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds)


def _metas(tree: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = meta.get("content")
        if key and value and value.strip() and key not in found:
            found[key] = value.strip()
    return found


def _site_from_title(title: str, site: str | None) -> tuple[str, str | None]:
    """'Headline | Site' / 'Headline - Site' / 'Headline_Section_Site' (as pages in Chinese print
    it): split the site name off a <title>."""
    parts = re.split(r"\s+[|–—-]\s+|\s+::\s+", title)
    if len(parts) == 1 and "_" in title:
        steps = [p for p in re.split(r"\s*_\s*", title) if p]
        # the headline first ("snake_case_names" are no such title)
        if len(steps) >= 2 and count_words(steps[0]) >= 3 and all(count_words(p) <= 4 for p in steps[1:]):
            return steps[0], steps[-1]
    if len(parts) >= 2:
        tail = parts[-1]
        if (site and tail.casefold() == site.casefold()) or len(tail.split()) <= 4:
            return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0], tail
    return title, None


# A media tag on a headline ("... (video)", "... [Watch]", "WATCH: ...") says what the page
# shows, not what the story is called.
_MEDIA_TAG = re.compile(
    r"\s*[(\[](?:video|videos|watch|photos?|pictures?|gallery|listen|audio|podcast|live|updated?)[)\]]\s*$"
    r"|^(?:watch|video|photos?|listen|live)\s*:\s*",
    re.I,
)


def strip_media_tag(title: str) -> str:
    stripped = _MEDIA_TAG.sub("", title).strip()
    return stripped or title


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


_LABEL_SEPARATOR = re.compile(r"\s[|–—-]\s|::")


def choose_title(meta_title: str | None, headings: list[str], source: str | None,
                 others: tuple[str, ...] | list[str] = ()) -> str | None:
    """The article's title: the page's visible headline (see ``headline_of``), which is what a
    reader sees and what the page is cited by; the metadata title when the headline holds it
    plus a label ("Politics | <title>") or when there is no such headline. Metadata titles often
    carry an SEO variant or the site's name.
    A headline that another of the page's metadata titles (``others``: OpenGraph, <title>...)
    repeats word for word is the headline, even when it holds the first metadata title
    ("A Complete List of <short title>")."""
    heading = headline_of(headings, source, others)
    if heading is None:
        return strip_media_tag(meta_title) if meta_title else None
    if meta_title:
        folded_meta, folded_heading = _fold(meta_title), _fold(heading)
        repeated = any(_fold(o) == folded_heading and not _LABEL_SEPARATOR.search(o) for o in others)
        if folded_meta and folded_meta != folded_heading and folded_meta in folded_heading and not repeated:
            return strip_media_tag(meta_title)
    return strip_media_tag(heading)


# a word that can tell two titles apart: "and", "the", "of" cannot
TITLE_WORD_CHARS = 4


def headline_of(headings: list[str], source: str | None, others: tuple[str, ...] | list[str] = ()) -> str | None:
    """The page's headline among its <h1> texts of 3 to 40 words (the segmenter's words, so a
    headline in a script without spaces counts) that are not the site's name: the first one
    that a metadata title (``others``) repeats, else the first one, unless the metadata titles
    of three words or more share no word with it. A page that sets its section's or its brand's
    name in an <h1> ("Health Center", "Morning Show") names its story in the metadata."""
    site = _fold(source or "")
    fitting = [h for h in headings if 3 <= count_words(h) <= 40 and _fold(h) != site]
    titles = {_fold(o) for o in others} - {""}
    repeated = next((h for h in fitting if _fold(h) in titles), None)
    titles = {t for t in titles if count_words(t) >= 3}  # "Google" is a brand, not a story's title
    if repeated is not None or not fitting or not titles:
        return repeated or (fitting[0] if fitting else None)
    title_words = set().union(*map(_telling_words, titles))
    return fitting[0] if _telling_words(fitting[0]) & title_words else None


def _telling_words(text: str) -> set[str]:
    """The words that can tell two titles apart, by the segmenter: four letters or more, or two
    characters or more in a script written without spaces ("渡轮")."""
    tokens = (t for w in words(text) for t in re.findall(r"\w+", w.casefold()))
    return {t for t in tokens if len(t) >= TITLE_WORD_CHARS or (len(t) >= 2 and has_spaceless(t))}


def headings(tree: Any) -> list[str]:
    """The texts of the page's <h1> elements, in document order."""
    return [text for _, text in heading_nodes(tree)]


def heading_nodes(tree: Any) -> list[tuple[Any, str]]:
    """(element, text) of the page's <h1> elements with text, in document order."""
    out = []
    for h1 in tree.iter("h1"):
        # without a permalink's pilcrow ("Installing¶"), which documentation pages print after it
        text = normalize_inline(h1.text_content()).rstrip("¶ ")
        if text:
            out.append((h1, text))
    return out


_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?)$")
_EMAIL = re.compile(r"\S+@\S+")


_HANDLE = re.compile(r"^[\w.-]*[\d._][\w.-]*$")


def clean_names(names: list[str], source: str | None = None) -> list[str]:
    """Author names as a byline list holds them: without a leading "By", e-mail addresses,
    what follows a "|", profile handles ("jane.doe.1234"), degrees and credentials split off as
    names of their own ("Name MS, RDN, LD"), or the publication itself beside a person."""
    out: list[str] = []
    for name in names:
        name = _EMAIL.sub("", name.split("|")[0]).strip(" ,;|-–—")
        name = re.sub(r"^[Bb]y\s+", "", name)
        if not name or _CREDENTIAL.match(name) or _HANDLE.match(name):
            continue
        words = name.split()
        while len(words) > 2 and re.fullmatch(r"[A-Z]{2,5}", words[-1]):
            words.pop()
        out.append(" ".join(words))
    site = _fold(source or "")
    if site and len(out) > 1:
        out = [n for n in out if _fold(n) != site] or out
    return list(dict.fromkeys(out))


def read_page_meta(tree: Any) -> PageMeta:
    """PageMeta from an lxml HTML tree; never raises on malformed data."""
    meta = PageMeta()
    metas = _metas(tree)
    candidates: list[str] = []
    for obj in _json_ld_objects(tree):
        if not _is_article(obj):
            continue
        headline = _text(obj.get("headline") or obj.get("name"))
        if headline:
            candidates.append(headline)
        meta.title = meta.title or headline
        meta.authors = meta.authors or _names(obj.get("author") or obj.get("creator"))
        meta.author_bios = meta.author_bios or _bios(obj.get("author") or obj.get("creator"))
        meta.published_at = meta.published_at or parse_date(_text(obj.get("datePublished") or obj.get("dateCreated")))
        meta.modified_at = meta.modified_at or parse_date(_text(obj.get("dateModified")))
        meta.source = meta.source or _text(obj.get("publisher")) or _text(obj.get("sourceOrganization"))
        page = obj.get("mainEntityOfPage")
        page_id = _text(page.get("@id")) if isinstance(page, dict) else _text(page)
        meta.url = meta.url or _text(obj.get("url")) or page_id
        meta.language = meta.language or _text(obj.get("inLanguage"))
        meta.description = meta.description or _text(obj.get("description"))
        body = obj.get("articleBody")
        if isinstance(body, str) and not meta.article_body:
            meta.article_body = body
        meta.section = meta.section or _text(obj.get("articleSection"))
    for key in _TITLE_META:
        if key in metas and normalize_inline(metas[key]):
            candidates.append(normalize_inline(metas[key]))
            meta.title = meta.title or candidates[-1]
    for key in _DATE_META:
        if meta.published_at is None and key in metas:
            meta.published_at = parse_date(metas[key])
    if not meta.authors:
        for key in _AUTHOR_META:
            if key in metas:
                meta.authors = _names(metas[key])
                if meta.authors:
                    break
    if not meta.authors:
        meta.authors = _microdata_authors(tree)
    for key in _SOURCE_META:
        if meta.source is None and key in metas and not metas[key].startswith("@"):
            meta.source = normalize_inline(metas[key])
    canonical = tree.xpath('//link[translate(@rel,"CANONICAL","canonical")="canonical"]/@href')
    meta.url = (canonical[0].strip() if canonical and canonical[0].strip() else None) or metas.get("og:url") or meta.url
    if meta.url and not re.match(r"^https?://", meta.url):
        meta.url = None
    lang = tree.xpath("/html/@lang") or ([metas["og:locale"]] if "og:locale" in metas else [])
    meta.language = meta.language or (lang[0] if lang else None)
    if meta.language:
        meta.language = re.split(r"[-_]", meta.language.strip())[0].lower() or None
    titles = tree.xpath("//title/text()")
    if titles and normalize_inline(titles[0]):
        page_title, site = _site_from_title(normalize_inline(titles[0]), meta.source)
        candidates.append(page_title)
        meta.title = meta.title or page_title
        meta.source = meta.source or site
    if meta.title and meta.source and meta.source.casefold() in meta.title.casefold():
        meta.title, _ = _site_from_title(meta.title, meta.source)
    meta.description = meta.description or (normalize_inline(metas["description"]) if "description" in metas else None)
    nodes = heading_nodes(tree)
    if meta.source:
        candidates = [_site_from_title(c, meta.source)[0] if meta.source.casefold() in c.casefold() else c
                      for c in candidates]
    meta.title_candidates = list(dict.fromkeys(candidates))
    meta.title = choose_title(meta.title, [text for _, text in nodes], meta.source, meta.title_candidates)
    headline = headline_of([text for _, text in nodes], meta.source, meta.title_candidates)
    if headline is not None and meta.title and _fold(meta.title) in _fold(headline):
        meta.headline_node = next(node for node, text in nodes if text == headline)
    if meta.published_at is None:
        meta.published_at = _time_near(tree, meta.headline_node)
    meta.authors = clean_names(meta.authors, meta.source)
    return meta


TIME_TRIES = 3


def _time_near(tree: Any, headline: Any) -> datetime | None:
    """The first <time datetime> at or after the article's headline (a page lists other
    stories' times in its menus and sidebars above it), else the page's first ones."""
    nodes = headline.xpath("following::time[@datetime]") if headline is not None else []
    for node in [*nodes[:TIME_TRIES], *tree.xpath("//time[@datetime]")[:TIME_TRIES]]:
        value = parse_date(node.get("datetime"))
        if value is not None:
            return value
    return None


def _html_parser() -> Any:
    """lxml.html's parser with a C-level element class lookup: every element is an HtmlElement
    (what trafilatura and this package use), without lxml.html's per-tag lookup, a Python call
    for each element object created (the form-field classes it picks are never needed here)."""
    parser = etree.HTMLParser()
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity,
    ))
    return parser


_PARSER = _html_parser()


def parse_tree(content: str) -> Any:
    """An lxml tree from page HTML, or None when it cannot be parsed at all."""
    try:
        return lxml_html.document_fromstring(content, parser=_PARSER)
    except (ValueError, TypeError, etree.ParserError):
        return None
