"""Forms of the admin area. They coerce types; the account rules live in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from uxlab.models.accounts import ROLES

ROLE_DESCRIPTIONS = {
    "admin": "every study, and the accounts",
    "researcher": "their own studies and those shared with them",
    "observer": "watches sessions and reads what is shared with them",
}
ROLE_CHOICES = [SelectChoice(role, f"{role.capitalize()}: {ROLE_DESCRIPTIONS[role]}")
                for role in ROLES]


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[Length(max=200)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="researcher")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
