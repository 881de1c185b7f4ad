"""Editing a stored study piece by piece (the web UI), with the study-file rules.

Every edit builds the whole candidate definition, validates it with :func:`parse_study` (the same
rules a study file meets) and only then applies it, so a bad edit changes nothing. Problems keep
their key paths (``variants[1].weight``) so the caller can show them beside the right field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from uxlab.models import Study
from uxlab.studies.problems import Problem, StudyDefinitionError
from uxlab.studies.runnable import prototype_problems
from uxlab.studies.service import StudyStateError, apply_spec, has_participant_data, spec_from_study
from uxlab.studies.spec import StudySpec, parse_study

#: ``[study]`` keys edited with the screening settings, not with the study's details.
SCREENING_STUDY_KEYS = ("screen_out", "full", "place_hold_minutes")


def _apply(session: Session, study: Study, data: dict[str, Any]) -> StudySpec:
    spec = parse_study(data, draft=study.status == "draft")
    apply_spec(session, study, spec)
    return spec


def _check_prototypes(spec: StudySpec, section: str, index: int,
                      studies_dir: str | Path) -> None:
    """Refuse an edited variant or task that would send a participant to a missing page.

    Only the problems of the edited item count, each under a key of that item: a variant's
    problems (its folder, a task's page it lacks) belong to its prototype field.
    """
    if section == "variants":
        problems = [Problem(f"variants[{index}].prototype", p.message)
                    for p in prototype_problems(spec, studies_dir) if p.variant == index]
    else:
        problems = [p.as_problem() for p in prototype_problems(spec, studies_dir)
                    if p.task == index]
    if problems:
        raise StudyDefinitionError(problems)


def check_editable(session: Session, study: Study) -> None:
    """Refuse structural edits once participants have started (their data must stay valid)."""
    if has_participant_data(session, study):
        raise StudyStateError(
            "participants have already taken part in this study, so its variants, tasks and "
            "questionnaires cannot change; load a changed study file to create a new version"
        )


def update_details(session: Session, study: Study, details: dict[str, Any],
                   benchmarks: dict[str, Any]) -> StudySpec:
    """Replace the study's details ([study] table) and benchmarks."""
    data = spec_from_study(study).to_dict()
    if details.get("design", study.design) != study.design:
        check_editable(session, study)
    # The screening settings have their own form (uxlab.screening.editing): keep them.
    kept = {k: v for k, v in data["study"].items() if k in SCREENING_STUDY_KEYS}
    data["study"] = {**kept, **{k: v for k, v in details.items() if v not in (None, "")}}
    data["study"]["slug"] = study.slug  # the slug names the study everywhere; it never changes
    data["benchmarks"] = {k: v for k, v in benchmarks.items() if v is not None}
    return _apply(session, study, data)


def save_item(session: Session, study: Study, section: str, original_key: str | None,
              item: dict[str, Any], studies_dir: str | Path | None = None, *,
              structural: bool = True) -> int:
    """Add (``original_key`` None) or replace an item of the array ``section``; return its index.

    ``structural`` items (variants, tasks, screener questions) are fixed once participants took
    part; others (quotas) may change while the study runs.
    """
    if structural:
        check_editable(session, study)
    data = spec_from_study(study).to_dict()
    items = data.setdefault(section, [])
    item = {k: v for k, v in item.items() if v not in (None, "", [])}
    if original_key is None:
        items.append(item)
        index = len(items) - 1
    else:
        index = next(i for i, existing in enumerate(items) if existing["key"] == original_key)
        items[index] = item
    spec = parse_study(data, draft=study.status == "draft")
    if studies_dir is not None:
        _check_prototypes(spec, section, index, studies_dir)
    apply_spec(session, study, spec)
    return index


def save_variant(session: Session, study: Study, original_key: str | None,
                 variant: dict[str, Any], studies_dir: str | Path | None = None) -> None:
    """Add a variant (``original_key`` None) or replace the one with ``original_key``.

    With ``studies_dir``, a local prototype must exist there and have the tasks' pages.
    """
    save_item(session, study, "variants", original_key, variant, studies_dir)


def save_task(session: Session, study: Study, original_key: str | None,
              task: dict[str, Any], studies_dir: str | Path | None = None) -> None:
    """Add a task (``original_key`` None) or replace the one with ``original_key``.

    With ``studies_dir``, its start page, success page and error rules must be pages of the
    variants' local prototypes.
    """
    save_item(session, study, "tasks", original_key, task, studies_dir)


def remove_item(session: Session, study: Study, section: str, key: str, *,
                structural: bool = True) -> None:
    """Remove the item of ``section`` (variants, tasks, screener, quotas) with ``key``."""
    if structural:
        check_editable(session, study)
    data = spec_from_study(study).to_dict()
    data[section] = [item for item in data.get(section, []) if item["key"] != key]
    _apply(session, study, data)


def move_task(session: Session, study: Study, key: str, offset: int) -> None:
    """Move a task up (−1) or down (+1) in the running order."""
    move_item(session, study, "tasks", key, offset)


def move_item(session: Session, study: Study, section: str, key: str, offset: int) -> None:
    """Move the item ``key`` of ``section`` (tasks, screener) up (−1) or down (+1)."""
    check_editable(session, study)
    data = spec_from_study(study).to_dict()
    items = data[section]
    index = next(i for i, item in enumerate(items) if item["key"] == key)
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        _apply(session, study, data)


def set_questionnaires(session: Session, study: Study, post_task: list[str],
                       post_study: list[str]) -> None:
    """Choose the standard instruments asked after each task and at the end."""
    check_editable(session, study)
    data = spec_from_study(study).to_dict()
    current = data.get("questionnaires", {})
    custom = current.get("custom", {})
    keep_custom = {
        timing: [k for k in current.get(timing, []) if k in custom]
        for timing in ("post_task", "post_study")
    }
    questionnaires: dict[str, Any] = {
        "post_task": post_task + keep_custom["post_task"],
        "post_study": post_study + keep_custom["post_study"],
    }
    asked = set(questionnaires["post_task"]) | set(questionnaires["post_study"])
    options = {k: v for k, v in current.get("options", {}).items() if k in asked}
    if options:
        questionnaires["options"] = options
    if custom:
        questionnaires["custom"] = custom
    data["questionnaires"] = questionnaires
    _apply(session, study, data)


def create_study(session: Session, owner, details: dict[str, Any],
                 benchmarks: dict[str, Any] | None = None) -> Study:
    """Create a draft study from the web form's details and benchmarks (no variants or tasks)."""
    data = {"study": {k: v for k, v in details.items() if v not in (None, "")},
            "benchmarks": {k: v for k, v in (benchmarks or {}).items() if v is not None}}
    return create_from_data(session, owner, data, draft=True)


def create_from_data(session: Session, owner, data: dict[str, Any], *,
                     draft: bool = False) -> Study:
    """Create a new study (version 1, a draft) from a study mapping; its slug must be free.

    ``draft`` allows a study without variants or tasks yet. A taken slug is reported with the
    definition's other problems, under ``study.slug``.
    """
    from uxlab.studies.service import current_study, load_spec

    # Collect a taken slug with the other problems, so the form shows them all at once.
    taken = []
    slug = data.get("study", {}).get("slug")
    slug_taken = Problem("study.slug", f"a study called {slug!r} already exists")
    if isinstance(slug, str) and current_study(session, slug) is not None:
        taken.append(slug_taken)
    try:
        spec = parse_study(data, draft=draft)
    except StudyDefinitionError as exc:
        raise StudyDefinitionError([*exc.problems, *taken]) from None
    if taken:
        raise StudyDefinitionError(taken)
    try:
        with session.begin_nested():
            return load_spec(session, spec, owner=owner).study
    except IntegrityError:
        # Created by someone else between the check and the insert (PostgreSQL): say so.
        if current_study(session, spec.slug) is not None:
            raise StudyDefinitionError([slug_taken]) from None
        raise


def save_custom_scale(session: Session, study: Study, original_key: str | None, key: str,
                      definition: dict[str, Any], timing: str) -> None:
    """Add a custom rating scale (``original_key`` None) or replace the one with that key.

    ``definition`` is the study file's ``[questionnaires.custom.KEY]`` table; ``timing`` is
    ``post_task`` or ``post_study``. A scale keeps its place in the order while its timing stays.
    """
    check_editable(session, study)
    data = spec_from_study(study).to_dict()
    questionnaires = data.setdefault("questionnaires", {"post_task": [], "post_study": []})
    custom = questionnaires.setdefault("custom", {})
    if key != original_key and (key in custom or key in questionnaires["post_task"]
                                or key in questionnaires["post_study"]):
        raise StudyDefinitionError([Problem(f"questionnaires.custom.{key}.key",
                                            f"the study already asks a questionnaire {key!r}")])
    place = None
    if original_key is not None:
        custom.pop(original_key, None)
        if original_key in questionnaires[timing]:
            place = questionnaires[timing].index(original_key)
        for asked in (questionnaires["post_task"], questionnaires["post_study"]):
            if original_key in asked:
                asked.remove(original_key)
    custom[key] = definition
    order = questionnaires[timing]
    order.insert(len(order) if place is None else place, key)
    _apply(session, study, data)


def remove_custom_scale(session: Session, study: Study, key: str) -> None:
    """Stop asking the custom rating scale ``key`` and forget its definition."""
    check_editable(session, study)
    data = spec_from_study(study).to_dict()
    questionnaires = data.get("questionnaires", {})
    questionnaires.get("custom", {}).pop(key, None)
    for timing in ("post_task", "post_study"):
        questionnaires[timing] = [k for k in questionnaires.get(timing, []) if k != key]
    _apply(session, study, data)
