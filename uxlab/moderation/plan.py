"""The participant's steps as the console needs them, so the in-person logger can go on offline.

The logger queues its actions while the tablet has no network and must know, meanwhile, what
comes after "stop the task" (this task's SEQ, the next task, the post-study questionnaires).
"""

from __future__ import annotations

from typing import Any

from uxlab.models import Participant, Study
from uxlab.participants import flow
from uxlab.participants.instruments import instrument_for


def step_plan(study: Study, participant: Participant) -> list[dict[str, Any]]:
    """Return each step of the participant's path: kind, task, and a questionnaire's items."""
    plan = []
    number = 0
    for step in flow.steps_for(study, participant):
        entry: dict[str, Any] = {"kind": step.kind}
        if step.kind == "task":
            number += 1
        if step.task is not None:
            entry.update(task=step.task.key, title=step.task.title, number=number,
                         instructions=step.task.instructions)
        if step.variant is not None:
            entry["variant"] = step.variant.key
        if step.questionnaire is not None:
            instrument = instrument_for(step.questionnaire)
            entry.update(instrument=step.questionnaire.instrument,
                         questionnaire_title=instrument.title, items=list(instrument.items),
                         low=instrument.scale.low, high=instrument.scale.high,
                         low_label=instrument.scale.low_label,
                         high_label=instrument.scale.high_label)
        plan.append(entry)
    total = number
    for entry in plan:
        entry["total"] = total
    return plan
