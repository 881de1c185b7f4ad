"""Which consent text a participant agreed to: a SHA-256 of the exact text shown.

The consent page shows the study's welcome text, its consent text, the sentence about being
watched live, and the agreement the participant ticks; :func:`consent_statement` joins exactly
those, in that order, so the digest identifies the wording they agreed to even after the study
file changes (keep old study files, or the statement, to show it again). The page carries the
digest it was rendered with; a consent sent from a page whose text has changed since is refused,
so a participant never agrees to a text they were not shown.
"""

from __future__ import annotations

import hashlib

from uxlab.models import Study

#: The sentence beside the consent checkbox (the template shows this same constant).
AGREEMENT = "I have read the above and agree to take part."
#: The language the participant pages are written in (``<html lang>``); studies have no
#: language of their own yet, so the consent is recorded in this one.
PAGE_LANGUAGE = "en"


def consent_statement(study: Study, live_notice: str) -> str:
    """The consent page's text, as shown: paragraphs separated by blank lines."""
    parts = [study.welcome_text or "", study.consent_text or "", live_notice, AGREEMENT]
    return "\n\n".join(part.strip() for part in parts if part.strip())


def consent_digest(statement: str) -> str:
    """SHA-256 (hex) of the statement's UTF-8 bytes."""
    return hashlib.sha256(statement.encode("utf-8")).hexdigest()
