"""Marking and translating participant-facing text in Python.

``N_`` marks a module-level constant for extraction (Babel's default keywords include it) and
returns it untouched: the constant stays the English msgid, which researcher pages, logs and
digests of English pages keep using. ``translate`` gives it in the current page's language.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext

__all__ = ["N_", "gettext", "ngettext", "translate"]


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark ``message`` for the catalogue without translating it now."""
    return message


def translate(message: str) -> str:
    """``message`` (a msgid marked with :func:`N_`) in the current page's language."""
    return gettext(message)
