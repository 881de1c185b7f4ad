"""Seeded generator of realistic tidy attempts and survey answers.

Used by the tests, the analysis benchmark and ``uxlab demo --simulate``. The numbers are plausible
rather than a model of any real study: completion follows a per-variant rate shifted per task on
the logit scale, times are lognormal (participants differ in speed, failures take longer), errors
and clicks are Poisson, SEQ tracks success, and each participant's SUS, UMUX-Lite and NPS answers
follow the share of tasks they completed. The same seed always gives the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from uxlab.analysis.tidy import ATTEMPT_COLUMNS, SUS_ITEMS, UMUX_ITEMS
from uxlab.csvutil import csv_line

_FAILED_OUTCOMES = ("partial", "failure", "abandoned", "timeout")
_FAILED_OUTCOME_SHARES = (0.25, 0.45, 0.2, 0.1)


@dataclass(frozen=True, eq=False)
class SimulatedStudy:
    """Generated rows in the tidy CSV layout (``None`` marks a missing value)."""

    design: str
    variants: tuple[str, ...]
    tasks: tuple[str, ...]
    attempts: list[dict[str, object]]
    survey: list[dict[str, object]]

    @property
    def survey_columns(self) -> list[str]:
        return list(self.survey[0].keys()) if self.survey else []


def simulate_study(participants: int = 24, tasks: int = 5,
                   variants: Sequence[str] = ("A", "B"), design: str = "between", *,
                   completion: Mapping[str, float] | Sequence[float] | None = None,
                   time_ratio: Mapping[str, float] | Sequence[float] | None = None,
                   weights: Sequence[float] | None = None, missing: float = 0.02,
                   extra_questions: bool = False, seed: int = 0) -> SimulatedStudy:
    """Generate a study's attempts and survey answers.

    Parameters
    ----------
    participants : int
        Number of people. Between subjects they are split over the variants in proportion to
        ``weights`` (equal by default); within subjects each uses every variant.
    tasks : int
        Number of tasks, named ``T1`` … ``Tn``.
    variants : sequence of str
        Variant names.
    design : {"between", "within"}
    completion : mapping or sequence of float, optional
        Typical completion rate per variant (default 0.70 for the first variant, rising by 0.08
        per variant, capped at 0.95); each task shifts it on the logit scale.
    time_ratio : mapping or sequence of float, optional
        Multiplier of task times per variant (default 1.0 for the first, 0.9 for the next, …).
    weights : sequence of float, optional
        Assignment weights of the variants (between subjects).
    missing : float
        Share of SEQ answers, times and questionnaire items left empty.
    extra_questions : bool
        Add the optional ``csat`` (1–5) and ``ces`` (1–7) survey columns.
    seed : int
        Seed of the random generator.
    """
    variants = tuple(str(v) for v in variants)
    if design not in ("between", "within"):
        raise ValueError(f"design must be 'between' or 'within', got {design!r}")
    if participants < 1 or tasks < 1 or not variants:
        raise ValueError(f"need at least one participant, task and variant; got participants="
                         f"{participants}, tasks={tasks}, variants={variants}")
    if not 0 <= missing < 1:
        raise ValueError(f"missing must be in [0, 1), got {missing!r}")
    rates = _per_variant(completion, variants,
                         [min(0.7 + 0.08 * i, 0.95) for i in range(len(variants))], "completion")
    ratios = _per_variant(time_ratio, variants, [0.9 ** i for i in range(len(variants))],
                          "time_ratio")
    if np.any((rates <= 0) | (rates >= 1)):
        raise ValueError(f"completion rates must be strictly between 0 and 1, got {rates}")
    rng = np.random.default_rng(seed)
    names = np.array([f"P{i + 1:0{len(str(participants))}d}" for i in range(participants)])
    task_names = np.array([f"T{t + 1}" for t in range(tasks)])

    if design == "between":
        person_variant = _assign(participants, len(variants), weights, rng)
        person, variant_index = np.arange(participants), person_variant
    else:
        person = np.repeat(np.arange(participants), len(variants))
        variant_index = np.tile(np.arange(len(variants)), participants)
    # One attempt per (person, variant) pair and task.
    person = np.repeat(person, tasks)
    variant_index = np.repeat(variant_index, tasks)
    task_index = np.tile(np.arange(tasks), len(person) // tasks)
    count = len(person)

    task_shift = rng.normal(0.0, 0.5, tasks)
    ability = rng.normal(0.0, 0.6, participants)
    logit = np.log(rates / (1 - rates))[variant_index] + task_shift[task_index] + ability[person]
    success = rng.random(count) < 1 / (1 + np.exp(-logit))

    base_time = rng.uniform(25.0, 120.0, tasks)
    speed = rng.normal(0.0, 0.25, participants)
    log_time = (np.log(base_time[task_index] * ratios[variant_index]) + speed[person]
                + np.where(success, 0.0, 0.3) + rng.normal(0.0, 0.4, count))
    time_s = np.round(np.exp(log_time), 1)
    errors = rng.poisson(np.where(success, 0.3, 1.2))
    optimal_clicks = rng.integers(3, 12, tasks)
    clicks = optimal_clicks[task_index] + rng.poisson(1.0 + 2.0 * errors)
    seq = np.clip(np.rint(np.where(success, rng.normal(5.8, 1.0, count),
                                   rng.normal(3.8, 1.3, count))), 1, 7).astype(int)
    outcome = np.where(success, "success",
                       rng.choice(_FAILED_OUTCOMES, size=count, p=_FAILED_OUTCOME_SHARES))
    seq_missing = rng.random(count) < missing
    time_missing = rng.random(count) < missing / 4

    attempts = [
        {"participant": p, "variant": v, "task": t, "outcome": o, "success": int(s),
         "time_s": None if tm else ts, "errors": e, "clicks": c, "seq": None if sm else q}
        for p, v, t, o, s, ts, tm, e, c, q, sm in zip(
            names[person].tolist(), np.array(variants)[variant_index].tolist(),
            task_names[task_index].tolist(), outcome.tolist(), success.tolist(), time_s.tolist(),
            time_missing.tolist(), errors.tolist(), clicks.tolist(), seq.tolist(),
            seq_missing.tolist(), strict=True)
    ]
    survey = _survey(person, variant_index, success, names, variants, missing, extra_questions,
                     rng)
    return SimulatedStudy(design, variants, tuple(task_names.tolist()), attempts, survey)


def write_csvs(study: SimulatedStudy, attempts_path: str | Path,
               survey_path: str | Path | None = None) -> None:
    """Write the study's attempts (and, given a path, survey) as tidy CSV files."""
    _write_csv(Path(attempts_path), list(ATTEMPT_COLUMNS), study.attempts)
    if survey_path is not None:
        _write_csv(Path(survey_path), study.survey_columns, study.survey)


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(csv_line(columns, "\r\n"))
        handle.writelines(csv_line([row[c] for c in columns], "\r\n") for row in rows)


def _per_variant(values, variants, default, name) -> np.ndarray:
    if values is None:
        return np.array(default, dtype=float)
    if isinstance(values, Mapping):
        unknown = set(values) - set(variants)
        if unknown:
            raise ValueError(f"{name} names unknown variants {sorted(unknown)}")
        return np.array([values.get(v, d) for v, d in zip(variants, default, strict=True)],
                        dtype=float)
    if len(values) != len(variants):
        raise ValueError(f"{name} needs one value per variant ({len(variants)}), got {values!r}")
    return np.array(values, dtype=float)


def _assign(participants: int, variant_count: int, weights, rng) -> np.ndarray:
    """Assign people to variants in proportion to the weights, in shuffled order."""
    shares = np.full(variant_count, 1.0 / variant_count) if weights is None else np.asarray(
        weights, dtype=float)
    if len(shares) != variant_count or np.any(shares < 0) or shares.sum() <= 0:
        raise ValueError(f"weights need one non-negative value per variant, got {weights!r}")
    shares = shares / shares.sum()
    counts = np.floor(shares * participants).astype(int)
    # Hand the people left over by rounding to the variants with the largest remainders.
    leftover = participants - counts.sum()
    counts[np.argsort(-(shares * participants - counts))[:leftover]] += 1
    return rng.permutation(np.repeat(np.arange(variant_count), counts))


def _survey(person, variant_index, success, names, variants, missing, extra_questions, rng):
    """One questionnaire row per (participant, variant), following the share of tasks done."""
    pair = person * len(variants) + variant_index
    pairs, inverse = np.unique(pair, return_inverse=True)
    done = np.bincount(inverse, weights=success) / np.bincount(inverse)
    size = len(pairs)
    # A SUS-like satisfaction level (0–100) that rises with the share of tasks completed.
    level = np.clip(45.0 + 40.0 * done + rng.normal(0.0, 12.0, size), 0.0, 100.0)
    agreement = level / 25.0  # 0–4 on each SUS item's positive direction
    sus = np.empty((size, 10), dtype=int)
    for item in range(10):
        answer = agreement + rng.normal(0.0, 0.8, size)
        answer = answer + 1 if item % 2 == 0 else 5 - answer
        sus[:, item] = np.clip(np.rint(answer), 1, 5)
    umux = np.clip(np.rint(1 + 6 * level[:, None] / 100 + rng.normal(0.0, 0.8, (size, 2))),
                   1, 7).astype(int)
    nps = np.clip(np.rint(level / 10 + rng.normal(0.0, 1.5, size)), 0, 10).astype(int)
    csat = np.clip(np.rint(1 + 4 * level / 100 + rng.normal(0.0, 0.7, size)), 1, 5).astype(int)
    ces = np.clip(np.rint(1 + 6 * level / 100 + rng.normal(0.0, 0.9, size)), 1, 7).astype(int)
    blank = rng.random((size, 15)) < missing
    rows = []
    for i, code in enumerate(pairs.tolist()):
        row = {"participant": str(names[code // len(variants)]),
               "variant": variants[code % len(variants)]}
        answers = [*sus[i].tolist(), *umux[i].tolist(), int(nps[i])]
        for j, (column, value) in enumerate(zip((*SUS_ITEMS, *UMUX_ITEMS, "nps"), answers,
                                                strict=True)):
            row[column] = None if blank[i, j] else value
        if extra_questions:
            row["csat"] = None if blank[i, 13] else int(csat[i])
            row["ces"] = None if blank[i, 14] else int(ces[i])
        rows.append(row)
    return rows
