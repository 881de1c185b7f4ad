"""The problem list as JSON: what ``GET /studies/<id>/problems?format=json`` answers."""

from __future__ import annotations

from uxlab.observations.problem_list import ProblemList, ProblemSummary


def problem_json(problem: ProblemSummary) -> dict:
    return {
        "id": problem.id, "key": problem.key, "kind": problem.kind, "title": problem.title,
        "description": problem.description, "severity": problem.severity,
        "severity_label": problem.severity_label, "tasks": list(problem.tasks),
        "participants": problem.met, "observed": problem.observed,
        "frequency": problem.frequency, "low": problem.low, "high": problem.high,
        "priority": problem.priority,
        "ratings": {"count": problem.ratings.count, "median": problem.ratings.median,
                    "low": problem.ratings.low, "high": problem.ratings.high},
        "variants": [{"variant": v.variant, "participants": v.met, "observed": v.observed,
                      "low": v.low, "high": v.high} for v in problem.variants],
        "comparisons": list(problem.comparisons),
        "quotes": [e.text for e in problem.quotes],
        "evidence": [{"participant": e.participant, "session": str(e.session),
                      "offset_ms": e.offset_ms, "kind": e.kind, "text": e.text,
                      "after_event": e.after_event} for e in problem.evidence],
    }


def problem_list_json(listing: ProblemList) -> dict:
    discovery = None
    if listing.discovery is not None:
        estimate = listing.discovery.estimate
        discovery = {"p_observed": estimate.p_observed, "p_adjusted": estimate.p_adjusted,
                     "participants": estimate.participants, "problems": estimate.problems,
                     "problems_seen_once": estimate.problems_seen_once,
                     "method": estimate.method, "share_found": listing.discovery.share_found,
                     "participants_needed": {f"{goal:g}": n
                                             for goal, n in listing.discovery.needed.items()}}
    grid = listing.grid
    return {
        "confidence": listing.confidence,
        "design": listing.design,
        "problems": [problem_json(p) for p in listing.problems],
        "expected": [problem_json(p) for p in listing.expected],
        "grid": {"participants": [p.code for p in grid.participants],
                 "problems": [p.id for p in grid.problems],
                 "matrix": grid.matrix()},
        "discovery": discovery,
        "discovery_note": listing.discovery_note,
    }
