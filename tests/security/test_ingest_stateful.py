"""Ingestion under a bad network, as a state machine (hypothesis): nothing lost, nothing twice.

The recorder sends batches of events and retries with the same event ids until a batch is
acknowledged. Hypothesis plays any sequence of: send a new batch; send one whose answer is lost
(the server may or may not have stored it, the client cannot know); resend a batch; resend
events of several batches mixed and out of order; restart the app (a new process on the same
database, new connections). After every step the stored events of the session are exactly those
sent, each once, and include every acknowledged one; at the end, once the recorder has resent
what it was unsure of, stored = acknowledged.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import func, select

from tests.security.world import build_world, make_app
from tests.support.study_data import Recorder
from uxlab.models import Event, Study, TestSession
from uxlab.recording.auth import ingest_token

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")


class IngestionMachine(RuleBasedStateMachine):
    """One participant's recorder against the events endpoint."""

    #: Set by the test: the database file's directory, and the app that built the study.
    place = None
    batches = Bundle("batches")

    @initialize()
    def open_session(self):
        self.directory, self.shared_app, study_id = self.place
        self.app = self.shared_app
        with self.app.extensions["uxlab.db"].write_sessions() as db:
            sitting = Recorder(db, db.get(Study, study_id)).participant(
                uuid.uuid4().hex[:8], "A", completed=False)
            db.commit()
            self.public_id = sitting.public_id
        self.token = ingest_token(self.app, self.public_id)
        self.client = self.app.test_client()
        self.url = f"/api/v1/sessions/{self.public_id}/events"
        self.seq = 0
        self.sent: set[str] = set()
        self.acknowledged: set[str] = set()
        self.unsure: list[list[dict]] = []

    def teardown(self):
        if hasattr(self, "app"):
            self.resend_what_is_unsure()
            assert self.stored() == self.acknowledged
            self._stop()

    def _stop(self):
        if self.app is not self.shared_app:
            self.app.extensions["uxlab.db"].dispose()

    # --- the recorder ----------------------------------------------------------------------

    def _new_batch(self, size: int) -> list[dict]:
        events = []
        for _ in range(size):
            events.append({"id": str(uuid.uuid4()), "seq": self.seq, "tab": "tab-1",
                           "type": "click", "t": 1_700_000_000_000 + self.seq * 250,
                           "x": 10.0, "y": 20.0, "target": "button"})
            self.seq += 1
        self.sent.update(event["id"] for event in events)
        return events

    def _post(self, events: list[dict]) -> None:
        response = self.client.post(self.url, json={"events": events,
                                                    "token": self.token})
        assert response.status_code == 200, response.get_json()
        counts = response.get_json()
        assert counts["accepted"] + counts["duplicates"] == len(events), counts
        self.acknowledged.update(event["id"] for event in events)

    def resend_what_is_unsure(self):
        while self.unsure:
            self._post(self.unsure.pop())

    @rule(target=batches, size=st.integers(1, 6))
    def send(self, size):
        events = self._new_batch(size)
        self._post(events)
        return events

    @rule(target=batches, size=st.integers(1, 6))
    def send_and_lose_the_answer(self, size):
        events = self._new_batch(size)
        self.client.post(self.url, json={"events": events,
                                         "token": self.token})
        self.unsure.append(events)
        return events

    @rule(batch=batches)
    def resend(self, batch):
        self._post(batch)

    @rule(first=batches, second=batches, order=st.randoms(use_true_random=False))
    def resend_mixed_out_of_order(self, first, second, order):
        events = list({event["id"]: event for event in first + second}.values())
        order.shuffle(events)
        self._post(events)

    @precondition(lambda self: bool(self.unsure))
    @rule()
    def retry_the_unsure(self):
        self.resend_what_is_unsure()

    @rule()
    def restart(self):
        """A new app process on the same database: new engine, new connections."""
        self._stop()
        self.app = make_app(self.directory, None)
        self.client = self.app.test_client()

    # --- what must hold ----------------------------------------------------------------------

    def stored(self) -> set[str]:
        with self.app.extensions["uxlab.db"].read_sessions() as db:
            session_id = db.scalar(select(TestSession.id).where(
                TestSession.public_id == self.public_id))
            ids = db.scalars(select(Event.event_uuid).where(Event.session_id == session_id)
                             ).all()
            count = db.scalar(select(func.count()).select_from(Event).where(
                Event.session_id == session_id))
        assert count == len(ids) == len(set(ids)), "an event is stored twice"
        return {str(event_id) for event_id in ids}

    @invariant()
    def nothing_lost_nothing_twice(self):
        if not hasattr(self, "app"):
            return
        stored = self.stored()
        assert self.acknowledged <= stored, "an acknowledged event is missing"
        assert stored <= self.sent, "an event nobody sent is stored"


@pytest.fixture
def shared_app(tmp_path, sqlite_template, password_hash):
    app = make_app(tmp_path, sqlite_template)
    world = build_world(app, password_hash)
    yield app, world.target
    app.extensions["uxlab.db"].dispose()


def test_ingestion_keeps_every_acknowledged_event_once(tmp_path, shared_app):
    app, study_id = shared_app
    IngestionMachine.place = (tmp_path, app, study_id)
    machine = IngestionMachine.TestCase
    machine.settings = settings(max_examples=10, stateful_step_count=10, deadline=None,
                                derandomize=True, database=None,
                                suppress_health_check=list(HealthCheck))
    machine("runTest").runTest()
