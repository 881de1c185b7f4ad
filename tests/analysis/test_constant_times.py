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
