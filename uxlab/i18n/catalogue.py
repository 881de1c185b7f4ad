"""The shipped languages and the Flask-Babel wiring (locale selector, template callables).

The locale is English unless a participant view chose another with :func:`use_language`, so a
researcher page never renders in a participant's language even on the same worker thread.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import Babel, refresh

from uxlab.i18n.languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES, SHIPPED_LANGUAGES

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGE_NAMES", "SHIPPED_LANGUAGES", "babel", "init_app",
           "selected_language", "use_language"]

babel = Babel()


def selected_language() -> str:
    """Flask-Babel's locale selector: the language a participant view chose, else English."""
    return g.get("uxlab_language") or DEFAULT_LANGUAGE


def use_language(language: str) -> None:
    """Render the rest of this request in ``language`` (one of :data:`SHIPPED_LANGUAGES`)."""
    if language not in SHIPPED_LANGUAGES:
        raise ValueError(f"language {language!r} is not shipped (one of {SHIPPED_LANGUAGES})")
    g.uxlab_language = language
    refresh()  # Flask-Babel caches the locale per request


def init_app(app: Flask) -> None:
    """Wire Flask-Babel: ``_``, ``gettext`` and ``ngettext`` in templates, the locale selector."""
    babel.init_app(app, default_locale=DEFAULT_LANGUAGE, locale_selector=selected_language)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks without stray spaces
    app.add_template_global(selected_language, "page_language")  # <html lang>
