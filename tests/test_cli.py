"""The ``uxlab`` command line: its jobs, accounts, the demo and participant links."""

from __future__ import annotations

import base64
import csv
import io
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from tests.conftest import PROJECT_ROOT, fresh
from uxlab.cli import main
from uxlab.demo import DEMO_EMAIL, DEMO_PASSWORD
from uxlab.models import Participant, Study, User

DEMO_FILE = str(PROJECT_ROOT / "studies" / "checkout-redesign.toml")
GOOD_PASSWORD = "a long enough password"


def run(*args, **kwargs):
    """Run ``uxlab`` without a database (help texts)."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def _commands(help_text: str) -> set[str]:
    section = help_text.split("Commands:", 1)[1]
    return set(re.findall(r"^  (\S+)", section, re.M))


def test_help_lists_every_job():
    result = run("--help")
    assert result.exit_code == 0
    commands = _commands(result.output)
    assert {"serve", "demo", "db", "user", "study", "participants"} <= commands
    assert {"analyze", "plan"} <= commands  # the analysis jobs
    assert commands == set(main.list_commands(None))
    assert all(main.get_command(None, name) is not None for name in commands)


def test_version_does_not_import_the_heavy_libraries():
    # Each command's module loads when it runs: `uxlab --version` stays quick.
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from uxlab.cli import main; "
            "CliRunner().invoke(main, ['--version']); "
            "print(sorted(m for m in ('scipy', 'matplotlib', 'sqlalchemy') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_the_program_imports_its_command_without_collecting_and_freezes_it():
    # Issue 9: full garbage collections over the imported modules were a sixth of `uxlab
    # report`'s CPU time. The program (sys.argv, no CliRunner) freezes what the imports made.
    import subprocess
    import sys

    code = ("import gc, sys; from uxlab.cli import main; sys.argv = ['uxlab', 'plan', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n"
            "    print(gc.isenabled(), gc.get_freeze_count() > 10000)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip().splitlines()[-1] == "True True"


def test_a_runner_in_a_test_process_is_not_frozen():
    import gc

    frozen = gc.get_freeze_count()
    assert CliRunner().invoke(main, ["plan", "--help"]).exit_code == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


@pytest.mark.parametrize(("group", "subcommands"), [
    ("db", {"upgrade", "downgrade", "current", "check"}),
    ("user", {"create"}),
    ("study", {"validate", "load", "list", "export"}),
    ("participants", {"create"}),
])
def test_each_group_lists_its_jobs(group, subcommands):
    result = run(group, "--help")
    assert result.exit_code == 0
    assert subcommands <= _commands(result.output)


def test_serve_offers_the_demo():
    result = run("serve", "--help")
    assert "--demo" in result.output and "--port" in result.output


def test_version():
    from uxlab import __version__

    assert run("--version").output.strip() == f"uxlab, version {__version__}"


# --- accounts ------------------------------------------------------------------------------------

def _user(db, email):
    return fresh(db).scalar(select(User).where(User.email == email))


def test_user_create_asks_for_the_password(cli, db):
    result = cli("user", "create", "Ada@Example.org", "--role", "admin", "--name", "Ada",
                 input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Created admin account ada@example.org." in result.output
    user = _user(db, "ada@example.org")
    assert (user.role, user.name) == ("admin", "Ada")
    assert user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, GOOD_PASSWORD)
    assert GOOD_PASSWORD not in result.output


def test_user_create_takes_the_password_from_the_environment(cli, db, monkeypatch):
    monkeypatch.setenv("UXLAB_PASSWORD", GOOD_PASSWORD)
    result = cli("user", "create", "bob@example.org")
    assert result.exit_code == 0, result.output
    user = _user(db, "bob@example.org")
    assert user.role == "researcher"
    assert check_password_hash(user.password_hash, GOOD_PASSWORD)


@pytest.mark.parametrize(("email", "password", "field", "message"), [
    ("not-an-email", GOOD_PASSWORD, "email", "is not an email address"),
    ("ada@example.org", "short", "password", "at least 10 characters"),
])
def test_user_create_refuses_bad_input_naming_the_field(cli, db, monkeypatch, email, password,
                                                        field, message):
    monkeypatch.setenv("UXLAB_PASSWORD", password)
    result = cli("user", "create", email)
    assert result.exit_code != 0
    assert f"Invalid value for {field}: " in result.output
    assert message in result.output
    assert fresh(db).scalar(select(func.count(User.id))) == 0


def test_user_create_refuses_a_duplicate(cli, db, monkeypatch):
    monkeypatch.setenv("UXLAB_PASSWORD", GOOD_PASSWORD)
    assert cli("user", "create", "ada@example.org").exit_code == 0
    result = cli("user", "create", "ADA@example.org")
    assert result.exit_code != 0
    assert "Invalid value for email: an account for ada@example.org already exists" in (
        result.output)
    assert fresh(db).scalar(select(func.count(User.id))) == 1


def test_user_create_refuses_an_unknown_role(cli, db, monkeypatch):
    monkeypatch.setenv("UXLAB_PASSWORD", GOOD_PASSWORD)
    result = cli("user", "create", "ada@example.org", "--role", "overlord")
    assert result.exit_code == 2
    assert "--role" in result.output
    assert fresh(db).scalar(select(func.count(User.id))) == 0


def test_user_create_refuses_differing_passwords(cli, db):
    result = cli("user", "create", "ada@example.org",
                 input=f"{GOOD_PASSWORD}\nanother long password\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert fresh(db).scalar(select(func.count(User.id))) == 0


# --- the demo ------------------------------------------------------------------------------------

def test_demo_is_idempotent_and_prints_how_to_log_in(cli, db):
    first = cli("demo")
    assert first.exit_code == 0, first.output
    second = cli("demo", "--base-url", "http://uxlab.test:8000")
    assert second.exit_code == 0, second.output
    assert "http://127.0.0.1:5000/login" in first.output
    assert "http://uxlab.test:8000/login" in second.output
    for output in (first.output, second.output):
        assert DEMO_EMAIL in output and DEMO_PASSWORD in output
        assert "is running" in output

    fresh(db)
    [user] = db.scalars(select(User)).all()
    assert user.email == DEMO_EMAIL
    assert check_password_hash(user.password_hash, DEMO_PASSWORD)
    [study] = db.scalars(select(Study)).all()
    assert (study.slug, study.version, study.status) == ("checkout-redesign", 1, "running")
    assert study.owner_id == user.id
    [participant] = db.scalars(select(Participant)).all()
    # Both runs print the same, still unused, participant link.
    assert f"http://127.0.0.1:5000/p/{participant.token}" in first.output
    assert f"http://uxlab.test:8000/p/{participant.token}" in second.output


def test_the_demo_account_can_log_in(cli, app, auth, client):
    cli("demo")
    response = auth.login(DEMO_EMAIL, DEMO_PASSWORD)
    assert response.status_code == 302
    assert "Checkout redesign" in client.get("/studies/").get_data(as_text=True)


# --- participant links ---------------------------------------------------------------------------

def _token_bits(token: str) -> int:
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return len(raw) * 8


def test_participants_create_prints_csv_links(cli, db):
    cli("study", "load", DEMO_FILE)
    result = cli("participants", "create", "checkout-redesign", "-n", "3", "--csv",
                 "--label", "wave 1", "--base-url", "https://uxlab.example/")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["code", "label", "link", "created_at"]
    assert len(rows) == 4
    stored = {p.code: p for p in fresh(db).scalars(select(Participant))}
    assert set(stored) == {row[0] for row in rows[1:]}
    tokens = set()
    for code, label, link, _created in rows[1:]:
        assert label == "wave 1"
        match = re.fullmatch(r"https://uxlab\.example/p/([A-Za-z0-9_-]+)", link)
        assert match, link
        token = match.group(1)
        assert token == stored[code].token
        assert _token_bits(token) >= 128
        tokens.add(token)
    assert len(tokens) == 3


def test_participants_create_prints_one_link_per_line(cli, db):
    cli("study", "load", DEMO_FILE)
    result = cli("participants", "create", "checkout-redesign", "-n", "2")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert re.fullmatch(r"P-[2-9A-HJ-NP-Z]{6}  http://127\.0\.0\.1:5000/p/[A-Za-z0-9_-]{22,}",
                            line), line
    assert fresh(db).scalar(select(func.count(Participant.id))) == 2


def test_participants_create_for_an_unknown_study_fails(cli, db):
    result = cli("participants", "create", "no-such-study", "-n", "3")
    assert result.exit_code == 1
    assert "no study 'no-such-study'" in result.output
    assert fresh(db).scalar(select(func.count(Participant.id))) == 0


@pytest.mark.parametrize("count", ["0", "1001", "three"])
def test_participants_create_refuses_a_bad_count(cli, db, count):
    cli("study", "load", DEMO_FILE)
    result = cli("participants", "create", "checkout-redesign", "-n", count)
    assert result.exit_code == 2
    assert "-n" in result.output
    assert fresh(db).scalar(select(func.count(Participant.id))) == 0


def test_participants_create_for_a_closed_study_fails(cli, db):
    cli("study", "load", DEMO_FILE)
    study = fresh(db).scalar(select(Study))
    study.status = "closed"
    db.commit()
    result = cli("participants", "create", "checkout-redesign", "-n", "2")
    assert result.exit_code == 1
    assert "the study is closed" in result.output
    assert fresh(db).scalar(select(func.count(Participant.id))) == 0


def test_the_demo_again_leaves_the_researchers_changes_alone(cli, db):
    """Running the demo again (``uxlab serve --demo`` does at every start) must not load the
    shipped file over the study: not over a changed running version, nor over a draft."""
    assert cli("demo").exit_code == 0
    fresh(db)
    running = db.scalars(select(Study)).one()
    running.title = "Checkout redesign, wave 2"  # as "Edit details" does, data or not
    draft = Study(slug=running.slug, version=2, title="Checkout redesign v2 (draft)",
                  status="draft", design=running.design, owner_id=running.owner_id)
    db.add(draft)
    db.commit()
    [link] = db.scalars(select(Participant.token)).all()

    again = cli("demo", "--simulate", "2", "--seed", "1")
    assert again.exit_code == 0, again.output
    fresh(db)
    studies = {s.version: (s.title, s.status) for s in db.scalars(select(Study))}
    assert studies == {1: ("Checkout redesign, wave 2", "running"),
                       2: ("Checkout redesign v2 (draft)", "draft")}
    assert f"/p/{link}" in again.output  # the running version's link, as before
    simulated = db.scalars(select(Participant.study_id).where(Participant.token != link)).all()
    assert simulated and set(simulated) == {running.id}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # it names its own
def test_a_database_that_cannot_be_reached_is_a_message_not_a_traceback(cli, monkeypatch):
    monkeypatch.setenv("UXLAB_DATABASE_URL",
                       "postgresql+psycopg://uxlab@127.0.0.1:9/uxlab?connect_timeout=2")
    result = cli("study", "list")
    assert result.exit_code == 1
    assert result.output.startswith("Error: the database cannot be reached or written right now")
    assert "127.0.0.1" in result.output and "Traceback" not in result.output
