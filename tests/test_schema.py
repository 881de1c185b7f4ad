"""Migrations: upgrade from empty, no drift, downgrade and upgrade again, refusal to serve."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from uxlab import schema
from uxlab.db import make_engine
from uxlab.models import Base


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
