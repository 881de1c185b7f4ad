"""Benchmark: exporting 1,000,000 events keeps memory flat (issue 5).

Builds a SQLite database with the demo study twice: ``bench-large`` with 1,000,000 events (1,000
participants × 1,000 events, each event tied to one of the participant's attempts) and
``bench-small`` with 100,000. Rows are inserted with Core ``INSERT`` in batches, no ORM objects.
Then each measurement runs in a fresh subprocess and reports its peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``):

- **baseline**: imports the same modules, connects, and counts the study's events;
- **events CSV**: streams ``uxlab.exports.tables.events_csv`` of the study to a file;
- **JSON**: streams ``uxlab.exports.everything.study_json`` (everything, events included);
- **fetch-all** (reference only): the events query of the CSV export read with ``.all()``,
  what an export that is not streamed would hold.

Flat memory means the exports' peak RSS stays close to the baseline's, and is the same for 100,000
and 1,000,000 events. Goal: each export's peak ≤ baseline + 64 MiB, and the large study's peak ≤
the small study's + 16 MiB. Run::

    .venv/bin/python benchmarks/export_bench.py [--events 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy
from sqlalchemy import func, insert, select

from uxlab import schema
from uxlab.db import Database
from uxlab.models import Attempt, Event, Participant, TestSession
from uxlab.studies.files import read_study_file
from uxlab.studies.service import load_spec
from uxlab.timeutil import utcnow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_STUDY = PROJECT_ROOT / "studies" / "checkout-redesign.toml"
EVENTS_PER_PARTICIPANT = 1000
BATCH = 20_000
EXPORT_OVER_BASELINE_MIB = 64
LARGE_OVER_SMALL_MIB = 16


# --- building the database -----------------------------------------------------------------------


def build(url: str, events: int) -> dict[str, int]:
    """Create the schema and the two studies; return slug → number of events inserted."""
    database = Database(url)
    schema.upgrade(database.engine)
    spec = read_study_file(DEMO_STUDY)
    counts = {}
    try:
        for slug, total in (("bench-large", events), ("bench-small", events // 10)):
            with database.session() as session:
                study = load_spec(session, dataclasses.replace(spec, slug=slug)).study
                session.flush()
                study_id = study.id
                tasks = [t.id for t in study.tasks]
                variants = [v.id for v in study.variants]
            counts[slug] = _insert_events(database, study_id, tasks, variants, total)
    finally:
        database.dispose()
    return counts


def _insert_events(database: Database, study_id: int, tasks: list[int], variants: list[int],
                   total: int) -> int:
    participants = max(1, total // EVENTS_PER_PARTICIPANT)
    start = utcnow() - timedelta(days=1)
    inserted = 0
    with database.engine.begin() as conn:
        for p in range(participants):
            variant = variants[p % len(variants)]
            participant_id = conn.execute(insert(Participant).values(
                study_id=study_id, code=f"B-{p:06}", token=uuid.uuid4().hex,
                variant_id=variant, synthetic=True, created_at=start)).inserted_primary_key[0]
            session_id = conn.execute(insert(TestSession).values(
                participant_id=participant_id, public_id=uuid.uuid4(), mode="unmoderated",
                started_at=start)).inserted_primary_key[0]
            attempt_ids = [conn.execute(insert(Attempt).values(
                session_id=session_id, task_id=task, variant_id=variant, position=i,
                outcome="success", started_at=start, time_on_task_ms=30_000, clicks=10,
                misclicks=0, errors=0, path=[])).inserted_primary_key[0]
                for i, task in enumerate(tasks)]
            count = min(EVENTS_PER_PARTICIPANT, total - inserted)
            rows = [{
                "session_id": session_id, "event_uuid": uuid.uuid4(), "seq": seq,
                "tab_id": "tab-1", "attempt_id": attempt_ids[seq * len(tasks) // count],
                "type": "click" if seq % 3 else "navigate",
                "client_ts_ms": 1_770_000_000_000 + 250 * seq,
                "received_at": start + timedelta(milliseconds=250 * seq),
                "x": float(seq % 1200), "y": float(seq % 800),
                "target": f"a[href='page-{seq % 40}.html']", "url": f"page-{seq % 40}.html",
                "payload": {"button": 0, "interactive": bool(seq % 2)},
            } for seq in range(count)]
            for offset in range(0, len(rows), BATCH):
                conn.execute(insert(Event), rows[offset:offset + BATCH])
            inserted += count
    return inserted


# --- the measured children -----------------------------------------------------------------------


def child(kind: str, url: str, slug: str, output: Path) -> dict:
    """Run one measurement in this (fresh) process and return its figures."""
    from uxlab.exports.everything import study_json
    from uxlab.exports.tables import events_csv, events_query
    from uxlab.studies.service import current_study

    database = Database(url)
    began = time.perf_counter()
    rows = written = 0
    with database.read_sessions() as session:
        study = current_study(session, slug)
        if kind == "baseline":
            rows = session.scalar(
                select(func.count()).select_from(Event)
                .join(TestSession, TestSession.id == Event.session_id)
                .join(Participant, Participant.id == TestSession.participant_id)
                .where(Participant.study_id == study.id))
        elif kind == "fetch-all":
            rows = len(session.execute(events_query(study)).all())
        else:
            chunks = events_csv(session, study) if kind == "csv" else study_json(session, study)
            with output.open("w", encoding="utf-8", newline="") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                    written += len(chunk)
    seconds = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    database.dispose()
    if kind == "csv":  # checked after the peak is taken: the checks read the file
        rows = _count_lines(output) - 1
    elif kind == "json":
        rows = len(json.loads(output.read_text(encoding="utf-8"))["events"])
    return {"kind": kind, "slug": slug, "rows": rows, "chars": written, "seconds": seconds,
            "cpu_seconds": cpu, "peak_rss_mib": peak}


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def run_child(kind: str, url: str, slug: str, folder: Path) -> dict:
    output = folder / f"{slug}-{kind}.out"
    completed = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--url", url, "--slug", slug,
         "--output", str(output)], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{kind} child failed:\n{completed.stderr}")
    output.unlink(missing_ok=True)
    return json.loads(completed.stdout)


# --- the report ----------------------------------------------------------------------------------


def report(results: list[dict], counts: dict[str, int], build_seconds: float) -> tuple[str, bool]:
    by = {(r["slug"], r["kind"]): r for r in results}
    lines = [
        f"{counts['bench-large']:,} + {counts['bench-small']:,} events inserted in "
        f"{build_seconds:.1f} s (SQLite, Core inserts in batches of {BATCH:,}).",
        "",
        "| study | events | measurement | peak RSS (MiB) | over baseline (MiB) | wall (s) "
        "| CPU (s) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    met = True
    for slug in ("bench-small", "bench-large"):
        base = by[(slug, "baseline")]["peak_rss_mib"]
        for kind, label in (("baseline", "baseline (connect + count)"),
                            ("csv", "events CSV, streamed"), ("json", "everything JSON, streamed"),
                            ("fetch-all", "reference: events query read whole")):
            r = by[(slug, kind)]
            over = r["peak_rss_mib"] - base
            lines.append(f"| {slug} | {r['rows']:,} | {label} | {r['peak_rss_mib']:.1f} | "
                         f"{'' if kind == 'baseline' else f'{over:+.1f}'} | {r['seconds']:.1f} | "
                         f"{r['cpu_seconds']:.1f} |")
            if kind in ("csv", "json"):
                met &= over <= EXPORT_OVER_BASELINE_MIB and r["rows"] == counts[slug]
    for kind in ("csv", "json"):
        met &= (by[("bench-large", kind)]["peak_rss_mib"]
                - by[("bench-small", kind)]["peak_rss_mib"]) <= LARGE_OVER_SMALL_MIB
    lines += ["", f"Goal (export peak ≤ baseline + {EXPORT_OVER_BASELINE_MIB} MiB, and the "
                  f"large study ≤ the small one + {LARGE_OVER_SMALL_MIB} MiB): "
                  f"**{'met' if met else 'missed'}**.",
              f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
              f"SQLite {sqlite3.sqlite_version}, {platform.machine()}."]
    return "\n".join(lines), met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="Build the database in this folder and keep it.")
    parser.add_argument("--child", choices=("baseline", "csv", "json", "fetch-all"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--slug", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.url, args.slug, args.output)))
        return 0
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / 'export-bench.sqlite'}"
        began = time.perf_counter()
        counts = build(url, args.events)
        build_seconds = time.perf_counter() - began
        results = [run_child(kind, url, slug, folder)
                   for slug in ("bench-small", "bench-large")
                   for kind in ("baseline", "csv", "json", "fetch-all")]
    text, met = report(results, counts, build_seconds)
    print(text)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
