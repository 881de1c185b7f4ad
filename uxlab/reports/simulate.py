"""Seeded generator of a realistic report context: problems, a discovery matrix and clicks.

The companion of ``uxlab.analysis.simulate`` for reports: the analysis document comes from
simulated attempts, and this adds what a report shows beyond it, so the tests and the report
benchmark exercise every section. Clicks cluster around a few targets per page (interactive) with
a share of misclicks scattered around them; each participant's first click of a task is marked.
The same seed always gives the same context.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from uxlab.reports.context import Click, ProblemRecord, ReportContext, StudyInfo

_TASK_TITLES = (
    "Find running shoes in size 42", "Add the shoes to the cart", "Check out as a guest",
    "Find the returns policy", "Change the delivery address", "Apply a promo code",
    "Track an order", "Compare two jackets", "Sign up for the newsletter", "Contact support",
)
_VARIANT_NAMES = ("Current site", "New navigation", "Mega menu", "Search first")
_PROBLEM_TITLES = (
    "Size selector hidden below the fold", "Filter labels read as headings",
    "Checkout button looks disabled", "Error message appears far from the field",
    "Return policy link only in the footer", "Search ignores plurals",
    "Promo code field mistaken for gift card", "Delivery date hidden until payment",
)


def simulate_context(analysis: dict, *, participants: int | None = None, problems: int = 6,
                     clicks_per_attempt: float = 6.0, pages_per_task: int = 1,
                     misclick_share: float = 0.15, seed: int = 0) -> ReportContext:
    """A context with names, problems, a discovery matrix and clicks fitting ``analysis``.

    Parameters
    ----------
    analysis : dict
        The analysis document the context goes with (its variants and tasks are used).
    participants : int, optional
        Participants in the click data and the discovery matrix (the document's total by
        default).
    problems : int
        Number of usability problems (at most 8).
    clicks_per_attempt : float
        Mean clicks per participant and task (Poisson).
    pages_per_task : int
        Prototype pages per task the clicks spread over.
    misclick_share : float
        Share of clicks that miss every interactive element.
    seed : int
        Seed of the random generator.
    """
    if not 0 <= misclick_share < 1:
        raise ValueError(f"misclick_share must be in [0, 1), got {misclick_share!r}")
    if not 0 <= problems <= len(_PROBLEM_TITLES):
        raise ValueError(f"problems must be 0–{len(_PROBLEM_TITLES)}, got {problems!r}")
    rng = np.random.default_rng(seed)
    variants = list(analysis["variants"])
    tasks = [t["task"] for t in analysis["tasks"]]
    total = participants or sum(v["participants"] for v in analysis["variants"].values()) or 1
    per_variant = max(1, total // max(1, len(variants)))

    matrix_people = min(total, 12)  # moderated sessions: a handful of participants
    rates = rng.uniform(0.1, 0.6, problems)
    matrix = (rng.random((matrix_people, problems)) < rates).astype(int)
    # A recorded problem was met by somebody.
    unseen = np.flatnonzero(matrix.sum(axis=0) == 0)
    matrix[rng.integers(matrix_people, size=len(unseen)), unseen] = 1
    problem_records = []
    for j in range(problems):
        affected = int(matrix[:, j].sum())
        problem_records.append(ProblemRecord(
            title=_PROBLEM_TITLES[j], severity=int(rng.integers(1, 5)),
            task=tasks[j % len(tasks)] if tasks else None, participants=affected,
            frequency=affected / matrix_people, observed=matrix_people))

    clicks = {}
    for task in tasks:
        targets = rng.uniform([0.1, 0.08], [0.9, 0.9], (pages_per_task, 3, 2))
        for variant in variants:
            clicks[(task, variant)] = tuple(_clicks(rng, per_variant, clicks_per_attempt,
                                                    targets, misclick_share, task))
    return ReportContext(
        study=StudyInfo(slug="simulated", title="Simulated study", design=analysis["design"],
                        description="Synthetic participants generated for testing.",
                        version=1, status="closed",
                        first_session=datetime(2026, 1, 5, tzinfo=UTC),
                        last_session=datetime(2026, 1, 19, tzinfo=UTC)),
        variant_names={v: _VARIANT_NAMES[i] if i < len(_VARIANT_NAMES) else f"Design {v}"
                       for i, v in enumerate(variants)},
        task_titles={t: _TASK_TITLES[i % len(_TASK_TITLES)] for i, t in enumerate(tasks)},
        problems=tuple(problem_records),
        discovery_matrix=tuple(map(tuple, matrix.tolist())) if problems else None,
        clicks=clicks,
    )


def _clicks(rng, people: int, mean_clicks: float, targets, misclick_share: float, task: str):
    viewports = ((1280, 800), (1440, 900), (390, 844), (1920, 1080))
    for _ in range(people):
        vw, vh = viewports[rng.integers(len(viewports))]
        count = max(1, int(rng.poisson(mean_clicks)))
        page = rng.integers(len(targets), size=count)
        page.sort()
        target = targets[page, rng.integers(3, size=count)]
        miss = rng.random(count) < misclick_share
        spread = np.where(miss, 0.12, 0.02)[:, None]
        position = np.clip(target + rng.normal(0, 1, (count, 2)) * spread, 0, 1.4)
        for i in range(count):
            yield Click(page=f"/{task.lower()}/page-{page[i] + 1}", x=float(position[i, 0] * vw),
                        y=float(position[i, 1] * vh), vw=vw, vh=vh,
                        interactive=not bool(miss[i]), first=i == 0)
