"""The researcher's forms for screener questions, quotas and the screening settings.

They only read and shape what was typed; the study-file rules (:mod:`uxlab.screening.spec`)
decide what is valid, and their problems are shown beside the fields they are about.
"""

from __future__ import annotations

import math
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from uxlab.researcher.forms import TextField
from uxlab.screening.panels import OUTCOMES, PRESETS
from uxlab.screening.spec import MAX_QUOTA_PLACES
from uxlab.studies.spec import DEFAULT_PLACE_HOLD_MINUTES


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _number(value) -> float | int | None:
    if value is None:
        return None
    if not value.is_finite():  # Decimal("NaN"), "sNaN", "Infinity": the validators refuse them
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def _finite(form, field) -> None:
    if field.data is not None and not field.data.is_finite():
        raise ValidationError("Enter a number.")


class ScreenerQuestionForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired()],
                      description="Names the answer in exports: lower-case letters, digits and _, "
                                  "e.g. shopping_frequency.")
    kind = SelectField("Kind", choices=[SelectChoice("single", "Single choice"),
                                        SelectChoice("multiple", "Multiple choice"),
                                        SelectChoice("number", "Number")])
    text = TextField("Question", validators=[DataRequired()])
    options = TextField("Answers", description="Choice questions: one answer per line.")
    must_be = TextField("Eligible only if the answer is one of",
                        description="Single choice: answers, one per line; blank for any.")
    must_not_be = TextField("Not eligible if the answer is one of",
                            description="Single choice: answers, one per line.")
    must_include = TextField("Eligible only if they choose at least one of",
                             description="Multiple choice: answers, one per line.")
    must_not_include = TextField("Not eligible if they choose any of",
                                 description="Multiple choice: answers, one per line.")
    min = DecimalField("Eligible from (at least)", places=None, validators=[Optional(), _finite],
                       description="Number questions.")
    max = DecimalField("Eligible up to (at most)", places=None,
                      validators=[Optional(), _finite])

    #: The study file's keys of a question's rule, as form fields.
    RULE_FIELDS = ("must_be", "must_not_be", "must_include", "must_not_include", "min", "max")

    @classmethod
    def data_of(cls, question) -> dict[str, Any]:
        data = {"key": question.key, "kind": question.kind, "text": question.text,
                "options": "\n".join(question.options or [])}
        for name, value in (question.rule or {}).items():
            data[name] = "\n".join(value) if isinstance(value, list) else value
        return data

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {"key": self.key.data.strip(), "kind": self.kind.data,
                                  "text": self.text.data.strip(),
                                  "options": _lines(self.options.data)}
        for name in ("must_be", "must_not_be", "must_include", "must_not_include"):
            values[name] = _lines(getattr(self, name).data)
        values["min"], values["max"] = _number(self.min.data), _number(self.max.data)
        return values


class QuotaForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired()],
                      description="Lower-case letters, digits and _, e.g. weekly_in_a.")
    places = IntegerField("Places", validators=[InputRequired(),
                                                NumberRange(min=0, max=MAX_QUOTA_PLACES)],
                          description="At most this many people hold a place at once.")
    # Not shown for within-subjects studies; an unknown key is refused by the study rules.
    variant = SelectField("Variant", choices=[SelectChoice("", "Any variant")],
                          validate_choice=False,
                          description="Only the places in this variant (between-subjects "
                                      "studies).")


#: Conditions the quota form shows but does not edit (written in the study file): kept on save.
KEPT_CONDITIONS = ("must_not_be", "must_not_include")


def conditions_from_form(questions, formdata, kept: dict[str, Any] | None = None
                         ) -> tuple[dict[str, Any], list[str]]:
    """Read a quota's conditions from the form's per-question fields; return them and the
    problems of numbers that cannot be read. The "must not" conditions of ``kept`` (the quota's
    conditions before the edit) stay as they were: the form has no fields for them."""
    conditions: dict[str, Any] = {}
    problems = []
    for question in questions:
        name = f"where-{question.key}"
        if question.kind == "number":
            rule = {}
            for bound in ("min", "max"):
                text = (formdata.get(f"{name}-{bound}") or "").strip()
                if not text:
                    continue
                try:
                    value = float(text)
                except ValueError:
                    value = math.nan
                if not math.isfinite(value):
                    problems.append(f"{question.key} {bound}: {text!r} is not a number")
                    continue
                rule[bound] = int(value) if value.is_integer() else value
        else:
            chosen = formdata.getlist(name)
            rule = {("must_include" if question.kind == "multiple" else "must_be"):
                    [o for o in question.options if o in chosen]} if chosen else {}
            rule.update({name: value for name, value in
                         ((kept or {}).get(question.key) or {}).items()
                         if name in KEPT_CONDITIONS})
        if rule:
            conditions[question.key] = rule
    return conditions, problems


class ScreeningSettingsForm(FlaskForm):
    screen_out = TextField("Screen-out page", description="What someone the screener turns "
                           "away reads (blank: uxlab's polite default).")
    full = TextField("Study-full page", description="What someone reads when every place is "
                     "taken (blank: uxlab's default).")
    place_hold_minutes = IntegerField(
        "Minutes a place is held", default=DEFAULT_PLACE_HOLD_MINUTES,
        validators=[InputRequired(), NumberRange(min=1, max=100_000)],
        description="A participant who consented but has not finished holds their quota place "
                    "this long; then it comes free for someone else.")
    preset = SelectField("Panel", choices=[SelectChoice(name, name.capitalize())
                                           for name in PRESETS],
                         description="Prolific fills in its completion URL and PROLIFIC_PID.")
    id_param = StringField("Panel id parameter", description="The query parameter of the "
                           "public link with the panel's participant id (blank: the preset's).")
    completion_url = StringField("Completion URL", description="http(s); may use {panel_id}, "
                                 "{participant} and {code}. Blank: the preset's.")
    completion_code = StringField("Completion code")
    screen_out_url = StringField("Screen-out URL")
    screen_out_code = StringField("Screen-out code")
    over_quota_url = StringField("Over-quota URL")
    over_quota_code = StringField("Over-quota code")

    PANEL_FIELDS = ("preset", "id_param", *(f"{o}_{part}" for o in OUTCOMES
                                            for part in ("url", "code")))

    def texts(self) -> dict[str, Any]:
        return {"screen_out": self.screen_out.data.strip(), "full": self.full.data.strip(),
                "place_hold_minutes": self.place_hold_minutes.data}

    def panel(self) -> dict[str, Any]:
        return {name: (getattr(self, name).data or "").strip() for name in self.PANEL_FIELDS}
