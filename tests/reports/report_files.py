"""Reading the report files the tests make: what an HTML page would fetch, a PDF's sections."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pypdf

#: Attributes through which a page makes the browser fetch (or navigate to) another resource.
FETCHING_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "action", "poster", "data",
                       "formaction", "background"}


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.references: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in FETCHING_ATTRIBUTES and value is not None:
                self.references.append((tag, name, value))

    handle_startendtag = handle_starttag


def external_references(html: str) -> list[str]:
    """Everything the page would load from elsewhere: attributes not '#…'/'data:', CSS urls."""
    parser = _References()
    parser.feed(html)
    outside = [f"<{tag} {name}={value!r}>" for tag, name, value in parser.references
               if not value.startswith(("#", "data:"))]
    outside += [f"css url({m})" for m in re.findall(r"url\(\s*['\"]?([^'\")]*)", html)
                if not m.startswith(("#", "data:"))]
    outside += [f"css {m}" for m in re.findall(r"@import[^;]*", html)]
    return outside


def pdf_sections(content: bytes) -> tuple[list[str], list[tuple[str, int]]]:
    """The text of each page and the outline's (title, page index) entries, in order."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    texts = [page.extract_text() for page in reader.pages]
    outline = [(entry.title, reader.get_destination_page_number(entry))
               for entry in reader.outline if not isinstance(entry, list)]
    return texts, outline


def assert_a_page_per_section(content: bytes, expected_titles: list[str]) -> list[str]:
    """Each outline entry starts its own page whose text begins with its heading; return texts."""
    texts, outline = pdf_sections(content)
    titles = [title for title, _ in outline]
    assert all(title in titles for title in expected_titles), titles
    pages = [page for _, page in outline]
    assert pages == sorted(set(pages)), f"sections share a page: {outline}"
    for title, page in outline[1:]:  # the title page starts with the kicker line
        first_line = texts[page].strip().splitlines()[0]
        assert first_line == title, (title, page, first_line)
    return texts
