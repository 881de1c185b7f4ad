"""Which consent text a participant agreed to: a SHA-256 of the exact text shown.

The consent page shows the study's welcome text, its consent text, the sentence about being
watched live, and the agreement the participant ticks; :func:`consent_statement` joins exactly
those, in that order and in the language the page is shown in (the study's texts in that
language, uxlab's sentences from its catalogue), so the digest identifies the wording they
agreed to even after the study file changes (keep old study files, or the statement, to show it
again). The page carries the digest it was rendered with; a consent sent from a page whose text
has changed since (another language included) is refused, so a participant never agrees to a
text they were not shown. The participant's ``consent_language`` records that language.
"""

from __future__ import annotations

import hashlib

from uxlab.i18n.text import N_, translate

#: The sentence beside the consent checkbox (the template shows it through :func:`agreement`).
AGREEMENT = N_("I have read the above and agree to take part.")


def agreement() -> str:
    """The agreement in the current page's language."""
    return translate(AGREEMENT)


def consent_statement(welcome: str, consent: str, live_notice: str) -> str:
    """The consent page's text, as shown: paragraphs separated by blank lines."""
    parts = [welcome or "", consent or "", live_notice, agreement()]
    return "\n\n".join(part.strip() for part in parts if part.strip())


def consent_digest(statement: str) -> str:
    """SHA-256 (hex) of the statement's UTF-8 bytes."""
    return hashlib.sha256(statement.encode("utf-8")).hexdigest()
