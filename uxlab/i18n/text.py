"""Marking and translating participant-facing text in Python.

``N_`` marks a module-level constant for extraction (Babel's default keywords include it) and
returns it untouched: the constant stays the English msgid, which researcher pages, logs and
digests of English pages keep using. ``translate`` gives it in the current page's language.

Flask-Babel (and Flask with it, about 0.4 s) is imported when a text is first translated, not
when a module marks its texts: the command line's reports read the English constants only.
"""

from __future__ import annotations

__all__ = ["N_", "gettext", "ngettext", "translate"]


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark ``message`` for the catalogue without translating it now."""
    return message


def translate(message: str) -> str:
    """``message`` (a msgid marked with :func:`N_`) in the current page's language."""
    return gettext(message)


def gettext(message: str, **variables) -> str:
    """Flask-Babel's ``gettext``: ``message`` in the current page's language."""
    from flask_babel import gettext as babel_gettext

    return babel_gettext(message, **variables)


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Flask-Babel's ``ngettext``: the form for ``num`` in the current page's language."""
    from flask_babel import ngettext as babel_ngettext

    return babel_ngettext(singular, plural, num, **variables)
