"""The one check for a URL that reaches a page, a frame or a redirect.

A study's start page, its panel redirect, a page a prototype reported, a link built from what
someone typed: each may come from a hostile editor or participant. A ``javascript:`` (or
``data:``, ``vbscript:``…) URL in an ``href``, a frame's ``src`` or a redirect runs on uxlab's
origin, so only two kinds of URL pass: an absolute ``http(s)`` URL with a host, and a relative
reference without a scheme (a path on uxlab itself or inside a prototype). Browsers drop tabs
and line breaks inside a URL and spaces around it, and read ``\\`` as ``/``, so a URL holding any
of them is refused rather than guessed at.

Not for: deciding *which* page of a prototype a task may start on (:func:`within` answers that
with the prototype's folder as the root).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
#: What a template shows instead of a refused URL: a frame stays empty, a link goes nowhere.
BLANK = "about:blank"
_AMBIGUOUS = re.compile(r"[\x00-\x20\x7f\\]")


def is_web_url(url: object) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host, or a relative reference.

    A protocol-relative ``//host/…`` reference counts as absolute: it must not leave the site
    unnoticed, so it is refused (spell the scheme).
    """
    if not isinstance(url, str) or not url or _AMBIGUOUS.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    if parts.scheme:
        return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)
    return not url.startswith("//")


def safe_url(url: object, fallback: str = BLANK) -> str:
    """Return ``url`` when :func:`is_web_url` accepts it, else ``fallback`` (the template filter)."""
    return url if is_web_url(url) else fallback  # type: ignore[return-value]


def within(url: str, root: str) -> bool:
    """Whether the absolute ``url`` is ``root`` (an http(s) folder URL ending in ``/``) or below it.

    Compares the parsed parts, so ``https://proto.example.com.evil/`` is not under
    ``https://proto.example.com/`` and ``/app/../admin`` is not under ``/app/``.
    """
    if not (is_web_url(url) and is_web_url(root)):
        return False
    target, folder = urlsplit(url), urlsplit(root)
    if not target.scheme or (target.scheme.lower(), target.netloc.lower()) != (
            folder.scheme.lower(), folder.netloc.lower()):
        return False
    segments = target.path.split("/")
    if any(s in ("..", ".") or s.lower() in ("%2e%2e", "%2e", ".%2e", "%2e.") for s in segments):
        return False
    return target.path.startswith(folder.path)
