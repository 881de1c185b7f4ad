"""``uxlab study validate|load|list|export``: messages, exit codes, the round trip."""

from __future__ import annotations

import copy
import glob
import tomllib

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.conftest import PROJECT_ROOT, fresh
from tests.studies.test_spec import BROKEN, DEMO_FILE, broken_copy, demo_data, write_study
from uxlab.cli import main
from uxlab.models import Participant, Study, TestSession, Variant
from uxlab.studies.files import read_study_file
from uxlab.studies.service import current_study, spec_from_study


def validate(*paths):
    """Run ``uxlab study validate`` (it needs no database)."""
    return CliRunner().invoke(main, ["study", "validate", *map(str, paths)],
                              catch_exceptions=False)


def test_every_shipped_study_file_validates():
    # journeys.toml beside them is the demo's journey file (docs/cx.md), not a study.
    files = sorted(f for f in glob.glob(str(PROJECT_ROOT / "studies" / "*.toml"))
                   if not f.endswith("journeys.toml"))
    assert files
    result = validate(*files)
    assert result.exit_code == 0, result.output
    assert f"{DEMO_FILE}: ok (checkout-redesign: 2 variants, 5 tasks)" in result.stdout


@pytest.mark.parametrize(("mutate", "key", "message"),
                         [pytest.param(m, k, msg, id=name) for name, m, k, msg in BROKEN])
def test_a_broken_copy_fails_naming_file_key_and_problem(tmp_path, mutate, key, message):
    path = broken_copy(tmp_path, mutate)
    result = validate(path)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{path}: {key}: ")]
    assert lines, result.stderr
    assert any(message in line for line in lines), result.stderr
    assert "ok" not in result.stdout


def test_all_problems_of_all_files_are_reported_in_one_run(tmp_path):
    data = demo_data()
    data["study"]["colour"] = "red"
    data["tasks"][1]["key"] = "find-product"
    del data["tasks"][4]["success"]
    first = write_study(tmp_path, data, "first.toml")
    other = copy.deepcopy(demo_data())
    other["variants"][0]["weight"] = -1
    second = write_study(tmp_path, other, "second.toml")
    result = validate(first, DEMO_FILE, second)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{first}: study.colour: unknown key (allowed here: completion_redirect, consent, "
        "description, design, full, languages, open_recruitment, panel_id_param, "
        "place_hold_minutes, screen_out, slug, thanks, title, welcome)",
        f"{first}: tasks[1].key: duplicate task key 'find-product' (first used at tasks[0])",
        f"{first}: tasks[4].success: missing: every task needs a success criterion "
        "([tasks.success])",
        f"{second}: variants[0].weight: must be a number above 0, not -1",
    ]
    assert f"{DEMO_FILE}: ok" in result.stdout


def test_invalid_toml_fails_with_the_line_number(tmp_path):
    path = tmp_path / "syntax.toml"
    path.write_text(DEMO_FILE.read_text(encoding="utf-8").replace(
        'title = "Find a product"', 'title = "Find a product'), encoding="utf-8")
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1)
                if text.startswith('title = "Find a product'))
    result = validate(path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}: not valid TOML")
    assert f"line {line}" in result.stderr


def test_unreadable_files_fail_with_a_message(tmp_path):
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'[study]\nslug = "caf\xe9"\n')
    missing = tmp_path / "missing.toml"
    result = validate(latin1, missing)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{latin1}: not UTF-8 text (byte 19 cannot be decoded)",
        f"{missing}: cannot read the file (No such file or directory)",
    ]


def test_validate_needs_a_file():
    result = CliRunner().invoke(main, ["study", "validate"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output


# --- with a database -----------------------------------------------------------------------------

def test_load_export_load_round_trips(cli, tmp_path):
    result = cli("study", "load", str(DEMO_FILE))
    assert result.exit_code == 0, result.output
    assert "created study checkout-redesign (version 1)" in result.output
    exported = tmp_path / "exported.toml"
    result = cli("study", "export", "checkout-redesign", "-o", str(exported))
    assert result.exit_code == 0, result.output
    original = read_study_file(DEMO_FILE)
    assert read_study_file(exported) == original
    result = cli("study", "load", str(exported))
    assert result.exit_code == 0, result.output
    assert "study checkout-redesign is unchanged (version 1)" in result.output
    result = cli("study", "list")
    assert result.output.count("checkout-redesign") == 1
    assert " v1 " in result.output and "draft" in result.output


def test_export_to_stdout_is_the_stored_study(cli, database):
    cli("study", "load", str(DEMO_FILE))
    result = cli("study", "export", "checkout-redesign")
    assert result.exit_code == 0
    from uxlab.studies.spec import parse_study

    exported = parse_study(tomllib.loads(result.stdout))
    with database.session(write=False) as session:
        stored = spec_from_study(current_study(session, "checkout-redesign"))
    assert exported == stored == read_study_file(DEMO_FILE)


def test_loading_a_changed_file_updates_the_study(cli, db, tmp_path):
    cli("study", "load", str(DEMO_FILE))
    data = demo_data()
    data["study"]["title"] = "Checkout redesign, second round"
    data["tasks"].pop()
    changed = write_study(tmp_path, data, "changed.toml")
    result = cli("study", "load", str(changed))
    assert result.exit_code == 0, result.output
    assert "updated study checkout-redesign (version 1)" in result.output
    study = current_study(fresh(db), "checkout-redesign")
    assert study.title == "Checkout redesign, second round"
    assert len(study.tasks) == 4
    assert db.scalar(select(func.count(Study.id))) == 1


def test_loading_into_a_study_with_data_makes_a_new_version(cli, db, tmp_path):
    cli("study", "load", str(DEMO_FILE))
    study = current_study(db, "checkout-redesign")
    participant = Participant(study_id=study.id, code="P-AAAAAA", token="t" * 32)
    db.add(participant)
    db.flush()
    db.add(TestSession(participant_id=participant.id))
    db.commit()
    data = demo_data()
    data["study"]["title"] = "Checkout redesign v2"
    result = cli("study", "load", str(write_study(tmp_path, data)))
    assert result.exit_code == 0, result.output
    assert "loaded as version 2 (draft); version 1 keeps its data" in result.output
    listing = cli("study", "list").output.splitlines()
    assert len([line for line in listing if "checkout-redesign" in line]) == 2
    exported = cli("study", "export", "checkout-redesign").stdout
    assert 'title = "Checkout redesign v2"' in exported


def test_removing_an_assigned_variant_is_refused(cli, db, tmp_path):
    cli("study", "load", str(DEMO_FILE))
    study = current_study(db, "checkout-redesign")
    variant_a = next(v for v in study.variants if v.key == "A")
    db.add(Participant(study_id=study.id, code="P-BBBBBB", token="u" * 32,
                       variant_id=variant_a.id))
    db.commit()
    data = demo_data()
    data["study"]["title"] = "Only B"
    data["variants"].pop(0)
    result = cli("study", "load", str(write_study(tmp_path, data)))
    assert result.exit_code == 1
    assert "variant 'A' has participants assigned to it and cannot be removed" in result.output
    fresh(db)
    assert db.scalars(select(Variant.key).where(Variant.study_id == study.id)
                      .order_by(Variant.key)).all() == ["A", "B"]
    assert db.get(Study, study.id).title == "Checkout redesign"


def test_load_refuses_a_broken_file_and_stores_nothing(cli, db, tmp_path):
    path = broken_copy(tmp_path, lambda d: d["tasks"][0].pop("success"))
    result = cli("study", "load", str(path))
    assert result.exit_code == 1
    assert f"{path}: tasks[0].success: missing" in result.output
    assert fresh(db).scalar(select(func.count(Study.id))) == 0


def test_load_with_an_owner(cli, db, make_user):
    owner = make_user("owner@example.org")
    make_user("other@example.org")
    result = cli("study", "load", str(DEMO_FILE), "--owner", "Owner@Example.org")
    assert result.exit_code == 0, result.output
    assert "created study checkout-redesign (version 1), owned by owner@example.org" \
        in result.output
    assert current_study(fresh(db), "checkout-redesign").owner_id == owner.id
    result = cli("study", "load", str(DEMO_FILE), "--owner", "nobody@example.org")
    assert result.exit_code == 2
    assert "no account nobody@example.org" in result.output


def test_an_observer_cannot_own_a_loaded_study(cli, db, make_user):
    make_user("watcher@example.org", role="observer")
    result = cli("study", "load", str(DEMO_FILE), "--owner", "watcher@example.org")
    assert result.exit_code == 2
    assert "watcher@example.org is an observer account, which cannot own studies" in result.output
    assert fresh(db).scalar(select(func.count(Study.id))) == 0


def test_load_without_an_owner_gives_the_study_to_the_only_possible_owner(cli, db, make_user):
    make_user("watcher@example.org", role="observer")
    admin = make_user("admin@example.org", role="admin")
    result = cli("study", "load", str(DEMO_FILE))
    assert result.exit_code == 0, result.output
    assert "owned by admin@example.org" in result.output
    study = current_study(fresh(db), "checkout-redesign")
    assert study.owner_id == admin.id
    assert [(m.user_id, m.access) for m in study.members] == [(admin.id, "owner")]


@pytest.mark.parametrize("second_role", ["admin", "researcher"])
def test_load_without_an_owner_refuses_when_several_accounts_could_own_it(
        cli, db, make_user, second_role):
    make_user("one@example.org", role="admin")
    make_user("two@example.org", role=second_role)
    result = cli("study", "load", str(DEMO_FILE))
    assert result.exit_code == 1
    assert (f"{DEMO_FILE}: not loaded: who should own the new study checkout-redesign? several "
            "accounts could own it (one@example.org, two@example.org); say which with --owner "
            "EMAIL.") in result.output
    assert fresh(db).scalar(select(func.count(Study.id))) == 0


def test_reloading_a_study_keeps_its_owner_without_asking(cli, db, make_user):
    make_user("one@example.org")
    assert cli("study", "load", str(DEMO_FILE), "--owner", "one@example.org").exit_code == 0
    make_user("two@example.org")
    result = cli("study", "load", str(DEMO_FILE))
    assert result.exit_code == 0, result.output
    assert "study checkout-redesign is unchanged (version 1), owned by one@example.org" \
        in result.output


def test_load_into_a_database_without_accounts_says_nobody_owns_it(cli, db):
    result = cli("study", "load", str(DEMO_FILE))
    assert result.exit_code == 0, result.output
    assert "created study checkout-redesign (version 1), with no owner: only admins see it" \
        in result.output


def test_export_of_an_unknown_study_fails(cli):
    result = cli("study", "export", "no-such-study")
    assert result.exit_code == 1
    assert "no study 'no-such-study'" in result.output


def test_list_without_studies_says_how_to_load_one(cli):
    assert "uxlab study load FILE" in cli("study", "list").output
