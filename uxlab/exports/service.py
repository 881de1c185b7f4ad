"""The exports by name: what the CLI and the download routes ask for, and what they get back.

``what`` is ``attempts``, ``survey``, ``events``, ``observations``, ``problems``, ``grid`` (the
problems × participants grid as the participants × problems CSV ``uxlab plan discovery --matrix``
reads) or ``all``; ``fmt`` is ``csv``,
``json`` or ``zip``. One CSV per table; ``all`` is either one JSON document with everything or a
zip of every CSV (plus the study file). The tidy tables honour the dataset :class:`Filters`; the
raw tables (events, observations) and the JSON document hold everything recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from uxlab.analysis.dataset import Filters
from uxlab.exports.bundle import csv_zip
from uxlab.exports.everything import study_json
from uxlab.exports.tables import attempts_csv, events_csv, observations_csv, survey_csv
from uxlab.models import Study
from uxlab.observations.exports import grid_csv, problems_csv

WHATS = ("attempts", "survey", "events", "observations", "problems", "grid", "all")
#: The formats each export comes in.
FORMATS = {"attempts": ("csv",), "survey": ("csv",), "events": ("csv",),
           "observations": ("csv",), "problems": ("csv",), "grid": ("csv",),
           "all": ("json", "zip")}
MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
             "zip": "application/zip"}


@dataclass(frozen=True)
class Export:
    """A named export ready to stream: ``chunks`` yields text (CSV, JSON) or bytes (zip)."""

    filename: str
    mimetype: str
    chunks: Iterator[str] | Iterator[bytes]

    def encoded(self) -> Iterator[bytes]:
        """The chunks as UTF-8 bytes."""
        for chunk in self.chunks:
            yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk


def open_export(session: Session, study: Study, what: str, fmt: str,
                filters: Filters | None = None) -> Export:
    """Return the export ``what`` in ``fmt`` of ``study``; nothing is read until iterated.

    Raises ValueError naming an unknown export or format, or a filter value the study does not
    have (checked here, before any streaming starts).
    """
    if what not in WHATS:
        raise ValueError(f"unknown export {what!r}; expected one of {', '.join(WHATS)}")
    if fmt not in FORMATS[what]:
        raise ValueError(f"the {what} export comes as {' or '.join(FORMATS[what])}, not {fmt!r}")
    filters = filters or Filters()
    filters.check(study)
    producers = {
        ("attempts", "csv"): lambda: attempts_csv(session, study, filters),
        ("survey", "csv"): lambda: survey_csv(session, study, filters),
        ("events", "csv"): lambda: events_csv(session, study),
        ("observations", "csv"): lambda: observations_csv(session, study),
        ("problems", "csv"): lambda: problems_csv(session, study),
        ("grid", "csv"): lambda: grid_csv(session, study),
        ("all", "json"): lambda: study_json(session, study),
        ("all", "zip"): lambda: csv_zip(session, study, filters),
    }
    name = f"{study.slug}-v{study.version}-{what}.{fmt}"
    return Export(name, MIMETYPES[fmt], producers[(what, fmt)]())
