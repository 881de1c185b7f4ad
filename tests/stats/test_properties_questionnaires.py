"""Property tests (hypothesis) for questionnaires, discovery, planning and effect sizes.

Invariants: scores stay on their scales, intervals contain their estimates and stay in range,
swapping groups negates differences, and sample sizes move the obvious way.
"""

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from uxlab.stats.discovery import discovery_probability, estimate_p, participants_needed
from uxlab.stats.effects import cohens_d, hedges_g, paired_d
from uxlab.stats.nps import nps, nps_difference
from uxlab.stats.planning import (
    sample_size_compare_means,
    sample_size_compare_nps,
    sample_size_compare_proportions,
    sample_size_completion_margin,
    sample_size_matched_proportions,
)
from uxlab.stats.questionnaires import (
    SUS_GRADES,
    csat_top_two_box,
    seq_summary,
    sus_grade,
    sus_percentile,
    sus_score,
    sus_scores,
    umux_lite_score,
    umux_lite_sus_equivalent,
)
from uxlab.stats.ratings import compare_means_between, compare_means_within

settings.register_profile("uxlab-stats", deadline=None, max_examples=60)
settings.load_profile("uxlab-stats")

item = st.integers(min_value=1, max_value=5)
sus_responses = st.lists(item, min_size=10, max_size=10)
sus_value = st.floats(min_value=0, max_value=100, allow_nan=False)
confidence = st.sampled_from([0.8, 0.9, 0.95, 0.99])
ratings7 = st.lists(st.integers(min_value=1, max_value=7), min_size=2, max_size=30)
ltr = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=60)
unit = st.floats(min_value=0.01, max_value=0.99)
grade_rank = {grade: rank for rank, (_, grade, _) in enumerate(reversed(SUS_GRADES))}


@given(sus_responses)
def test_sus_score_is_on_scale_in_steps_of_2_5(responses):
    score = sus_score(responses)
    assert 0 <= score <= 100
    assert (score / 2.5).is_integer()


@given(sus_responses, st.integers(min_value=0, max_value=9))
def test_one_missing_item_stays_on_scale(responses, missing):
    responses = list(responses)
    responses[missing] = None
    assert 0 <= sus_score(responses) <= 100


@given(st.lists(st.lists(st.one_of(item, st.none()), min_size=10, max_size=10), max_size=40))
def test_sus_scores_equal_sus_score_row_by_row(rows):
    scores = sus_scores(np.array([[math.nan if v is None else v for v in row] for row in rows],
                                 dtype=float).reshape(len(rows), 10))
    for row, score in zip(rows, scores, strict=True):
        if sum(v is None for v in row) > 1:
            assert math.isnan(score)
        else:
            assert score == sus_score(row)  # the same operations: equal to the last bit


@given(sus_value, sus_value)
def test_grade_and_percentile_are_monotone(a, b):
    low, high = sorted((a, b))
    assert grade_rank[sus_grade(low)] <= grade_rank[sus_grade(high)]
    assert 0 <= sus_percentile(low) <= sus_percentile(high) <= 100


@given(st.integers(1, 7), st.integers(1, 7))
def test_umux_lite_and_its_sus_equivalent_stay_on_scale(a, b):
    score = umux_lite_score(a, b)
    assert 0 <= score <= 100
    assert 22.9 <= umux_lite_sus_equivalent(score) <= 87.9 + 1e-9


@given(ratings7, confidence)
def test_seq_interval_contains_its_mean(ratings, level):
    result = seq_summary(ratings, level)
    assert result.low <= result.estimate <= result.high


@given(ltr, confidence)
def test_nps_interval_is_in_range_and_contains_the_adjusted_score(scores, level):
    result = nps(scores, level)
    assert -100 <= result.low <= result.high <= 100
    assert -100 <= result.estimate <= 100
    assert result.low - 1e-9 <= result.adjusted_estimate <= result.high + 1e-9
    assert result.promoters + result.passives + result.detractors == result.n == len(scores)


@given(ltr, ltr)
def test_nps_difference_is_antisymmetric(a, b):
    forward = nps_difference(a, b)
    backward = nps_difference(b, a)
    assert forward.difference == -backward.difference
    assert math.isclose(forward.statistic, -backward.statistic, abs_tol=1e-12)
    assert math.isclose(forward.pvalue, backward.pvalue, rel_tol=1e-9)
    assert 0 <= forward.pvalue <= 1


@given(st.lists(st.integers(1, 5), min_size=1, max_size=50), confidence)
def test_csat_interval_is_a_proportion_containing_the_estimate(ratings, level):
    result = csat_top_two_box(ratings, confidence=level)
    assert 0 <= result.low <= result.estimate <= result.high <= 1


@given(ratings7, ratings7)
def test_swapping_groups_negates_the_between_comparison(a, b):
    assume(len(set(a)) > 1 or len(set(b)) > 1)
    forward = compare_means_between(a, b)
    backward = compare_means_between(b, a)
    assert math.isclose(forward.difference, -backward.difference, abs_tol=1e-12)
    assert math.isclose(forward.pvalue, backward.pvalue, rel_tol=1e-9)
    assert forward.interval.low <= forward.difference <= forward.interval.high
    if len(set(a)) > 1 and len(set(b)) > 1:
        assert math.isclose(cohens_d(a, b), -cohens_d(b, a), abs_tol=1e-12)
        assert abs(hedges_g(a, b)) <= abs(cohens_d(a, b)) + 1e-12


@given(st.lists(st.tuples(st.integers(1, 7), st.integers(1, 7)), min_size=2, max_size=30))
def test_swapping_conditions_negates_the_within_comparison(pairs):
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    assume(len({y - x for x, y in pairs}) > 1)
    forward = compare_means_within(a, b)
    backward = compare_means_within(b, a)
    assert math.isclose(forward.difference, -backward.difference, abs_tol=1e-12)
    assert math.isclose(paired_d(a, b), -paired_d(b, a), abs_tol=1e-12)
    assert forward.interval.low <= forward.difference <= forward.interval.high


@given(st.lists(st.lists(st.integers(0, 1), min_size=6, max_size=6), min_size=1, max_size=12))
def test_lewis_adjustment_deflates_into_the_unit_interval(matrix):
    assume(any(any(row) for row in matrix))
    result = estimate_p(matrix)
    assert 0 < result.p_adjusted <= result.p_observed <= 1


@given(unit, st.floats(min_value=0.5, max_value=0.99))
def test_participants_needed_is_the_smallest_n_reaching_the_goal(p, goal):
    n = participants_needed(p, goal)
    assert discovery_probability(p, n) >= goal - 1e-12
    assert n == 1 or discovery_probability(p, n - 1) < goal


@given(unit, st.floats(0.5, 0.9), st.floats(0.01, 0.09))
def test_discovery_sample_size_is_monotone(p, goal, step):
    assert participants_needed(p, goal) <= participants_needed(p, goal + step)
    assert participants_needed(min(p + step, 0.99), goal) <= participants_needed(p, goal)


@given(st.floats(0.02, 0.3), st.floats(0.001, 0.05), unit, confidence)
def test_completion_margin_sample_size_is_monotone(margin, step, p, level):
    assert sample_size_completion_margin(margin + step, level, p) <= \
        sample_size_completion_margin(margin, level, p)
    assert sample_size_completion_margin(margin, 0.8, p) <= \
        sample_size_completion_margin(margin, 0.99, p)


@given(st.floats(0.05, 0.9), st.floats(0.02, 0.5), st.floats(0.01, 0.2))
def test_proportion_sample_size_falls_as_the_gap_widens(p1, gap, extra):
    assume(p1 + gap + extra < 0.99)
    assert sample_size_compare_proportions(p1, p1 + gap + extra) <= \
        sample_size_compare_proportions(p1, p1 + gap)
    assert sample_size_compare_proportions(p1, p1 + gap, power=0.7) <= \
        sample_size_compare_proportions(p1, p1 + gap, power=0.9)


@given(st.floats(0.1, 10), st.floats(0.05, 5), st.floats(1.01, 3), st.booleans())
def test_means_sample_size_is_monotone(sd, difference, factor, paired):
    n = sample_size_compare_means(sd, difference, paired=paired)
    assert sample_size_compare_means(sd * factor, difference, paired=paired) >= n
    assert sample_size_compare_means(sd, difference * factor, paired=paired) <= n
    assert sample_size_compare_means(sd, difference, power=0.9, paired=paired) >= n


@given(st.floats(0.0, 0.4), st.floats(0.02, 0.4), st.floats(0.01, 0.2))
def test_matched_sample_size_falls_as_the_gap_widens(p_only_a, gap, extra):
    assume(p_only_a + (p_only_a + gap + extra) <= 1)
    n = sample_size_matched_proportions(p_only_a, p_only_a + gap)
    assert sample_size_matched_proportions(p_only_a, p_only_a + gap + extra) <= n
    assert sample_size_matched_proportions(p_only_a + gap, p_only_a) == n  # direction-free
    assert sample_size_matched_proportions(p_only_a, p_only_a + gap, power=0.9) >= n
    assert sample_size_matched_proportions(p_only_a, p_only_a + gap, confidence=0.9) <= n


@given(st.floats(0.05, 0.5), st.floats(0.05, 0.4), st.floats(0.02, 0.3), st.floats(0.01, 0.2))
def test_nps_sample_size_falls_as_the_gap_widens(promoters, detractors, gap, extra):
    assume(promoters + gap + extra + detractors <= 1)
    n = sample_size_compare_nps(promoters, detractors, promoters + gap, detractors)
    assert sample_size_compare_nps(promoters, detractors, promoters + gap + extra,
                                   detractors) <= n
    assert sample_size_compare_nps(promoters + gap, detractors, promoters, detractors) == n
    assert sample_size_compare_nps(promoters, detractors, promoters + gap, detractors,
                                   power=0.9) >= n

