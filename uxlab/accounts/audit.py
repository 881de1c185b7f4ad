"""The account audit: who changed which account, how and when (read by admins).

Every change made through :mod:`uxlab.accounts.administration` (in the browser or on the command
line) and every use of a set-password link adds one :class:`~uxlab.models.AccountAudit` row in
the same transaction as the change itself, so a change is never without its row.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uxlab.models import AccountAudit, User

#: The actor of changes made with ``uxlab user …``.
COMMAND_LINE = "command line"
PAGE_SIZE = 50


def record(session: Session, actor: User | None, target: User, action: str,
           **details: Any) -> AccountAudit:
    """Add the audit row of ``action`` by ``actor`` (None: the command line) on ``target``."""
    row = AccountAudit(actor_id=actor.id if actor else None,
                       actor=actor.email if actor else COMMAND_LINE,
                       target_id=target.id, target=target.email, action=action,
                       details=details)
    session.add(row)
    session.flush()
    return row


@dataclasses.dataclass(frozen=True)
class AuditPage:
    rows: list[AccountAudit]
    page: int
    pages: int
    total: int


def audit_page(session: Session, page: int = 1, page_size: int = PAGE_SIZE) -> AuditPage:
    """Page ``page`` (from 1) of the audit, newest first; past the end: the last page."""
    total = session.scalar(select(func.count(AccountAudit.id))) or 0
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = session.scalars(select(AccountAudit)
                           .order_by(AccountAudit.at.desc(), AccountAudit.id.desc())
                           .offset((page - 1) * page_size).limit(page_size))
    return AuditPage(rows=list(rows), page=page, pages=pages, total=total)
