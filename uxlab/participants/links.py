"""Participant links: a pseudonymous code for researchers, a secret token for the participant."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.csvutil import csv_line
from uxlab.models import Participant, Study

MAX_LINKS_PER_REQUEST = 1000
#: Codes avoid look-alike characters (0/O, 1/I/L) because researchers read them aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_token() -> str:
    """Return a link token with 192 bits from ``secrets`` (the issue asks for at least 128)."""
    return secrets.token_urlsafe(24)


def _new_code(taken: set[str]) -> str:
    while True:
        code = "P-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def create_participants(
    session: Session, study: Study, count: int, label: str = "", synthetic: bool = False
) -> list[Participant]:
    """Create ``count`` participants of ``study`` with fresh codes and link tokens.

    Variants are assigned when a participant arrives, not here, so that assignment stays
    balanced over the people who actually take part.
    """
    if not 1 <= count <= MAX_LINKS_PER_REQUEST:
        raise ValueError(f"count must be between 1 and {MAX_LINKS_PER_REQUEST}, not {count}")
    if study.status == "closed":
        raise ValueError("the study is closed; reopen it to add participants")
    taken = set(session.scalars(select(Participant.code).where(Participant.study_id == study.id)))
    participants = [
        Participant(study_id=study.id, code=_new_code(taken), token=new_token(), label=label,
                    synthetic=synthetic)
        for _ in range(count)
    ]
    session.add_all(participants)
    session.flush()
    return participants


def participant_link(base_url: str, token: str) -> str:
    """Return the URL a participant opens (``/p/<token>``)."""
    return f"{base_url.rstrip('/')}/p/{token}"


def links_csv(participants: list[Participant], base_url: str) -> str:
    """Return a CSV of participant codes, labels and links."""
    lines = [csv_line(["code", "label", "link", "created_at"])]
    lines += [csv_line([p.code, p.label, participant_link(base_url, p.token),
                        p.created_at.isoformat()]) for p in participants]
    return "".join(lines)
