"""The one URL check every template, frame and redirect uses (issue 14, fix 1)."""

from __future__ import annotations

import pytest

from uxlab.safe_urls import BLANK, is_web_url, safe_url, within


@pytest.mark.parametrize("url", [
    "https://proto.example.com/shop/", "http://127.0.0.1:5000/x?y=1#z", "HTTPS://A.EXAMPLE/",
    "index.html", "shop/basket.html?step=2", "/prototypes/shop/", "#top", "?page=2",
])
def test_web_urls_pass(url):
    assert is_web_url(url) and safe_url(url) == url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "\x01javascript:alert(1)", "data:text/html,<script>x</script>",
    "vbscript:msgbox", "file:///etc/passwd", "//evil.example/", "\\\\evil.example\\x",
    "https:\\\\evil.example", "https://", "http:///x", "https://[::1", "", None, 5,
])
def test_anything_else_is_replaced(url):
    assert not is_web_url(url)
    assert safe_url(url) == BLANK and safe_url(url, "#") == "#"


@pytest.mark.parametrize(("url", "inside"), [
    ("http://h/prototypes/shop/index.html", True),
    ("http://h/prototypes/shop/", True),
    ("HTTP://H/prototypes/shop/a.html", True),
    ("http://h/prototypes/shopping/a.html", False),
    ("http://h/prototypes/shop/../../studies/1", False),
    ("http://h/prototypes/shop/%2e%2e/x.html", False),
    ("http://h.evil/prototypes/shop/a.html", False),
    ("https://h/prototypes/shop/a.html", False),
    ("http://h:8080/prototypes/shop/a.html", False),
    ("javascript:alert(1)//http://h/prototypes/shop/", False),
])
def test_within_a_prototype_folder(url, inside):
    assert within(url, "http://h/prototypes/shop/") is inside
