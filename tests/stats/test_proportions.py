"""Completion-rate statistics against published worked examples and independent computations."""

import math

import pytest
from scipy import stats

from uxlab.stats.contingency import completion_omnibus
from uxlab.stats.proportions import (
    benchmark_completion_test,
    best_point_estimate,
    completion_interval,
    mcnemar_test,
    two_proportion_test,
)

# --- completion_interval ---------------------------------------------------------------------


def test_adjusted_wald_4_of_5_tullis():
    # Tullis, "Calculating a confidence interval for task completion using the adjusted Wald
    # method" (measuringux.com, 2008; Tullis & Albert, Measuring the User Experience, p. 69):
    # 4/5 at 95% -> p_adj = 0.6696, limits 0.3596 and 0.9796 (computed there from rounded
    # intermediates, hence the tolerance of one unit in the 4th decimal).
    result = completion_interval(4, 5, 0.95)
    assert result.estimate == 0.8
    assert result.low == pytest.approx(0.3596, abs=1.5e-4)
    assert result.high == pytest.approx(0.9796, abs=1.5e-4)


def test_adjusted_wald_7_of_10_sauro_lewis():
    # Sauro & Lewis, "A new formula for quantitative UX decision making", UX Magazine no. 850
    # (2012): 7 of 10 completions, 95% adjusted-Wald interval "from about 39% to 90%".
    result = completion_interval(7, 10)
    assert round(result.low, 2) == 0.39
    assert round(result.high, 2) == 0.90


def test_adjusted_wald_8_of_9_sauro_lewis_ch4():
    # Sauro & Lewis, Quantifying the User Experience (1st ed.), opening of ch. 4: 8 of 9 users ->
    # 95% interval 54.3% to 99.9%. The book caps the upper bound at .999; uxlab clips at 1.
    result = completion_interval(8, 9)
    assert round(result.low, 3) == 0.543
    assert result.high == 1.0


def test_exact_interval_5_of_5_measuringu():
    # Sauro, "Restoring confidence in usability results" (measuringu.com/conf_intervals): 5 of 5
    # completed -> the rate "could be as low as 48%". That is the Clopper-Pearson bound
    # 0.025 ** (1/5) = 0.478 (the adjusted-Wald bound would be 51% or higher), so it checks
    # method="exact".
    result = completion_interval(5, 5, method="exact")
    assert round(result.low, 2) == 0.48
    assert result.low == pytest.approx(0.025 ** (1 / 5))
    assert result.high == 1.0


def test_adjusted_wald_all_successes_uses_one_sided_z():
    # Convention of issue 3 / docs/statistics.md: at x = n the one-sided z (1.645 at 95%) is used.
    # Independent hand computation: p_adj = (5 + z²/2)/(5 + z²), low = p_adj − z·√(p_adj q_adj/n_adj).
    z = stats.norm.ppf(0.95)
    p_adj = (5 + z * z / 2) / (5 + z * z)
    low = p_adj - z * math.sqrt(p_adj * (1 - p_adj) / (5 + z * z))
    result = completion_interval(5, 5)
    assert result.low == pytest.approx(low)
    assert result.high == 1.0
    zero = completion_interval(0, 5)
    assert zero.low == 0.0
    assert zero.high == pytest.approx(1 - low)


def test_issue_contract_example_9_of_12():
    # The JSON contract in issue 3 shows 9/12 -> 0.75 (0.46 to 0.92), adjusted Wald.
    result = completion_interval(9, 12)
    assert (round(result.estimate, 2), round(result.low, 2), round(result.high, 2)) == \
        (0.75, 0.46, 0.92)
    assert result.method == "adjusted-wald"


def test_wilson_matches_score_formula():
    # Independent check of the Wilson score interval against its closed form (Wilson, 1927).
    x, n, z = 3, 10, stats.norm.ppf(0.975)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    result = completion_interval(x, n, method="wilson")
    assert result.low == pytest.approx(centre - half)
    assert result.high == pytest.approx(centre + half)


@pytest.mark.parametrize("args, message", [
    ((-1, 5), "successes must not be negative"),
    ((6, 5), "cannot exceed"),
    ((0, 0), "n must be at least 1"),
    ((2.5, 5), "whole number"),
    ((True, 5), "whole number"),
])
def test_completion_interval_rejects_bad_counts(args, message):
    with pytest.raises(ValueError, match=message):
        completion_interval(*args)


def test_completion_interval_rejects_bad_method_and_confidence():
    with pytest.raises(ValueError, match="method"):
        completion_interval(3, 5, method="wald")
    with pytest.raises(ValueError, match="confidence"):
        completion_interval(3, 5, confidence=95)


# --- best_point_estimate -----------------------------------------------------------------------


def test_best_point_estimate_follows_lewis_sauro_rule():
    # Lewis & Sauro (2006), JUS 1(3), abstract: Wilson when the observed rate is below .5, Laplace
    # when it is above .9, maximum likelihood otherwise; Laplace when nothing is expected.
    z = stats.norm.ppf(0.975)
    laplace = best_point_estimate(5, 5)
    assert laplace.estimate == pytest.approx(6 / 7)
    assert laplace.method.startswith("laplace")
    wilson = best_point_estimate(2, 10)
    assert wilson.estimate == pytest.approx((2 + z * z / 2) / (10 + z * z))
    assert wilson.method.startswith("wilson")
    mle = best_point_estimate(7, 10)
    assert mle.estimate == 0.7
    assert mle.method.startswith("mle")
    assert best_point_estimate(9, 10).method.startswith("mle")  # .9 is not above .9
    assert best_point_estimate(7, 10, expect_high_rates=False).estimate == pytest.approx(8 / 12)


# --- two_proportion_test -----------------------------------------------------------------------


def test_n_minus_1_two_proportion_sauro_lewis_ch5_example():
    # Sauro & Lewis (1st ed.), ch. 5, pp. 78-79: design A 11 of 12 passed, design B 5 of 10. The
    # book prints the Yates chi-square for these data as 2.905 (p = 0.0883); we recompute it to
    # confirm the table, then check the N-1 statistic by hand: chi² = (ad − bc)² (N − 1) /
    # (r1 r2 c1 c2) = 50² · 21 / 11520 = 4.557, p = 0.0328 (z = −2.135, B lower than A).
    a, b, c, d = 11, 1, 5, 5
    yates = 22 * (abs(a * d - b * c) - 22 / 2) ** 2 / (12 * 10 * 16 * 6)
    assert round(yates, 3) == 2.905
    assert round(stats.chi2.sf(yates, 1), 4) == 0.0883
    result = two_proportion_test(11, 12, 5, 10)
    assert result.test == "n-1 two-proportion"
    assert result.statistic ** 2 == pytest.approx(50 ** 2 * 21 / 11520)
    assert result.statistic < 0
    assert round(result.pvalue, 4) == 0.0328
    assert result.difference == pytest.approx(5 / 10 - 11 / 12)


def test_difference_interval_adds_z2_over_4_successes():
    # Hand computation of the adjusted-Wald difference interval (Sauro & Lewis ch. 5): add
    # z²/4 successes and z²/2 attempts to each group.
    z = stats.norm.ppf(0.975)
    p1 = (11 + z * z / 4) / (12 + z * z / 2)
    p2 = (5 + z * z / 4) / (10 + z * z / 2)
    se = math.sqrt(p1 * (1 - p1) / (12 + z * z / 2) + p2 * (1 - p2) / (10 + z * z / 2))
    result = two_proportion_test(11, 12, 5, 10)
    assert result.interval.low == pytest.approx(p2 - p1 - z * se)
    assert result.interval.high == pytest.approx(p2 - p1 + z * se)


def test_fisher_exact_when_an_expected_count_is_below_one():
    # 12/12 vs 3/5: expected failures in B = 5·2/17 = 0.59 < 1 (Campbell's rule) -> Fisher-Irwin.
    # By hand: with 2 failures among 17, P(both in B) = C(5,2)/C(17,2) = 10/136, the least likely
    # table, so the two-sided p (Irwin's rule) is 10/136 = 0.0735.
    result = two_proportion_test(12, 12, 3, 5)
    assert result.test == "fisher exact"
    assert result.pvalue == pytest.approx(10 / 136)
    assert result.statistic == pytest.approx(10 / 136)
    assert result.extra["min_expected"] == pytest.approx(10 / 17)


def test_fisher_exact_scipy_documentation_table():
    # scipy.stats.fisher_exact documentation: table [[6, 2], [1, 4]] has two-sided p = 0.10256
    # (Irwin's rule). Its smallest expected count is 2.3, so uxlab itself uses the N-1 test; the
    # exact test of three-or-more groups reduces to this one for two groups.
    assert completion_omnibus([6, 1], [8, 5]).pvalue == pytest.approx(0.10256410256410257)


def test_two_proportion_test_validates():
    with pytest.raises(ValueError, match="x2 \\(6\\) cannot exceed n2 \\(5\\)"):
        two_proportion_test(1, 5, 6, 5)
    with pytest.raises(ValueError, match="n1 must be at least 1"):
        two_proportion_test(0, 0, 1, 5)


# --- mcnemar_test ------------------------------------------------------------------------------


def test_mcnemar_mid_p_fagerland_example():
    # Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91, Table 1 and supplementary
    # "How to calculate the McNemar mid-p test": 21 children (Bentur et al.), 1 concordant
    # positive, 1 and 7 discordant, 12 concordant negative. Their formulas give, by hand with
    # X ~ Bin(8, ½): exact = 2 P(X ≤ 1) = 18/256 = 0.0703, mid-p = exact − P(X = 1) = 10/256 = 0.0391.
    result = mcnemar_test(both=1, only_a=1, only_b=7, neither=12)
    assert result.extra["exact_p"] == pytest.approx(18 / 256)
    assert result.pvalue == pytest.approx(10 / 256)
    assert result.difference == pytest.approx(6 / 21)


def test_mcnemar_interval_hand_computation():
    # Agresti & Min (2005) adjusted interval as in Sauro & Lewis ch. 5: z²/8 added to each cell.
    z = stats.norm.ppf(0.975)
    n_adj = 21 + z * z / 2
    p12, p21 = (1 + z * z / 8) / n_adj, (7 + z * z / 8) / n_adj
    se = math.sqrt((p12 + p21 - (p21 - p12) ** 2) / n_adj)
    result = mcnemar_test(1, 1, 7, 12)
    assert result.interval.low == pytest.approx(p21 - p12 - z * se)
    assert result.interval.high == pytest.approx(p21 - p12 + z * se)


def test_mcnemar_without_discordant_pairs_is_not_significant():
    result = mcnemar_test(5, 0, 0, 3)
    assert result.pvalue == 1.0
    assert result.difference == 0.0
    with pytest.raises(ValueError, match="at least one participant"):
        mcnemar_test(0, 0, 0, 0)
    with pytest.raises(ValueError, match="only_b must not be negative"):
        mcnemar_test(1, 1, -1, 0)


# --- benchmark_completion_test -----------------------------------------------------------------


def test_benchmark_mid_p_by_hand():
    # 9 of 10 against a 70% benchmark (Sauro & Lewis ch. 4 method). By hand:
    # P(X = 9) = 10 · .7⁹ · .3 = 0.121061, P(X = 10) = .7¹⁰ = 0.028248;
    # exact p = 0.149308, mid-p = 0.028248 + 0.121061 / 2 = 0.088778.
    p9, p10 = 10 * 0.7 ** 9 * 0.3, 0.7 ** 10
    result = benchmark_completion_test(9, 10, benchmark=0.7)
    assert result.extra["exact_p"] == pytest.approx(p9 + p10)
    assert result.pvalue == pytest.approx(p10 + p9 / 2)
    assert result.alternative == "greater"
    assert result.extra["exceeds_benchmark"] is False


def test_benchmark_default_is_78_percent_and_detects_a_high_rate():
    result = benchmark_completion_test(29, 30)
    assert result.extra["benchmark"] == 0.78
    assert result.extra["exceeds_benchmark"] is True
    assert result.interval.low > 0
    with pytest.raises(ValueError, match="benchmark"):
        benchmark_completion_test(5, 10, benchmark=1.2)
