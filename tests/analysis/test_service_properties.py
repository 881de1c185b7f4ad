"""Property tests: any small valid study gives a valid document, and its numbers are sane.

Usability samples are tiny and ragged (a variant with one participant, nobody succeeding, every
SEQ answer the same, missing cells everywhere); hypothesis generates such studies and checks that
the service never crashes on them, keeps the documented shape with the null + note rule, and
reports rates and intervals that make sense.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analysis.test_service import assert_valid
from uxlab.analysis.service import analyze

maybe = st.none() | st.just(None)
times = st.none() | st.floats(1.0, 600.0).map(lambda t: round(t, 1))
counts = st.none() | st.integers(0, 4)
ratings = st.none() | st.integers(1, 7)


@st.composite
def studies(draw):
    design = draw(st.sampled_from(["between", "within"]))
    variants = ["A", "B", "C"][:draw(st.integers(2, 3))]
    tasks = ["T1", "T2"][:draw(st.integers(1, 2))]
    attempts, survey = [], []
    number = 0
    groups = [variants] if design == "within" else [[v] for v in variants]
    for group in groups:
        for _ in range(draw(st.integers(1, 5))):
            number += 1
            participant = f"P{number}"
            for variant in group:
                for task in tasks:
                    attempts.append({
                        "participant": participant, "variant": variant, "task": task,
                        "outcome": None, "success": draw(st.none() | st.integers(0, 1)),
                        "time_s": draw(times), "errors": draw(counts), "clicks": draw(counts),
                        "seq": draw(ratings)})
                if draw(st.booleans()):
                    row = {"participant": participant, "variant": variant}
                    row.update({f"sus_{i}": draw(st.none() | st.integers(1, 5))
                                for i in range(1, 11)})
                    row.update(umux_1=draw(ratings), umux_2=draw(ratings),
                               nps=draw(st.none() | st.integers(0, 10)))
                    survey.append(row)
    return design, attempts, survey


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies())
def test_any_small_study_gives_a_valid_document(study):
    design, attempts, survey = study
    document = analyze(attempts, survey or None, design=design)
    assert_valid(document)
    json.dumps(document, allow_nan=False)
    for task in document["tasks"]:
        for summary in task["variants"].values():
            completion = summary["completion"]
            if completion["estimate"] is not None:
                assert 0 <= completion["low"] <= completion["estimate"] <= completion["high"] <= 1
            time = summary["time"]
            if time["low"] is not None:
                assert 0 < time["low"] <= time["geometric_mean"] <= time["high"]
        for entry in task["comparisons"]:
            if entry["p"] is not None:
                assert 0 <= entry["p"] <= entry["p_adjusted"] <= 1
            if entry["probability_b_better"] is not None:
                assert 0 <= entry["probability_b_better"] <= 1
            if entry["metric"] == "completion" and entry["low"] is not None:
                assert -1 <= entry["low"] <= entry["high"] <= 1
