"""Study files: ``study.languages`` and ``[translations]`` are validated, warned about when
incomplete, stored, and exported back unchanged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import PROJECT_ROOT
from tests.support.translated_study import GERMAN, translated_demo
from uxlab.studies.files import parse_study_bytes, study_to_toml
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.service import spec_from_study
from uxlab.studies.spec import parse_study
from uxlab.studies.translations import missing_translations


def problems_of(data: dict) -> list[str]:
    with pytest.raises(StudyDefinitionError) as caught:
        parse_study(data)
    return [str(problem) for problem in caught.value.problems]


def with_languages(demo_spec, languages, translations) -> dict:
    data = replace(demo_spec, languages=tuple(languages)).to_dict()
    data["translations"] = translations
    return data


def test_a_study_without_languages_is_in_english(demo_spec):
    assert demo_spec.languages == ("en",) and demo_spec.translations == {}
    assert "languages" not in demo_spec.to_dict()["study"]


def test_the_file_round_trips_with_its_translations(demo_spec):
    spec = translated_demo(demo_spec)
    again = parse_study_bytes(study_to_toml(spec).encode(), "again.toml")
    assert again == spec and again.translations["de"] == GERMAN


def test_load_stores_and_export_gives_back_the_translations(make_study, demo_spec):
    spec = translated_demo(demo_spec)
    study = make_study(spec=spec)
    assert study.languages == ["en", "de", "fr"]
    assert spec_from_study(study) == spec


def test_languages_must_be_shipped_and_distinct(demo_spec):
    data = demo_spec.to_dict()
    data["study"]["languages"] = ["en", "it", "en"]
    assert problems_of(data) == [
        "study.languages[1]: 'it' is not a language uxlab's participant pages are translated "
        "into (en, de, fr)",
        "study.languages[2]: 'en' is listed twice",
    ]
    data["study"]["languages"] = "de"
    assert problems_of(data) == ["study.languages: must be a non-empty list of language codes "
                                 "(en, de, fr)"]


def test_translations_name_their_key_and_problem(demo_spec):
    data = with_languages(demo_spec, ["en", "de"], {
        "en": {"study": {"title": "Own language"}},
        "fr": {"study": {"title": "Pas déclarée"}},
        "de": {"study": {"title": "", "slug": "x"},
               "tasks": {"nope": {"title": "Gibt es nicht"},
                         "find-product": {"question": "Keine Frage hier"}},
               "questionnaires": {"nps": {"question": ["a list"]}},
               "panel": {}},
    })
    assert problems_of(data) == [
        "translations.en: 'en' is not one of the study's other languages (study.languages: en, "
        "de; the texts of the file itself are in 'en')",
        "translations.fr: 'fr' is not one of the study's other languages (study.languages: en, "
        "de; the texts of the file itself are in 'en')",
        "translations.de.study.title: must be a non-empty string",
        "translations.de.study.slug: not a text of the study's own here (its texts here: title, "
        "welcome, consent, thanks)",
        "translations.de.tasks.nope: no tasks key 'nope' in the study (known: find-product, "
        "add-to-cart, apply-coupon, guest-checkout, return-policy)",
        "translations.de.tasks.find-product.question: not a text of the study's own here (its "
        "texts here: title, instructions)",
        "translations.de.questionnaires.nps.question: must be a non-empty string",
        "translations.de.panel: unknown section (allowed here: study, tasks, questionnaires, "
        "screener)",
    ]


def test_a_custom_scale_is_translated_item_for_item(demo_spec):
    data = demo_spec.to_dict()
    data["questionnaires"]["post_study"].append("trust")
    data["questionnaires"]["custom"] = {"trust": {"title": "Trust", "items": ["I trust it.",
                                                                              "It is honest."],
                                                  "anchors": ["No", "Yes"]}}
    data["study"]["languages"] = ["en", "de"]
    data["translations"] = {"de": {"questionnaires": {"trust": {"items": ["Ich vertraue."]}}}}
    assert problems_of(data) == ["translations.de.questionnaires.trust.items: must be a list of "
                                 "2 non-empty strings, like the study's own"]


def test_missing_texts_are_warnings_naming_each(demo_spec):
    spec = translated_demo(demo_spec)
    warnings = [str(w) for w in missing_translations(spec)]
    assert "translations.fr.study.consent: missing: participants who see 'fr' read it in 'en'" \
        in warnings
    assert not [w for w in warnings if w.startswith("translations.de.")]  # German is complete
    assert missing_translations(demo_spec) == []


def test_validate_warns_and_passes(cli, tmp_path, demo_spec):
    path = tmp_path / "translated.toml"
    path.write_text(study_to_toml(translated_demo(demo_spec)))
    result = cli("study", "validate", str(path), "--studies-dir", str(PROJECT_ROOT / "studies"))
    assert result.exit_code == 0
    assert f"{path}: warning: translations.fr.tasks.find-product.title: missing" in result.output


def test_the_study_form_sets_the_languages(client, db, make_user, auth, make_study, demo_spec):
    from werkzeug.datastructures import MultiDict

    from tests.conftest import csrf_token, fresh
    from uxlab.models import Study

    owner = make_user("researcher@example.org")
    auth.login("researcher@example.org")
    study = make_study(owner=owner, spec=translated_demo(demo_spec))
    url = f"/studies/{study.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert '<option selected value="en">English (en)</option>' in page
    assert 'checked id="other_languages-1" name="other_languages" type="checkbox" value="de"' \
        in page
    form = MultiDict({"title": study.title, "design": "between", "slug": study.slug,
                      "welcome": study.welcome_text, "consent": study.consent_text,
                      "thanks": study.thanks_text, "language": "de",
                      "csrf_token": csrf_token(client, url)})
    form.setlist("other_languages", ["en", "fr"])
    response = client.post(url, data=form)
    assert response.status_code == 400  # German is now the file's own: its translation is refused
    assert "translations.de: &#39;de&#39; is not one of the study&#39;s other languages" in \
        response.get_data(as_text=True)
    form.setlist("other_languages", ["en", "de", "fr"])
    form["language"] = "en"
    assert client.post(url, data=form).status_code == 302
    assert fresh(db).get(Study, study.id).languages == ["en", "de", "fr"]
