"""Finding the line of a study file that a problem's key (``tasks[2].success.url``) is about.

:func:`uxlab.studies.spec.parse_study` names problems by key, since it works on the parsed
mapping, where lines are gone. For an uploaded file the researcher also wants the line: this
module scans the TOML text for table headers and ``key =`` lines, following arrays of tables
(``[[tasks]]``, ``[[tasks.errors]]``) by count, and returns the line of the key, or of its
nearest enclosing table when the key itself is not written (a missing key).
"""

from __future__ import annotations

import re

HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")
KEY_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _names(dotted: str) -> list[str]:
    return [part.strip().strip("\"'") for part in dotted.split(".")]


def key_path(key: str) -> tuple:
    """``tasks[2].success.url`` → ``("tasks", 2, "success", "url")``."""
    return tuple(int(index) if index else name for name, index in KEY_PART.findall(key))


def key_lines(text: str) -> dict[tuple, int]:
    """Map every table and key written in ``text`` to its (1-based) line."""
    lines: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    in_string = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        header = HEADER.match(line)
        if header:
            path: list = []
            names = _names(header.group(2))
            for position, name in enumerate(names):
                path.append(name)
                last = position == len(names) - 1
                if last and header.group(1) == "[[":
                    counts[tuple(path)] = counts.get(tuple(path), -1) + 1
                if tuple(path) in counts:
                    path.append(counts[tuple(path)])
            table = tuple(path)
            lines.setdefault(table, number)
            continue
        assignment = ASSIGNMENT.match(line)
        if assignment:
            lines.setdefault((*table, *_names(assignment.group(1))), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2:
                    in_string = quote
    return lines


def line_of(text: str, key: str) -> int | None:
    """The line ``key`` is written on, else that of its nearest written parent; None if none."""
    lines = key_lines(text)
    path = key_path(key)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None
