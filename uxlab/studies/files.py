"""Study files: TOML in, TOML out."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import tomli_w

from uxlab.studies.problems import Problem, StudyDefinitionError
from uxlab.studies.spec import StudySpec, parse_study

#: A study file is a few kilobytes; this leaves room for long texts and many tasks.
MAX_STUDY_FILE_BYTES = 512 * 1024
#: How deep tables and arrays may nest (a study file needs 4). Deeper files are refused before
#: parsing: tomllib takes time quadratic in a dotted key's length ([a.a.a…] with 200,000 parts
#: runs for minutes) and recurses into inline tables and arrays.
MAX_NESTING = 32
# The key of a line: a table header up to its "]", or a key up to its "=" (a dot in a quoted key
# counts too; at worst such a key is refused as too deep).
_LINE_KEY = re.compile(r"""^[ \t]*(\[\[?[^\]\n]*|[^=\n"'#\[]*=)""", re.MULTILINE)


def read_limited(path: str | Path, limit: int) -> bytes:
    """Read at most ``limit`` + 1 bytes of ``path`` (so ``/dev/zero`` or a huge file is refused
    by its size rather than read whole)."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def read_study_file(path: str | Path) -> StudySpec:
    """Parse and validate a study file; errors name the file, the key and the problem."""
    path = Path(path)
    try:
        content = read_limited(path, MAX_STUDY_FILE_BYTES)
    except OSError as exc:
        raise StudyDefinitionError([Problem("", f"cannot read the file ({exc.strerror})")],
                                   str(path)) from exc
    return parse_study_bytes(content, str(path))


def parse_study_bytes(content: bytes, source: str) -> StudySpec:
    """Parse and validate an uploaded study file; errors name ``source``, the key and problem."""
    if len(content) > MAX_STUDY_FILE_BYTES:
        raise StudyDefinitionError([Problem("", f"larger than {MAX_STUDY_FILE_BYTES // 1024} KB"
                                                "; is it a study file?")], source)
    try:
        # utf-8-sig: some Windows editors begin UTF-8 files with a byte order mark.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudyDefinitionError([Problem("", f"not UTF-8 text (byte {exc.start} cannot be "
                                                "decoded)")], source) from exc
    try:
        data = load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message carries the line and column of the syntax error.
        raise StudyDefinitionError([Problem("", f"not valid TOML: {exc}")], source) from exc
    except TooDeep as exc:
        raise StudyDefinitionError([Problem("", str(exc))], source) from exc
    return parse_study(data, source=source)


class TooDeep(ValueError):
    """A TOML text whose tables or arrays nest deeper than :data:`MAX_NESTING`."""


def load_toml(text: str) -> dict:
    """``tomllib.loads`` for files people upload: tables and arrays nest at most
    :data:`MAX_NESTING` deep, else :class:`TooDeep` (naming the line where it can)."""
    for match in _LINE_KEY.finditer(text):
        depth = match.group(1).count(".") + 1
        if depth > MAX_NESTING:
            line = text.count("\n", 0, match.start()) + 1
            raise TooDeep(f"line {line}: a key nested {depth} levels deep; at most "
                          f"{MAX_NESTING} are allowed")
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise TooDeep(f"inline tables or arrays nested over {MAX_NESTING} levels deep") from None
    stack = [(data, 1)]
    while stack:  # iterative: the depth of what tomllib built, without recursing
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            raise TooDeep(f"tables or arrays nested over {MAX_NESTING} levels deep")
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return data


def study_to_toml(spec: StudySpec) -> str:
    """Render a study as a study file (canonical order and form)."""
    header = f"# uxlab study file: {spec.title}\n# Format: docs/study-files.md\n\n"
    return header + tomli_w.dumps(spec.to_dict(), multiline_strings=True)
