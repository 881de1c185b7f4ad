"""The study definition as plain data, and its validation.

A study file (TOML) and the web forms both end up here: :func:`parse_study` turns a mapping into a
:class:`StudySpec` or raises :class:`StudyDefinitionError` listing *every* problem with its key.
``StudySpec.to_dict`` gives the canonical mapping back, so load → export → load round-trips.
The format is documented in ``docs/study-files.md``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin

from uxlab.safe_urls import is_web_url, within
from uxlab.screening.panels import placeholder_in_host
from uxlab.screening.spec import (
    QuotaSpec,
    ScreenerQuestionSpec,
    parse_panel,
    parse_quotas,
    parse_screener,
)
from uxlab.studies.criteria import validate_criterion
from uxlab.studies.problems import Problems
from uxlab.studies.seeded_problems import ProblemSpec, parse_problems
from uxlab.studies.translations import DEFAULT_LANGUAGES, parse_languages, parse_translations

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
DESIGNS = ("between", "within")

#: Standard instruments: when each may be asked.
INSTRUMENTS = {
    "seq": ("post_task",),
    "sus": ("post_study",),
    "umux_lite": ("post_study",),
    "nps": ("post_study",),
    "csat": ("post_task", "post_study"),
    "ces": ("post_task", "post_study"),
}
INSTRUMENT_OPTIONS = {"question", "scale"}
#: Benchmark targets the study may set, with their allowed ranges (inclusive unless noted).
BENCHMARK_RANGES = {
    "completion": (0.0, 1.0),
    "sus": (0.0, 100.0),
    "umux_lite": (0.0, 100.0),
    "seq": (1.0, 7.0),
    "nps": (-100.0, 100.0),
}
LIKERT_SCALES = (5, 7)
#: How long a consented participant who has not finished holds a quota place (see docs).
DEFAULT_PLACE_HOLD_MINUTES = 120


@dataclass(frozen=True)
class VariantSpec:
    key: str
    name: str
    prototype: str
    weight: float = 1.0
    description: str = ""


@dataclass(frozen=True)
class TouchpointSpec:
    journey: str
    name: str
    stage: str = ""


@dataclass(frozen=True)
class TaskSpec:
    key: str
    title: str
    success: dict[str, Any]
    instructions: str = ""
    start: str | None = None
    time_limit: int | None = None
    optimal_path: tuple[str, ...] | None = None
    optimal_clicks: int | None = None
    benchmark_completion: float | None = None
    benchmark_time: float | None = None
    touchpoint: TouchpointSpec | None = None
    errors: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class QuestionnaireSpec:
    key: str
    instrument: str
    timing: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StudySpec:
    slug: str
    title: str
    variants: tuple[VariantSpec, ...]
    tasks: tuple[TaskSpec, ...]
    questionnaires: tuple[QuestionnaireSpec, ...] = ()
    description: str = ""
    design: str = "between"
    welcome: str = ""
    consent: str = ""
    thanks: str = ""
    completion_redirect: str | None = None
    open_recruitment: bool = False
    panel_id_param: str | None = None
    benchmarks: dict[str, float] = field(default_factory=dict)
    problems: tuple[ProblemSpec, ...] = ()
    screener: tuple[ScreenerQuestionSpec, ...] = ()
    screen_out: str = ""
    full: str = ""
    place_hold_minutes: int = DEFAULT_PLACE_HOLD_MINUTES
    quotas: tuple[QuotaSpec, ...] = ()
    panel: dict[str, Any] = field(default_factory=dict)
    #: The languages participants may see; the file's own texts are in the first.
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    #: The study's texts in its other languages (see uxlab.studies.translations).
    translations: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical mapping of this spec (the study-file layout, defaults omitted)."""
        study = {"slug": self.slug, "title": self.title, "design": self.design}
        for name in ("description", "welcome", "consent", "thanks", "screen_out", "full",
                     "completion_redirect", "panel_id_param"):
            if getattr(self, name):
                study[name] = getattr(self, name)
        if self.open_recruitment:
            study["open_recruitment"] = True
        if self.place_hold_minutes != DEFAULT_PLACE_HOLD_MINUTES:
            study["place_hold_minutes"] = self.place_hold_minutes
        if self.languages != DEFAULT_LANGUAGES:
            study["languages"] = list(self.languages)
        data: dict[str, Any] = {"study": study}
        if self.benchmarks:
            data["benchmarks"] = dict(self.benchmarks)
        data["variants"] = [_drop_defaults(v.__dict__, {"weight": 1.0, "description": ""})
                            for v in self.variants]
        data["tasks"] = [_task_to_dict(t) for t in self.tasks]
        data["questionnaires"] = _questionnaires_to_dict(self.questionnaires)
        if self.problems:
            data["problems"] = [p.to_dict() for p in self.problems]
        if self.screener:
            data["screener"] = [q.to_dict() for q in self.screener]
        if self.quotas:
            data["quotas"] = [q.to_dict() for q in self.quotas]
        if self.panel:
            data["panel"] = dict(self.panel)
        if self.translations:
            data["translations"] = self.translations
        return data


def _drop_defaults(values: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and defaults.get(k, object()) != v}


def _task_to_dict(task: TaskSpec) -> dict[str, Any]:
    data = _drop_defaults(
        {k: v for k, v in task.__dict__.items() if k not in ("touchpoint", "errors", "success")},
        {"instructions": ""},
    )
    if task.optimal_path is not None:
        data["optimal_path"] = list(task.optimal_path)
    if task.touchpoint is not None:
        data["touchpoint"] = _drop_defaults(task.touchpoint.__dict__, {"stage": ""})
    data["success"] = task.success
    if task.errors:
        data["errors"] = [dict(rule) for rule in task.errors]
    return data


def _questionnaires_to_dict(questionnaires: tuple[QuestionnaireSpec, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {"post_task": [], "post_study": []}
    options: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for q in questionnaires:
        data[q.timing].append(q.key)
        if q.instrument == "likert":
            custom[q.key] = dict(q.options)
        elif q.options:
            options[q.key] = dict(q.options)
    if options:
        data["options"] = options
    if custom:
        data["custom"] = custom
    return data


# --- parsing -------------------------------------------------------------------------------------

TOP_LEVEL_KEYS = {"study", "benchmarks", "variants", "tasks", "questionnaires", "problems",
                  "screener", "quotas", "panel", "translations"}
STUDY_KEYS = {"slug", "title", "description", "design", "welcome", "consent", "thanks",
              "screen_out", "full", "completion_redirect", "open_recruitment", "panel_id_param",
              "place_hold_minutes", "languages"}
VARIANT_KEYS = {"key", "name", "prototype", "weight", "description"}
TASK_KEYS = {"key", "title", "instructions", "start", "time_limit", "optimal_path",
             "optimal_clicks", "benchmark_completion", "benchmark_time", "touchpoint", "success",
             "errors"}
QUESTIONNAIRE_KEYS = {"post_task", "post_study", "options", "custom"}
CUSTOM_KEYS = {"title", "items", "scale", "anchors"}


def _unknown_keys(table: dict, allowed: set[str], key: str, problems: Problems) -> None:
    for name in table:
        if name not in allowed:
            where = f"{key}.{name}" if key else name
            problems.add(where, f"unknown key (allowed here: {', '.join(sorted(allowed))})")


#: The longest names and titles (a line in a list), and the longest URLs and paths, the
#: database's columns hold; PostgreSQL refuses longer ones (a 500 before this check).
MAX_TITLE_LENGTH = 200
MAX_URL_LENGTH = 2000
#: The longest free text (a description, a welcome page), far above any real one.
MAX_TEXT_LENGTH = 20_000


def _text(table, name, key, problems, *, required=False, default="", max_length=MAX_TEXT_LENGTH):
    value = table.get(name)
    if value is None:
        if required:
            problems.add(f"{key}.{name}", "required")
        return default
    if not isinstance(value, str):
        problems.add(f"{key}.{name}", f"must be a string, not {type(value).__name__}")
        return default
    if required and not value.strip():
        problems.add(f"{key}.{name}", "must not be empty")
    if len(value) > max_length:
        problems.add(f"{key}.{name}", f"must be at most {max_length:,} characters long, "
                                      f"not {len(value):,}")
    return value


def _number(table, name, key, problems, *, low=None, high=None, integer=False, exclusive=False):
    value = table.get(name)
    if value is None:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        problems.add(f"{key}.{name}", f"must be {'a whole number' if integer else 'a number'}")
        return None
    if not math.isfinite(value):  # TOML has nan and inf
        problems.add(f"{key}.{name}", f"must be a number, not {value}")
        return None
    too_low = low is not None and (value <= low if exclusive else value < low)
    too_high = high is not None and (value >= high if exclusive else value > high)
    if too_low or too_high:
        bounds = f"between {low} and {high}" if high is not None else f"above {low}"
        problems.add(f"{key}.{name}", f"{value} is out of range (must be {bounds}"
                                      f"{', exclusive' if exclusive and high is not None else ''})")
        return None
    return value


def _table_list(data, name, problems, required: bool = True) -> list[dict]:
    value = data.get(name)
    if value is None and not required:
        return []
    if value is None:
        problems.add(name, f"missing: a study needs at least one entry in [[{name}]]")
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        problems.add(name, f"must be an array of tables ([[{name}]])")
        return []
    if not value and required:
        problems.add(name, f"a study needs at least one entry in [[{name}]]")
    return value


def _key(table, key, problems, seen: dict[str, str], kind: str) -> str:
    value = table.get("key")
    if value is None:
        problems.add(f"{key}.key", "required")
        return ""
    if not isinstance(value, str) or not KEY_PATTERN.match(value):
        problems.add(f"{key}.key", f"{value!r} is not a valid key (letters, digits, - and _, "
                                   "at most 40, starting with a letter or digit)")
        return str(value)
    if value in seen:
        problems.add(f"{key}.key", f"duplicate {kind} key {value!r} (first used at {seen[value]})")
    else:
        seen[value] = key
    return value


def _parse_variant(table, key, problems, seen) -> VariantSpec:
    _unknown_keys(table, VARIANT_KEYS, key, problems)
    prototype = _text(table, "prototype", key, problems, required=True, max_length=MAX_URL_LENGTH)
    if prototype and prototype.startswith(("http://", "https://")):
        if not is_web_url(prototype):
            problems.add(f"{key}.prototype", "must be an http(s) URL with a host, without spaces, "
                                             "line breaks or backslashes")
    elif prototype:
        if prototype.startswith("/") or ".." in prototype.split("/") or not is_web_url(prototype):
            problems.add(f"{key}.prototype", "must be an http(s) URL or a path inside the studies "
                                             "folder (no leading / and no ..)")
    weight = table.get("weight", 1.0)
    if (isinstance(weight, bool) or not isinstance(weight, (int, float))
            or not math.isfinite(weight) or weight <= 0):
        problems.add(f"{key}.weight", f"must be a number above 0, not {weight!r}")
        weight = 1.0
    return VariantSpec(
        key=_key(table, key, problems, seen, "variant"),
        name=_text(table, "name", key, problems, required=True, max_length=MAX_TITLE_LENGTH),
        prototype=prototype,
        weight=float(weight),
        description=_text(table, "description", key, problems),
    )


def _parse_touchpoint(value, key, problems) -> TouchpointSpec | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add(key, "must be a table with journey, name and optionally stage")
        return None
    _unknown_keys(value, {"journey", "stage", "name"}, key, problems)
    return TouchpointSpec(
        journey=_text(value, "journey", key, problems, required=True,
                      max_length=MAX_TITLE_LENGTH),
        name=_text(value, "name", key, problems, required=True, max_length=MAX_TITLE_LENGTH),
        stage=_text(value, "stage", key, problems, max_length=MAX_TITLE_LENGTH),
    )


def _parse_success(value, key, problems, variant_keys: set[str]) -> dict[str, Any]:
    if value is None:
        problems.add(key, "missing: every task needs a success criterion ([tasks.success])")
        return {}
    if not isinstance(value, dict):
        problems.add(key, "must be a table")
        return {}
    overrides = value.get("variants", {})
    base = {k: v for k, v in value.items() if k != "variants"}
    validate_criterion(base, key, problems)
    if not isinstance(overrides, dict):
        problems.add(f"{key}.variants", "must be a table of variant key → criterion")
        return base
    for variant_key, override in overrides.items():
        where = f"{key}.variants.{variant_key}"
        if variant_key not in variant_keys:
            problems.add(where, f"no variant with key {variant_key!r}")
        if isinstance(override, dict):
            validate_criterion({"type": base.get("type"), **override}, where, problems)
        else:
            problems.add(where, "must be a table")
    return dict(value)


def _parse_task(table, key, problems, seen, variant_keys) -> TaskSpec:
    _unknown_keys(table, TASK_KEYS, key, problems)
    path = table.get("optimal_path")
    if path is not None and (not isinstance(path, list) or not path
                             or not all(isinstance(p, str) and p for p in path)):
        problems.add(f"{key}.optimal_path", "must be a non-empty list of page paths")
        path = None
    errors = table.get("errors", [])
    if not isinstance(errors, list):
        problems.add(f"{key}.errors", "must be an array of tables ([[tasks.errors]])")
        errors = []
    for i, rule in enumerate(errors):
        validate_criterion(rule, f"{key}.errors[{i}]", problems, as_error=True)
    return TaskSpec(
        key=_key(table, key, problems, seen, "task"),
        title=_text(table, "title", key, problems, required=True, max_length=MAX_TITLE_LENGTH),
        instructions=_text(table, "instructions", key, problems),
        start=_text(table, "start", key, problems, default=None, max_length=MAX_URL_LENGTH),
        time_limit=_number(table, "time_limit", key, problems, low=0, integer=True,
                           exclusive=True),
        optimal_path=tuple(path) if path else None,
        optimal_clicks=_number(table, "optimal_clicks", key, problems, low=0, integer=True),
        benchmark_completion=_number(table, "benchmark_completion", key, problems, low=0, high=1,
                                     exclusive=True),
        benchmark_time=_number(table, "benchmark_time", key, problems, low=0, exclusive=True),
        touchpoint=_parse_touchpoint(table.get("touchpoint"), f"{key}.touchpoint", problems),
        success=_parse_success(table.get("success"), f"{key}.success", problems, variant_keys),
        errors=tuple(dict(rule) for rule in errors if isinstance(rule, dict)),
    )


#: Stands for a local prototype's folder when a start page is checked before uxlab serves it.
_LOCAL_ROOT = "http://prototype.invalid/prototypes/"


def _check_start(start: str | None, variants: tuple[VariantSpec, ...], key: str,
                 problems: Problems) -> None:
    """A task's start page opens in the participant's frame: it must lie inside every variant's
    prototype (a relative path such as ``shop/index.html``, or an http(s) URL under an external
    prototype), never a ``javascript:`` URL, another site or a page of uxlab itself."""
    if not start:
        return
    roots = [v.prototype.rstrip("/") + "/" if v.prototype.startswith(("http://", "https://"))
             else _LOCAL_ROOT for v in variants] or [_LOCAL_ROOT]
    outside = [root for root in roots if not within(urljoin(root, start), root)]
    if not is_web_url(start) or outside:
        where = "its prototype folder" if outside == [_LOCAL_ROOT] * len(outside) \
            else f"the prototype {outside[0]}"
        problems.add(key, f"{start!r} must be a page inside {where} (a relative path such as "
                          "'index.html', or an http(s) URL under an external prototype)")


def _parse_custom_scale(key_name, value, key, problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.add(key, "must be a table with title, items, scale and anchors")
        return {}
    _unknown_keys(value, CUSTOM_KEYS, key, problems)
    items = value.get("items")
    if not isinstance(items, list) or not items or not all(
        isinstance(i, str) and i.strip() for i in items
    ):
        problems.add(f"{key}.items", "must be a non-empty list of statements")
    if value.get("scale", 7) not in LIKERT_SCALES:
        problems.add(f"{key}.scale", f"must be one of {LIKERT_SCALES}")
    anchors = value.get("anchors")
    if anchors is not None and (not isinstance(anchors, list) or len(anchors) != 2
                                or not all(isinstance(a, str) for a in anchors)):
        problems.add(f"{key}.anchors", "must be two labels: [low end, high end]")
    if key_name in INSTRUMENTS:
        problems.add(key, f"{key_name!r} is a standard instrument; give the custom scale "
                          "another key")
    return dict(value)


def _check_options(name: str, options: dict, key: str, problems: Problems) -> None:
    # The runner falls back to the default for a value it cannot use, so refuse it here instead.
    question = options.get("question")
    if question is not None and (not isinstance(question, str) or not question.strip()):
        problems.add(f"{key}.question", "must be a non-empty string")
    if "scale" in options:
        if name != "csat":
            problems.add(f"{key}.scale", "only csat takes a scale option")
        elif isinstance(options["scale"], bool) or options["scale"] not in LIKERT_SCALES:
            problems.add(f"{key}.scale", f"must be 5 or 7, not {options['scale']!r}")


def _parse_questionnaires(value, problems) -> tuple[QuestionnaireSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        problems.add("questionnaires", "must be a table")
        return ()
    _unknown_keys(value, QUESTIONNAIRE_KEYS, "questionnaires", problems)
    options = value.get("options", {})
    custom = value.get("custom", {})
    if not isinstance(options, dict):
        problems.add("questionnaires.options", "must be a table of instrument → options")
        options = {}
    if not isinstance(custom, dict):
        problems.add("questionnaires.custom", "must be a table of scale key → definition")
        custom = {}
    custom_specs = {
        k: _parse_custom_scale(k, v, f"questionnaires.custom.{k}", problems)
        for k, v in custom.items()
    }
    result: list[QuestionnaireSpec] = []
    used: dict[str, str] = {}
    for timing in ("post_task", "post_study"):
        names = value.get(timing, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.add(f"questionnaires.{timing}", "must be a list of instrument names")
            continue
        for i, name in enumerate(names):
            where = f"questionnaires.{timing}[{i}]"
            if name in used:
                problems.add(where, f"{name!r} is already asked (at {used[name]})")
                continue
            used[name] = where
            if name in INSTRUMENTS:
                if timing not in INSTRUMENTS[name]:
                    problems.add(where, f"{name!r} can only be asked "
                                        f"{' or '.join(INSTRUMENTS[name])}")
                result.append(QuestionnaireSpec(name, name, timing, dict(options.get(name, {}))))
            elif name in custom_specs:
                result.append(QuestionnaireSpec(name, "likert", timing, custom_specs[name]))
            else:
                known = ", ".join([*INSTRUMENTS, *custom_specs])
                problems.add(where, f"unknown questionnaire {name!r} (known: {known})")
    for name, opts in options.items():
        where = f"questionnaires.options.{name}"
        if name not in used:
            problems.add(where, f"options for {name!r}, which the study does not ask")
        elif not isinstance(opts, dict):
            problems.add(where, "must be a table")
        else:
            _unknown_keys(opts, INSTRUMENT_OPTIONS, where, problems)
            _check_options(name, opts, where, problems)
    for name in custom_specs:
        if name not in used:
            problems.add(f"questionnaires.custom.{name}", "defined but not asked: add it to "
                                                          "post_task or post_study")
    return tuple(result)


def parse_study(
    data: dict[str, Any], source: str | None = None, *, draft: bool = False
) -> StudySpec:
    """Validate a study mapping (a parsed study file) and return its :class:`StudySpec`.

    ``draft`` allows a study without variants or tasks yet (one being built in the web UI);
    starting such a study is refused later, by the study service.

    Raises
    ------
    StudyDefinitionError
        Listing every problem found, each with its key path.
    """
    problems = Problems()
    _unknown_keys(data, TOP_LEVEL_KEYS, "", problems)
    study = data.get("study")
    if not isinstance(study, dict):
        problems.add("study", "missing: the file needs a [study] table")
        study = {}
    _unknown_keys(study, STUDY_KEYS, "study", problems)
    slug = _text(study, "slug", "study", problems, required=True)
    if slug and not SLUG_PATTERN.match(slug):
        problems.add("study.slug", f"{slug!r} must be lower-case letters, digits and dashes")
    design = study.get("design", "between")
    if design not in DESIGNS:
        problems.add("study.design", f"must be 'between' or 'within', not {design!r}")
    redirect = _text(study, "completion_redirect", "study", problems, default=None,
                     max_length=MAX_URL_LENGTH)
    if redirect and not (redirect.startswith(("http://", "https://")) and is_web_url(redirect)):
        problems.add("study.completion_redirect", "must be an http(s) URL (with a host, without "
                                                  "spaces, line breaks or backslashes)")
    elif redirect and placeholder_in_host(redirect):
        problems.add("study.completion_redirect", "placeholders ({panel_id}, {participant}) "
                                                  "belong in the path or query, not the host")
    open_recruitment = study.get("open_recruitment", False)
    if not isinstance(open_recruitment, bool):
        problems.add("study.open_recruitment", "must be true or false")
    # Read every text now, so that its problems are reported with the rest.
    title = _text(study, "title", "study", problems, required=True, max_length=MAX_TITLE_LENGTH)
    texts = {name: _text(study, name, "study", problems)
             for name in ("description", "welcome", "consent", "thanks", "screen_out", "full")}
    panel_id_param = _text(study, "panel_id_param", "study", problems, default=None,
                           max_length=64)
    hold = _number(study, "place_hold_minutes", "study", problems, low=1, high=100_000,
                   integer=True)
    panel = parse_panel(data, problems)
    if redirect and (panel.get("completion_url") or panel.get("completion_code")):
        problems.add("study.completion_redirect", "give the completion URL in one place: "
                                                  "[panel] or study.completion_redirect")
    if panel_id_param and panel.get("id_param"):
        problems.add("study.panel_id_param", "give the panel id parameter in one place: "
                                             "panel.id_param or study.panel_id_param")
    languages = parse_languages(study.get("languages"), problems)

    benchmarks = data.get("benchmarks", {})
    if not isinstance(benchmarks, dict):
        problems.add("benchmarks", "must be a table")
        benchmarks = {}
    _unknown_keys(benchmarks, set(BENCHMARK_RANGES), "benchmarks", problems)
    clean_benchmarks = {}
    for name, (low, high) in BENCHMARK_RANGES.items():
        value = _number(benchmarks, name, "benchmarks", problems, low=low, high=high,
                        exclusive=name == "completion")
        if value is not None:
            clean_benchmarks[name] = value

    variant_seen: dict[str, str] = {}
    variants = tuple(
        _parse_variant(t, f"variants[{i}]", problems, variant_seen)
        for i, t in enumerate(_table_list(data, "variants", problems, not draft))
    )
    if design == "within" and len(variants) < 2 and not draft:
        problems.add("variants", "a within-subjects study needs at least two variants")
    task_seen: dict[str, str] = {}
    tasks = tuple(
        _parse_task(t, f"tasks[{i}]", problems, task_seen, set(variant_seen))
        for i, t in enumerate(_table_list(data, "tasks", problems, not draft))
    )
    for i, task in enumerate(tasks):
        _check_start(task.start, variants, f"tasks[{i}].start", problems)
    questionnaires = _parse_questionnaires(data.get("questionnaires"), problems)
    seeded = parse_problems(data, problems, set(task_seen), unknown_keys=_unknown_keys,
                            key_of=_key, text=_text)
    screener = parse_screener(data, problems)
    quotas = parse_quotas(data, problems, screener, set(variant_seen), design)
    spec = StudySpec(
        slug=slug,
        title=title,
        design=design,
        completion_redirect=redirect or None,
        open_recruitment=bool(open_recruitment),
        panel_id_param=panel_id_param,
        **texts,
        benchmarks=clean_benchmarks,
        variants=variants,
        tasks=tasks,
        questionnaires=questionnaires,
        problems=seeded,
        screener=screener,
        place_hold_minutes=DEFAULT_PLACE_HOLD_MINUTES if hold is None else hold,
        quotas=quotas,
        panel=panel,
        languages=languages,
    )
    translations = parse_translations(data.get("translations"), languages, spec, problems)
    problems.raise_if_any(source)
    return replace(spec, translations=translations)
