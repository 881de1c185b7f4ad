"""Migrations: upgrade from empty, no drift, downgrade and upgrade again, refusal to serve."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from tests.recording.factories import EventMaker, make_attempt
from uxlab import schema
from uxlab.config import shipped_data_dir
from uxlab.db import make_engine
from uxlab.models import Base
from uxlab.recording.ingest import ingest_events


def test_upgrade_creates_schema_and_check_is_clean(database_url):
    engine = make_engine(database_url)
    schema.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    schema.upgrade(engine)

    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert schema.current_revision(engine) == schema.head_revision()
    assert schema.drift(engine) == []
    engine.dispose()


def test_upgrade_on_a_new_sqlite_file(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'uxlab.sqlite'}")
    schema.upgrade(engine)
    assert schema.drift(engine) == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def test_app_refuses_an_out_of_date_schema(database_url, tmp_path):
    from uxlab.app import create_app

    engine = make_engine(database_url)
    schema.downgrade(engine, "base")
    engine.dispose()
    with pytest.raises(schema.SchemaOutOfDate, match="uxlab db upgrade"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x",
                    "INSTANCE_PATH": str(tmp_path)})


def test_cli_db_commands_round_trip(cli):
    assert "No drift" in cli("db", "check").output
    result = cli("db", "downgrade", "base")
    assert "base" in result.output
    failed = cli("db", "check")
    assert failed.exit_code != 0 and "uxlab db upgrade" in failed.output
    assert cli("db", "upgrade").exit_code == 0
    assert schema.head_revision() in cli("db", "current").output
    assert cli("db", "check").exit_code == 0


def test_quick_schema_check_reads_the_head_alembic_reads():
    versions = shipped_data_dir() / "migrations" / "versions"
    assert schema._head_from_files(versions) == schema.head_revision()


def _script(folder, name, revision, down_revision):
    (folder / f"{name}.py").write_text(f'"""{name}"""\nrevision = {revision!r}\n'
                                       f"down_revision: str | None = {down_revision!r}\n")


def test_quick_schema_check_leaves_branches_and_odd_scripts_to_alembic(tmp_path):
    _script(tmp_path, "one", "a1", None)
    _script(tmp_path, "two", "b2", "a1")
    assert schema._head_from_files(tmp_path) == "b2"
    _script(tmp_path, "three", "c3", "a1")  # a second head
    assert schema._head_from_files(tmp_path) is None
    (tmp_path / "three.py").write_text("revision = 'c3'\ndown_revision = ('a1', 'b2')\n")
    assert schema._head_from_files(tmp_path) is None  # a merge


def test_schema_check_of_a_current_database_does_not_import_alembic(database_url):
    # The check every command runs first: Alembic's runtime costs start-up time (issue 9).
    program = ("import sys; from uxlab.schema import open_database; "
               f"open_database({database_url!r}).dispose(); "
               "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_schema_check_of_an_old_revision_still_refuses(database_url):
    engine = make_engine(database_url)
    schema.downgrade(engine, "282b0d33a6bd")
    with pytest.raises(schema.SchemaOutOfDate, match="is at revision 282b0d33a6bd"):
        schema.ensure_current(engine)
    schema.upgrade(engine)
    schema.ensure_current(engine)
    engine.dispose()


def test_migrating_down_and_up_keeps_every_participants_rows(database, db, sitting):
    """SQLite alters a table by copying it and dropping the old one; with foreign keys on, that
    drop deleted every row referring to it (ON DELETE CASCADE): upgrading a real database
    emptied ``attempts`` at the screener revision and ``participants`` at the languages one."""
    attempt = make_attempt(db, sitting, "find-product", ended=True, outcome="success")
    make = EventMaker(attempt=attempt.id)
    ingest_events(db, sitting, [make.click(), make.navigate("/cart")])
    db.commit()
    db.close()
    engine = database.engine

    def counts() -> dict[str, int]:
        with engine.connect() as connection:
            return {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
                    for table in inspect(connection).get_table_names()}

    before = counts()
    assert all(before[t] > 0 for t in ("participants", "sessions", "attempts", "events"))
    schema.downgrade(engine, "09b69b755e8b")  # before today's revisions
    kept = counts()
    schema.upgrade(engine)
    assert {t: n for t, n in kept.items() if n} == {t: before[t] for t in kept if before[t]}
    assert {t: n for t, n in counts().items() if t in kept} == {t: before[t] for t in kept}
