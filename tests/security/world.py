"""Two studies and the people around them, built once for a module's security tests.

The *target* study belongs to its owner and has one of every object a URL can name: a
participant with a moderated session, an attempt, a note, a usability problem, a share link, a
custom rating scale; the installation has a CX journey with a touchpoint, a webhook source and
an API token. The *home* study belongs to the editor and is where the viewer, the observer, a
guest of an observer link and a participant have their own access: they are real users of the installation, only not of the
target study. The admin, and a member of no study whose id the admin pages' URLs take, are
there for the admin area.
"""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from pathlib import Path

from tests.conftest import PROJECT_ROOT
from tests.support.study_data import Recorder
from uxlab.accounts.service import grant_access
from uxlab.cx import credentials
from uxlab.cx.journeys import ensure_touchpoint
from uxlab.models import User
from uxlab.moderation.observer_links import create_observer_link
from uxlab.recording.auth import ingest_token
from uxlab.screening.spec import QuotaSpec, ScreenerQuestionSpec
from uxlab.sharing.service import create_share_link
from uxlab.studies import editing
from uxlab.studies.files import read_study_file
from uxlab.studies.service import load_spec

OWNER, EDITOR, VIEWER, OBSERVER = ("owner@example.org", "editor@example.org",
                                   "viewer@example.org", "observer@example.org")
#: The installation's admin, and an account of no study that the admin pages' URLs name.
ADMIN, MEMBER = "admin@example.org", "member@example.org"
ROLE_OF = {OBSERVER: "observer", ADMIN: "admin"}


@dataclasses.dataclass
class World:
    target: int
    home: int
    values: dict[str, object]  # URL argument name -> the target study's object
    participant_token: str  # the home study participant's link token
    home_ingest_token: str
    target_ingest_token: str
    target_session: uuid.UUID
    home_session: uuid.UUID
    share_token: str
    target_participant_token: str
    api_token: str
    source_secret: str
    guest_link_token: str  # an observer link to the home study's live sessions


#: The target study's screener question and quota (the crawl's <key> for their routes).
TARGET_SCREENER = (ScreenerQuestionSpec("shopping", "single", "How often do you shop online?",
                                        ("Weekly", "Never"), {"must_not_be": ["Never"]}),)
TARGET_QUOTAS = (QuotaSpec("weekly", 10, "A", {"shopping": {"must_be": ["Weekly"]}}),)

def make_app(tmp: Path, template: Path | None):
    """An app on its own copy of the migrated SQLite template (None: on the copy already in
    ``tmp``, as a restarted process would be)."""
    from uxlab.app import create_app

    path = tmp / "uxlab.sqlite"
    if template is not None:
        shutil.copy(template, path)
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}",
                       "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp / "instance"),
                       "STUDIES_DIR": str(PROJECT_ROOT / "studies")})


def build_world(app, password_hash: str) -> World:
    database = app.extensions["uxlab.db"]
    spec = read_study_file(PROJECT_ROOT / "studies" / "checkout-redesign.toml")
    with database.write_sessions() as db:
        people = {email: User(email=email, name=email.split("@")[0], password_hash=password_hash,
                              role=ROLE_OF.get(email, "researcher"))
                  for email in (OWNER, EDITOR, VIEWER, OBSERVER, ADMIN, MEMBER)}
        db.add_all(people.values())
        db.flush()
        target = load_spec(db, dataclasses.replace(spec, screener=TARGET_SCREENER,
                                                   quotas=TARGET_QUOTAS),
                           owner=people[OWNER]).study
        home = load_spec(db, dataclasses.replace(spec, slug="home-study", title="Home study"),
                         owner=people[EDITOR]).study
        db.flush()
        editing.save_custom_scale(db, target, None, "trust", {
            "title": "Trust", "scale": 7, "items": ["I trust it"]}, "post_task")
        grant_access(db, home, people[VIEWER], "viewer")
        grant_access(db, home, people[OBSERVER], "observer")
        for study in (target, home):
            study.status = "running"
        recorder = Recorder(db, target)
        sitting = recorder.participant("P01", "A", mode="remote_moderated", completed=False)
        attempt = recorder.attempt(sitting, "find-product")
        problem = recorder.problem("Coupon field hidden")
        note = recorder.observation(sitting, "Looked for the coupon", attempt=attempt,
                                    client_id=uuid.uuid4())
        link, share_token = create_share_link(db, target, label="board")
        # Observer links share the <link_id> argument with share links: the target's comes
        # first so that id names the target's link of either kind.
        target_link, _ = create_observer_link(db, target, people[OWNER], label="observers")
        assert target_link.id == link.id
        home_sitting = Recorder(db, home).participant("H01", "A", completed=False)
        _, guest_link_token = create_observer_link(db, home, people[EDITOR], label="guests")
        touchpoint = ensure_touchpoint(db, "Purchase", "Buy", "Checkout")
        source, source_secret = credentials.create_source(db, "survey-tool")
        api_token, api_token_text = credentials.create_api_token(db, "feed reader")
        db.commit()
        values = {"study_id": target.id, "public_id": sitting.public_id,
                  "attempt_id": attempt.id, "problem_id": problem.id, "link_id": link.id,
                  "client_id": str(note.client_id), "code": "P01",
                  "touchpoint_id": touchpoint.id, "token_id": api_token.id,
                  "source_id": source.id, "user_id": people[MEMBER].id}
        return World(
            target=target.id, home=home.id, values=values,
            participant_token=home_sitting.participant.token,
            home_ingest_token=ingest_token(app, home_sitting.public_id),
            target_ingest_token=ingest_token(app, sitting.public_id),
            target_session=sitting.public_id, home_session=home_sitting.public_id,
            share_token=share_token, target_participant_token=sitting.participant.token,
            api_token=api_token_text, source_secret=source_secret,
            guest_link_token=guest_link_token)
