"""Study and journey files have a size and a nesting limit, refused with a message naming the
file, from the CLI and the web upload alike (issue 14, fix 11)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.conftest import fresh
from tests.web.test_study_copies import researcher, upload  # noqa: F401 (fixture)
from uxlab.cli import main
from uxlab.models import Study
from uxlab.studies.files import MAX_NESTING, MAX_STUDY_FILE_BYTES

DEEP = {
    # tomllib takes minutes over a dotted key of 200,000 parts (quadratic).
    "dotted header": "[" + ".".join(["a"] * 200_000) + "]\n",
    "dotted key": "[study]\n" + ".".join(["k"] * 40) + " = 1\n",
    "inline tables": "x = " + "{a=" * 100_000 + "1" + "}" * 100_000 + "\n",
    "arrays": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "just past the limit": "x = " + "[" * MAX_NESTING + "]" * MAX_NESTING + "\n",
}


def cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_cli_refuses_deep_nesting_naming_the_file(tmp_path, text):
    path = tmp_path / "deep.toml"
    path.write_text(text[:MAX_STUDY_FILE_BYTES])
    result = cli("study", "validate", str(path))
    assert result.exit_code == 1
    assert f"{path}: " in result.stderr and "nested" in result.stderr, result.stderr
    assert f"at most {MAX_NESTING}" in result.stderr or f"over {MAX_NESTING}" in result.stderr


def test_cli_refuses_an_endless_file_by_its_size():
    result = cli("study", "validate", "/dev/zero")
    assert result.exit_code == 1
    assert "/dev/zero: larger than 512 KB; is it a study file?" in result.stderr


def test_cli_refuses_an_oversized_study_file(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * (MAX_STUDY_FILE_BYTES + 1))
    result = cli("study", "validate", str(path))
    assert result.exit_code == 1 and f"{path}: larger than 512 KB" in result.stderr


def test_cli_refuses_deep_and_endless_journey_files(tmp_path):
    path = tmp_path / "journeys.toml"
    path.write_text(DEEP["dotted header"])
    result = cli("journeys", "validate", str(path), "/dev/zero")
    assert result.exit_code == 1
    assert f"{path}: line 1: a key nested 200000 levels deep" in result.stderr
    assert "/dev/zero: larger than 1 MB" in result.stderr


def test_web_upload_refuses_deep_nesting_naming_the_file(client, db, researcher):  # noqa: F811
    response = upload(client, "/studies/upload", DEEP["inline tables"][:100_000].encode(),
                      "deep.toml")
    assert response.status_code == 400
    assert "deep.toml: inline tables or arrays nested over 32 levels deep" in response.get_data(
        as_text=True)
    assert fresh(db).scalar(select(func.count(Study.id))) == 0
