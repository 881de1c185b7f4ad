"""The data model: SQLAlchemy 2 typed models, one module per area, all on one metadata."""

from uxlab.models.accounts import AccountAudit, LoginThrottle, PasswordLink, StudyMember, User
from uxlab.models.base import Base
from uxlab.models.cx import (
    ApiToken,
    CxMeasure,
    CxResponse,
    CxSource,
    Journey,
    JourneyStage,
    Touchpoint,
)
from uxlab.models.feedback import (
    Observation,
    ProblemSighting,
    QuestionnaireResponse,
    SeverityRating,
    UsabilityProblem,
)
from uxlab.models.moderation import ModerationAudit, ObserverGuest, ObserverLink, SessionWatch
from uxlab.models.participants import Attempt, Event, IdempotencyKey, Participant, TestSession
from uxlab.models.privacy import ParticipantDeletion
from uxlab.models.screening import Quota, ScreenerQuestion
from uxlab.models.sharing import ShareLink
from uxlab.models.studies import Questionnaire, Study, Task, Variant

__all__ = [
    "AccountAudit",
    "ApiToken",
    "Attempt",
    "Base",
    "CxMeasure",
    "CxResponse",
    "CxSource",
    "Event",
    "IdempotencyKey",
    "Journey",
    "JourneyStage",
    "LoginThrottle",
    "ModerationAudit",
    "Observation",
    "ObserverGuest",
    "ObserverLink",
    "Participant",
    "ParticipantDeletion",
    "PasswordLink",
    "ProblemSighting",
    "Questionnaire",
    "Quota",
    "QuestionnaireResponse",
    "ScreenerQuestion",
    "SeverityRating",
    "SessionWatch",
    "ShareLink",
    "Study",
    "StudyMember",
    "Task",
    "TestSession",
    "Touchpoint",
    "UsabilityProblem",
    "User",
    "Variant",
]
