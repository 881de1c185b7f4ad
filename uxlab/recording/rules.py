"""Matching a task's success criterion and error rules against recorded events.

The rules are the tables of :mod:`uxlab.studies.criteria`. A ``url`` rule is met by a
``navigate`` event whose page matches; an ``element`` rule by a ``click`` event that the recorder
marked as matching it: only the browser can evaluate a CSS selector against the page, so the runner
gives the recorder the task's selectors and the recorder lists the ids of the rules a clicked
element (or one of its ancestors) matches in ``data.matched``. Rule ids are ``"success"`` for the
task's success criterion and ``"error:<i>"`` for its ``i``-th error rule (0-based).

Events here are in the protocol's form (docs/recording.md): mappings with ``type``, ``url`` and
``data``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SUCCESS_RULE = "success"


def error_rule_id(index: int) -> str:
    """Return the rule id of a task's ``index``-th error rule (``"error:0"``, ``"error:1"``, …)."""
    return f"error:{index}"


def split_url(url: str) -> tuple[str, str]:
    """Return ``(path, path_and_query)`` of ``url``, both without the fragment."""
    without_fragment = url.split("#", 1)[0]
    return without_fragment.split("?", 1)[0], without_fragment


def url_matches(rule: Mapping[str, Any], url: str | None) -> bool:
    """Tell whether ``url`` meets the URL rule ``rule`` (``{"url": …, "match": …}``).

    Local prototype URLs are relative to the variant's root (``cart.html?size=42``); external
    ones are absolute. The fragment never takes part.

    - ``exact`` (the default): the path equals the rule's URL, ignoring the query, unless the
      rule's URL has a ``?`` itself: then path and query must equal it;
    - ``prefix``: path and query start with the rule's URL;
    - ``regex``: the rule's URL, a regular expression, is found in path and query
      (``re.search``; anchor it with ``^``/``$`` where needed).
    """
    if url is None:
        return False
    expected = rule["url"]
    path, path_and_query = split_url(url)
    match = rule.get("match", "exact")
    if match == "exact":
        return (path_and_query if "?" in expected else path) == expected
    if match == "prefix":
        return path_and_query.startswith(expected)
    if match == "regex":
        return re.search(expected, path_and_query) is not None
    raise ValueError(f"unknown URL match {match!r} (use exact, prefix or regex)")


def criterion_for_variant(criterion: Mapping[str, Any], variant_key: str) -> dict[str, Any]:
    """Return the criterion as it applies to variant ``variant_key``.

    A criterion may carry per-variant overrides, ``{"type": "url", "url": "a.html",
    "variants": {"B": {"url": "b.html"}}}``; the variant's table is merged over the base.
    """
    base = {key: value for key, value in criterion.items() if key != "variants"}
    override = (criterion.get("variants") or {}).get(variant_key) or {}
    return {**base, **override}


def click_matches(rule_id: str, event: Mapping[str, Any]) -> bool:
    """Tell whether ``event`` is a click the recorder marked as matching rule ``rule_id``."""
    if event.get("type") != "click":
        return False
    matched = (event.get("data") or {}).get("matched") or ()
    return rule_id in matched


def event_matches(rule: Mapping[str, Any], rule_id: str, event: Mapping[str, Any]) -> bool:
    """Tell whether ``event`` meets ``rule`` (a ``url`` or ``element`` rule with id ``rule_id``).

    Rules of other types (answer, self report, moderator) are never met by an event.
    """
    kind = rule.get("type")
    if kind == "url":
        return event.get("type") == "navigate" and url_matches(rule, event.get("url"))
    if kind == "element":
        return click_matches(rule_id, event)
    return False
