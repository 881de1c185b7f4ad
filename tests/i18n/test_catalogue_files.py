"""The compiled catalogues shipped in the package say what their ``.po`` sources say.

The ``.mo`` files are committed (an installed uxlab needs them and the build has no Babel step);
this test fails when someone edits a ``.po`` and forgets ``pybabel compile -d uxlab/translations``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string

from uxlab.i18n.catalogue import SHIPPED_LANGUAGES, use_language

TRANSLATIONS = Path(__file__).resolve().parents[2] / "uxlab" / "translations"
TRANSLATED = [language for language in SHIPPED_LANGUAGES if language != "en"]


def _messages(catalog) -> dict:
    return {message.id: message.string for message in catalog
            if message.id and message.string and not message.fuzzy}


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_up_to_date_with_its_source(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("rb") as mo:
        source, compiled = _messages(read_po(po)), _messages(read_mo(mo))
    assert compiled == source, f"run: pybabel compile -d uxlab/translations ({language})"


@pytest.fixture
def database_url(sqlite_url):
    """Rendering needs no database: SQLite only."""
    return sqlite_url


def test_a_template_renders_in_the_language_chosen_and_english_otherwise(app):
    with app.test_request_context("/"):
        assert render_template_string("{{ _('Study') }}") == "Study"
        use_language("de")
        assert render_template_string("{{ _('Study') }}") == "Studie"
    with app.test_request_context("/"):  # a new request starts in English again
        assert render_template_string("{{ gettext('Study') }}") == "Study"


def test_an_unshipped_language_is_refused(app):
    with app.test_request_context("/"), pytest.raises(ValueError, match="not shipped"):
        use_language("xx")
