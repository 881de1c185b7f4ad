"""Synthetic participants for the demo: they go through the same code as real ones.

Each simulated participant consents, is assigned, starts every task, sends recorder events
through ingestion, ends the attempt through the outcome rules, and answers the questionnaires —
so a demo report exercises exactly what a real study does. They are labelled ``synthetic`` and
their codes start with ``SIM-``; reports say how many there are.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from uxlab.models import Study
from uxlab.participants import flow
from uxlab.participants.answers import store_answers
from uxlab.participants.instruments import instrument_for
from uxlab.participants.links import create_participants
from uxlab.participants.outcomes import finish_attempt
from uxlab.recording.ingest import ingest_events
from uxlab.recording.rules import criterion_for_variant

#: How likely a synthetic participant is to succeed, per variant position (A, B, …): the
#: redesign is better, so a demo report shows a difference worth talking about.
BASE_SUCCESS = (0.62, 0.84, 0.72)
GIVE_UP_SHARE = 0.4  # of the failures
_VIEWPORT = {"vw": 1280, "vh": 800}  # the simulated participants' browser window, CSS pixels


@dataclass
class _Clock:
    """Client time for the simulated events, in epoch milliseconds."""

    ms: int

    def tick(self, seconds: float) -> int:
        self.ms += int(seconds * 1000)
        return self.ms


def _event(kind: str, seq: int, clock: _Clock, attempt_id: int, seconds: float, **fields) -> dict:
    data = fields.pop("data", {})
    return {"id": str(uuid.uuid4()), "seq": seq, "tab": "sim", "type": kind,
            "t": clock.tick(seconds), "attempt": attempt_id, "x": fields.get("x"),
            "y": fields.get("y"), "target": fields.get("target"), "url": fields.get("url"),
            "data": data}


def _success_page(criterion: dict) -> str | None:
    if criterion.get("type") != "url":
        return None
    url = criterion["url"]
    # A regex criterion of the demo is an escaped literal ("cart\.html\?size=42$").
    return url.replace("\\", "").rstrip("$").lstrip("^") if criterion.get("match") == "regex" \
        else url


def _simulate_attempt(db: Session, study: Study, participant, step, rng: random.Random,
                      variant_index: int, seq_start: int) -> tuple[bool, int]:
    attempt = flow.start_task(db, study, participant, participant.step)
    task = step.task
    criterion = criterion_for_variant(task.criterion, step.variant.key)
    p_success = min(0.97, BASE_SUCCESS[min(variant_index, len(BASE_SUCCESS) - 1)]
                    + rng.uniform(-0.1, 0.1))
    success = rng.random() < p_success
    target_time = task.target_time_s or 60
    seconds = rng.lognormvariate(math.log(target_time * (0.8 if success else 1.4)), 0.45)
    if task.time_limit_s:
        seconds = min(seconds, task.time_limit_s - 1)
    attempt.started_at = attempt.started_at - timedelta(seconds=seconds)
    clock = _Clock(int(attempt.started_at.timestamp() * 1000))
    pages = list(task.optimal_path or [task.start_page or "index.html"])
    if not success and len(pages) > 1:
        pages.pop()  # a failure stops short of the goal
    if not success or rng.random() < 0.3:
        pages.insert(1, rng.choice(["help.html", "shoes.html", "index.html"]))
    error_pages = [rule["url"] for rule in task.error_rules or () if rule.get("type") == "url"]
    if error_pages and rng.random() < (0.5 if not success else 0.15):
        pages.insert(1, rng.choice(error_pages))  # a dead end the study counts as an error
    events, seq = [], seq_start
    events.append(_event("navigate", seq, clock, attempt.id, 0, url=pages[0]))
    seq += 1
    step_time = seconds / (len(pages) + 2)
    for current, page in zip(pages, pages[1:], strict=False):
        # Clicks carry their page and viewport as the recorder sends them, for the click maps.
        if rng.random() < 0.25:  # a click on nothing interactive: a misclick
            events.append(_event("click", seq, clock, attempt.id, step_time / 2,
                                 x=rng.uniform(0, 1200), y=rng.uniform(0, 800),
                                 target="main > div", url=current,
                                 data={"interactive": False, **_VIEWPORT}))
            seq += 1
        events.append(_event("click", seq, clock, attempt.id, step_time / 2,
                             x=rng.uniform(0, 1200), y=rng.uniform(0, 800),
                             target=f"a[href='{page}']", url=current,
                             data={"interactive": True, **_VIEWPORT}))
        events.append(_event("navigate", seq + 1, clock, attempt.id, 0.3, url=page))
        seq += 2
    final = None
    page = _success_page(criterion)
    if success and page:
        final = _event("navigate", seq, clock, attempt.id, step_time, url=page)
        events.append(final)
        seq += 1
    ingest_events(db, attempt.session, events)
    if final is not None:
        finish_attempt(db, study, attempt, "criterion", event=final)
    elif criterion.get("type") == "answer":
        answers = criterion.get("answers") or ["I am not sure"]
        finish_attempt(db, study, attempt, "done",
                       answer=answers[0] if success else "14 days")
    elif success:
        finish_attempt(db, study, attempt, "done")
    else:
        finish_attempt(db, study, attempt,
                       "give_up" if rng.random() < GIVE_UP_SHARE else "done")
    flow.advance(study, participant)
    return attempt.outcome == "success", seq


def _answer(db: Session, participant, step, rng: random.Random, mood: float, attempt) -> None:
    instrument = instrument_for(step.questionnaire)
    low, high = instrument.scale.low, instrument.scale.high
    values = {}
    for number, _text in enumerate(instrument.items, start=1):
        positive = not (step.questionnaire.instrument == "sus" and number % 2 == 0)
        level = mood if positive else 1 - mood
        value = round(low + level * (high - low) + rng.gauss(0, (high - low) * 0.12))
        values[number] = max(low, min(high, value))
    store_answers(db, flow.active_session(participant), step.questionnaire, values, attempt,
                  step.variant if step.kind == "post_study" else None)
    flow.advance(participant.study, participant)


def simulate_participants(db: Session, study: Study, count: int, seed: int | None = None
                          ) -> int:
    """Run ``count`` synthetic participants through ``study``; return how many completed."""
    rng = random.Random(seed)
    variant_positions = {v.key: i for i, v in enumerate(study.variants)}
    created = create_participants(db, study, count, label="synthetic", synthetic=True)
    for participant in created:
        participant.code = "SIM-" + participant.code[2:]
        if flow.consent(db, study, participant, participant.step, user_agent="uxlab simulator",
                        skip_screener=True) is None:
            continue  # the quotas are full
        seq = 0
        last_attempt, outcomes = None, []
        while True:
            step = flow.current_step(study, participant)
            if step.kind == "done":
                break
            if step.kind == "task":
                index = variant_positions[step.variant.key]
                success, seq = _simulate_attempt(db, study, participant, step, rng, index, seq)
                outcomes.append(success)
                last_attempt = flow.attempt_for(db, flow.active_session(participant), step)
            elif step.kind == "post_task":
                mood = 0.8 if outcomes and outcomes[-1] else 0.35
                _answer(db, participant, step, rng, mood + rng.uniform(-0.1, 0.1), last_attempt)
            else:
                share = sum(outcomes) / len(outcomes) if outcomes else 0.5
                _answer(db, participant, step, rng, 0.3 + 0.55 * share, None)
        db.flush()
    return sum(1 for p in created if p.completed_at is not None)
