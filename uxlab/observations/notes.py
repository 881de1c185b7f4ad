"""Timestamped notes: saved as typed, tied to the session time, the attempt and the last event.

A note's browser makes its ``client_id`` when typing starts and saves the draft under it again
and again (every pause in typing, after a reload from its local copy): :func:`save_note` is an
upsert on ``(session, client_id)``, so a retry or a reload never makes a second note.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Event, Observation, ObserverGuest, TestSession, User
from uxlab.models.feedback import OBSERVATION_KINDS
from uxlab.moderation.observer_links import GUEST_SUFFIX, LinkObserver
from uxlab.recording.metrics import derive_attempt_metrics
from uxlab.timeutil import utcnow

MAX_TEXT_LENGTH = 10_000
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
TAG_PATTERN = re.compile(r"(?<![\w&#])#([^\W_][\w-]{0,39})")
#: How far before the session start a stamp may be (clocks of two machines disagree a little);
#: such a stamp is moved to the start.
CLOCK_SKEW = timedelta(minutes=5)
#: How far ahead of the server's clock a stamp may be.
FUTURE_SLACK = timedelta(minutes=5)
NOTE_FIELDS = ("kind", "text", "noted_at", "severity", "tags")


class FieldError(ValueError):
    """Bad input to an observations service; ``field`` names the field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NoteError(FieldError):
    """Bad note input."""


class NotYours(PermissionError):
    """The note belongs to someone else, and the user may not edit other people's notes."""


@dataclass(frozen=True)
class NoteInput:
    """A validated note as typed: what kind, the text, when typing started, severity, tags."""

    kind: str
    text: str
    noted_at: datetime
    severity: int | None = None
    tags: tuple[str, ...] = ()


def parse_client_id(value: str) -> uuid.UUID:
    """The note's client id (a UUID made by the browser), or :class:`NoteError`."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NoteError("client_id", f"{value!r} is not a UUID") from None


def parse_note(body: Any, now: datetime | None = None) -> NoteInput:
    """Validate a note body (a JSON object); raise :class:`NoteError` naming the bad field."""
    if not isinstance(body, Mapping):
        raise NoteError("body", "must be a JSON object")
    unknown = sorted(set(body) - set(NOTE_FIELDS))
    if unknown:
        raise NoteError(unknown[0], f"unknown field (allowed: {', '.join(NOTE_FIELDS)})")
    kind = body.get("kind", "note")
    if kind not in OBSERVATION_KINDS:
        raise NoteError("kind", f"must be one of {', '.join(OBSERVATION_KINDS)}, not {kind!r}")
    text = body.get("text", "")
    if not isinstance(text, str):
        raise NoteError("text", "must be a string")
    if len(text) > MAX_TEXT_LENGTH:
        raise NoteError("text", f"is {len(text)} characters long; at most {MAX_TEXT_LENGTH}")
    if "\x00" in text:
        raise NoteError("text", "must not contain NUL characters")
    if "noted_at" not in body:
        raise NoteError("noted_at", "required: when typing started (ISO 8601 or epoch ms)")
    noted_at = parse_time(body["noted_at"], "noted_at")
    if noted_at > (now or utcnow()) + FUTURE_SLACK:
        raise NoteError("noted_at", "is in the future")
    severity = body.get("severity")
    if severity is not None and (type(severity) is not int or not 0 <= severity <= 4):
        raise NoteError("severity", f"must be a whole number 0–4 or null, not {severity!r}")
    return NoteInput(kind=kind, text=text, noted_at=noted_at, severity=severity,
                     tags=_tags(body.get("tags"), text))


def parse_time(value: Any, field: str) -> datetime:
    """An aware UTC datetime from epoch milliseconds or an ISO 8601 string with a zone."""
    if type(value) in (int, float) and math.isfinite(value):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            raise NoteError(field, f"{value!r} is out of range") from None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise NoteError(field, f"{value!r} is not an ISO 8601 time") from None
        if parsed.tzinfo is None:
            raise NoteError(field, "needs a time zone (e.g. Z)")
        return parsed.astimezone(UTC)
    raise NoteError(field, "must be epoch milliseconds or an ISO 8601 string")


def _tags(value: Any, text: str) -> tuple[str, ...]:
    tags: list[str] = []
    if value is not None:
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise NoteError("tags", "must be a list of strings")
        for tag in value:
            tag = tag.strip().lstrip("#")
            if not TAG_PATTERN.fullmatch(f"#{tag}"):
                raise NoteError("tags", f"{tag!r} is not a tag (letters, digits, - and _, "
                                        f"at most {MAX_TAG_LENGTH})")
            tags.append(tag)
    tags += TAG_PATTERN.findall(text)
    unique = list(dict.fromkeys(tag.lower() for tag in tags))
    if len(unique) > MAX_TAGS:
        raise NoteError("tags", f"at most {MAX_TAGS} tags per note")
    return tuple(unique)


def save_note(session: Session, test_session: TestSession, client_id: uuid.UUID,
              note: NoteInput, author: User | LinkObserver, *, may_edit_others: bool = False
              ) -> tuple[Observation, bool]:
    """Create or update the note ``client_id`` of ``test_session``; return it and whether it is new.

    The stamp is tied to the session: ``offset_ms`` from the session start, the attempt under
    way (or last begun) at that moment, and the last event recorded before it. Editing keeps the
    author; someone else's note raises :class:`NotYours` unless ``may_edit_others``. An error
    note counts in its attempt's errors, so an ended attempt it joins or leaves is recounted.
    """
    before = session.execute(select(Observation.attempt_id, Observation.kind).where(
        Observation.session_id == test_session.id, Observation.client_id == client_id)).first()
    observation, created = _save_note(session, test_session, client_id, note, author,
                                      may_edit_others)
    _recount_errors(session, [before, (observation.attempt_id, observation.kind)])
    return observation, created


def _recount_errors(session: Session, notes: list) -> None:
    """Derive again the metrics of the ended attempts that these (attempt id, kind) pairs of
    error notes belong to."""
    for attempt_id in {attempt for attempt, kind in filter(None, notes)
                       if attempt is not None and kind == "error"}:
        attempt = session.get(Attempt, attempt_id)
        if attempt is not None and attempt.ended_at is not None:
            derive_attempt_metrics(session, attempt)


def _save_note(session: Session, test_session: TestSession, client_id: uuid.UUID,
               note: NoteInput, author: User | LinkObserver, may_edit_others: bool
               ) -> tuple[Observation, bool]:
    noted_at = _within_session(test_session, note.noted_at)
    observation = _find(session, test_session, client_id)
    if observation is not None and not may_edit_others and not _is_authors(observation, author):
        raise NotYours("this note is someone else's")
    created = observation is None
    if created:
        observation = Observation(session_id=test_session.id, client_id=client_id,
                                  **_author_columns(author))
    _apply(session, observation, test_session, note, noted_at)
    if not created:
        observation.updated_at = utcnow()
        session.flush()
        return observation, False
    try:
        with session.begin_nested():
            session.add(observation)
    except IntegrityError:
        # The same draft saved twice at once (two tabs, a retry): the other save won; update it.
        existing = _find(session, test_session, client_id)
        if existing is None:
            raise
        if not may_edit_others and not _is_authors(existing, author):
            raise NotYours("this note is someone else's") from None
        _apply(session, existing, test_session, note, noted_at)
        existing.updated_at = utcnow()
        session.flush()
        return existing, False
    return observation, True


def _author_columns(author: User | LinkObserver) -> dict[str, int]:
    if isinstance(author, LinkObserver):
        return {"guest_id": author.guest_id}
    return {"author_id": author.id}


def _is_authors(observation: Observation, author: User | LinkObserver) -> bool:
    """Whether ``author`` wrote the note (an account also owns notes whose author is gone)."""
    if isinstance(author, LinkObserver):
        return observation.guest_id == author.guest_id
    return observation.guest_id is None and observation.author_id in (author.id, None)


def _find(session: Session, test_session: TestSession, client_id: uuid.UUID
          ) -> Observation | None:
    return session.scalar(select(Observation).where(
        Observation.session_id == test_session.id, Observation.client_id == client_id))


def _within_session(test_session: TestSession, noted_at: datetime) -> datetime:
    if noted_at < test_session.started_at - CLOCK_SKEW:
        raise NoteError("noted_at", "is before the session started "
                                    f"({test_session.started_at.isoformat()})")
    return max(noted_at, test_session.started_at)


def _apply(session: Session, observation: Observation, test_session: TestSession,
           note: NoteInput, noted_at: datetime) -> None:
    if observation.noted_at != noted_at:
        attempt = attempt_at(session, test_session, noted_at)
        event = last_event_before(session, test_session, noted_at)
        observation.attempt_id = attempt.id if attempt else None
        observation.after_event_id = event.id if event else None
        observation.after_event = event_label(event) if event else None
    observation.noted_at = noted_at
    # From the start as a browser knows it, to the millisecond (Date.parse drops the rest): a
    # note it stamps at the scrubber's 1:15 is then 75,000 ms in, not 74,999.5 (read as 1:14).
    started = test_session.started_at
    started = started.replace(microsecond=started.microsecond // 1000 * 1000)
    observation.offset_ms = max(0, int((noted_at - started).total_seconds() * 1000))
    observation.kind = note.kind
    observation.text = note.text
    observation.severity = note.severity
    observation.tags = list(note.tags)


def attempt_at(session: Session, test_session: TestSession, moment: datetime) -> Attempt | None:
    """The attempt under way at ``moment``, else the last one begun before it (a note written
    during the post-task questions is about that task)."""
    return session.scalar(
        select(Attempt).where(Attempt.session_id == test_session.id,
                              Attempt.started_at.is_not(None), Attempt.started_at <= moment)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc()).limit(1))


def last_event_before(session: Session, test_session: TestSession, moment: datetime
                      ) -> Event | None:
    """The last event of the session the server received at or before ``moment``."""
    return session.scalar(
        select(Event).where(Event.session_id == test_session.id, Event.received_at <= moment)
        .order_by(Event.received_at.desc(), Event.id.desc()).limit(1))


def event_label(event: Event) -> str:
    """A short description of an event for "after …": ``click 'Apply'``, ``page /cart``."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.type == "click":
        what = payload.get("text") or event.target or "?"
        return _cut(f"click '{what}'")
    if event.type == "navigate":
        title = payload.get("title")
        return _cut(f"page '{title}'" if title else f"page {event.url or '?'}")
    return _cut(event.type.replace("_", " "))


def _cut(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def delete_note(session: Session, observation: Observation, user: User | LinkObserver, *,
                may_edit_others: bool = False) -> None:
    """Delete a note: its author may, and editors may delete anyone's."""
    if not may_edit_others and not _is_authors(observation, user):
        raise NotYours("this note is someone else's")
    counted = (observation.attempt_id, observation.kind)
    session.delete(observation)
    session.flush()
    _recount_errors(session, [counted])


@dataclass(frozen=True)
class NoteFilters:
    """Filters of a note list: ``author`` (an email), ``tag``, ``kind``; None means any."""

    author: str | None = None
    tag: str | None = None
    kind: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> NoteFilters:
        kind = args.get("kind") or None
        if kind is not None and kind not in OBSERVATION_KINDS:
            raise NoteError("kind", f"must be one of {', '.join(OBSERVATION_KINDS)}")
        tag = (args.get("tag") or "").strip().lstrip("#").lower() or None
        return cls(author=(args.get("author") or "").strip().lower() or None, tag=tag,
                   kind=kind)


def list_notes(session: Session, test_session: TestSession,
               filters: NoteFilters | None = None) -> list[tuple[Observation, str | None]]:
    """The notes of a session in time order, with their author (an account's email, an
    observer-link guest's name), filtered."""
    filters = filters or NoteFilters()
    statement = with_authors(select(Observation, note_author())
                             .where(Observation.session_id == test_session.id)
                             .order_by(Observation.offset_ms, Observation.id))
    if filters.kind:
        statement = statement.where(Observation.kind == filters.kind)
    rows = [(observation, author) for observation, author in session.execute(statement)]
    if filters.author:
        rows = [(o, author) for o, author in rows if (author or "").lower() == filters.author]
    if filters.tag:  # tags are a JSON list; filtering in Python keeps SQLite and PostgreSQL alike
        rows = [(o, email) for o, email in rows if filters.tag in (o.tags or [])]
    return rows


def note_author(user=User, guest=ObserverGuest):
    """SQL for a note's author as lists, the timeline and exports show it: an account's email,
    or an observer-link guest's name marked so (:func:`guest_label`). Select it from a
    statement passed through :func:`with_authors` (with the same aliases)."""
    return func.coalesce(user.email, guest.display_name + GUEST_SUFFIX)


def with_authors(statement, user=User, guest=ObserverGuest):
    """Join what :func:`note_author` reads onto a statement over :class:`Observation`."""
    return (statement.outerjoin(user, user.id == Observation.author_id)
            .outerjoin(guest, guest.id == Observation.guest_id))


def author_label(session: Session, observation: Observation) -> str | None:
    """The note's author as :func:`list_notes` names them."""
    return session.scalar(with_authors(select(note_author()).select_from(Observation))
                          .where(Observation.id == observation.id))


def viewer_label(viewer: User | LinkObserver) -> str:
    """How the person asking shows as an author (what the notes panel calls "you")."""
    return viewer.label if isinstance(viewer, LinkObserver) else viewer.email


def note_json(observation: Observation, author: str | None, study_id: int | None = None
              ) -> dict[str, Any]:
    """The JSON form of a note (what the notes API answers)."""
    return {
        "id": observation.id,
        "client_id": str(observation.client_id),
        "kind": observation.kind,
        "text": observation.text,
        "severity": observation.severity,
        "tags": list(observation.tags or []),
        "noted_at": observation.noted_at.isoformat() if observation.noted_at else None,
        "offset_ms": observation.offset_ms,
        "attempt": observation.attempt_id,
        "after_event": observation.after_event,
        "after_event_id": observation.after_event_id,
        "problem": observation.problem_id,
        "author": author,
        "updated_at": observation.updated_at.isoformat() if observation.updated_at else None,
    }
