"""Reading an analysis document from a file (``uxlab analyze --json``) to make its report.

Someone who analysed a spreadsheet with ``uxlab analyze attempts.csv --json > analysis.json``
gets the same report as a study in the database from ``uxlab report --analysis analysis.json``.
The file is checked before anything is drawn: it must be strict JSON (no NaN), an object, and
have the top-level shape of docs/analysis-json.md; every problem is reported with the file's name
and the key at fault. Other uxlab JSON documents (a report, a study export) are named as such.
"""

from __future__ import annotations

import json
from pathlib import Path

#: Top-level keys of the analysis document and the JSON type each must have.
REQUIRED_KEYS = {"design": str, "confidence": (int, float), "variants": dict, "srm": dict,
                 "tasks": list, "questionnaires": dict}
DESIGNS = ("between", "within")
#: Keys of every ``tasks[]`` entry and their JSON types.
TASK_KEYS = {"task": str, "variants": dict, "comparisons": list}
JSON_TYPES = {str: "a string", dict: "an object", list: "an array", (int, float): "a number"}


class AnalysisFileError(ValueError):
    """The file is not an analysis document; the message names the file and the problem."""


def read_analysis_document(path: str | Path) -> dict:
    """Read and check the analysis document in ``path``; raise AnalysisFileError if it is not one.

    Checks the top level (``design``, ``confidence``, ``variants``, ``srm``, ``tasks``,
    ``questionnaires``, each of its JSON type; ``design`` between or within; ``confidence``
    strictly between 0 and 1) and each task's ``task``, ``variants`` and ``comparisons``.
    Deeper keys are the renderers' to read: a document that passes here but lacks one is
    reported by :func:`describe_render_error`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AnalysisFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise AnalysisFileError(f"{path}: not UTF-8 text ({exc.reason} at byte "
                                f"{exc.start})") from None
    except OSError as exc:
        raise AnalysisFileError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise AnalysisFileError(f"{path}: not JSON: {exc.msg} at line {exc.lineno}, column "
                                f"{exc.colno}") from None
    except ValueError as exc:
        raise AnalysisFileError(f"{path}: {exc}") from None
    check_analysis_document(document, str(path))
    return document


def check_analysis_document(document, where: str = "the analysis document") -> None:
    """Raise AnalysisFileError (naming ``where`` and the key) unless ``document`` has the shape."""
    if not isinstance(document, dict):
        raise AnalysisFileError(f"{where}: holds {_json_type(document)}, not the object "
                                f"`uxlab analyze --json` prints")
    other = document.get("format")
    if isinstance(other, str):
        hint = (" (its 'analysis' key holds the analysis it was made from)"
                if other == "uxlab-report" else "")
        raise AnalysisFileError(f"{where}: is a {other!r} document{hint}, not an analysis "
                                f"document from `uxlab analyze --json`")
    missing = [key for key in REQUIRED_KEYS if key not in document]
    if missing:
        raise AnalysisFileError(
            f"{where}: key {', '.join(map(repr, missing))} missing: not an analysis document "
            f"from `uxlab analyze --json` (docs/analysis-json.md)")
    _check_types(document, REQUIRED_KEYS, where, "")
    if document["design"] not in DESIGNS:
        raise AnalysisFileError(f"{where}: key 'design' is {document['design']!r}; expected "
                                f"between or within")
    confidence = document["confidence"]
    if isinstance(confidence, bool) or not 0 < confidence < 1:
        raise AnalysisFileError(f"{where}: key 'confidence' is {confidence!r}; expected a "
                                f"number between 0 and 1")
    for name, entry in document["variants"].items():
        participants = entry.get("participants") if isinstance(entry, dict) else None
        if isinstance(participants, bool) or not isinstance(participants, int) \
                or participants < 0:
            raise AnalysisFileError(f"{where}: key 'variants.{name}.participants' must be a "
                                    f"whole number ≥ 0, got {participants!r}")
    for index, task in enumerate(document["tasks"]):
        label = f"tasks[{index}]"
        if not isinstance(task, dict):
            raise AnalysisFileError(f"{where}: {label} is {_json_type(task)}, not an object")
        missing = [key for key in TASK_KEYS if key not in task]
        if missing:
            raise AnalysisFileError(f"{where}: key '{label}.{missing[0]}' missing")
        _check_types(task, TASK_KEYS, where, f"{label}.")


def describe_render_error(error: Exception, where: str) -> str:
    """A message for a renderer failing on a document that passed the top-level checks."""
    detail = (f"key {error.args[0]!r} missing" if isinstance(error, KeyError) and error.args
              else str(error) or type(error).__name__)
    return (f"{where}: the analysis document does not have the shape `uxlab analyze --json` "
            f"writes ({detail}); see docs/analysis-json.md")


def _check_types(mapping: dict, expected: dict, where: str, prefix: str) -> None:
    for key, kind in expected.items():
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise AnalysisFileError(f"{where}: key '{prefix}{key}' is {_json_type(value)}; "
                                    f"expected {JSON_TYPES[kind]}")


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a number"


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows (strict JSON, as `uxlab analyze` "
                     f"writes)")
