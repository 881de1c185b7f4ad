"""Forms for logging in, creating the first account, and setting or changing a password."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from uxlab.accounts.service import MIN_PASSWORD_LENGTH, AccountError


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class SetupForm(FlaskForm):
    name = StringField("Your name", validators=[Length(max=200)])
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )


class SetPasswordForm(FlaskForm):
    """The form behind a one-time set-password link (an invitation or a reset)."""

    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})


def show_account_error(form: FlaskForm, exc: AccountError) -> None:
    """Put ``exc`` beside its field of ``form``, or above the form if it has no such field."""
    if exc.field in form._fields:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)
