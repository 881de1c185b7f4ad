"""The study service: load (create, update in place, version), refuse, start and close."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from tests.conftest import fresh
from uxlab.accounts.service import grant_access
from uxlab.models import Participant, Study, StudyMember, Task, TestSession, Variant
from uxlab.studies.editing import create_study, save_task, save_variant
from uxlab.studies.service import (
    StudyStateError,
    check_startable,
    close_study,
    current_study,
    has_participant_data,
    load_spec,
    spec_from_study,
    start_study,
)


def _changed(spec, **study_fields):
    """The spec with new [study] fields and the last task dropped."""
    return dataclasses.replace(spec, tasks=spec.tasks[:-1], **study_fields)


def _participant(db, study, code="P-AAAAAA", variant=None, session=True):
    participant = Participant(study_id=study.id, code=code, token=code * 6,
                              variant_id=variant.id if variant else None)
    db.add(participant)
    db.flush()
    if session:
        db.add(TestSession(participant_id=participant.id))
    db.commit()
    return participant


def _count(db, model, *where):
    return fresh(db).scalar(select(func.count()).select_from(model).where(*where))


def test_loading_creates_the_study_owned_by_its_owner(db, make_user, demo_spec):
    owner = make_user()
    result = load_spec(db, demo_spec, owner=owner, source_file="studies/x.toml")
    db.commit()
    study = result.study
    assert result.action == "created"
    assert (study.slug, study.version, study.status) == ("checkout-redesign", 1, "draft")
    assert [t.key for t in study.tasks] == [t.key for t in demo_spec.tasks]
    assert [t.position for t in study.tasks] == [0, 1, 2, 3, 4]
    assert spec_from_study(study) == demo_spec
    members = fresh(db).scalars(select(StudyMember).where(StudyMember.study_id == study.id)).all()
    assert [(m.user_id, m.access) for m in members] == [(owner.id, "owner")]


def test_loading_the_same_spec_changes_nothing(db, make_study, demo_spec):
    study = make_study()
    result = load_spec(db, demo_spec)
    assert (result.action, result.study.id) == ("unchanged", study.id)


def test_a_study_without_participant_data_is_updated_in_place(db, make_study, demo_spec):
    study = make_study()
    task_ids = {t.key: t.id for t in study.tasks}
    # A link handed out but not yet used is not participant data.
    participant = _participant(db, study, session=False)
    changed = _changed(demo_spec, title="Checkout, round two")
    result = load_spec(db, changed)
    db.commit()
    assert result.action == "updated"
    assert (result.study.id, result.study.version) == (study.id, 1)
    fresh(db)
    stored = db.get(Study, study.id)
    assert spec_from_study(stored) == changed
    # Rows are matched by key, so what stays keeps its id and links stay valid.
    assert {t.key: t.id for t in stored.tasks} == {
        k: v for k, v in task_ids.items() if k != demo_spec.tasks[-1].key}
    assert db.get(Participant, participant.id).study_id == study.id
    assert _count(db, Study) == 1


def test_a_study_with_participant_data_gets_a_new_version(db, make_study, make_user, demo_spec):
    owner = make_user("owner@example.org")
    viewer = make_user("viewer@example.org")
    study = make_study(owner=owner)
    grant_access(db, study, viewer, "viewer")
    start_study(study)
    db.commit()
    participant = _participant(db, study, variant=study.variants[0])
    assert has_participant_data(db, study)

    changed = _changed(demo_spec, title="Checkout, round two")
    result = load_spec(db, changed)
    db.commit()
    assert result.action == "new_version"
    new = result.study
    assert new.id != study.id
    assert (new.slug, new.version, new.status) == ("checkout-redesign", 2, "draft")
    assert "version 2 (draft); version 1 keeps its data" in result.describe()

    fresh(db)
    old = db.get(Study, study.id)
    assert (old.version, old.status, old.title) == (1, "running", "Checkout redesign")
    assert spec_from_study(old) == demo_spec
    assert db.get(Participant, participant.id).study_id == old.id
    assert db.get(Participant, participant.id).variant.study_id == old.id
    assert spec_from_study(db.get(Study, new.id)) == changed
    assert current_study(db, "checkout-redesign").id == new.id
    members = db.execute(select(StudyMember.user_id, StudyMember.access)
                         .where(StudyMember.study_id == new.id)).all()
    assert sorted(members) == sorted([(owner.id, "owner"), (viewer.id, "viewer")])
    assert db.get(Study, new.id).owner_id == owner.id
    assert _count(db, Participant, Participant.study_id == new.id) == 0


def test_a_third_load_versions_from_the_newest(db, make_study, demo_spec):
    study = make_study()
    _participant(db, study)
    second = load_spec(db, _changed(demo_spec, title="Two")).study
    db.commit()
    # Version 2 has no participant data yet: it is updated in place.
    result = load_spec(db, _changed(demo_spec, title="Two, corrected"))
    db.commit()
    assert (result.action, result.study.id, result.study.version) == ("updated", second.id, 2)
    assert fresh(db).get(Study, study.id).title == "Checkout redesign"


def test_removing_a_variant_with_assigned_participants_is_refused(db, make_study, demo_spec):
    study = make_study()
    variant_a = study.variants[0]
    _participant(db, study, variant=variant_a, session=False)
    without_a = dataclasses.replace(demo_spec, title="Only B", variants=demo_spec.variants[1:])
    with pytest.raises(StudyStateError, match="variant 'A' has participants assigned"):
        load_spec(db, without_a)
    db.rollback()
    fresh(db)
    stored = db.get(Study, study.id)
    assert spec_from_study(stored) == demo_spec
    assert _count(db, Variant, Variant.study_id == study.id) == 2


def test_removing_an_unassigned_variant_is_allowed(db, make_study, demo_spec):
    study = make_study()
    _participant(db, study, variant=study.variants[1], session=False)
    without_a = dataclasses.replace(demo_spec, variants=demo_spec.variants[1:])
    assert load_spec(db, without_a).action == "updated"
    db.commit()
    assert fresh(db).scalars(select(Variant.key).where(Variant.study_id == study.id)).all() == [
        "B"]


def test_start_refuses_a_study_without_variants_or_tasks(db, make_user):
    owner = make_user()
    study = create_study(db, owner, {"slug": "empty", "title": "Empty", "design": "between"})
    db.commit()
    with pytest.raises(StudyStateError, match="at least one variant"):
        start_study(study)
    save_variant(db, study, None, {"key": "A", "name": "A", "prototype": "checkout-redesign/a"})
    with pytest.raises(StudyStateError, match="at least one task"):
        start_study(study)
    assert study.status == "draft"
    save_task(db, study, None, {"key": "t1", "title": "Task", "success": {"type": "moderator"}})
    start_study(study)
    db.commit()
    assert fresh(db).get(Study, study.id).status == "running"
    assert db.get(Study, study.id).started_at is not None
    assert _count(db, Task, Task.study_id == study.id) == 1


def test_a_within_study_needs_two_variants_to_start(db, make_user):
    study = create_study(db, make_user(), {"slug": "within", "title": "W", "design": "within"})
    save_variant(db, study, None, {"key": "A", "name": "A", "prototype": "checkout-redesign/a"})
    save_task(db, study, None, {"key": "t1", "title": "Task", "success": {"type": "moderator"}})
    with pytest.raises(StudyStateError, match="at least two variants"):
        check_startable(study)


def test_status_moves_draft_running_closed_running(db, make_study):
    study = make_study()
    with pytest.raises(StudyStateError, match="only a running study"):
        close_study(study)
    start_study(study)
    with pytest.raises(StudyStateError, match="already running"):
        start_study(study)
    started = study.started_at
    close_study(study)
    assert study.status == "closed" and study.closed_at is not None
    start_study(study)
    assert (study.status, study.closed_at, study.started_at) == ("running", None, started)


def test_a_running_study_that_opens_recruitment_gets_its_public_link(db, make_study, demo_spec):
    from uxlab.studies.editing import update_details

    study = make_study(spec=dataclasses.replace(demo_spec, open_recruitment=False))
    start_study(study)
    assert study.recruitment_token is None
    details = {"slug": study.slug, "title": study.title, "design": study.design,
               "open_recruitment": True}
    update_details(db, study, details, dict(study.benchmarks))
    db.commit()
    token = fresh(db).get(Study, study.id).recruitment_token
    assert token and len(token) >= 22
    # Closing and opening recruitment again keeps the link that may already be out there.
    update_details(db, study, {**details, "open_recruitment": False}, dict(study.benchmarks))
    update_details(db, study, details, dict(study.benchmarks))
    assert study.recruitment_token == token
