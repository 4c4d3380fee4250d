"""A page's visible text as a scraper that ignores markup delivers it: the evaluation's second form.

Every text node outside script, style and head (and outside comments and processing
instructions: the text that follows one is the page's), one block element per line, as the
corpus's second form is defined: the text of ``<noscript>`` and ``<template>`` elements stays in
(a sign-in form, a script's text where a parser moved a head's ``<noscript>`` into the body).
Written independently of the cleaner's own ``services.cleaner.html.visible_text`` so that the
evaluation input does not depend on the code under test: navigation, footers, hidden elements,
buttons and forms all stay in, as they would in a naive scrape.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from lxml import html as lxml_html

SKIP = frozenset({"script", "style", "head"})
# Elements a browser lays out as blocks (or that break lines): each starts and ends a line.
BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "option",
    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})


def page_tree(html: str) -> Any:
    """lxml's HTML tree of a page (None when it cannot be parsed)."""
    try:
        return lxml_html.document_fromstring(html)
    except (ValueError, TypeError, etree.ParserError):
        return None


def visible_text(html: str, skip: frozenset[str] = SKIP) -> str:
    """The page's visible text, one block element per line, whitespace folded, no empty lines.
    ``skip``: the elements whose text is left out (a naive scraper keeps its scripts' text)."""
    tree = page_tree(html)
    if tree is None:
        return ""
    parts: list[str] = []
    skipping = 0
    for event, element in etree.iterwalk(tree, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not skipping and element.tail:
                parts.append(element.tail)  # "By <!-- -->Jane Doe": the text after a comment shows
            continue
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if event == "start":
            if skipping or tag is None or tag in skip:
                skipping += 1
                continue
            if tag in BLOCK:
                parts.append("\n")
            if element.text:
                parts.append(element.text)
            continue
        if skipping:
            skipping -= 1
        elif tag in BLOCK:
            parts.append("\n")
        if not skipping and element.tail:
            parts.append(element.tail)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
