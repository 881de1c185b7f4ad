"""Task-time statistics against published worked examples and independent computations.

Several published t-test examples are on raw values; passing exp(values) makes uxlab's log
transform give those values back, so the published t, df and p apply unchanged.
"""

import math

import numpy as np
import pytest
from scipy import stats

from uxlab.stats.times import (
    benchmark_time_test,
    best_average,
    compare_times_between,
    compare_times_within,
    geometric_mean_interval,
    median_interval,
    times_omnibus,
)

# mtcars (Henderson & Velleman, 1981), as shipped with R: mpg, transmission (am) and cylinders.
MPG = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4,
       10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7,
       15.0, 21.4]
AM = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
CYL = [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4]
WT = [2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440, 4.070, 3.730,
      3.780, 5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520, 3.435, 3.840, 3.845, 1.935,
      2.140, 1.513, 3.170, 2.770, 3.570, 2.780]


def test_geometric_mean_measuringu_calculator_example():
    # Sauro, "Graph and calculator for confidence intervals for task times" (measuringu.com/
    # time_intervals): times 55, 65, 75, 62, 45, 135 at 95% -> "Average Time: 68 seconds,
    # 95% CI (46, 101)".
    result = geometric_mean_interval([55, 65, 75, 62, 45, 135])
    assert round(result.estimate) == 68
    assert (round(result.low), round(result.high)) == (46, 101)
    assert result.n == 6


def test_median_interval_ranks_gardner_altman():
    # Gardner & Altman, Statistics with Confidence, ch. 8 (as quoted by Soe & Sullivan's OpenEpi
    # documentation): for n = 100 the 95% interval of the median runs from the 40th to the 61st
    # ordered value. With times 1..100 the bounds are the ranks themselves.
    result = median_interval(np.arange(1, 101))
    assert (result.low, result.high) == (40, 61)
    assert result.estimate == 50.5


def test_median_interval_exact_coverage_by_hand():
    # n = 20: P(X ≤ 5) = 0.0207 ≤ 0.025 < P(X ≤ 6) = 0.0577 for X ~ Bin(20, ½), so the interval
    # is (t(6), t(15)) with coverage 1 − 2 · 0.0207 = 95.9%.
    assert stats.binom.cdf(5, 20, 0.5) <= 0.025 < stats.binom.cdf(6, 20, 0.5)
    result = median_interval(np.arange(1, 21) * 10.0)
    assert (result.low, result.high) == (60.0, 150.0)


def test_median_interval_refuses_too_few_times():
    with pytest.raises(ValueError, match="too few"):
        median_interval([10, 20, 30, 40, 50])  # the range covers only 93.8%


def test_best_average_switches_at_25():
    assert best_average(np.linspace(10, 60, 24)).method.startswith("geometric mean")
    assert best_average(np.linspace(10, 60, 25)).method.startswith("median")


def test_welch_t_matches_published_mtcars_output():
    # R, t.test(mpg ~ am, data = mtcars) (Welch), printed e.g. at rstudio-pubs 1153739:
    # t = -3.7671, df = 18.332, p-value = 0.001374, 95% CI -11.280194 to -3.209684
    # (automatic minus manual). Here A = manual, B = automatic, on exp(mpg).
    manual = [math.exp(m) for m, a in zip(MPG, AM, strict=True) if a == 1]
    automatic = [math.exp(m) for m, a in zip(MPG, AM, strict=True) if a == 0]
    result = compare_times_between(manual, automatic)
    assert round(result.statistic, 4) == -3.7671
    assert round(result.df, 3) == 18.332
    assert round(result.pvalue, 6) == 0.001374
    assert math.log(result.interval.low) == pytest.approx(-11.280194, abs=1e-6)
    assert math.log(result.interval.high) == pytest.approx(-3.209684, abs=1e-6)
    assert math.log(result.difference) == pytest.approx(17.14737 - 24.39231, abs=1e-5)


def test_welch_between_reports_ratio_and_hedges_g():
    a, b = [30, 45, 60, 52, 41], [60, 90, 120, 104, 82]  # every B time is exactly twice A's
    result = compare_times_between(a, b)
    assert result.difference == pytest.approx(2.0)
    assert result.extra["geometric_mean_b"] == pytest.approx(2 * result.extra["geometric_mean_a"])
    # Hedges' g by hand on the log times: equal variances, so d = ln 2 / s, J = 1 − 3/(4·10 − 9).
    s = np.log(a).std(ddof=1)
    assert result.extra["hedges_g"] == pytest.approx(math.log(2) / s * (1 - 3 / 31), rel=2e-3)


def test_paired_t_student_sleep_data():
    # Student (1908) sleep data (R's `sleep`), paired: extra sleep with drug 1 minus drug 2,
    # t = -4.0621, df = 9, p = 0.002833, 95% CI -2.4598858 to -0.7001142. Independent check by
    # the hand formula t = mean(d) / (sd(d) / √n).
    drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    d = np.subtract(drug1, drug2)
    assert d.mean() / (d.std(ddof=1) / math.sqrt(10)) == pytest.approx(-4.0621, abs=1e-4)
    result = compare_times_within(np.exp(drug2), np.exp(drug1))
    assert round(result.statistic, 4) == -4.0621
    assert result.df == 9
    assert round(result.pvalue, 6) == 0.002833
    assert math.log(result.interval.low) == pytest.approx(-2.4598858, abs=1e-7)
    assert math.log(result.interval.high) == pytest.approx(-0.7001142, abs=1e-7)


def test_benchmark_time_one_sided_by_hand():
    # Sauro & Lewis ch. 4 method; hand computation of the one-sample t on log times.
    times = [40, 52, 38, 61, 45, 49, 70, 36]
    logs = np.log(times)
    t = (logs.mean() - math.log(60)) / (logs.std(ddof=1) / math.sqrt(8))
    result = benchmark_time_test(times, target=60)
    assert result.statistic == pytest.approx(t)
    assert result.pvalue == pytest.approx(stats.t.cdf(t, 7))
    assert result.alternative == "less"
    assert stats.t.cdf(t, 7) < 0.05
    assert result.extra["meets_target"] is True
    upper = math.exp(logs.mean() + stats.t.ppf(0.95, 7) * logs.std(ddof=1) / math.sqrt(8)) / 60
    assert result.interval.high == pytest.approx(upper)


def test_welch_anova_published_mtcars_output():
    # R, oneway.test(wt ~ cyl, data = mtcars) as recorded in the statsExpressions test snapshot
    # (tests/testthat/_snaps/oneway_anova_parametric.md): F_Welch(2, 18.97383) = 20.24946,
    # p = 0.00002 (1.96e-5); the same data give Fisher's F(2, 29) = 22.91139, which we also check
    # to confirm the data. Times are exp(wt) so the log scale gives wt back.
    groups = [[w for w, c in zip(WT, CYL, strict=True) if c == k] for k in (4, 6, 8)]
    assert stats.f_oneway(*groups).statistic == pytest.approx(22.91139, abs=1e-5)
    result = times_omnibus([np.exp(g) for g in groups])
    assert result.statistic == pytest.approx(20.24946, abs=1e-5)
    assert result.df == pytest.approx(18.97383, abs=1e-5)
    assert result.extra["df_num"] == 2
    assert result.pvalue == pytest.approx(1.96e-5, abs=5e-8)


def test_welch_anova_of_two_groups_is_welch_t_squared():
    # Independent identity: for k = 2 Welch's ANOVA F equals the Welch t statistic squared, with
    # the same (Welch–Satterthwaite) denominator degrees of freedom.
    a, b = [31, 45, 28, 60, 52, 38], [70, 55, 90, 120, 66]
    welch = stats.ttest_ind(np.log(b), np.log(a), equal_var=False)
    result = times_omnibus([a, b])
    assert result.statistic == pytest.approx(welch.statistic ** 2)
    assert result.df == pytest.approx(welch.df)
    assert result.pvalue == pytest.approx(welch.pvalue)


def test_kruskal_wallis_reported_beside_welch():
    # Data of R's kruskal.test help example (Hollander & Wolfe, 1973, p. 116). H by hand from the
    # ranks: 12 / (N (N + 1)) Σ Rᵢ² / nᵢ − 3 (N + 1), no ties.
    groups = [[2.9, 3.0, 2.5, 2.6, 3.2], [3.8, 2.7, 4.0, 2.4], [2.8, 3.4, 3.7, 2.2, 2.0]]
    ranks = stats.rankdata(np.concatenate(groups))
    sums = [ranks[:5].sum(), ranks[5:9].sum(), ranks[9:].sum()]
    h = 12 / (14 * 15) * (sums[0] ** 2 / 5 + sums[1] ** 2 / 4 + sums[2] ** 2 / 5) - 3 * 15
    kruskal = times_omnibus(groups).extra["kruskal_wallis"]
    assert kruskal.statistic == pytest.approx(h)
    assert round(kruskal.statistic, 5) == 0.77143
    assert kruskal.pvalue == pytest.approx(math.exp(-h / 2))


@pytest.mark.parametrize("call, message", [
    (lambda: geometric_mean_interval([]), "at least 2"),
    (lambda: geometric_mean_interval([30, -2, 40]), "positive finite seconds, got -2.0 at "
                                                    "position 1"),
    (lambda: geometric_mean_interval([30, 0]), "got 0.0"),
    (lambda: geometric_mean_interval([30, float("nan")]), "nan"),
    (lambda: compare_times_within([1, 2], [1, 2, 3]), "same length"),
    (lambda: compare_times_between([5, 5], [7, 7]), "variability is zero"),
    (lambda: benchmark_time_test([20, 30], target=0), "target"),
    (lambda: times_omnibus([[20, 30]]), "at least two groups"),
])
def test_times_validate_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- times that do not vary ---------------------------------------------------------------------
# Review follow-up: identical times in both groups passed the variability check through the
# rounding error of the log means (61.3 s five times vs seven times gave t = 2.45, p = 0.0498),
# and a constant ratio B / A passed it through the last bits of ln b − ln a (t ≈ 10¹⁵).


@pytest.mark.parametrize(("n_a", "n_b", "seconds"), [
    (5, 7, 61.3), (6, 3, 30.0), (10, 3, 12.7), (4, 9, 0.1), (12, 12, 2.2),
])
def test_identical_times_in_both_groups_are_not_compared(n_a, n_b, seconds):
    with pytest.raises(ValueError, match="do not vary"):
        compare_times_between([seconds] * n_a, [seconds] * n_b)


@pytest.mark.parametrize("ratio", [1.1, 2.0, 0.7, 3.3, 1.0])
def test_a_constant_ratio_is_not_a_paired_comparison(ratio):
    a = [12.3, 45.6, 7.8, 20.1, 33.3]
    with pytest.raises(ValueError, match="do not vary"):
        compare_times_within(a, [t * ratio for t in a])


def test_one_constant_group_is_still_compared():
    # Welch's standard error takes a zero variance in one group: √(s_B²/n_B) alone.
    b = [25.0, 31.0, 40.0, 28.0]
    result = compare_times_between([30.0] * 4, b)
    logs = np.log(b)
    t = (logs.mean() - math.log(30)) / (logs.std(ddof=1) / 2)
    assert result.statistic == pytest.approx(t)
    assert result.df == pytest.approx(3)
