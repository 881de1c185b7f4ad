"""The analysis service: tidy attempts (and survey answers) in, one analysis document out.

``analyze`` is what ``uxlab analyze`` and the web reports both call; it takes rows (from a CSV or
built from the database) and returns a JSON-ready ``dict`` whose shape is the contract in
docs/analysis-json.md. It knows nothing of Flask, SQLAlchemy or files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from uxlab.analysis.document import number
from uxlab.analysis.grouping import group_attempts
from uxlab.analysis.questionnaire_results import questionnaire_results
from uxlab.analysis.task_results import task_results
from uxlab.analysis.tidy import (
    AttemptTable,
    SurveyTable,
    attempts_from_rows,
    check_design,
    natural_key,
    survey_from_rows,
)
from uxlab.analysis.usability_summary import usability_metric_results
from uxlab.stats.results import check_confidence
from uxlab.stats.srm import SRM_THRESHOLD, sample_ratio_test

DESIGNS = ("between", "within")
TIME_MODES = ("successful", "all")
ADJUSTMENTS = ("holm", "bh")
DEFAULT_BENCHMARKS = {"completion": 0.78, "sus": 68.0, "seq": 5.5, "time": None,
                      "umux_lite": None, "nps": None, "task_completion": None}
#: Ranges of the score benchmarks (inclusive), as in a study file's [benchmarks] table.
_SCORE_RANGES = {"sus": (0, 100), "umux_lite": (0, 100), "seq": (1, 7), "nps": (-100, 100)}


def analyze(attempts: AttemptTable | Iterable[Mapping[str, object]],
            survey: SurveyTable | Iterable[Mapping[str, object]] | None = None,
            design: str = "between", confidence: float = 0.95, times: str = "successful",
            weights: Mapping[str, float] | Sequence[float] | None = None,
            benchmarks: Mapping[str, object] | None = None, adjust: str = "holm",
            segment: str | None = None) -> dict:
    """Analyse a study: per-task summaries per variant, comparisons, questionnaires.

    Parameters
    ----------
    attempts : AttemptTable or iterable of mapping rows
        The tidy attempts (validated here when given as rows).
    survey : SurveyTable or iterable of mapping rows, optional
        Post-study questionnaire answers.
    design : {"between", "within"}
        Between subjects (each participant uses one variant) or within (every variant).
    confidence : float
        Confidence level of every interval and 1 − α of every test.
    times : {"successful", "all"}
        Analyse the times of successful attempts only (the default) or of all attempts.
    weights : mapping or sequence of float, optional
        Assignment weights of the variants for the sample-ratio check (equal by default).
    benchmarks : mapping, optional
        Overrides of the benchmark values: ``completion`` (default 0.78), ``sus`` (68),
        ``seq`` (5.5), ``umux_lite`` and ``nps`` (none by default), ``time`` (seconds: one
        number for every task, or a mapping task → seconds; none by default) and
        ``task_completion`` (a mapping task → rate that overrides ``completion`` for those
        tasks). ``None`` switches a benchmark off.
    adjust : {"holm", "bh"}
        Multiplicity adjustment of the pairwise p-values (three or more variants).
    segment : str, optional
        A column of the attempts (e.g. ``screener_shopping``): the document then also holds
        the whole analysis within each value of that column, under ``segments``
        (:mod:`uxlab.analysis.segments`).

    Returns
    -------
    dict
        The analysis document (docs/analysis-json.md).

    Raises
    ------
    uxlab.analysis.tidy.TidyDataError
        If the rows are invalid or do not fit the design.
    ValueError
        If an argument is invalid.
    """
    confidence = check_confidence(confidence)
    _check_choice("design", design, DESIGNS)
    _check_choice("times", times, TIME_MODES)
    _check_choice("adjust", adjust, ADJUSTMENTS)
    benchmarks = _benchmarks(benchmarks)
    if not isinstance(attempts, AttemptTable):
        attempts = attempts_from_rows(attempts)
    if survey is not None and not isinstance(survey, SurveyTable):
        survey = survey_from_rows(survey)
    check_design(attempts, design, survey)
    settings = {"design": design, "confidence": confidence, "times": times, "adjust": adjust,
                "benchmarks": benchmarks}
    document = {**settings, **analyze_tables(attempts, survey, weights, **settings)}
    if segment is not None:
        from uxlab.analysis.segments import segment_results  # imports this module

        document["segments"] = segment_results(attempts, survey, segment, weights, settings)
    return document


def analyze_tables(attempts: AttemptTable, survey: SurveyTable | None, weights, *,
                   design: str, confidence: float, times: str, adjust: str,
                   benchmarks: dict) -> dict:
    """The data parts of the document (``variants`` … ``usability_metric``) of checked tables
    and checked settings: :func:`analyze` calls it for all rows and once per segment."""
    variants = variant_names(attempts, survey)
    weights = variant_weights(weights, variants)
    participants = _participants(attempts, survey, variants)
    grouped = group_attempts(attempts, variants)
    return {
        "variants": {v: {"participants": participants[v]} for v in variants},
        "srm": _sample_ratio(participants, variants, weights, design),
        "tasks": task_results(grouped, design=design, confidence=confidence, times=times,
                              adjust=adjust, benchmarks=benchmarks),
        "questionnaires": questionnaire_results(survey, variants, design=design,
                                                confidence=confidence, adjust=adjust,
                                                benchmarks=benchmarks),
        "usability_metric": usability_metric_results(grouped, confidence=confidence,
                                                     times=times, benchmarks=benchmarks),
    }


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _benchmarks(given: Mapping[str, object] | None) -> dict:
    values = dict(DEFAULT_BENCHMARKS)
    for key, value in (given or {}).items():
        if key not in values:
            raise ValueError(f"unknown benchmark {key!r}; expected one of {', '.join(values)}")
        values[key] = value
    rates = [values["completion"]]
    if isinstance(values["task_completion"], Mapping):
        values["task_completion"] = dict(values["task_completion"])
        rates += values["task_completion"].values()
    elif values["task_completion"] is not None:
        raise ValueError(f"task_completion must map task names to rates, got "
                         f"{values['task_completion']!r}")
    for completion in rates:
        if completion is not None and not (_is_number(completion) and 0 < completion < 1):
            raise ValueError(f"the completion benchmark must be a rate between 0 and 1, got "
                             f"{completion!r}")
    for key, (low, high) in _SCORE_RANGES.items():
        if values[key] is not None and not (_is_number(values[key])
                                            and low <= values[key] <= high):
            raise ValueError(f"the {key} benchmark must be a number from {low} to {high}, got "
                             f"{values[key]!r}")
    time = values["time"]
    targets = time.values() if isinstance(time, Mapping) else [] if time is None else [time]
    for target in targets:
        if not (isinstance(target, int | float) and target > 0):
            raise ValueError(f"a time benchmark must be a positive number of seconds, got "
                             f"{target!r}")
    if isinstance(time, Mapping):
        values["time"] = dict(time)
    return values


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and \
        bool(np.isfinite(value))


def variant_weights(weights, variants) -> dict[str, float]:
    """Assignment weights by variant (equal when not given); ValueError when they do not fit."""
    if weights is None:
        return dict.fromkeys(variants, 1.0)
    if isinstance(weights, Mapping):
        unknown = set(weights) - set(variants)
        if unknown:
            raise ValueError(f"weights name unknown variants: {', '.join(sorted(unknown))}")
        missing = [v for v in variants if v not in weights]
        if missing:
            raise ValueError(f"weights give no weight for variant(s) {', '.join(missing)}")
        return {v: weights[v] for v in variants}
    weights = list(weights)
    if len(weights) != len(variants):
        raise ValueError(f"weights need one value per variant ({', '.join(variants)}), got "
                         f"{len(weights)}")
    return dict(zip(variants, weights, strict=True))


def variant_names(attempts: AttemptTable, survey: SurveyTable | None) -> tuple[str, ...]:
    """The variants of the attempts and the survey, in natural order."""
    names = set(attempts.variants)
    if survey is not None:
        names.update(survey.variant_labels.names.tolist())
    return tuple(sorted(names, key=natural_key))


def _participants(attempts, survey, variants) -> dict[str, int]:
    """Distinct participants per variant, in the attempts or the survey."""
    people, labels = attempts.participants, attempts.variant_labels
    position = {name: i for i, name in enumerate(variants)}
    variant_code = np.array([position[n] for n in labels.names.tolist()])[labels.codes]
    pairs = people.codes * len(variants) + variant_code
    if survey is not None:
        # Survey-only participants get codes after the attempts' participants.
        names = np.union1d(people.names, survey.participants.names)
        codes = np.searchsorted(names, np.concatenate([people.names,
                                                       survey.participants.names]))
        survey_variant = np.array([position[n] for n in survey.variant_labels.names.tolist()])[
            survey.variant_labels.codes]
        pairs = np.concatenate([
            codes[:len(people)][people.codes] * len(variants) + variant_code,
            codes[len(people):][survey.participants.codes] * len(variants) + survey_variant])
    counts = np.bincount(np.unique(pairs) % len(variants), minlength=len(variants))
    return dict(zip(variants, counts.tolist(), strict=True))


def _sample_ratio(participants, variants, weights, design) -> dict:
    counts = [participants[v] for v in variants]
    entry = {"test": None, "statistic": None, "p": None, "flag": None,
             "threshold": SRM_THRESHOLD, "counts": dict(zip(variants, counts, strict=True)),
             "weights": None}
    if design == "within":
        entry["note"] = "within-subjects: every participant uses every variant"
        return entry
    if len(variants) < 2:
        entry["note"] = "only one variant"
        return entry
    result = sample_ratio_test(entry["counts"], weights, SRM_THRESHOLD)
    entry.update(test=result.test, statistic=number(result.statistic), p=number(result.pvalue),
                 flag=bool(result.extra["flag"]), weights=weights,
                 expected=result.extra["expected"])
    return entry
