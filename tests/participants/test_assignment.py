"""Assignment: balanced Latin squares, and balanced randomization under concurrent arrivals."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from uxlab.models import Participant, Study
from uxlab.participants.assignment import (
    assign,
    balanced_latin_square,
    choose_variant,
    latin_square_order,
)
from uxlab.participants.links import create_participants
from uxlab.studies.spec import VariantSpec


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_latin_square_is_balanced(n):
    rows = balanced_latin_square(n)
    assert len(rows) == (2 * n if n % 2 else n)
    for row in rows:
        assert sorted(row) == list(range(n))
    # Every condition appears in every position equally often …
    for position in range(n):
        counts = Counter(row[position] for row in rows)
        assert set(counts.values()) == {len(rows) // n}
    # … and every condition follows every other one equally often (first-order carry-over).
    followers = Counter(pair for row in rows for pair in pairwise(row))
    assert len(followers) == n * (n - 1)
    assert len(set(followers.values())) == 1


def test_williams_square_for_four_matches_the_textbook():
    # Williams (1949) design for four treatments: first row 0 1 3 2 (A B D C).
    assert balanced_latin_square(4)[0] == [0, 1, 3, 2]
    assert balanced_latin_square(4)[1] == [1, 2, 0, 3]


def test_latin_square_order_cycles():
    assert latin_square_order(["a", "b"], 0) == ["a", "b"]
    assert latin_square_order(["a", "b"], 1) == ["b", "a"]
    assert latin_square_order(["a", "b"], 2) == ["a", "b"]


def test_choose_variant_follows_weights():
    class V:
        def __init__(self, id, weight):
            self.id, self.weight = id, weight

    a, b = V(1, 1.0), V(2, 3.0)
    counts: Counter = Counter()
    for _ in range(40):
        counts[choose_variant([a, b], counts).id] += 1
    assert counts == {1: 10, 2: 30}


def test_concurrent_arrivals_stay_balanced(database, db, make_study):
    study = make_study()
    study.status = "running"
    participant_ids = [p.id for p in create_participants(db, study, 100)]
    db.commit()

    def arrive(participant_id):
        with database.session() as session:
            participant = session.get(Participant, participant_id, with_for_update=True)
            assign(session, session.get(Study, study.id), participant)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(arrive, participant_ids))

    db.expire_all()
    counts = dict(db.execute(
        select(Participant.variant_id, func.count()).where(Participant.study_id == study.id)
        .group_by(Participant.variant_id)).all())
    assert None not in counts
    assert sum(counts.values()) == 100
    assert abs(counts[study.variants[0].id] - counts[study.variants[1].id]) <= 1


def test_within_orders_form_a_balanced_latin_square(db, make_study, demo_spec):
    from dataclasses import replace

    spec = replace(demo_spec, design="within",
                   variants=demo_spec.variants + (VariantSpec("C", "Third", "checkout-redesign/b"),))
    study = make_study(spec=spec)
    participants = create_participants(db, study, 6)
    for participant in participants:
        assign(db, study, participant)
    db.commit()
    orders = [tuple(p.variant_order) for p in participants]
    # Three variants: six rows of the Williams design, each used once by six arrivals.
    assert len(set(orders)) == 6
    for position in range(3):
        assert Counter(order[position] for order in orders) == {"A": 2, "B": 2, "C": 2}
    assert all(sorted(p.task_order) == sorted(t.key for t in study.tasks) for p in participants)
    assert participants[0].variant_id is None
