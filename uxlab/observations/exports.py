"""The problem exports: ``problems.csv`` (the ranked problem list) and the grid as a
participants × problems CSV of 0/1 that ``uxlab plan discovery --matrix`` reads.

The grid CSV holds the problems only (not the expected behaviours), the same columns the problem
list's discovery estimate uses, so the command reproduces the page's estimate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy.orm import Session

from uxlab.exports.writing import csv_chunks
from uxlab.models import Study
from uxlab.observations.problem_list import problem_list

PROBLEM_COLUMNS = ("rank", "problem", "key", "kind", "title", "description", "severity",
                   "severity_label", "tasks", "participants", "observed", "frequency", "low",
                   "high", "priority", "ratings", "rating_median", "rating_low", "rating_high",
                   "by_variant", "quotes", "evidence")


def problems_csv(session: Session, study: Study) -> Iterator[str]:
    """The problem list, one row per problem by priority (then the expected behaviours).

    ``by_variant`` is JSON ``{variant: [met, observed]}``; ``quotes`` a JSON list of texts;
    ``evidence`` how many notes are linked.
    """
    listing = problem_list(session, study)
    rows = []
    for rank, p in enumerate((*listing.problems, *listing.expected), start=1):
        rows.append((
            rank if p.kind == "problem" else None, p.id, p.key, p.kind, p.title, p.description,
            p.severity, p.severity_label, "; ".join(p.tasks), p.met, p.observed, p.frequency,
            p.low, p.high, p.priority, p.ratings.count, p.ratings.median, p.ratings.low,
            p.ratings.high,
            json.dumps({v.variant: [v.met, v.observed] for v in p.variants}, ensure_ascii=False),
            json.dumps([q.text for q in p.quotes], ensure_ascii=False), len(p.evidence)))
    return csv_chunks(PROBLEM_COLUMNS, rows)


def grid_csv(session: Session, study: Study) -> Iterator[str]:
    """Participants × problems, 1 where the participant met the problem: a header row
    (``participant`` and each problem's title) and one row per observed participant."""
    listing = problem_list(session, study)
    grid = listing.grid
    problems = [p for p in grid.problems if p.kind == "problem"]
    matrix = grid.matrix({p.id for p in problems})
    header = ("participant", *(_column_title(p.id, p.title) for p in problems))
    return csv_chunks(header, ((person.code, *row)
                               for person, row in zip(grid.participants, matrix, strict=True)))


def _column_title(problem_id: int, title: str) -> str:
    # A header cell reading 0 or 1 (or empty) would look like data to the matrix reader.
    return title if title.strip() not in ("", "0", "1") else f"#{problem_id} {title}".strip()
