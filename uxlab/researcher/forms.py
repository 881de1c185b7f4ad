"""Forms of the researcher UI. They coerce types; the study rules live in uxlab.studies.spec."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from uxlab.i18n.languages import LANGUAGE_NAMES
from uxlab.participants.links import MAX_LINKS_PER_REQUEST
from uxlab.studies.criteria import CRITERION_TYPES, URL_MATCHES


class TextField(TextAreaField):
    """A text area whose line ends are LF, as in study files (browsers submit CRLF)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.replace("\r\n", "\n").replace("\r", "\n")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StudyForm(FlaskForm):
    slug = StringField("Short name (slug)", validators=[DataRequired()],
                       description="Lower-case letters, digits and dashes; used in URLs and "
                                   "file names. It cannot change later.")
    title = StringField("Title", validators=[DataRequired()])
    description = TextField("Description (for researchers)")
    design = SelectField("Design", choices=[
        SelectChoice("between", "Between subjects: each participant sees one variant"),
        SelectChoice("within", "Within subjects: each participant sees every variant"),
    ])
    language = SelectField(
        "Language of these texts", default="en",
        choices=[SelectChoice(code, f"{name} ({code})") for code, name in LANGUAGE_NAMES.items()],
        description="Participants whose browser prefers none of the study's languages see this "
                    "one.")
    other_languages = MultiCheckboxField(
        "Also offer the study in",
        choices=[SelectChoice(code, f"{name} ({code})") for code, name in LANGUAGE_NAMES.items()],
        description="uxlab's own texts and the questionnaires are translated; give the study's "
                    "texts in these languages in its study file ([translations], see "
                    "docs/study-files.md), or participants read them in the language above.")
    welcome = TextField("Welcome text (participants)")
    consent = TextField("Consent text (participants)")
    thanks = TextField("Thank-you text (participants)")
    completion_redirect = StringField("Redirect at the end (e.g. a panel's completion URL)",
                                      validators=[Optional()])
    open_recruitment = BooleanField("Open recruitment link (anyone with the link can take part)")
    panel_id_param = StringField("Panel id parameter (e.g. PROLIFIC_PID)", validators=[Optional()])
    benchmark_completion = DecimalField("Completion-rate benchmark (0–1)", places=None,
                                        validators=[Optional()])
    benchmark_sus = DecimalField("SUS benchmark (0–100)", places=None, validators=[Optional()])
    benchmark_seq = DecimalField("SEQ benchmark (1–7)", places=None, validators=[Optional()])
    benchmark_umux_lite = DecimalField("UMUX-Lite benchmark (0–100)", places=None,
                                       validators=[Optional()])
    benchmark_nps = DecimalField("NPS benchmark (−100–100)", places=None,
                                 validators=[Optional()])

    DETAIL_FIELDS = ("slug", "title", "description", "design", "welcome", "consent", "thanks",
                     "completion_redirect", "open_recruitment", "panel_id_param")
    BENCHMARK_FIELDS = ("completion", "sus", "seq", "umux_lite", "nps")
    #: The fields of the study file's ``benchmarks.*`` keys (see ``attach_problems``).
    PROBLEM_FIELDS = {name: f"benchmark_{name}" for name in BENCHMARK_FIELDS}

    def details(self) -> dict:
        first = self.language.data or "en"
        others = [code for code in self.other_languages.data or [] if code != first]
        return {**{name: getattr(self, name).data for name in self.DETAIL_FIELDS},
                "languages": [first, *others]}

    @staticmethod
    def language_data(languages) -> dict:
        """The two language fields' data for a study offered in ``languages``."""
        return {"language": languages[0], "other_languages": list(languages[1:])}

    def benchmarks(self) -> dict:
        values = {}
        for name in self.BENCHMARK_FIELDS:
            value = getattr(self, f"benchmark_{name}").data
            values[name] = float(value) if value is not None else None
        return values


class VariantForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired()],
                      description="A short code such as A or redesign.")
    name = StringField("Name", validators=[DataRequired()])
    prototype = StringField("Prototype", validators=[DataRequired()],
                            description="A folder under studies/ (e.g. checkout-redesign/b) or "
                                        "the http(s) URL of an external prototype.")
    # InputRequired, not DataRequired: 0 is an answer (refused by the study rules), not a blank.
    weight = DecimalField("Assignment weight", places=None, default=1,
                          validators=[InputRequired()])
    description = TextField("Description")

    def values(self) -> dict:
        return {"key": self.key.data.strip(), "name": self.name.data, "prototype":
                self.prototype.data.strip(), "weight": float(self.weight.data),
                "description": self.description.data}


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


ERROR_RULE_TYPES = [SelectChoice(name, kind.label) for name, kind in CRITERION_TYPES.items()
                    if kind.usable_as_error]


class ErrorRuleForm(Form):
    """One error rule: a page reached or an element clicked (a row of the task form)."""

    type = SelectField("Counts an error when", choices=ERROR_RULE_TYPES)
    target = StringField("Page (URL) or CSS selector", validators=[Optional()])
    match = SelectField("How the page is matched", choices=[SelectChoice(m) for m in URL_MATCHES])
    label = StringField("What the error means", validators=[Optional()])

    def validate(self, extra_validators=None):
        # An empty row is no rule at all, whatever its (maybe unsent) choices say.
        if not (self.target.data or "").strip():
            return True
        return super().validate(extra_validators)

    def rule(self) -> dict | None:
        """The rule as a study file writes it; None for a row left empty."""
        target = (self.target.data or "").strip()
        if not target:
            return None
        rule: dict = {"type": self.type.data}
        if self.type.data == "url":
            rule["url"] = target
            if self.match.data != "exact":
                rule["match"] = self.match.data
        else:
            rule["selector"] = target
        if (self.label.data or "").strip():
            rule["label"] = self.label.data.strip()
        return rule

    @staticmethod
    def row_data(rule: dict) -> dict:
        return {"type": rule.get("type"), "target": rule.get("url") or rule.get("selector"),
                "match": rule.get("match", "exact"), "label": rule.get("label", "")}


#: Empty error-rule rows the task form offers beyond the task's rules (no JavaScript needed).
BLANK_ERROR_RULES = 2


class TaskForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired()])
    title = StringField("Title", validators=[DataRequired()])
    instructions = TextField("Instructions (what the participant reads)")
    start = StringField("Start page", validators=[Optional()],
                        description="Page of the prototype the task opens on, e.g. index.html.")
    time_limit = IntegerField("Time limit (seconds)", validators=[Optional()])
    criterion_type = SelectField("Success is decided by", choices=[
        SelectChoice(name, kind.label) for name, kind in CRITERION_TYPES.items()])
    criterion_url = StringField("Page reached (for “reaches a page”)", validators=[Optional()])
    criterion_match = SelectField("How the page is matched", choices=[
        SelectChoice(m) for m in URL_MATCHES])
    criterion_selector = StringField("CSS selector clicked (for “clicks an element”)",
                                     validators=[Optional()])
    criterion_question = StringField("Question asked (for answers and self-reports)",
                                     validators=[Optional()])
    criterion_answers = TextField("Accepted answers (one per line)", validators=[Optional()])
    optimal_path = TextField("Optimal path (one page per line)", validators=[Optional()])
    optimal_clicks = IntegerField("Optimal number of clicks", validators=[Optional()])
    benchmark_completion = DecimalField("Completion benchmark (0–1)", places=None,
                                        validators=[Optional()])
    benchmark_time = DecimalField("Time benchmark (seconds)", places=None,
                                  validators=[Optional()])
    touchpoint_journey = StringField("Journey", validators=[Optional()])
    touchpoint_stage = StringField("Stage", validators=[Optional()])
    touchpoint_name = StringField("Touchpoint", validators=[Optional()])
    error_rules = FieldList(FormField(ErrorRuleForm), "Error rules",
                            min_entries=BLANK_ERROR_RULES)

    #: The criterion keys this form edits; the view keeps the others (label, pattern, variants).
    CRITERION_KEYS = frozenset({"type", "url", "match", "selector", "question", "answers"})
    #: Where a problem key of the task (after ``tasks[i].``) is shown in this form.
    PROBLEM_FIELDS = {
        "success.type": "criterion_type", "success.url": "criterion_url",
        "success.match": "criterion_match", "success.selector": "criterion_selector",
        "success.question": "criterion_question", "success.answers": "criterion_answers",
        "success.pattern": "criterion_answers", "success": "criterion_type",
        "touchpoint.journey": "touchpoint_journey", "touchpoint.name": "touchpoint_name",
        "touchpoint.stage": "touchpoint_stage", "touchpoint": "touchpoint_name",
    }

    def error_rule_rows(self) -> list[int]:
        """For each rule :meth:`values` sends, the row of the form it came from."""
        return [i for i, row in enumerate(self.error_rules) if row.form.rule() is not None]

    def problem_fields(self) -> dict:
        """Where each problem key of the task (after ``tasks[i].``) is shown in this form."""
        fields = dict(self.PROBLEM_FIELDS)
        for k, row in enumerate(self.error_rule_rows()):
            entry = self.error_rules[row]
            for key in ("url", "selector"):
                fields[f"errors[{k}].{key}"] = entry.target
            fields[f"errors[{k}].match"] = entry.match
            fields[f"errors[{k}].label"] = entry.label
            fields[f"errors[{k}].type"] = entry.type
            fields[f"errors[{k}]"] = entry.target
        return fields

    def values(self) -> dict:
        kind = self.criterion_type.data
        success: dict = {"type": kind}
        if kind == "url":
            success["url"] = (self.criterion_url.data or "").strip()
            if self.criterion_match.data != "exact":
                success["match"] = self.criterion_match.data
        elif kind == "element":
            success["selector"] = (self.criterion_selector.data or "").strip()
        elif kind == "answer":
            answers = [a.strip() for a in (self.criterion_answers.data or "").splitlines()
                       if a.strip()]
            if answers:  # none is fine when the criterion has a pattern (kept by the view)
                success["answers"] = answers
        if kind in ("answer", "self_report") and self.criterion_question.data:
            success["question"] = self.criterion_question.data
        task = {
            "key": self.key.data.strip(), "title": self.title.data,
            "instructions": self.instructions.data, "start": self.start.data or None,
            "time_limit": self.time_limit.data, "optimal_path": _lines(self.optimal_path.data),
            "optimal_clicks": self.optimal_clicks.data,
            "benchmark_completion": float(self.benchmark_completion.data)
            if self.benchmark_completion.data is not None else None,
            "benchmark_time": float(self.benchmark_time.data)
            if self.benchmark_time.data is not None else None,
            "success": success,
            "errors": [rule for row in self.error_rules if (rule := row.form.rule())],
        }
        if self.touchpoint_journey.data or self.touchpoint_name.data:
            task["touchpoint"] = {"journey": self.touchpoint_journey.data or "",
                                  "name": self.touchpoint_name.data or "",
                                  "stage": self.touchpoint_stage.data or ""}
        return task


POST_TASK_CHOICES = [SelectChoice("seq", "SEQ: Single Ease Question (7 points)"),
                     SelectChoice("csat", "CSAT after each task"),
                     SelectChoice("ces", "CES after each task")]
POST_STUDY_CHOICES = [SelectChoice("sus", "SUS: System Usability Scale"),
                      SelectChoice("umux_lite", "UMUX-Lite"),
                      SelectChoice("nps", "NPS: likelihood to recommend"),
                      SelectChoice("csat", "CSAT"), SelectChoice("ces", "CES")]


class QuestionnairesForm(FlaskForm):
    post_task = MultiCheckboxField("After each task", choices=POST_TASK_CHOICES)
    post_study = MultiCheckboxField("At the end of the study", choices=POST_STUDY_CHOICES)


class ParticipantsForm(FlaskForm):
    count = IntegerField("How many links", default=1, validators=[
        InputRequired(), NumberRange(min=1, max=MAX_LINKS_PER_REQUEST)])
    label = StringField("Label (e.g. recruitment wave)", validators=[Optional()])


class AccessForm(FlaskForm):
    email = EmailField("Researcher's email", validators=[DataRequired()])
    access = SelectField("Access", choices=[
        SelectChoice("viewer", "Can view results"),
        SelectChoice("observer", "Can observe live sessions (notes marked as an observer's)"),
        SelectChoice("note_taker", "Can observe live sessions and take notes"),
        SelectChoice("editor", "Can edit and moderate sessions")])


class ConfirmForm(FlaskForm):
    """An empty form: a POST button that carries the CSRF token."""
