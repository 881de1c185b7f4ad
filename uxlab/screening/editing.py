"""Editing a stored study's screener, quotas and panel in the web UI, with the study-file rules.

Each edit builds the whole candidate study file and validates it (:mod:`uxlab.studies.editing`),
so a bad edit changes nothing and its problems keep their key paths (``screener[1].options``).
Screener questions are structure: fixed once anyone has answered them (a changed study file
then loads as a new version). Quotas, the panel and the end texts may change while the study
runs: they decide who is let in next, not what was recorded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from uxlab.models import Study
from uxlab.studies.editing import SCREENING_STUDY_KEYS, move_item, remove_item, save_item
from uxlab.studies.service import apply_spec, spec_from_study
from uxlab.studies.spec import parse_study


def save_question(session: Session, study: Study, original_key: str | None,
                  question: dict[str, Any]) -> None:
    """Add a screener question (``original_key`` None) or replace the one with that key."""
    save_item(session, study, "screener", original_key, question)


def remove_question(session: Session, study: Study, key: str) -> None:
    """Remove a screener question (refused, naming the quota, while a quota still uses it)."""
    remove_item(session, study, "screener", key)


def move_question(session: Session, study: Study, key: str, offset: int) -> None:
    move_item(session, study, "screener", key, offset)


def save_quota(session: Session, study: Study, original_key: str | None,
               quota: dict[str, Any]) -> None:
    """Add a quota (``original_key`` None) or replace the one with that key; allowed while the
    study runs."""
    save_item(session, study, "quotas", original_key, quota, structural=False)


def remove_quota(session: Session, study: Study, key: str) -> None:
    remove_item(session, study, "quotas", key, structural=False)


def save_settings(session: Session, study: Study, texts: dict[str, Any],
                  panel: dict[str, Any]) -> None:
    """Replace the end texts, the place hold and ``[panel]`` (empty values are left out)."""
    data = spec_from_study(study).to_dict()
    for name in SCREENING_STUDY_KEYS:
        data["study"].pop(name, None)
        if texts.get(name) not in (None, ""):
            data["study"][name] = texts[name]
    data.pop("panel", None)
    panel = {k: v for k, v in panel.items() if v not in (None, "")}
    if panel and panel != {"preset": "generic"}:
        data["panel"] = panel
    apply_spec(session, study, parse_study(data, draft=study.status == "draft"))
