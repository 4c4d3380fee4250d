# ruff: noqa: E501  (HTML page templates: long lines are the markup)
"""Wrap each seed article in whole news pages of three common layouts, for the HTML evaluation.

    .venv/bin/python -m eval.corpus.make_seed_pages   # rewrites eval/corpus/seed_pages/

Layouts: a WordPress-like blog post (menus, share buttons, related posts, comments and a reply
form, widgets), a news site (JSON-LD NewsArticle, OpenGraph, cookie banner, breaking ticker,
photo with caption, inline "read more" link, newsletter box, most-read sidebar, related grid,
footer) and an AMP page (amp-boilerplate, amp-img, social share, more-from list). The article
paragraphs are the seed's gold body; everything else is furniture the cleaner must drop. The
page metadata written here is the gold for title, date and source (eval/gold/seed_pages.json).
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

from eval.cleaning import gold_body_paragraphs, load_seed_gold

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

OUT = HERE / "seed_pages"
GOLD = ROOT / "eval" / "gold" / "seed_pages.json"

# Headlines for the seeds whose text has none, and a publisher for those whose text names none.
EXTRA = {
    "001_de591d6ebb0430a2.txt": {"title": "Pakistan, Russia agree to explore new avenues of cooperation"},
    "002_ceec6d890d34f096.txt": {"title": "High-level Russian delegation expected to visit Pakistan this month"},
    "003_b34446580c40c96b.txt": {"source": "Strategic Affairs Review", "date": "2018-11-07"},
    "004_7be49cec0fd698d3.txt": {"source": "Capital Observer", "date": "2024-06-12"},
}
OTHER_HEADLINES = [
    ("Central bank holds policy rate steady amid easing inflation",
     "The monetary policy committee said price pressures had moderated but warned of risks from..."),
    ("Heatwave grips southern districts as power outages spread",
     "Temperatures crossed 47 degrees Celsius in several cities on Tuesday, prompting authorities to..."),
    ("Cricket board names new selection committee ahead of tour",
     "The board announced a five-member panel that will pick the squad for the upcoming series."),
    ("Opinion: The long road to tax reform",
     "Every government promises to widen the tax net, and every government finds reasons to delay."),
    ("Port traffic rebounds after months of slowdown",
     "Container volumes rose 12 per cent in the last quarter, according to figures released on..."),
]


def _p(paragraphs: list[str]) -> str:
    out = []
    for text in paragraphs:
        short = len(text.split()) <= 6 and not text.rstrip().endswith((".", "!", "?", "”", '"'))
        tag = "h2" if short else "p"
        out.append(f"<{tag}>{html.escape(text, quote=False)}</{tag}>")
    return "\n".join(out)


def _related(n: int = 4, teaser: bool = True) -> str:
    items = []
    for i, (title, text) in enumerate(OTHER_HEADLINES[:n]):
        extra = f"<p class='teaser'>{html.escape(text)}</p>" if teaser else ""
        items.append(f"<li><a href='/news/{1000 + i}'>{html.escape(title)}</a>{extra}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def wordpress(meta: dict, paragraphs: list[str]) -> str:
    t, site = html.escape(meta["title"]), html.escape(meta["source"])
    date = meta["date"] or ""
    posted = f"Posted on <time class='entry-date' datetime='{date}'>{date}</time>" if date else ""
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8">
<title>{t} &#8211; {site}</title>
<meta name="generator" content="WordPress 6.4.2">
<link rel='stylesheet' href='/wp-content/themes/twentyseventeen/style.css' type='text/css' media='all' />
<style>.screen-reader-text{{clip:rect(1px,1px,1px,1px)}} body{{font-family:Georgia}}</style>
<script>var wpData = {{"ajaxurl":"/wp-admin/admin-ajax.php","nonce":"a1b2c3"}}; document.write("tracking pixel");</script>
</head>
<body class="post-template-default single single-post">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><p class="site-title"><a href="/">{site}</a></p>
<p class="site-description">Analysis and commentary on regional affairs</p>
<nav id="site-navigation" class="main-navigation"><ul><li><a href="/">Home</a></li><li><a href="/about/">About</a></li>
<li><a href="/category/politics/">Politics</a></li><li><a href="/category/economy/">Economy</a></li><li><a href="/contact/">Contact</a></li></ul></nav>
</header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-4711" class="post-4711 post type-post status-publish format-standard hentry category-politics">
<header class="entry-header"><div class="entry-meta"><span class="posted-on">{posted}</span>
<span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/editor/">editor</a></span></span></div>
<h1 class="entry-title">{t}</h1></header>
<div class="entry-content">
{_p(paragraphs)}
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social"><h3 class="sd-title">Share this:</h3>
<ul><li><a class="share-twitter" href="#">Twitter</a></li><li><a class="share-facebook" href="#">Facebook</a></li><li><a href="#" class="share-print">Print</a></li></ul></div></div>
<div id="jp-post-flair"><div class="sharedaddy sd-block sd-like"><h3 class="sd-title">Like this:</h3><div class="likes-widget-placeholder">Like Loading...</div></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>{_related(3)}</div></div>
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/category/politics/">Politics</a></span>
<span class="tags-links">Tagged <a href="/tag/diplomacy/">diplomacy</a>, <a href="/tag/trade/">trade</a></span></footer>
</article>
<nav class="navigation post-navigation"><h2 class="screen-reader-text">Post navigation</h2>
<div class="nav-previous"><a href="/prev/">Previous Post: Budget debate enters its second week in the assembly</a></div>
<div class="nav-next"><a href="/next/">Next Post: Provincial elections: what the early results show</a></div></nav>
<div id="comments" class="comments-area"><h2 class="comments-title">2 thoughts on &ldquo;{t}&rdquo;</h2>
<ol class="comment-list">
<li class="comment"><article class="comment-body"><footer class="comment-meta"><b class="fn">Rashid</b> <time>March 4, 2019 at 9:12 am</time></footer>
<div class="comment-content"><p>A balanced piece, but I think the author underestimates how much the economic side still depends on the banking channels being fixed first.</p></div>
<div class="reply"><a class="comment-reply-link" href="#">Reply</a></div></article></li>
<li class="comment"><article class="comment-body"><footer class="comment-meta"><b class="fn">Sarah K.</b> <time>March 4, 2019 at 11:40 am</time></footer>
<div class="comment-content"><p>Thanks for writing this. Would love to see a follow-up on what the trade numbers look like next year.</p></div>
<div class="reply"><a class="comment-reply-link" href="#">Reply</a></div></article></li></ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply <small><a rel="nofollow" id="cancel-comment-reply-link" href="#">Cancel reply</a></small></h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> Required fields are marked <span class="required">*</span></p>
<p class="comment-form-comment"><label for="comment">Comment</label> <textarea id="comment" name="comment"></textarea></p>
<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label> <input id="author" name="author" type="text"></p>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" type="checkbox"> <label>Save my name, email, and website in this browser for the next time I comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p></form></div></div>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_search"><form role="search"><label>Search for:</label><input type="search"></form></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>{_related(5, teaser=False)}</section>
<section class="widget widget_archive"><h2 class="widget-title">Archives</h2><ul><li><a href="/2019/03/">March 2019</a></li><li><a href="/2019/02/">February 2019</a></li></ul></section></aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info"><a href="https://wordpress.org/">Proudly powered by WordPress</a></div></footer>
<script type="text/javascript">window._wpemojiSettings = {{"baseUrl":"https://s.w.org/images/core/emoji/"}}; !function(e,a,t){{var n,r,o;}}(window,document,window._wpemojiSettings);</script>
<div id="actionbar" class="actnbr-pub-theme"><ul><li><a class="actnbr-action actnbr-actn-follow" href="#">Follow</a></li></ul></div>
<p>%d bloggers like this:</p>
</body></html>
"""


def newssite(meta: dict, paragraphs: list[str], caption: str | None) -> str:
    t, site = html.escape(meta["title"]), html.escape(meta["source"])
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": meta["title"],
        "mainEntityOfPage": {"@type": "WebPage", "@id": meta["url"]},
        "publisher": {"@type": "Organization", "name": meta["source"], "logo": {"@type": "ImageObject", "url": "/logo.png"}},
        "image": ["/images/lead.jpg"],
    }
    if meta["date"]:
        ld["datePublished"] = meta["date"] + "T08:15:00+05:00"
    if meta["authors"]:
        ld["author"] = [{"@type": "Person", "name": a} for a in meta["authors"]]
    crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": "/"},
        {"@type": "ListItem", "position": 2, "name": "Pakistan", "item": "/pakistan"}]}
    mid = len(paragraphs) // 2
    first, second = paragraphs[:mid], paragraphs[mid:]
    figure = (f"<figure class='media'><img src='/images/lead.jpg' alt=''><figcaption>{html.escape(caption)}</figcaption></figure>"
              if caption else "")
    byline = ", ".join(meta["authors"]) or "Staff Reporter"
    date_text = meta["date"] or ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} - {site}</title>
<meta name="description" content="{html.escape(paragraphs[0][:150])}">
<meta property="og:type" content="article"><meta property="og:title" content="{t}">
<meta property="og:site_name" content="{site}"><meta property="og:url" content="{meta['url']}">
<meta name="twitter:card" content="summary_large_image">
<link rel="canonical" href="{meta['url']}">
<script type="application/ld+json">{json.dumps(ld)}</script>
<script type="application/ld+json">{json.dumps(crumbs)}</script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());gtag('config','G-XXXX');</script>
<style>.cookie-banner{{position:fixed;bottom:0}} .ticker{{overflow:hidden}}</style>
</head><body>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience on our website. By continuing to browse, you agree to our use of cookies as described in our Cookie Policy.</p><button>Accept all cookies</button><button>Manage preferences</button></div>
<header class="site-header"><a class="logo" href="/">{site}</a>
<nav><ul><li><a href="/latest">Latest</a></li><li><a href="/pakistan">Pakistan</a></li><li><a href="/world">World</a></li><li><a href="/business">Business</a></li><li><a href="/opinion">Opinion</a></li><li><a href="/sport">Sport</a></li><li><a href="/epaper">E-Paper</a></li></ul></nav>
<div class="ticker"><span>BREAKING</span><a href="/b1">Markets close higher for third straight session</a><a href="/b2">Rain expected in upper parts of the country</a></div></header>
<main><div class="container"><article class="story">
<div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/pakistan">Pakistan</a></div>
<h1 class="story__title">{t}</h1>
<div class="story__byline"><span class="author">{html.escape(byline)}</span> <span class="timestamp">Published {date_text}</span></div>
<div class="share"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">WhatsApp</a> <a href="#">Email</a></div>
{figure}
<div class="story__content">
{_p(first)}
<div class="newsletter-box"><h4>Get the morning briefing</h4><p>Sign up for our newsletter and get the day's top stories delivered to your inbox every morning.</p><form><input type="email" placeholder="Your email"><button>Subscribe</button></form></div>
<p class="read-more"><strong>READ MORE:</strong> <a href="/news/778899">{html.escape(OTHER_HEADLINES[0][0])}</a></p>
<div class="ad-slot"><span>Advertisement</span></div>
{_p(second)}
</div>
<div class="story__tags"><span>Tags:</span> <a href="/tag/diplomacy">Diplomacy</a> <a href="/tag/russia">Russia</a></div>
</article>
<aside class="sidebar"><h3>Most Read</h3><ol>{''.join(f"<li><a href='/mr{i}'>{html.escape(h)}</a></li>" for i, (h, _) in enumerate(OTHER_HEADLINES))}</ol></aside>
<section class="related"><h3>Related Stories</h3>{_related(4)}</section>
<section class="comments"><h3>Comments (0)</h3><p>Comments are closed on this story.</p></section>
</div></main>
<footer><ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li><li><a href="/contact">Contact us</a></li></ul>
<p>Copyright &copy; {(meta['date'] or '2024')[:4]} {site}. All rights reserved.</p></footer>
<script src="/static/app.bundle.js"></script>
<script>(function(){{var s=document.createElement('script');s.src='/ads.js';document.body.appendChild(s);}})();</script>
</body></html>
"""


def amp(meta: dict, paragraphs: list[str]) -> str:
    t, site = html.escape(meta["title"]), html.escape(meta["source"])
    ld = {"@context": "https://schema.org", "@type": "Article", "headline": meta["title"],
          "publisher": {"@type": "Organization", "name": meta["source"]}}
    if meta["date"]:
        ld["datePublished"] = meta["date"]
    return f"""<!doctype html>
<html amp lang="en"><head><meta charset="utf-8">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script async custom-element="amp-social-share" src="https://cdn.ampproject.org/v0/amp-social-share-0.1.js"></script>
<title>{t} | {site}</title>
<link rel="canonical" href="{meta['url']}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<script type="application/ld+json">{json.dumps(ld)}</script>
<style amp-boilerplate>body{{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;animation:-amp-start 8s steps(1,end) 0s 1 normal both}}</style>
<noscript><style amp-boilerplate>body{{-webkit-animation:none;animation:none}}</style></noscript>
<style amp-custom>header{{background:#003}} .headline{{font-size:28px}}</style>
</head><body>
<header><a href="/">{site}</a> <button on="tap:sidebar.toggle">Menu</button></header>
<amp-sidebar id="sidebar" layout="nodisplay"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/business">Business</a></li></ul></amp-sidebar>
<article>
<h1 class="headline">{t}</h1>
<amp-img src="/img/lead.jpg" width="600" height="400" layout="responsive" alt="{t}"></amp-img>
{_p(paragraphs)}
</article>
<div class="social"><amp-social-share type="facebook"></amp-social-share><amp-social-share type="twitter"></amp-social-share><amp-social-share type="whatsapp"></amp-social-share></div>
<section class="more"><h2>More from {site}</h2>{_related(5, teaser=False)}</section>
<footer><p>&copy; {site}</p><a href="{meta['url']}">View non-AMP version</a></footer>
</body></html>
"""


def build() -> dict[str, dict[str, object]]:
    """Write the pages; return the gold metadata per page."""
    gold = load_seed_gold()
    OUT.mkdir(parents=True, exist_ok=True)
    pages: dict[str, dict[str, object]] = {}
    for name, g in sorted(gold.items()):
        extra = EXTRA.get(name, {})
        seed_text = (ROOT / "seeds" / name).read_text(encoding="utf-8")
        paragraphs = gold_body_paragraphs(seed_text, g)
        stem = name.split("_", 1)[0]
        meta = {
            "title": g["title"] or extra["title"],
            "source": g["source"] or extra["source"],
            "date": g["published_date"] or extra.get("date"),
            "authors": g.get("authors") or [],
            "url": f"https://news.example.org/{stem}/article-{name[4:12]}",
        }
        caption = next((ln for ln in seed_text.splitlines() if "—White Star" in ln), None)
        layouts = {
            "wordpress": wordpress(meta, paragraphs),
            "newssite": newssite(meta, paragraphs, caption),
            "amp": amp(meta, paragraphs),
        }
        for layout, page in layouts.items():
            file = f"{layout}_{stem}.html"
            (OUT / file).write_text(page, encoding="utf-8")
            pages[file] = {
                "seed": name, "layout": layout, "title": meta["title"], "source": meta["source"],
                "published_date": meta["date"], "url": meta["url"],
            }
    GOLD.write_text(json.dumps(pages, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return pages


if __name__ == "__main__":
    written = build()
    sys.stdout.write(f"wrote {len(written)} pages to {OUT}\n")
