"""Article identity: derived, never random, so publishing an article twice indexes it once."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|cmpid|ocid)$", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
ID_LENGTH = 16


def canonical_url(url: str) -> str:
    """The URL with what does not change the page removed: case of scheme/host, default port,
    fragment, tracking parameters, trailing slash."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING_PARAMS.match(k)))
    return urlunsplit((scheme, netloc, path, query, ""))


def normalize_text(text: str) -> str:
    """Case, accents-as-composed, punctuation and spacing folded: what stays is the words."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def _short_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:ID_LENGTH]


def content_hash(body: str, folded: str | None = None) -> str:
    """sha256 of the normalized body: equal for the same words whatever the spacing or case.
    ``folded`` is ``normalize_text(body)`` when the caller has it already."""
    return hashlib.sha256((normalize_text(body) if folded is None else folded).encode("utf-8")).hexdigest()


def article_id(url: str | None, body: str, folded: str | None = None) -> str:
    """From the canonical URL when there is one, else from the normalized body
    (``folded`` is ``normalize_text(body)`` when the caller has it already)."""
    if url and url.strip():
        return _short_hash("url:" + canonical_url(url))
    return _short_hash("body:" + (normalize_text(body) if folded is None else folded))
