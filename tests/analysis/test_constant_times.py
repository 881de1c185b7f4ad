"""Regression: identical task times with a time target must not crash the analysis."""

from __future__ import annotations

from uxlab.analysis.service import analyze


def _row(participant, variant, time_s):
    return {"participant": participant, "variant": variant, "task": "T1", "outcome": None,
            "success": 1, "time_s": time_s, "errors": None, "clicks": None, "seq": None}


def test_a_time_benchmark_on_times_that_do_not_vary_is_null_with_a_note():
    rows = [_row(f"A{i}", "A", 30.0) for i in range(5)]
    rows += [_row(f"B{i}", "B", 20.0 + i) for i in range(5)]
    document = analyze(rows, benchmarks={"time": {"T1": 45}})
    constant = document["tasks"][0]["variants"]["A"]["time"]["benchmark"]
    assert constant["p"] is None and constant["target"] == 45
    assert "vary" in constant["note"]
    varying = document["tasks"][0]["variants"]["B"]["time"]["benchmark"]
    assert varying["p"] is not None


def test_equal_means_that_differ_by_rounding_noise_do_not_crash_the_planning():
    # Found by the report tests: equal SUS means in two variants differed by 1.4e-14, and the
    # sample-size step asked for ~1e29 participants and crashed inside scipy.
    from uxlab.analysis.simulate import simulate_study

    study = simulate_study(30, 4, ("A", "B", "C"), extra_questions=True, seed=1)
    document = analyze(study.attempts, study.survey)
    for comparison in document["questionnaires"]["sus"]["comparisons"]:
        size = comparison.get("sample_size_to_detect")
        assert size is None or 2 <= size < 10**9


def test_planning_refuses_a_negligible_difference():
    import pytest

    from uxlab.stats.planning import sample_size_compare_means

    with pytest.raises(ValueError, match="negligible"):
        sample_size_compare_means(10.0, 1.4e-14)
    assert sample_size_compare_means(10.0, 5.0) > 2
