"""The sample that would detect a non-significant difference, for matched rates and for NPS.

Review follow-up: the analysis left ``sample_size_to_detect`` null for within-subjects completion
(McNemar) and for NPS comparisons; it now plans them with Connor's (1987) McNemar method and Lewis
& Sauro's NPS method (uxlab.stats.planning, tested against published examples in tests/stats).
"""

from __future__ import annotations

from uxlab.analysis.service import analyze
from uxlab.stats.planning import sample_size_compare_nps, sample_size_matched_proportions


def attempt(participant, variant, success):
    return {"participant": participant, "variant": variant, "task": "T1", "outcome": None,
            "success": success, "time_s": None, "errors": None, "clicks": None, "seq": None}


def pairwise(entries, metric):
    (found,) = [e for e in entries if e["metric"] == metric and e["kind"] == "pairwise"]
    return found


def test_non_significant_matched_completion_gives_the_sample_size_to_detect_it():
    # 8 participants try both variants: 3 succeed on both, 1 only on A, 4 only on B. McNemar
    # mid-p = 2 (6/32 − ½ · 5/32) = 0.219, not significant; discordant shares 1/8 and 4/8.
    outcomes = [(1, 1)] * 3 + [(1, 0)] + [(0, 1)] * 4
    rows = [attempt(f"P{i}", variant, success) for i, pair in enumerate(outcomes)
            for variant, success in zip("AB", pair, strict=True)]
    entry = pairwise(analyze(rows, design="within")["tasks"][0]["comparisons"], "completion")
    assert entry["p"] > 0.05
    assert entry["sample_size_to_detect"] == sample_size_matched_proportions(1 / 8, 4 / 8, 0.95,
                                                                             0.8)
    assert "participants (each using both variants)" in entry["interpretation"]
    assert "matched proportions" not in entry["note"]


def test_matched_completion_without_a_difference_plans_nothing():
    outcomes = [(1, 1)] * 3 + [(1, 0), (0, 1)] + [(0, 0)] * 2
    rows = [attempt(f"P{i}", variant, success) for i, pair in enumerate(outcomes)
            for variant, success in zip("AB", pair, strict=True)]
    entry = pairwise(analyze(rows, design="within")["tasks"][0]["comparisons"], "completion")
    assert entry["difference"] == 0 and entry["sample_size_to_detect"] is None


def survey_rows(ratings):
    return [{"participant": f"{variant}{i}", "variant": variant, "nps": rating}
            for variant, values in ratings.items() for i, rating in enumerate(values)]


def test_non_significant_nps_difference_gives_the_sample_size_to_detect_it():
    # A: 4 promoters, 4 passives, 2 detractors (NPS 20); B: 5, 4, 1 (NPS 40); n = 10 each.
    ratings = {"A": [10] * 4 + [8] * 4 + [3] * 2, "B": [9] * 5 + [7] * 4 + [0]}
    rows = [attempt(row["participant"], row["variant"], 1) for row in survey_rows(ratings)]
    entry = pairwise(analyze(rows, survey_rows(ratings))["questionnaires"]["nps"]["comparisons"],
                     "nps")
    assert entry["p"] > 0.05
    assert entry["sample_size_to_detect"] == sample_size_compare_nps(0.4, 0.2, 0.5, 0.1, 0.95,
                                                                     0.8)
    assert "participants per variant" in entry["interpretation"]


def test_significant_nps_difference_plans_nothing():
    ratings = {"A": [3] * 30 + [10] * 5, "B": [10] * 30 + [3] * 5}
    rows = [attempt(row["participant"], row["variant"], 1) for row in survey_rows(ratings)]
    entry = pairwise(analyze(rows, survey_rows(ratings))["questionnaires"]["nps"]["comparisons"],
                     "nps")
    assert entry["p"] < 0.05 and entry["sample_size_to_detect"] is None
