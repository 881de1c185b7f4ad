"""``uxlab analyze``: the full analysis of a tidy attempts CSV (and survey CSV)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from uxlab.analysis.service import ADJUSTMENTS, DESIGNS, TIME_MODES, analyze
from uxlab.analysis.text_report import render_text
from uxlab.analysis.tidy import TidyDataError, read_attempts_csv, read_survey_csv

DATA_ERROR_EXIT_CODE = 2


#: ``--benchmark`` names: study-wide targets, and the per-task ones written ``NAME:TASK=VALUE``.
BENCHMARK_NAMES = ("completion", "sus", "seq", "umux_lite", "nps", "time")
_PER_TASK = {"completion": "task_completion", "time": "time"}


def _parse_benchmarks(ctx, param, values: tuple[str, ...]) -> dict:
    """``--benchmark sus=70 --benchmark time:T1=60`` → ``analyze``'s ``benchmarks`` mapping."""
    benchmarks: dict = {}
    for text in values:
        name, equals, value = text.partition("=")
        key, colon, task = name.strip().partition(":")
        if not equals or key not in BENCHMARK_NAMES or (colon and key not in _PER_TASK) or (
                colon and not task.strip()):
            raise click.BadParameter(
                f"{text!r}: expected NAME=VALUE with NAME one of {', '.join(BENCHMARK_NAMES)}, "
                "or completion:TASK=RATE / time:TASK=SECONDS for one task")
        try:
            number = float(value)
        except ValueError:
            raise click.BadParameter(f"{text!r}: {value.strip()!r} is not a number") from None
        if colon:
            benchmarks.setdefault(_PER_TASK[key], {})[task.strip()] = number
        elif key == "time" and isinstance(benchmarks.get("time"), dict):
            raise click.BadParameter(f"{text!r}: give time for every task or per task, not both")
        else:
            benchmarks[key] = number
    return benchmarks


def _check_confidence(ctx, param, value: float) -> float:
    if not 0 < value < 1:
        raise click.BadParameter(f"must be between 0 and 1 (exclusive), got {value}")
    return value


@click.command("analyze")
@click.argument("attempts", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--survey", type=click.Path(dir_okay=False, path_type=Path),
              help="Survey CSV: participant, variant, sus_1 … sus_10, umux_1, umux_2, nps.")
@click.option("--design", type=click.Choice(DESIGNS), default="between", show_default=True,
              help="between: each participant used one variant; within: every variant.")
@click.option("--confidence", type=float, default=0.95, show_default=True,
              callback=_check_confidence, help="Confidence level of intervals (1 − α of tests).")
@click.option("--times", type=click.Choice(TIME_MODES), default="successful", show_default=True,
              help="Analyse the times of successful attempts only, or of all attempts.")
@click.option("--adjust", type=click.Choice(ADJUSTMENTS), default="holm", show_default=True,
              help="Adjustment of pairwise p-values with three or more variants "
                   "(holm, or bh = Benjamini–Hochberg).")
@click.option("--benchmark", "benchmarks", multiple=True, callback=_parse_benchmarks,
              metavar="NAME=VALUE",
              help="A benchmark to test against (repeatable): completion=0.8, sus=70, seq=5.5, "
                   "umux_lite=70, nps=20, time=60 (seconds, every task); per task "
                   "completion:TASK=0.9 or time:TASK=45. Time targets also give the Single "
                   "Usability Metric its time component.")
@click.option("--segment", metavar="COLUMN",
              help="Also analyse within each value of this column of ATTEMPTS, e.g. a "
                   "screener question's screener_<key> column of `uxlab export`: every result "
                   "per segment after the overall one. Empty cells form the segment "
                   "\"(no answer)\".")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
def analyze_command(attempts: Path, survey: Path | None, design: str, confidence: float,
                    times: str, adjust: str, benchmarks: dict, segment: str | None,
                    as_json: bool) -> None:
    """Compare the design variants in ATTEMPTS (a tidy attempts CSV).

    Prints completion rates, task times, errors, clicks and SEQ per task and variant, the
    comparisons between variants in plain language, and the questionnaires of --survey.
    With --segment COLUMN, all of it again within each segment (each value of COLUMN).
    """
    try:
        attempt_table = read_attempts_csv(attempts)
        survey_table = read_survey_csv(survey) if survey is not None else None
        document = analyze(attempt_table, survey_table, design=design, confidence=confidence,
                           times=times, adjust=adjust, benchmarks=benchmarks,
                           segment=segment)
    except TidyDataError as error:
        click.echo(f"Error: {error}", err=True)
        raise click.exceptions.Exit(DATA_ERROR_EXIT_CODE) from error
    except ValueError as error:  # a benchmark out of its range
        raise click.BadParameter(str(error), param_hint="'--benchmark'") from error
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        click.echo(render_text(document), nl=False)
