"""Forms of the CX pages. They coerce types; the rules live in the cx services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class JourneyForm(FlaskForm):
    name = StringField("Journey name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])


class StageForm(FlaskForm):
    journey = SelectField("Journey", coerce=int)
    name = StringField("Stage name", validators=[DataRequired(), Length(max=200)])


class TouchpointForm(FlaskForm):
    stage = SelectField("Stage", coerce=int)
    name = StringField("Touchpoint name", validators=[DataRequired(), Length(max=200)])
    owner = StringField("Owner", validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    targets = StringField(
        "Targets", validators=[Optional(), Length(max=500)],
        description="metric = value, separated by commas, e.g. nps = 30, csat = 0.8, ces = 5.5, "
                    "completion = 0.8 (CSAT and rates as proportions 0–1)")


class JourneyFileForm(FlaskForm):
    file = FileField("Journey file (TOML)", validators=[FileRequired()])


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired()])
    source = StringField("Source name", default="import", validators=[Optional(), Length(max=100)],
                         description="For rows without a source column.")
    no_create = BooleanField("Refuse rows whose journey, stage or touchpoint does not exist")
    mapping = TextAreaField(
        "Qualtrics column mapping", validators=[Optional(), Length(max=5000)],
        description="Qualtrics exports only: one line per question column, "
                    "COLUMN=nps|csat|ces@JOURNEY[/STAGE[/TOUCHPOINT]], e.g. "
                    "Q7=nps@Purchase/Checkout/Guest checkout")
    segment_column = StringField("Qualtrics segment column", validators=[Optional(),
                                                                         Length(max=200)])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=200)],
                       description="Who or what will use it, e.g. “Qualtrics XM sync”.")


class SourceForm(FlaskForm):
    name = StringField("Source name", validators=[DataRequired(), Length(max=100)])
    kind = SelectField("Shape of the posts", choices=[SelectChoice("generic", "uxlab JSON"),
                                                     SelectChoice("delighted", "Delighted"),
                                                     SelectChoice("wootric", "Wootric")])
