"""Recruitment panels: where a participant recruited from a panel is sent at the end.

A study's ``[panel]`` (``Study.panel``) names a preset or gives its own URLs. Each outcome —
``completion``, ``screen_out``, ``over_quota`` — has a URL and optionally the panel's code for it.
URLs may hold ``{panel_id}`` (the participant's id on the panel, from the ``id_param`` query
parameter of the recruitment link), ``{participant}`` (uxlab's participant code) and ``{code}``
(the outcome's code) in its path, query or fragment, never its host; each is percent-quoted
before it is put in, so a value cannot change where the URL goes. The older ``completion_redirect`` and ``panel_id_param`` keys of ``[study]`` keep
working on their own.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from uxlab.safe_urls import is_web_url

OUTCOMES = ("completion", "screen_out", "over_quota")
PANEL_KEYS = {"preset", "id_param", *(f"{o}_url" for o in OUTCOMES),
              *(f"{o}_code" for o in OUTCOMES)}
#: Prolific's completion URL takes the study's code for each outcome as ``cc``; its participant id
#: arrives as ``PROLIFIC_PID`` (https://researcher-help.prolific.com, "Completion codes").
PRESETS: dict[str, dict[str, str]] = {
    "prolific": {"id_param": "PROLIFIC_PID",
                 "url": "https://app.prolific.com/submissions/complete?cc={code}"},
    "generic": {},
}
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
ID_PARAM_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
PLACEHOLDERS = ("{panel_id}", "{participant}", "{code}")


def fill(url: str, panel_id: str, participant: str, code: str) -> str:
    """Put the quoted values into ``url``'s placeholders."""
    for placeholder, value in zip(PLACEHOLDERS, (panel_id, participant, code), strict=True):
        url = url.replace(placeholder, quote(value, safe=""))
    return url


def placeholder_in_host(url: str) -> bool:
    """Whether ``url`` has a placeholder before its path (a panel id could pick the host)."""
    scheme, _, rest = url.partition("://")
    return any(p in re.split(r"[/?#]", rest, maxsplit=1)[0] for p in PLACEHOLDERS) \
        or any(p in scheme for p in PLACEHOLDERS)


def outcome_url(panel: dict[str, Any], outcome: str) -> str | None:
    """The URL template for ``outcome`` (the panel's own, or its preset's when it has a code)."""
    url = panel.get(f"{outcome}_url")
    if url:
        return url
    preset = PRESETS.get(panel.get("preset", "generic"), {})
    if preset.get("url") and panel.get(f"{outcome}_code"):
        return preset["url"]
    return None


def id_param(panel: dict[str, Any], legacy: str | None) -> str | None:
    """The query parameter that carries the panel's participant id."""
    return (panel.get("id_param") or PRESETS.get(panel.get("preset", "generic"), {}).get("id_param")
            or legacy)


def redirect_for(panel: dict[str, Any], legacy_completion: str | None, outcome: str,
                 panel_id: str | None, participant_code: str) -> str | None:
    """Where to send a participant at ``outcome``, or None to show uxlab's own end page."""
    template = outcome_url(panel or {}, outcome)
    if template is None and outcome == "completion":
        template = legacy_completion
    if not template or placeholder_in_host(template):
        return None
    url = fill(template, panel_id or "", participant_code, (panel or {}).get(f"{outcome}_code", ""))
    # Checked again here: the study may have been stored before a rule tightened.
    return url if url.startswith(("http://", "https://")) and is_web_url(url) else None


def panel_problems(panel: Any) -> list[tuple[str, str]]:
    """Return (key, problem) for everything wrong with a ``[panel]`` table."""
    if not isinstance(panel, dict):
        return [("", "must be a table")]
    problems = [(name, f"unknown key (allowed here: {', '.join(sorted(PANEL_KEYS))})")
                for name in panel if name not in PANEL_KEYS]
    for name, value in panel.items():
        if name in PANEL_KEYS and not isinstance(value, str):
            problems.append((name, f"must be a string, not {type(value).__name__}"))
    if problems:
        return problems
    preset = panel.get("preset", "generic")
    if preset not in PRESETS:
        problems.append(("preset", f"unknown panel {preset!r} (known: {', '.join(PRESETS)})"))
    if "id_param" in panel and not ID_PARAM_PATTERN.match(panel["id_param"]):
        problems.append(("id_param", "must be a query parameter name (letters, digits, _ . -)"))
    for outcome in OUTCOMES:
        code = panel.get(f"{outcome}_code")
        if code is not None and not CODE_PATTERN.match(code):
            problems.append((f"{outcome}_code", "must be 1–64 letters, digits, _ . or -"))
        url = panel.get(f"{outcome}_url")
        if url is not None:
            sample = fill(url, "ID", "P-ABCDEF", "CODE")
            if not (sample.startswith(("http://", "https://")) and is_web_url(sample)):
                problems.append((f"{outcome}_url", "must be an http(s) URL with a host, without "
                                                   "spaces, line breaks or backslashes"))
            elif placeholder_in_host(url):
                problems.append((f"{outcome}_url", "placeholders ({panel_id}, {participant}, "
                                                   "{code}) belong in the path or query, not "
                                                   "the host"))
            elif "{code}" in url and code is None:
                problems.append((f"{outcome}_url", f"uses {{code}} but {outcome}_code is not set"))
    if preset == "prolific" and not (panel.get("completion_code") or panel.get("completion_url")):
        problems.append(("completion_code", "Prolific needs the study's completion code"))
    return problems
