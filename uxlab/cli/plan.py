"""``uxlab plan``: how many participants a study needs (Sauro & Lewis 2016, ch. 6–7)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click

from uxlab.stats import discovery, planning

_DISCOVERY_GOALS = (0.80, 0.85, 0.90, 0.95)

_confidence_option = click.option(
    "--confidence", type=float, default=0.95, show_default=True,
    help="Confidence level (1 − α), two-sided.")
_power_option = click.option(
    "--power", type=float, default=0.8, show_default=True,
    help="Probability of detecting the difference if it is real (1 − β).")
_json_option = click.option("--json", "as_json", is_flag=True,
                            help="Print one JSON document instead of text.")


@click.group("plan")
def plan_group() -> None:
    """Plan sample sizes: completion margins, comparisons, times, problem discovery."""


@plan_group.command("completion")
@click.option("--margin", type=float, required=True,
              help="Half-width of the completion-rate interval, as a proportion (0.1 = ±10 points).")
@_confidence_option
@click.option("--p", "expected", type=float, default=0.5, show_default=True,
              help="Expected completion rate; 0.5 gives the largest (safest) sample.")
@_json_option
def plan_completion(margin: float, confidence: float, expected: float, as_json: bool) -> None:
    """Participants needed to estimate a completion rate within ± MARGIN."""
    n = _call(planning.sample_size_completion_margin, margin, confidence, expected)
    _emit(as_json, {"plan": "completion", "margin": margin, "confidence": confidence,
                    "p": expected, "participants": n, "method": "adjusted-wald"},
          f"To estimate a completion rate within ±{_points(margin)} points at "
          f"{_percent(confidence)} confidence (adjusted-Wald interval, expected rate "
          f"{_percent(expected)}), test {n} participants.")


@plan_group.command("compare")
@click.option("--p1", type=float, required=True, help="Expected completion rate of one variant.")
@click.option("--p2", type=float, required=True, help="Expected completion rate of the other.")
@_power_option
@_confidence_option
@_json_option
def plan_compare(p1: float, p2: float, power: float, confidence: float, as_json: bool) -> None:
    """Participants per variant to tell two completion rates apart (N−1 two-proportion test)."""
    n = _call(planning.sample_size_compare_proportions, p1, p2, confidence, power)
    _emit(as_json, {"plan": "compare", "p1": p1, "p2": p2, "power": power,
                    "confidence": confidence, "participants_per_variant": n,
                    "participants": 2 * n, "method": "n-1 two-proportion"},
          f"To detect {_percent(p1)} vs {_percent(p2)} completion ({_points(abs(p2 - p1))} "
          f"points) with {_percent(power)} power at {_percent(confidence)} confidence "
          f"(N−1 two-proportion test, between subjects), test {n} participants per variant "
          f"({2 * n} in all).")


@plan_group.command("times")
@click.option("--sd", type=float, required=True,
              help="Expected standard deviation (of the paired differences for --design within). "
                   "For task times use log-seconds.")
@click.option("--difference", type=float, required=True,
              help="Smallest difference worth detecting, in the units of --sd.")
@click.option("--design", type=click.Choice(["between", "within"]), default="between",
              show_default=True, help="Independent groups (per-variant n) or paired.")
@_power_option
@_confidence_option
@_json_option
def plan_times(sd: float, difference: float, design: str, power: float, confidence: float,
               as_json: bool) -> None:
    """Participants needed to detect a difference in mean (log) times with a t-test."""
    paired = design == "within"
    n = _call(planning.sample_size_compare_means, sd, difference, confidence, power, paired)
    who = "participants (each uses both variants)" if paired else "participants per variant"
    _emit(as_json, {"plan": "times", "sd": sd, "difference": difference, "design": design,
                    "power": power, "confidence": confidence,
                    ("participants" if paired else "participants_per_variant"): n,
                    "method": "paired t" if paired else "two-sample t"},
          f"To detect a difference of {difference:g} with a standard deviation of {sd:g} "
          f"({_percent(power)} power, {_percent(confidence)} confidence, "
          f"{'paired' if paired else 'two-sample'} t-test), test {n} {who}.")


@plan_group.command("discovery")
@click.option("--p", "occurrence", type=float,
              help="Probability that a participant meets a given problem (e.g. 0.31).")
@click.option("--matrix", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of participants × problems (1 = met the problem) to estimate p from, "
                   "with Lewis's small-sample adjustment.")
@click.option("--goal", type=float, default=0.85, show_default=True,
              help="Share of such problems to discover.")
@_json_option
def plan_discovery(occurrence: float | None, matrix: Path | None, goal: float,
                   as_json: bool) -> None:
    """Participants needed to discover a share GOAL of problems that occur with probability P."""
    if (occurrence is None) == (matrix is None):
        raise click.UsageError("give exactly one of --p and --matrix")
    document: dict = {"plan": "discovery", "goal": goal}
    lines = []
    if matrix is not None:
        estimate = _call(discovery.estimate_p, read_problem_matrix(matrix))
        occurrence = estimate.p_adjusted
        document["estimate"] = {"p_observed": estimate.p_observed,
                                "p_adjusted": estimate.p_adjusted,
                                "participants": estimate.participants,
                                "problems": estimate.problems,
                                "problems_seen_once": estimate.problems_seen_once,
                                "method": estimate.method}
        lines.append(f"{estimate.participants} participants met {estimate.problems} problems "
                     f"({estimate.problems_seen_once} seen once): observed p = "
                     f"{estimate.p_observed:.3f}, adjusted p = {estimate.p_adjusted:.3f} "
                     "(Lewis 2001).")
    n = _call(planning.sample_size_discovery, occurrence, goal)
    goals = sorted({*_DISCOVERY_GOALS, goal})
    table = {f"{g:g}": planning.sample_size_discovery(occurrence, g) for g in goals}
    document.update({"p": occurrence, "participants": n, "by_goal": table,
                     "method": "1 - (1 - p)^n"})
    lines.append(f"To see {_percent(goal)} of the problems that affect {_percent(occurrence)} "
                 f"of users at least once, test {n} participants.")
    lines.append("")
    lines.append("goal   participants")
    lines += [f"{_percent(float(g)):>4}   {count:>12}" for g, count in table.items()]
    _emit(as_json, document, "\n".join(lines))


def read_problem_matrix(path: Path) -> list[list[int]]:
    """Read a participants × problems CSV of 0/1 (empty = 0).

    A header row and a first column of participant labels are recognised by holding values
    other than 0/1 and skipped. Bad cells raise ``click.ClickException`` naming row and column.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            records = [(number, row) for number, row in enumerate(csv.reader(handle), start=1)
                       if any(cell.strip() for cell in row)]
    except (OSError, csv.Error, UnicodeDecodeError) as error:
        raise _DataError(f"{path}: cannot read the matrix ({error})") from error
    if not records:
        raise _DataError(f"{path}: the matrix is empty")

    def binary(cell: str) -> bool:
        return cell.strip() in ("", "0", "1")

    if not any(binary(cell) for cell in records[0][1][1:]):
        records = records[1:]  # a header: problem names, no 0/1 cell
    labelled = any(not binary(row[0]) for _, row in records)
    matrix, problems = [], []
    for number, row in records:
        cells = row[1:] if labelled else row
        values = []
        for offset, cell in enumerate(cells, start=2 if labelled else 1):
            if not binary(cell):
                problems.append(f"{path}, row {number}, column {offset}: {cell.strip()!r} is "
                                "not 0 or 1")
            values.append(1 if cell.strip() == "1" else 0)
        matrix.append(values)
    if len({len(values) for values in matrix}) > 1:
        problems.append(f"{path}: rows have different numbers of problems")
    if problems:
        raise _DataError("\n".join(problems))
    return matrix


class _DataError(click.ClickException):
    exit_code = 2


def _call(function, *arguments):
    try:
        return function(*arguments)
    except ValueError as error:
        raise click.UsageError(str(error)) from error


def _emit(as_json: bool, document: dict, text: str) -> None:
    click.echo(json.dumps(document, indent=2) if as_json else text)


def _percent(value: float) -> str:
    return f"{100 * value:.4g}%"


def _points(value: float) -> str:
    return f"{100 * value:.4g}"
