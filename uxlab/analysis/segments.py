"""The analysis within each segment of the participants: each value of one column of the attempts.

``uxlab analyze attempts.csv --segment screener_shopping`` (and ``analyze(…, segment=…)``)
splits the rows by the value of a column — typically a screener question's ``screener_<key>``
column of the export, but any column of the tidy attempts works — and runs the same analysis
(:func:`uxlab.analysis.service.analyze_tables`) within each value: the comparisons between
variants are made among the participants of one segment, never between segments.

Rules (docs/analysis-json.md, ``segments``):

- an empty cell is a segment of its own, labelled :data:`NO_ANSWER` (``value`` null), so nobody
  is left out of the segment results silently;
- the survey rows follow the survey's own column when the survey has it; otherwise a
  participant's survey answers about a variant belong to each segment where they have an attempt
  in that variant (the rule of the dataset filters);
- a segment whose rows cannot be analysed (within subjects, a participant who lacks a variant in
  it) keeps its counts and says why in ``note``; a segment with one variant says there is
  nothing to compare in it.
"""

from __future__ import annotations

import numpy as np

from uxlab.analysis.problems import Problem, TidyDataError, join_words
from uxlab.analysis.service import analyze_tables, variant_names, variant_weights
from uxlab.analysis.tidy import AttemptTable, SurveyTable, check_design, natural_key
from uxlab.screening.spec import NO_ANSWER  # the label of the segment of empty cells

#: The document parts each segment repeats (those of the top level that depend on the rows).
PARTS = ("variants", "srm", "tasks", "questionnaires", "usability_metric")


def segment_column(attempts: AttemptTable, column: str) -> np.ndarray:
    """The text of ``column`` in every attempt row (``""`` = no answer).

    Raises :class:`TidyDataError` naming the column and the file, and listing the columns
    there are, when the attempts have no such column.
    """
    name = column.strip().lower()
    if name in attempts.others:
        return attempts.others[name]
    if name in attempts.columns:
        values = getattr(attempts, name)
        if values.dtype.kind == "f":  # a number column: its cells as written, "" if empty
            return np.array(["" if np.isnan(v) else f"{v:g}" for v in values.tolist()])
        return values.astype(np.str_)
    raise TidyDataError([Problem(None, None, f"there is no column {column!r} to segment by; the "
                                          f"columns are {join_words(attempts.columns)}")],
                        attempts.source)


def segment_results(attempts: AttemptTable, survey: SurveyTable | None, column: str,
                    weights, settings: dict) -> dict:
    """The ``segments`` part of the analysis document: the analysis within each value.

    ``settings`` are the checked ``design``, ``confidence``, ``times``, ``adjust`` and
    ``benchmarks`` of the whole analysis; ``weights`` the assignment weights as ``analyze``
    takes them (restricted to each segment's variants).
    """
    values = segment_column(attempts, column)
    weight_of = variant_weights(weights, variant_names(attempts, survey))
    survey_values = _survey_segments(attempts, values, survey, column.strip().lower())
    groups = []
    for value in sorted(set(values.tolist()), key=lambda v: (v == "", natural_key(v))):
        rows = attempts.subset(values == value)
        answers = None
        if survey is not None:
            kept = survey_values(value)
            answers = survey.subset(kept) if kept.any() else None
        entry = {"value": value or None, "label": value or NO_ANSWER,
                 "participants": len(np.union1d(rows.participants.names,
                                                [] if answers is None
                                                else answers.participants.names)),
                 "attempts": len(rows)}
        try:
            check_design(rows, settings["design"], answers)
            present = variant_names(rows, answers)
            entry.update(analyze_tables(rows, answers, {v: weight_of[v] for v in present},
                                        **settings))
        except TidyDataError as error:
            entry.update(dict.fromkeys(PARTS))
            entry["note"] = "; ".join(problem.message for problem in error.problems)
        else:
            if len(present) < 2:
                entry["note"] = (f"only variant {present[0]} in this segment: its variants "
                                 "could not be compared")
        groups.append(entry)
    return {"column": column.strip().lower(), "groups": groups}


def _survey_segments(attempts: AttemptTable, values: np.ndarray, survey: SurveyTable | None,
                     column: str):
    """A function of a segment value giving the survey rows that belong to it (a mask)."""
    if survey is None:
        return None
    if column in survey.others:
        own = survey.others[column]
        return lambda value: own == value
    pairs = np.char.add(np.char.add(attempts.participant.astype(np.str_), "\x1f"),
                        attempts.variant.astype(np.str_))
    answered = np.char.add(np.char.add(survey.participant.astype(np.str_), "\x1f"),
                           survey.variant.astype(np.str_))
    return lambda value: np.isin(answered, pairs[values == value])

