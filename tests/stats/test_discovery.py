"""Problem discovery: 1 − (1 − p)^n, participants needed, Lewis-adjusted p."""

import math

import pytest

from uxlab.stats.discovery import (
    discovery_curve,
    discovery_probability,
    estimate_p,
    participants_needed,
)


def test_five_users_find_about_85_percent_at_p_031():
    # Nielsen (2000), "Why you only need to test with 5 users" (Nielsen & Landauer 1993):
    # with L = 31%, five users find about 85% of the problems: 1 − 0.69^5 = 0.8436.
    assert discovery_probability(0.31, 5) == pytest.approx(0.8436, abs=5e-5)
    assert discovery_probability(0.31, 5) == pytest.approx(0.85, abs=0.01)


def test_participants_needed_reproduces_measuringu_butterfly_ballot_example():
    # MeasuringU (https://measuringu.com/qualitative_sidebar/): p = .10, 90% likelihood of detection
    # → n = log(.10)/log(.90) = 21.85, i.e. 22 users.
    assert participants_needed(0.10, 0.90) == 22


@pytest.mark.parametrize(("goal", "expected"), [(0.80, 5), (0.85, 6), (0.90, 7), (0.95, 9)])
def test_participants_needed_for_common_goals_at_p_031(goal, expected):
    # Independent hand computation: ln(1 − goal)/ln(0.69) = 4.33, 5.11, 6.20, 8.08 → ceil.
    assert participants_needed(0.31, goal) == expected


def test_participants_needed_does_not_round_an_exact_integer_up():
    # 1 − 0.5² = 0.75 exactly: two participants suffice.
    assert participants_needed(0.5, 0.75) == 2


def test_discovery_curve_lists_each_sample_size():
    curve = discovery_curve(0.31, 3)
    assert [n for n, _ in curve] == [1, 2, 3]
    assert [prob for _, prob in curve] == pytest.approx([0.31, 1 - 0.69**2, 1 - 0.69**3])


MATRIX = [
    [1, 1, 0, 0, 1],
    [1, 0, 1, 0, 0],
    [1, 1, 0, 0, 0],
    [1, 0, 0, 1, 0],
]


def test_lewis_adjustment_by_hand():
    # Independent hand computation of Lewis (2001) / Sauro & Lewis (2016, ch. 7):
    # n = 4, N = 5, N1 = 3 (problems 3–5 seen once), p_est = 9/20 = 0.45;
    # normalization (0.45 − 1/4)(1 − 1/4) = 0.15; Good–Turing 0.45/(1 + 3/5) = 0.28125;
    # p_adj = (0.15 + 0.28125)/2 = 0.215625.
    result = estimate_p(MATRIX)
    assert result.p_observed == pytest.approx(0.45)
    assert result.p_adjusted == pytest.approx(0.215625)
    assert (result.participants, result.problems, result.problems_seen_once) == (4, 5, 3)


def test_problems_nobody_saw_are_ignored():
    padded = [row + [0] for row in MATRIX]
    assert estimate_p(padded) == estimate_p(MATRIX)


def test_single_participant_keeps_only_the_good_turing_half():
    # n = 1: the normalization term is 0; every problem is seen once so GT = p/2.
    assert estimate_p([[1, 1, 1]]).p_adjusted == pytest.approx(0.25)


@pytest.mark.parametrize(("matrix", "message"), [
    ([[0, 0], [0, 0]], "no problem"),
    ([[1, 2]], "only 0 and 1"),
    ([], "at least one"),
    ([[1, 0], [1]], "rectangular"),
])
def test_bad_matrices_are_rejected(matrix, message):
    with pytest.raises(ValueError, match=message):
        estimate_p(matrix)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: discovery_probability(0, 5), "p must be"),
    (lambda: discovery_probability(0.3, -1), "non-negative"),
    (lambda: participants_needed(0.3, 1.0), "goal must be"),
    (lambda: discovery_curve(0.3, 0), "positive integer"),
    (lambda: participants_needed(math.nan, 0.9), "p must be"),
])
def test_bad_arguments_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()
