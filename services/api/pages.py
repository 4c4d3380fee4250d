"""The whole article as a server-rendered HTML page: readable without JavaScript, every value
escaped, every entity a link back to the search narrowed by it."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

# Document field -> (label, the search parameter that filters by it).
ENTITY_FIELDS = (
    ("countries", "Countries", "country"),
    ("people", "People", "person"),
    ("organizations", "Organizations", "organization"),
    ("locations", "Locations", "location"),
    ("topics", "Topics", "topic"),
)


def _layout(title: str, content: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · newsflow</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header class="top"><a class="brand" href="/">newsflow</a></header>
<main class="article-page">
{content}
</main>
</body>
</html>
"""


def _search_link(param: str, value: str) -> str:
    return f'<a class="chip" href="/?{escape(urlencode({param: value}))}">{escape(value)}</a>'


def article_page(doc: dict[str, Any]) -> str:
    title = doc.get("title") or "(untitled)"
    meta = []
    if doc.get("source"):
        meta.append(_search_link("source", doc["source"]))
    if doc.get("published_at"):
        meta.append(f'<time datetime="{escape(doc["published_at"])}">{escape(doc["published_at"][:10])}</time>')
    if doc.get("authors"):
        meta.append("by " + escape(", ".join(doc["authors"])))
    if (doc.get("url") or "").startswith(("http://", "https://")):  # never a javascript: link
        meta.append(f'<a href="{escape(doc["url"])}" rel="noopener noreferrer">original</a>')
    meta.append(f'<a href="/api/articles/{escape(doc["id"])}">JSON</a>')
    if doc.get("story_id") and (doc.get("story") or {}).get("links"):  # copies of it exist
        meta.append(f'<a class="story" href="/api/stories/{escape(doc["story_id"])}">all versions</a>')
    if doc.get("duplicate_of"):
        original = escape(doc["duplicate_of"])
        meta.append(f'copy of <a class="original" href="/articles/{original}">an earlier article</a>')
    entities = []
    for field, label, param in ENTITY_FIELDS:
        values = doc.get(field) or []
        if values:
            links = " ".join(_search_link(param, v) for v in values)
            entities.append(f"<dt>{label}</dt><dd>{links}</dd>")
    money = doc.get("money") or []
    if money:
        amounts = ", ".join(escape(f"{m.get('text') or m.get('amount')} ({m.get('currency')})") for m in money)
        entities.append(f"<dt>Money</dt><dd>{amounts}</dd>")
    summary = f'<p class="summary">{escape(doc["summary"])}</p>' if doc.get("summary") else ""
    paragraphs = "\n".join(f"<p>{escape(p.strip())}</p>" for p in (doc.get("body") or "").split("\n\n") if p.strip())
    content = f"""<article>
<h1>{escape(title)}</h1>
<p class="meta">{" · ".join(meta)}</p>
{summary}
<dl class="entities">{"".join(entities)}</dl>
<div class="body">{paragraphs}</div>
</article>"""
    return _layout(title, content)


def not_found_page(article_id: str) -> str:
    return _layout("Not found", f'<h1>No such article</h1><p>Nothing is indexed under id '
                                f'<code>{escape(article_id)}</code>. <a href="/">Back to the search</a>.</p>')
