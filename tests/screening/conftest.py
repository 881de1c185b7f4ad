"""A screening study: the demo study with a screener, quotas and (optionally) a panel."""

from __future__ import annotations

import copy

import pytest

from tests.participants.bot import Bot
from uxlab.participants.links import create_participants
from uxlab.studies.spec import parse_study

SCREENER = [
    {"key": "shopping", "kind": "single", "text": "How often do you shop online?",
     "options": ["Weekly", "Monthly", "Rarely", "Never"], "must_not_be": ["Never"]},
    {"key": "devices", "kind": "multiple", "text": "Which devices do you shop on?",
     "options": ["Phone", "Tablet", "Computer"], "must_include": ["Phone", "Computer"]},
    {"key": "age", "kind": "number", "text": "How old are you?", "min": 18, "max": 75},
]
#: Answers of an eligible weekly shopper, as a form posts them.
ELIGIBLE = {"screener_shopping": "Weekly", "screener_devices": ["Computer", "Phone"],
            "screener_age": "34"}


def screening_data(demo_spec, **extra) -> dict:
    data = copy.deepcopy(demo_spec.to_dict())
    data["screener"] = copy.deepcopy(SCREENER)
    data["study"]["open_recruitment"] = True
    if "panel" in extra:  # the demo's panel_id_param would say it a second time
        data["study"].pop("panel_id_param", None)
    for name, value in extra.items():
        if name in ("screen_out", "full", "place_hold_minutes"):
            data["study"][name] = value
        else:
            data[name] = value
    return data


@pytest.fixture
def make_screening_study(db, make_study, demo_spec):
    """Load and start the demo study with the screener and ``extra`` top-level tables."""

    def make(**extra):
        study = make_study(spec=parse_study(screening_data(demo_spec, **extra)))
        study.status = "running"
        study.recruitment_token = "public-token"
        db.commit()
        return study

    return make


@pytest.fixture
def make_bot(client, db):
    """A bot with a personal link to ``study`` (a fresh client each: one participant each)."""

    def make(study, app_client=None):
        participant = create_participants(db, study, 1)[0]
        db.commit()
        bot = Bot(app_client or client, participant.token)
        bot.participant_id = participant.id
        return bot

    return make
