"""Plain-language sentences for comparisons, omnibus tests and benchmarks.

Every sentence states the direction and size of the effect with its interval, names the test and
gives the p-value; a difference that is not significant is called "not statistically
distinguishable" and, where a planning method exists, comes with the sample that would detect it.
The Bayesian probability is worded as a probability, never as a p-value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TEST_NAMES = {
    "n-1 two-proportion": "N−1 two-proportion test",
    "fisher exact": "Fisher exact test",
    "mcnemar exact mid-p": "McNemar exact mid-p test",
    "welch t": "Welch t-test",
    "paired t": "paired t-test",
    "welch t (log times)": "Welch t-test on log times",
    "paired t (log times)": "paired t-test on log times",
    "one-sample t (log times)": "one-sample t-test on log times",
    "one-sample t (one-sided) vs SUS benchmark": "one-sample t-test",
    "one-sample t (one-sided) vs SEQ benchmark": "one-sample t-test",
    "mann-whitney u": "Mann–Whitney U test",
    "wilcoxon signed-rank": "Wilcoxon signed-rank test",
    "adjusted-wald NPS difference z": "adjusted-Wald z-test of the NPS difference",
    "chi-square": "chi-square test",
    "fisher-freeman-halton": "Fisher–Freeman–Halton exact test",
    "kruskal-wallis": "Kruskal–Wallis test",
    "welch anova": "Welch ANOVA",
    "welch anova (log times)": "Welch ANOVA on log times",
    "exact binomial mid-p": "exact binomial mid-p test",
    "one-sample t (one-sided) vs UMUX-Lite benchmark": "one-sample t-test",
    "adjusted-wald NPS z (one-sided) vs benchmark": "one-sided adjusted-Wald z-test of the NPS",
}
ADJUSTMENT_NAMES = {"holm": "Holm", "bh": "Benjamini–Hochberg"}


@dataclass(frozen=True)
class Wording:
    """How a metric is talked about: its noun and how its difference is expressed."""

    noun: str
    scale: str  # "proportion" (points of %), "ratio" (of geometric means), "mean" or "score"
    unit: str = ""  # for "mean": what is counted ("errors", "clicks")


WORDINGS = {
    "completion": Wording("completion rate", "proportion"),
    "direct": Wording("direct success rate", "proportion"),
    "first_click": Wording("first-click success rate", "proportion"),
    "time": Wording("task time", "ratio"),
    "errors": Wording("errors", "mean", "errors"),
    "clicks": Wording("clicks", "mean", "clicks"),
    "seq": Wording("SEQ score", "score"),
    "sus": Wording("SUS score", "score"),
    "umux_lite": Wording("UMUX-Lite score", "score"),
    "nps": Wording("NPS", "score"),
    "csat": Wording("CSAT top-two-box share", "proportion"),
    "ces": Wording("CES", "score"),
    "problem": Wording("share of participants who met the problem", "proportion"),
}


def test_name(test: str | None) -> str:
    """Readable name of a test as reported by ``uxlab.stats``."""
    return TEST_NAMES.get(test or "", test or "test")


def format_p(p: float) -> str:
    """``p = 0.021`` or ``p < 0.001``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def signed(text: str) -> str:
    """Use a true minus sign for negative numbers in prose."""
    return "−" + text[1:] if text.startswith("-") else text


def points(proportion: float) -> str:
    """A difference of proportions in percentage points: 0.22 → "22", 0.004 → "0.4"."""
    value = 100 * proportion
    if value == 0 or abs(value) >= 1:
        return signed(f"{value:.0f}")
    return signed(f"{value:.1f}")


def percent(proportion: float) -> str:
    return signed(f"{100 * proportion:.0f}") + "%"


def significant_figures(value: float, figures: int = 3) -> str:
    """A plain decimal with ``figures`` significant digits, never an exponent: 0.04321 → 0.0432."""
    if value == 0:
        return "0"
    digits_before_point = math.floor(math.log10(abs(value))) + 1
    return signed(f"{value:.{max(0, figures - digits_before_point)}f}")


def confidence_label(confidence: float) -> str:
    return f"{100 * confidence:g}%"


def interpret_comparison(entry: dict, *, confidence: float, design: str,
                         adjusted: str | None = None) -> str:
    """The sentence for one pairwise comparison entry of the analysis document."""
    wording = WORDINGS[entry["metric"]]
    a, b = entry["a"], entry["b"]
    if entry.get("p") is None or entry.get("difference") is None:
        reason = entry.get("note") or "not enough data"
        return f"The {wording.noun} of variants {a} and {b} could not be compared: {reason}."
    alpha = 1 - confidence
    p_decision = entry["p_adjusted"] if entry.get("p_adjusted") is not None else entry["p"]
    significant = p_decision < alpha
    effect, details = _effect_and_details(entry, wording, confidence)
    if design == "within" and entry.get("n_a") is not None:
        details.insert(0, f"{entry['n_a']} participants paired")
    evidence = "; ".join([*details, f"{test_name(entry['test'])}, {format_p(entry['p'])}"])
    if adjusted:
        evidence += f", {ADJUSTMENT_NAMES.get(adjusted, adjusted)}-adjusted {format_p(p_decision)}"
    if significant:
        sentence = f"{effect} ({evidence})."
    elif _no_difference(entry, wording):
        sentence = f"{effect} ({evidence})."
    else:
        sentence = (f"{effect}, but the difference is not statistically distinguishable from "
                    f"zero ({evidence}).")
        sentence += _sample_size_sentence(entry, design)
    if entry.get("probability_b_better") is not None:
        sentence += (f" The probability that {b}'s {wording.noun} is higher than {a}'s is "
                     f"{_probability(entry['probability_b_better'])} (Bayesian, uniform prior; "
                     "a probability, not a p-value).")
    return sentence


def interpret_omnibus(entry: dict, *, confidence: float) -> str:
    """The sentence for an omnibus test across three or more variants."""
    wording = WORDINGS[entry["metric"]]
    names = join_names(entry["variants"])
    if entry.get("p") is None:
        return (f"Variants {names} could not be compared together on {wording.noun}: "
                f"{entry.get('note') or 'not enough data'}.")
    evidence = f"{test_name(entry['test'])}, {format_p(entry['p'])}"
    if entry["p"] < 1 - confidence:
        return (f"Variants {names} differ in {wording.noun} ({evidence}); the pairwise "
                "comparisons show which.")
    return (f"Variants {names} are not statistically distinguishable in {wording.noun} "
            f"({evidence}).")


def join_names(names) -> str:
    """"A", "A and B", "A, B and C"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def interpret_benchmark(variant: str, metric: str, result: dict, *, confidence: float,
                        shown: str, target: str) -> str:
    """The sentence for a one-sided benchmark test of one variant (e.g. completion vs 78%)."""
    wording = WORDINGS[metric]
    evidence = f"{test_name(result['test'])}, one-sided {format_p(result['p'])}"
    better = "below" if result.get("alternative") == "less" else "above"
    if result["p"] < 1 - confidence:
        return (f"Variant {variant}'s {wording.noun} ({shown}) is significantly {better} the "
                f"benchmark of {target} ({evidence}).")
    return (f"Variant {variant}'s {wording.noun} ({shown}) is not shown to be {better} the "
            f"benchmark of {target} ({evidence}).")


def interpret_untestable_benchmark(variant: str, metric: str, *, shown: str, target: str,
                                   reason: str) -> str:
    """The sentence for a benchmark test that cannot be made (e.g. ratings that do not vary)."""
    return (f"Variant {variant}'s {WORDINGS[metric].noun} ({shown}) cannot be tested against "
            f"the benchmark of {target}: {reason}.")


def _effect_and_details(entry: dict, wording: Wording,
                        confidence: float) -> tuple[str, list[str]]:
    """The effect clause and the details for the parentheses (estimates, interval)."""
    a, b = entry["a"], entry["b"]
    d, low, high = entry["difference"], entry["low"], entry["high"]
    level = confidence_label(confidence)
    estimates = entry.get("a_estimate") is not None and entry.get("b_estimate") is not None
    if wording.scale == "proportion":
        direction = "higher" if d > 0 else "lower"
        effect = (f"Variant {b}'s {wording.noun} is {points(abs(d))} points {direction} than "
                  f"{a}'s" if d != 0 else f"Variants {a} and {b} have the same {wording.noun}")
        return effect, [_ci(level, low, high, points, " points")]
    if wording.scale == "ratio":
        direction = "shorter" if d < 1 else "longer"
        effect = (f"Variant {b}'s task times are {abs(1 - d) * 100:.0f}% {direction} than {a}'s"
                  if d != 1 else f"Variants {a} and {b} have the same typical task time")
        details = [f"geometric means {entry['b_estimate']:.1f} s vs {entry['a_estimate']:.1f} s"
                   ] if estimates else []
        return effect, [*details, f"ratio {d:.2f}, " + _ci(level, low, high, _two)]
    details = [f"{significant_figures(entry['b_estimate'])} vs "
               f"{significant_figures(entry['a_estimate'])}"] if estimates else []
    size = significant_figures(abs(d))
    if wording.scale == "mean":
        direction = "more" if d > 0 else "fewer"
        effect = (f"Variant {b} averages {size} {direction} {wording.unit} per attempt than {a}"
                  if d != 0 else
                  f"Variants {a} and {b} average the same number of {wording.unit}")
        return effect, [*details, _ci(level, low, high, significant_figures,
                                      what=" of the difference")]
    direction = "higher" if d > 0 else "lower"
    noun = wording.noun if wording.noun == "NPS" else f"mean {wording.noun}"
    effect = (f"Variant {b}'s {noun} is {size} points {direction} than {a}'s"
              if d != 0 else f"Variants {a} and {b} have the same {noun}")
    return effect, [*details, _ci(level, low, high, significant_figures, " points")]


def _ci(level: str, low, high, fmt, unit: str = "", what: str = "") -> str:
    """"95% CI 3 to 38 points", or why no interval is given (too few values for one)."""
    if low is None or high is None:
        return f"no meaningful {level} CI{what} from so few values"
    return f"{level} CI{what} {fmt(low)} to {fmt(high)}{unit}"


def _two(value: float) -> str:
    return f"{value:.2f}"


def _no_difference(entry: dict, wording: Wording) -> bool:
    return entry["difference"] == (1 if wording.scale == "ratio" else 0)


def _sample_size_sentence(entry: dict, design: str) -> str:
    n = entry.get("sample_size_to_detect")
    if n is None:
        return ""
    who = "participants (each using both variants)" if design == "within" else \
        "participants per variant"
    return f" Detecting a difference this large with 80% power would take about {n:,} {who}."


def _probability(value: float) -> str:
    if value > 0.999:
        return "over 99.9%"
    if value < 0.001:
        return "under 0.1%"
    return f"{100 * value:.1f}%" if 0.99 < value or value < 0.01 else f"{100 * value:.0f}%"
