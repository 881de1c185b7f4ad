"""Journey files: TOML that defines journeys, their ordered stages and touchpoints with targets.

The format is documented in ``docs/cx.md``::

    [[journeys]]
    name = "Purchase"
    [[journeys.stages]]
    name = "Checkout"
    [[journeys.stages.touchpoints]]
    name = "Guest checkout"
    owner = "Checkout team"
    targets = { nps = 30, csat = 0.8, ces = 5.5, completion = 0.8 }

Errors name the file, the key path and the problem, as study files do.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from uxlab.studies.files import TooDeep, load_toml, read_limited
from uxlab.studies.problems import Problem, Problems, StudyDefinitionError

#: What a target may be set for, and the range its value must lie in.
TARGET_RANGES: dict[str, tuple[float, float]] = {
    "nps": (-100, 100), "csat": (0, 1), "ces": (1, 7),
    "completion": (0, 1), "seq": (1, 7), "sus": (0, 100), "umux_lite": (0, 100),
    "tickets": (0, math.inf), "resolution_hours": (0, math.inf), "contact_rate": (0, 1),
    "churn_rate": (0, 1), "retention_rate": (0, 1), "clv": (0, math.inf),
}
#: Whether a higher value of the metric is better (for "misses its target").
LOWER_IS_BETTER = frozenset({"tickets", "resolution_hours", "contact_rate", "churn_rate"})
MAX_NAME = 200
#: A journey file is at most this large (the web upload reads no more either).
MAX_JOURNEY_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class TouchpointDef:
    name: str
    description: str = ""
    owner: str = ""
    targets: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class StageDef:
    name: str
    touchpoints: tuple[TouchpointDef, ...] = ()


@dataclass(frozen=True)
class JourneyDef:
    name: str
    description: str = ""
    stages: tuple[StageDef, ...] = ()


class JourneyDefinitionError(StudyDefinitionError):
    """A journey file has problems; each names its key path."""


def read_journey_file(path: str | Path) -> list[JourneyDef]:
    """Parse and validate a journey file; errors name the file, the key and the problem."""
    path = Path(path)
    try:
        content = read_limited(path, MAX_JOURNEY_FILE_BYTES)
        text = content.decode("utf-8-sig")
    except OSError as exc:
        raise JourneyDefinitionError([Problem("", f"cannot read the file ({exc.strerror})")],
                                     str(path)) from exc
    except UnicodeDecodeError as exc:
        raise JourneyDefinitionError([Problem("", "not UTF-8 text")], str(path)) from exc
    if len(content) > MAX_JOURNEY_FILE_BYTES:
        raise JourneyDefinitionError([Problem("", "larger than 1 MB; is it a journey file?")],
                                     str(path))
    return parse_journeys_text(text, str(path))


def parse_journeys_text(text: str, source: str | None = None) -> list[JourneyDef]:
    try:
        data = load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise JourneyDefinitionError([Problem("", f"not valid TOML: {exc}")], source) from exc
    except TooDeep as exc:
        raise JourneyDefinitionError([Problem("", str(exc))], source) from exc
    return parse_journeys(data, source)


def parse_journeys(data: dict, source: str | None = None) -> list[JourneyDef]:
    """Validate the parsed TOML of a journey file and return its journeys."""
    problems = Problems()
    _unknown(data, {"journeys"}, "", problems)
    tables = _tables(data.get("journeys"), "journeys", problems, required=True)
    journeys = []
    seen: set[str] = set()
    for j, table in enumerate(tables):
        key = f"journeys[{j}]"
        _unknown(table, {"name", "description", "stages"}, key, problems)
        name = _name(table, key, problems, seen, "journey")
        stages = []
        stage_names: set[str] = set()
        touchpoint_names: set[str] = set()
        for s, stage in enumerate(_tables(table.get("stages"), f"{key}.stages", problems,
                                          required=True)):
            skey = f"{key}.stages[{s}]"
            _unknown(stage, {"name", "touchpoints"}, skey, problems)
            stage_name = _name(stage, skey, problems, stage_names, "stage")
            touchpoints = tuple(
                _touchpoint(tp, f"{skey}.touchpoints[{t}]", problems, touchpoint_names)
                for t, tp in enumerate(_tables(stage.get("touchpoints"), f"{skey}.touchpoints",
                                               problems, required=False))
            )
            stages.append(StageDef(stage_name, touchpoints))
        journeys.append(JourneyDef(name, _string(table, "description", key, problems),
                                   tuple(stages)))
    if problems:
        raise JourneyDefinitionError(list(problems.items), source)
    return journeys


def _touchpoint(table: dict, key: str, problems: Problems, seen: set[str]) -> TouchpointDef:
    _unknown(table, {"name", "description", "owner", "targets"}, key, problems)
    return TouchpointDef(
        name=_name(table, key, problems, seen, "touchpoint (names are unique within a journey)"),
        description=_string(table, "description", key, problems),
        owner=_string(table, "owner", key, problems),
        targets=parse_targets(table.get("targets", {}), f"{key}.targets", problems),
    )


def parse_targets(value, key: str, problems: Problems) -> dict[str, float]:
    """Validate a ``{metric: target}`` table against :data:`TARGET_RANGES`."""
    if not isinstance(value, dict):
        problems.add(key, "must be a table of metric = target value")
        return {}
    targets = {}
    for metric, target in value.items():
        where = f"{key}.{metric}"
        if metric not in TARGET_RANGES:
            problems.add(where, f"unknown metric (allowed: {', '.join(TARGET_RANGES)})")
            continue
        low, high = TARGET_RANGES[metric]
        if (isinstance(target, bool) or not isinstance(target, (int, float))
                or not math.isfinite(target) or not low <= target <= high):
            problems.add(where, f"must be a number from {low:g} to {high:g}, not {target!r}")
            continue
        targets[metric] = float(target)
    return targets


def _tables(value, key: str, problems: Problems, *, required: bool) -> list[dict]:
    if value is None:
        if required:
            problems.add(key, "required: at least one [[" + key.split("[")[0] + "]] table")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.add(key, "must be an array of tables ([[...]])")
        return []
    if required and not value:
        problems.add(key, "must not be empty")
    return value


def _unknown(table: dict, allowed: set[str], key: str, problems: Problems) -> None:
    for name in table:
        if name not in allowed:
            where = f"{key}.{name}" if key else name
            problems.add(where, f"unknown key (allowed here: {', '.join(sorted(allowed))})")


def _string(table: dict, name: str, key: str, problems: Problems) -> str:
    value = table.get(name, "")
    if not isinstance(value, str):
        problems.add(f"{key}.{name}", f"must be a string, not {type(value).__name__}")
        return ""
    return value


def _name(table: dict, key: str, problems: Problems, seen: set[str], kind: str) -> str:
    value = table.get("name")
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{key}.name", "required: a non-empty string")
        return ""
    value = value.strip()
    if len(value) > MAX_NAME:
        problems.add(f"{key}.name", f"at most {MAX_NAME} characters")
    elif value in seen:
        problems.add(f"{key}.name", f"duplicate {kind} name {value!r}")
    seen.add(value)
    return value


def targets_from_text(text: str) -> dict[str, float]:
    """Parse ``nps = 30, csat = 0.8`` (the touchpoint form) into validated targets.

    Raises :class:`JourneyDefinitionError` naming the metric at fault.
    """
    problems = Problems()
    raw: dict[str, object] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        metric, sep, value = part.partition("=")
        metric = metric.strip().lower()
        try:
            raw[metric] = float(value) if sep else None
        except ValueError:
            raw[metric] = value.strip()
    targets = parse_targets(raw, "targets", problems)
    if problems:
        raise JourneyDefinitionError(list(problems.items))
    return targets


def targets_to_text(targets: dict[str, float]) -> str:
    return ", ".join(f"{metric} = {value:g}" for metric, value in targets.items())
