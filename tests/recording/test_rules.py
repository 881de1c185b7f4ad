"""Matching success criteria and error rules against events."""

from __future__ import annotations

import pytest

from uxlab.recording.rules import (
    click_matches,
    criterion_for_variant,
    error_rule_id,
    event_matches,
    url_matches,
)


@pytest.mark.parametrize(("url", "expected"), [
    ("confirmation.html", True),
    ("confirmation.html?order=7", True),  # exact compares the path only
    ("confirmation.html#top", True),
    ("confirmation.htm", False),
    ("x/confirmation.html", False),
    (None, False),
])
def test_exact_match_compares_the_path(url, expected):
    assert url_matches({"url": "confirmation.html"}, url) is expected


def test_exact_match_with_a_query_compares_path_and_query():
    rule = {"type": "url", "url": "cart.html?size=42", "match": "exact"}
    assert url_matches(rule, "cart.html?size=42")
    assert url_matches(rule, "cart.html?size=42#summary")
    assert not url_matches(rule, "cart.html")
    assert not url_matches(rule, "cart.html?size=43")


def test_prefix_match_uses_path_and_query():
    rule = {"url": "help.html?topic=", "match": "prefix"}
    assert url_matches(rule, "help.html?topic=returns")
    assert not url_matches(rule, "help.html")


def test_regex_match_of_the_demo_add_to_cart_criterion():
    # studies/checkout-redesign.toml: success is the cart with a size-42 item added, not the
    # header's plain cart link.
    rule = {"type": "url", "url": r"cart\.html\?size=42$", "match": "regex"}
    assert url_matches(rule, "cart.html?size=42")
    assert url_matches(rule, "cart.html?size=42#lines")
    assert not url_matches(rule, "cart.html")
    assert not url_matches(rule, "cart.html?size=420")


def test_unknown_match_is_refused():
    with pytest.raises(ValueError, match="fuzzy"):
        url_matches({"url": "a.html", "match": "fuzzy"}, "a.html")


def test_variant_override_is_merged_over_the_base():
    criterion = {"type": "url", "url": "done.html", "match": "exact",
                 "variants": {"B": {"url": "finished.html"}}}
    assert criterion_for_variant(criterion, "B") == {"type": "url", "url": "finished.html",
                                                     "match": "exact"}
    assert criterion_for_variant(criterion, "A") == {"type": "url", "url": "done.html",
                                                     "match": "exact"}
    assert criterion_for_variant({"type": "moderator"}, "A") == {"type": "moderator"}


def test_click_matches_reads_the_recorders_marks():
    click = {"type": "click", "data": {"interactive": True, "matched": ["success", "error:1"]}}
    assert click_matches("success", click)
    assert click_matches(error_rule_id(1), click)
    assert not click_matches(error_rule_id(0), click)
    assert not click_matches("success", {"type": "click", "data": {}})
    assert not click_matches("success", {"type": "navigate", "data": {"matched": ["success"]}})


def test_event_matches_by_rule_type():
    url_rule = {"type": "url", "url": "size-missing.html"}
    element_rule = {"type": "element", "selector": "#add"}
    navigate = {"type": "navigate", "url": "size-missing.html", "data": {}}
    click_on_page = {"type": "click", "url": "size-missing.html", "data": {}}
    marked_click = {"type": "click", "url": "p.html", "data": {"matched": ["error:0"]}}
    assert event_matches(url_rule, "error:0", navigate)
    assert not event_matches(url_rule, "error:0", click_on_page)  # a click is not a page visit
    assert event_matches(element_rule, "error:0", marked_click)
    assert not event_matches(element_rule, "error:1", marked_click)
    assert not event_matches({"type": "answer", "answers": ["30"]}, "success", navigate)
