"""The demo: the checkout-redesign study, a demo researcher, ready to try in one command."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from uxlab import schema
from uxlab.accounts.service import create_user
from uxlab.config import shipped_data_dir
from uxlab.cx.demo_data import load_demo_cx
from uxlab.cx.journey_files import read_journey_file
from uxlab.cx.journeys import load_journeys
from uxlab.db import Database
from uxlab.models import Participant, Study, User
from uxlab.participants.links import create_participants
from uxlab.participants.simulate import simulate_participants
from uxlab.studies.files import read_study_file
from uxlab.studies.service import load_spec, start_study

DEMO_EMAIL = "demo@uxlab.example"
DEMO_PASSWORD = "uxlab-demo-password"
DEMO_STUDY_FILE = "checkout-redesign.toml"
#: The demo's prototype pages (its variants' ``prototype`` paths are inside this folder).
DEMO_PROTOTYPES = "checkout-redesign"
DEMO_LINK_LABEL = "demo"
DEMO_JOURNEY_FILE = "journeys.toml"


@dataclass(frozen=True)
class DemoResult:
    study_title: str
    study_status: str
    participant_token: str
    study_file: Path
    simulated: int = 0
    cx_responses: int = 0


def demo_study_file(studies_dir: str | Path) -> Path:
    """Return the demo study file in ``studies_dir``, first copying there whatever of the shipped
    demo (study, prototype pages, journeys) is missing: an installed uxlab starts with an empty
    folder. Files already there, perhaps edited, are kept."""
    studies = Path(studies_dir)
    shipped = shipped_data_dir() / "studies"
    studies.mkdir(parents=True, exist_ok=True)
    for name in (DEMO_PROTOTYPES, DEMO_JOURNEY_FILE, DEMO_STUDY_FILE):
        if not (studies / name).exists():
            copy = shutil.copytree if (shipped / name).is_dir() else shutil.copy2
            copy(shipped / name, studies / name)
    return studies / DEMO_STUDY_FILE


def set_up_demo(db: Database, studies_dir: str, simulate: int = 0,
                seed: int | None = None) -> DemoResult:
    """Bring the schema up to date, then load the demo account and study (idempotent).

    The study is loaded from its file the first time only. Once a study with its slug exists,
    the researcher may have changed it (in the web UI, or by loading another version), so it is
    left as it is: the demo uses its newest running version (else its newest, which it starts).
    ``uxlab study load`` loads a changed file on purpose."""
    schema.upgrade(db.engine)
    study_file = demo_study_file(studies_dir)
    spec = read_study_file(study_file)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == DEMO_EMAIL))
        if user is None:
            user = create_user(session, DEMO_EMAIL, DEMO_PASSWORD, role="researcher",
                               name="Demo researcher")
        study = _demo_study(session, spec.slug)
        if study is None:
            study = load_spec(session, spec, owner=user, source_file=str(study_file)).study
        if study.status != "running":
            start_study(study, studies_dir)
        participant = session.scalar(
            select(Participant).where(Participant.study_id == study.id,
                                      Participant.label == DEMO_LINK_LABEL,
                                      Participant.consented_at.is_(None)).limit(1)
        )
        if participant is None:
            participant = create_participants(session, study, 1, DEMO_LINK_LABEL)[0]
        simulated = simulate_participants(session, study, simulate, seed) if simulate else 0
        cx_added = _load_demo_journeys(session, Path(studies_dir) / DEMO_JOURNEY_FILE)
        return DemoResult(study.title, study.status, participant.token, study_file, simulated,
                          cx_added)


def _demo_study(session, slug: str) -> Study | None:
    """The newest running version of the demo study, else its newest version, else None."""
    return session.scalar(select(Study).where(Study.slug == slug)
                          .order_by((Study.status == "running").desc(), Study.version.desc())
                          .limit(1))


def _load_demo_journeys(session, path: Path) -> int:
    """Load the demo journeys and their synthetic CX data, when the journey file is there."""
    if not path.exists():
        return 0
    load_journeys(session, read_journey_file(path))
    return load_demo_cx(session)
