"""The methods appendix: why each test was used, and the methods behind every number.

The reasons restate the rules the analysis applies (docs/statistics.md), so a reader can check
that the test in each comparison is the one the data called for.
"""

from __future__ import annotations

TEST_REASONS = {
    "n-1 two-proportion": (
        "Different people used the two variants and every expected cell count of the 2 × 2 "
        "table was at least 1, where the N−1 two-proportion test keeps its error rate even at "
        "small samples (Campbell 2007; S&L ch. 5)."),
    "fisher exact": (
        "An expected cell count of the 2 × 2 table was below 1, where the N−1 test is unreliable, "
        "so the two-sided Fisher exact test was used (Irwin's rule; Campbell 2007; S&L ch. 5)."),
    "mcnemar exact mid-p": (
        "The same participants used both variants, so only the discordant pairs carry "
        "information: McNemar's exact test with the mid-p correction (S&L ch. 5)."),
    "welch t (log times)": (
        "Task times are positively skewed, so they are compared on the log scale (ratio of "
        "geometric means); Welch's t does not assume equal variances (S&L ch. 5)."),
    "paired t (log times)": (
        "The same participants timed both variants: paired t-test on the log times "
        "(S&L ch. 5)."),
    "mann-whitney u": (
        "Errors and clicks are small, skewed counts: the rank-based Mann–Whitney U test makes "
        "no normality assumption (S&L ch. 5)."),
    "wilcoxon signed-rank": (
        "Counts from the same participants in both variants: the Wilcoxon signed-rank test on "
        "the paired differences (S&L ch. 5)."),
    "welch t": (
        "Rating-scale means from different people: Welch's t-test, robust to unequal variances "
        "and, at these sample sizes, to non-normal ratings (S&L ch. 5)."),
    "paired t": ("Ratings from the same participants in both variants: paired t-test "
                 "(S&L ch. 5)."),
    "adjusted-wald NPS difference z": (
        "NPS is a difference of two proportions from one sample; the adjusted-Wald variance of "
        "each NPS gives a z-test of their difference (Rocks 2016; S&L ch. 8)."),
    "chi-square": (
        "Three or more variants and Cochran's rule held (every expected count at least 1, at "
        "most 20% below 5): chi-square test of homogeneity (Cochran 1954; S&L ch. 5)."),
    "fisher-freeman-halton": (
        "Three or more variants and Cochran's rule failed (an expected count below 1 or more "
        "than 20% below 5): the exact Fisher–Freeman–Halton test (Freeman & Halton 1951)."),
    "kruskal-wallis": ("Counts from three or more variants: the rank-based Kruskal–Wallis "
                       "test."),
    "welch anova": ("Means of three or more variants: Welch's ANOVA, which does not assume "
                    "equal variances (Welch 1951)."),
    "welch anova (log times)": ("Task times of three or more variants, on the log scale: "
                                "Welch's ANOVA (Welch 1951)."),
}

METHODS = (
    ("Completion rates", "Observed rate x / n with the adjusted-Wald (Agresti–Coull) interval; "
     "one-sided exact binomial mid-p test against the benchmark (S&L ch. 3–4)."),
    ("Task times", "Geometric means with t-intervals on log seconds; comparisons as ratios of "
     "geometric means (S&L ch. 3, 5)."),
    ("Errors, clicks, SEQ", "Means with t-intervals; SEQ one-sided t-test against its benchmark "
     "(S&L ch. 3–4)."),
    ("SUS", "Mean with t-interval; grade and percentile on the Sauro–Lewis curved grading scale "
     "(S&L ch. 8)."),
    ("UMUX-Lite", "Mean of the two items rescaled to 0–100, with its regression-based SUS "
     "equivalent 0.65 · score + 22.9 (Lewis, Utesch & Maher 2013)."),
    ("NPS", "Promoters − detractors with the adjusted-Wald interval (Rocks 2016; S&L ch. 8)."),
    ("Several variants", "Pairwise p-values adjusted by Holm's step-down method or "
     "Benjamini–Hochberg; significance decided on the adjusted p (Holm 1979)."),
    ("Probability B is better", "Beta posteriors with a uniform prior; a probability, not a "
     "p-value (S&L ch. 5)."),
    ("Sample ratio", "Chi-square goodness of fit of participants per variant against the "
     "assignment weights; flagged below p = 0.001."),
    ("Problem discovery", "1 − (1 − p)ⁿ with p from the participants × problems matrix and "
     "Lewis's (2001) small-sample adjustment (S&L ch. 7)."),
    ("Problem frequency", "Share of observed participants with the adjusted-Wald interval "
     "(S&L ch. 3)."),
)

REFERENCES = (
    "Sauro, J., & Lewis, J. R. (2016). Quantifying the User Experience: Practical Statistics "
    "for User Research (2nd ed.). Morgan Kaufmann. (S&L)",
    "Campbell, I. (2007). Chi-squared and Fisher–Irwin tests of two-by-two tables with small "
    "sample recommendations. Statistics in Medicine, 26(19), 3661–3675.",
    "Agresti, A., & Coull, B. A. (1998). Approximate is better than “exact” for interval "
    "estimation of binomial proportions. The American Statistician, 52(2), 119–126.",
    "Lewis, J. R. (2001). Evaluation of procedures for adjusting problem-discovery rates "
    "estimated from small samples. International Journal of Human-Computer Interaction, 13(4), "
    "445–479.",
    "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian "
    "Journal of Statistics, 6(2), 65–70.",
    "Rocks, B. (2016). Interval estimation for the “net promoter score”. The American "
    "Statistician, 70(4), 365–372.",
    "Lewis, J. R., Utesch, B. S., & Maher, D. E. (2013). UMUX-LITE: When there's no time for "
    "the SUS. Proceedings of CHI 2013, 2099–2102.",
    "Welch, B. L. (1951). On the comparison of several mean values: An alternative approach. "
    "Biometrika, 38(3/4), 330–336.",
    "Cochran, W. G. (1954). Some methods for strengthening the common χ² tests. Biometrics, "
    "10(4), 417–451.",
)


def test_reason(test: str | None, note: str | None = None) -> str:
    """Why the analysis used ``test`` (or, without a test, why there is none)."""
    if test is None:
        return f"No test: {note}." if note else "No test: not enough data."
    return TEST_REASONS.get(test, "See docs/statistics.md.")
