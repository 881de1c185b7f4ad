"""All CSV exports of a study together: a zip archive written as a stream, or a folder."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from uxlab.analysis.dataset import Filters
from uxlab.exports.tables import attempts_csv, events_csv, observations_csv, survey_csv
from uxlab.models import Study
from uxlab.observations.exports import grid_csv, problems_csv
from uxlab.studies.files import study_to_toml
from uxlab.studies.service import spec_from_study


def bundle_files(session: Session, study: Study, filters: Filters | None = None
                 ) -> list[tuple[str, Callable[[], Iterator[str]]]]:
    """The files of the bundle as (name, producer of text chunks), in order.

    ``attempts.csv`` and ``survey.csv`` (the tidy tables, under ``filters``), ``events.csv``,
    ``observations.csv``, ``problems.csv``, ``problem-grid.csv`` (participants × problems, for
    ``uxlab plan discovery --matrix``), and ``study.toml`` (the study file, for the design and benchmarks).
    """
    return [
        ("attempts.csv", lambda: attempts_csv(session, study, filters)),
        ("survey.csv", lambda: survey_csv(session, study, filters)),
        ("events.csv", lambda: events_csv(session, study)),
        ("observations.csv", lambda: observations_csv(session, study)),
        ("problems.csv", lambda: problems_csv(session, study)),
        ("problem-grid.csv", lambda: grid_csv(session, study)),
        ("study.toml", lambda: iter([study_to_toml(spec_from_study(study))])),
    ]


def csv_zip(session: Session, study: Study, filters: Filters | None = None) -> Iterator[bytes]:
    """Yield a zip archive of :func:`bundle_files`, compressed, as it is written.

    zipfile writes to an unseekable stream with data descriptors, so nothing is buffered beyond
    the chunk at hand; members are ZIP64 so an events file over 4 GiB stays valid.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, produce in bundle_files(session, study, filters):
            with archive.open(f"{study.slug}/{name}", "w", force_zip64=True) as member:
                for chunk in produce():
                    member.write(chunk.encode("utf-8"))
                    if sink.size:
                        yield sink.take()
            if sink.size:
                yield sink.take()
    yield sink.take()


def write_folder(session: Session, study: Study, folder: str | Path,
                 filters: Filters | None = None) -> list[Path]:
    """Write :func:`bundle_files` into ``folder`` (created if needed); return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, produce in bundle_files(session, study, filters):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            for chunk in produce():
                handle.write(chunk)
        written.append(path)
    return written


class _Sink:
    """A write-only file object collecting bytes until taken (zipfile sees it as unseekable)."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.size = 0
        return data
