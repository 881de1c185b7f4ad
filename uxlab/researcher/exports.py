"""Data downloads (streamed exports) and who is excluded from the analysis, and why."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from uxlab.accounts.service import can_edit
from uxlab.analysis.dataset import Filters, excluded_participants
from uxlab.analysis.exclusions import (
    MAX_REASON_LENGTH,
    SPEEDER_MEASURES,
    SpeederRule,
    exclude_participant,
    exclude_participants,
    find_participant,
    include_participant,
)
from uxlab.analysis.segment_filter import parse_segments
from uxlab.exports.service import open_export
from uxlab.extensions import database, db_session
from uxlab.models import Study
from uxlab.models.participants import SESSION_MODES
from uxlab.researcher.blueprint import bp, load_study


class ExcludeForm(FlaskForm):
    code = StringField("Participant code", validators=[DataRequired(), Length(max=32)])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=MAX_REASON_LENGTH)],
                         description="Recorded with the exclusion and shown in reports.")


class IncludeForm(FlaskForm):
    code = HiddenField(validators=[DataRequired()])


class SpeederForm(FlaskForm):
    measure = SelectField("Exclude participants whose", choices=[
        SelectChoice(name, what) for name, (what, _unit) in SPEEDER_MEASURES.items()])
    below = DecimalField("is below", places=None,
                         validators=[DataRequired(), NumberRange(min=0.001)],
                         description="Seconds for times, a count for clicks. Totals count "
                                     "participants who completed the study.")
    reason = StringField("Label", validators=[Optional(), Length(max=100)], default="speeder")


def filters_from_args(args: MultiDict) -> Filters:
    """Read dataset filters from a query string; raise ValueError naming a bad value.

    ``variant`` and ``mode`` may repeat; ``since`` / ``before`` are UTC dates or date-times
    (``before`` is exclusive); ``include_excluded=1`` keeps excluded participants,
    ``synthetic=0`` leaves out synthetic ones; ``segment`` (repeatable) is a screener answer
    ``KEY=ANSWER`` or a number range ``KEY=LOW..HIGH`` (:mod:`uxlab.analysis.segment_filter`).
    """
    return Filters(
        segments=parse_segments(args.getlist("segment")),
        variants=tuple(v for v in args.getlist("variant") if v),
        modes=tuple(m for m in args.getlist("mode") if m),
        started_from=_moment(args.get("since"), "since"),
        started_before=_moment(args.get("before"), "before"),
        include_excluded=args.get("include_excluded") in ("1", "true", "on", "yes"),
        include_synthetic=args.get("synthetic") not in ("0", "false", "off", "no"))


#: The query keys :func:`filters_from_args` reads: the only ones links carry over.
FILTER_KEYS = ("variant", "mode", "since", "before", "include_excluded", "synthetic", "segment")


def filter_query(args: MultiDict) -> dict[str, list[str]]:
    """The filters of a query string, to keep in a page's links (``url_for(…, **query)``).

    Only :data:`FILTER_KEYS`: any other key would reach ``url_for`` too, where ``study_id``,
    ``fmt`` or ``_anchor`` would replace the route's own arguments (a 500, or a wrong link).
    """
    return {key: values for key in FILTER_KEYS
            if (values := [v for v in args.getlist(key) if v])}


_RANGE_FIELD = re.compile(r"^segment_(from|to)_([a-z][a-z0-9_]{0,63})$")


def range_redirect(endpoint: str, study_id: int, args: MultiDict) -> Response | None:
    """A redirect to the same page with the filter form's number fields as ranges, or None.

    The form sends a number question's range as ``segment_from_<key>`` and ``segment_to_<key>``;
    the pages, their links and the downloads know only ``segment=KEY=LOW..HIGH``, so the form's
    fields are rewritten once into that (empty fields drop out; the values are checked, as any
    filter, when the page reads them).
    """
    fields = [(found, values) for name in args if (found := _RANGE_FIELD.match(name))
              for values in [args.getlist(name)]]
    if not fields:
        return None
    ranges: dict[str, dict[str, str]] = {}
    for found, values in fields:
        ranges.setdefault(found[2], {})[found[1]] = (values[-1] if values else "").strip()
    query = filter_query(args)
    query["segment"] = [*query.get("segment", []), *(
        f"{key}={ends.get('from', '')}..{ends.get('to', '')}"
        for key, ends in ranges.items() if ends.get("from") or ends.get("to"))]
    return redirect(url_for(endpoint, study_id=study_id, **query), 303)


def _moment(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)  # a bare date is its midnight
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a date (YYYY-MM-DD) or date-time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@bp.route("/<int:study_id>/export")
def data_page(study_id: int):
    """Downloads of the study's data, and the participants excluded from the analysis."""
    study = load_study(study_id)
    if (moved := range_redirect("researcher.data_page", study.id, request.args)) is not None:
        return moved
    session = db_session()
    try:
        filters = filters_from_args(request.args)
        filters.check(study)
    except ValueError as exc:
        flash(f"Filters ignored: {exc}", "error")
        filters, query = Filters(), {}
    else:
        query = filter_query(request.args)
    return render_template(
        "researcher/data.html", study=study, modes=SESSION_MODES, filters=filters,
        query=query, excluded=excluded_participants(session, study),
        editable=can_edit(session, current_user, study), exclude_form=ExcludeForm(),
        include_form=IncludeForm(), speeder_form=SpeederForm())


@bp.route("/<int:study_id>/export/<any(attempts, survey, events, observations, problems, grid, all):what>"
          ".<any(csv, json, zip):fmt>")
def data_export(study_id: int, what: str, fmt: str):
    """Stream one export as a download (filters in the query string apply to the tidy tables)."""
    study = load_study(study_id)
    try:
        filters = filters_from_args(request.args)
        export = open_export(db_session(), study, what, fmt, filters)  # checks; reads nothing
    except ValueError as exc:
        abort(400, description=str(exc))
    return Response(
        stream_with_context(_stream(study.id, what, fmt, filters)), mimetype=export.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"',
                 "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def _stream(study_id: int, what: str, fmt: str, filters: Filters) -> Iterator[bytes]:
    # The request's session is closed when the view returns, before the body is sent (Flask
    # tears the request down first), so the stream reads through a session of its own that
    # lives as long as the download: on PostgreSQL its transaction holds the server-side cursor.
    with database().read_sessions() as session:
        study = session.get(Study, study_id)
        yield from open_export(session, study, what, fmt, filters).encoded()


@bp.route("/<int:study_id>/exclusions/exclude", methods=["POST"])
def exclusion_add(study_id: int):
    """Exclude one participant from the analysis with a reason."""
    study = load_study(study_id, edit=True)
    form = ExcludeForm()
    if not form.validate_on_submit():
        return _form_failed(study, form)
    session = db_session()
    participant = find_participant(session, study, form.code.data)
    if participant is None:
        flash(f"This study has no participant {form.code.data.strip()}.", "error")
        return redirect(url_for("researcher.data_page", study_id=study.id), 303)
    exclude_participant(session, participant, form.reason.data)
    session.commit()
    flash(f"{participant.code} is excluded from the analysis.", "success")
    return redirect(url_for("researcher.data_page", study_id=study.id), 303)


@bp.route("/<int:study_id>/exclusions/include", methods=["POST"])
def exclusion_remove(study_id: int):
    """Take an excluded participant back into the analysis."""
    study = load_study(study_id, edit=True)
    form = IncludeForm()
    if not form.validate_on_submit():
        return _form_failed(study, form)
    session = db_session()
    participant = find_participant(session, study, form.code.data)
    if participant is None:
        abort(404)
    include_participant(session, participant)
    session.commit()
    flash(f"{participant.code} is included in the analysis again.", "success")
    return redirect(url_for("researcher.data_page", study_id=study.id), 303)


@bp.route("/<int:study_id>/exclusions/speeders", methods=["POST"])
def exclusion_speeders(study_id: int):
    """Exclude every participant a speeder rule flags."""
    study = load_study(study_id, edit=True)
    form = SpeederForm()
    if not form.validate_on_submit():
        return _form_failed(study, form)
    session = db_session()
    rule = SpeederRule(form.measure.data, float(form.below.data), form.reason.data or "")
    excluded = exclude_participants(session, study, rule)
    session.commit()
    flash(f"{len(excluded)} participant(s) with {rule.describe()} excluded"
          + (f": {', '.join(p.code for p in excluded)}." if excluded else "."), "success")
    return redirect(url_for("researcher.data_page", study_id=study.id), 303)


def _form_failed(study, form):
    session = db_session()
    forms = {"exclude_form": ExcludeForm(formdata=None), "include_form": IncludeForm(
        formdata=None), "speeder_form": SpeederForm(formdata=None)}
    forms[{ExcludeForm: "exclude_form", IncludeForm: "include_form",
           SpeederForm: "speeder_form"}[type(form)]] = form
    return render_template(
        "researcher/data.html", study=study, modes=SESSION_MODES, filters=Filters(), query={},
        excluded=excluded_participants(session, study), editable=True, **forms), 400
