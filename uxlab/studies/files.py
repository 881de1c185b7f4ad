"""Study files: TOML in, TOML out."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w

from uxlab.studies.problems import Problem, StudyDefinitionError
from uxlab.studies.spec import StudySpec, parse_study


def read_study_file(path: str | Path) -> StudySpec:
    """Parse and validate a study file; errors name the file, the key and the problem."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise StudyDefinitionError([Problem("", f"cannot read the file ({exc.strerror})")],
                                   str(path)) from exc
    return parse_study_bytes(content, str(path))


def parse_study_bytes(content: bytes, source: str) -> StudySpec:
    """Parse and validate an uploaded study file; errors name ``source``, the key and problem."""
    try:
        # utf-8-sig: some Windows editors begin UTF-8 files with a byte order mark.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyDefinitionError([Problem("", f"not UTF-8 text (byte {exc.start} cannot be "
                                                "decoded)")], source) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message carries the line and column of the syntax error.
        raise StudyDefinitionError([Problem("", f"not valid TOML: {exc}")], source) from exc
    return parse_study(data, source=source)


def study_to_toml(spec: StudySpec) -> str:
    """Render a study as a study file (canonical order and form)."""
    header = f"# uxlab study file: {spec.title}\n# Format: docs/study-files.md\n\n"
    return header + tomli_w.dumps(spec.to_dict(), multiline_strings=True)
