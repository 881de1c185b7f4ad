"""Every participant-facing string is in the catalogue and translated in every shipped language,
and no participant template holds text outside a gettext call.

The strings are extracted with Babel exactly as ``babel.cfg`` says (the participant templates,
the participant, consent and live-notice modules, which also hold the runner's JavaScript texts);
each must have a non-empty, non-fuzzy translation with the same placeholders in every shipped
language. The template scan fails as soon as someone writes literal text (or a human-facing
attribute such as ``aria-label``) into a participant template instead of ``{{ _('…') }}``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from uxlab.i18n.languages import SHIPPED_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "uxlab" / "translations"
TRANSLATED = [language for language in SHIPPED_LANGUAGES if language != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {message[2] for message in extract_from_dir(ROOT, method_map, options_map)}


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    found = extracted()
    assert len(found) > 50, "the extraction found almost nothing: is babel.cfg right?"
    return found


def catalogue(language: str) -> dict[str, str]:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and m.string and not m.fuzzy}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_participant_string_is_translated(msgids, language):
    translated = catalogue(language)
    missing = sorted(msgids - translated.keys())
    assert not missing, (f"not translated in {language} (pybabel extract, then update and "
                         f"translate; docs/translations.md): {missing}")
    for msgid in msgids:
        assert set(PLACEHOLDER.findall(translated[msgid])) == set(PLACEHOLDER.findall(msgid)), \
            f"{language}: the placeholders of {msgid!r} differ in {translated[msgid]!r}"


def test_the_template_catalogue_is_up_to_date(msgids):
    with (TRANSLATIONS / "messages.pot").open("rb") as pot:
        template = {m.id for m in read_po(pot) if m.id}
    assert template == msgids, "run pybabel extract (docs/translations.md)"


PARTICIPANT_TEMPLATES = sorted((ROOT / "uxlab" / "templates" / "participant").glob("*.html")) + [
    ROOT / "uxlab" / "templates" / "base.html",
    ROOT / "uxlab" / "templates" / "moderation" / "_runner_control.html",
]
#: Attributes a person reads (or hears from a screen reader).
HUMAN_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "aria-description"}
#: Words that are no one's language: the product's name.
UNTRANSLATED_WORDS = {"uxlab"}
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
WORD = re.compile(r"[^\W\d_]{2,}")


class LiteralText(HTMLParser):
    """Collects the words of a template's text and human-facing attributes, Jinja removed."""

    def __init__(self):
        super().__init__()
        self.words: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag in ("script", "style")
        for name, value in attrs:
            if name in HUMAN_ATTRIBUTES and value:
                self.words += WORD.findall(value)

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if not self.in_script:
            self.words += WORD.findall(data)


def literal_words(source: str) -> list[str]:
    parser = LiteralText()
    parser.feed(JINJA.sub(" ", source))
    return [word for word in parser.words if word not in UNTRANSLATED_WORDS]


#: base.html's researcher header (log out, navigation), which the participant layout replaces.
RESEARCHER_HEADER = re.compile(r"\{% block header %\}.*?\{% endblock %\}", re.S)


@pytest.mark.parametrize("template", PARTICIPANT_TEMPLATES, ids=lambda path: path.name)
def test_participant_templates_hold_no_literal_text(template):
    source = template.read_text()
    if template.name == "base.html":
        assert "{% block header %}" in (ROOT / "uxlab/templates/participant/layout.html"
                                        ).read_text()
        source = RESEARCHER_HEADER.sub("", source)
    assert literal_words(source) == [], \
        f"{template.name}: text outside {{{{ _('…') }}}}, which no participant could read in " \
        "their language"


def test_the_template_scan_finds_literal_text():
    assert literal_words('<p>{{ _("Fine") }}</p><button aria-label="Close it">x</button>'
                         '<h1>Welcome {{ name }}</h1>') == ["Close", "it", "Welcome"]
