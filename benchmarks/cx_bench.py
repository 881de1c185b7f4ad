"""Benchmark: importing 1,000,000 CX responses, and the CX board over them (issue 12).

Makes a seeded responses CSV (a journey of 10 touchpoints in 5 stages, 12 months, three metrics,
two segments, half the rows with an ``external_id``), then times, on SQLite:

- **import, uxlab**: ``uxlab.cx.importing.import_cx_csv`` into a fresh database — header check,
  every cell validated, places resolved, set-based ``INSERT … ON CONFLICT DO NOTHING`` in chunks,
  one transaction;
- **import, baseline**: the same rows as pre-built tuples (no validation) inserted with plain
  ``sqlite3`` ``executemany`` into the same table with the same unique key, one transaction —
  the floor for getting the rows in;
- **board, uxlab**: ``uxlab.cx.board.build_board`` for the journey (one grouped query, every
  figure through ``uxlab.stats``, trends, targets);
- **board, baseline**: the bare ``GROUP BY touchpoint, metric`` with ``count`` and ``avg``.

Goals: import ≤ 6 × its baseline and ≤ 90 s; board ≤ 4 × its baseline and ≤ 5 s. Run::

    .venv/bin/python benchmarks/cx_bench.py [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from uxlab import schema
from uxlab.cx.board import build_board
from uxlab.cx.importing import import_cx_csv
from uxlab.cx.journey_files import parse_journeys_text
from uxlab.cx.journeys import load_journeys
from uxlab.db import Database

STAGES = 5
PER_STAGE = 2
HEADER = ["recorded_at", "journey", "stage", "touchpoint", "metric", "value", "respondent",
          "segment", "external_id"]
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
IMPORT_GOAL, IMPORT_LIMIT_S = 6.0, 90.0
BOARD_GOAL, BOARD_LIMIT_S = 4.0, 5.0


def journey_toml() -> str:
    parts = ['[[journeys]]\nname = "Bench"\n']
    for s in range(STAGES):
        parts.append(f'[[journeys.stages]]\nname = "Stage {s}"\n')
        for t in range(PER_STAGE):
            parts.append(f'[[journeys.stages.touchpoints]]\nname = "TP {s}-{t}"\n'
                         'targets = { nps = 20, csat = 0.8, ces = 5 }\n')
    return "".join(parts)


def make_rows(count: int, seed: int = 12) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    seconds = rng.integers(0, 365 * 86400, count)
    places = rng.integers(0, STAGES * PER_STAGE, count)
    metrics = rng.integers(0, 3, count)
    names = list(SCALES)
    rows = []
    for i in range(count):
        metric = names[metrics[i]]
        low, high = SCALES[metric]
        place = int(places[i])
        rows.append([(start + timedelta(seconds=int(seconds[i]))).isoformat(), "Bench",
                     f"Stage {place // PER_STAGE}", f"TP {place // PER_STAGE}-{place % PER_STAGE}",
                     metric, str(int(rng.integers(low, high + 1))), f"r{i}",
                     "new" if i % 2 else "returning", f"e{i}" if i % 2 else ""])
    return rows


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def fresh_database(folder: Path, name: str) -> Database:
    database = Database(f"sqlite:///{folder / name}")
    schema.upgrade(database.engine)
    with database.session() as session:
        load_journeys(session, parse_journeys_text(journey_toml()))
    return database


def time_uxlab_import(folder: Path, name: str, text: str) -> tuple[float, int]:
    database = fresh_database(folder, name)
    try:
        began = time.perf_counter()
        with database.session() as session:
            summary = import_cx_csv(session, io.StringIO(text, newline=""),
                                    default_source="bench")
        return time.perf_counter() - began, summary.imported
    finally:
        database.dispose()


def time_baseline_import(folder: Path, name: str, rows: list[list[str]]) -> float:
    database = fresh_database(folder, name)
    with database.session() as session:
        ids = {f"TP {s}-{t}": (tp_id, stage_id, journey_id) for s, t, tp_id, stage_id, journey_id
               in session.execute(_place_query())}
    database.dispose()
    tuples = []
    for r in rows:
        tp_id, stage_id, journey_id = ids[r[3]]
        key = r[8] or "sha256:" + hashlib.sha256("\x1f".join(r).encode()).hexdigest()
        tuples.append((journey_id, stage_id, tp_id, r[4], float(r[5]),
                       r[0].replace("T", " ").replace("+00:00", ""), r[6], r[7], "bench",
                       r[8] or None, key, None, "2026-12-06 00:00:00"))
    connection = sqlite3.connect(folder / name)
    connection.execute("PRAGMA journal_mode=WAL")
    began = time.perf_counter()
    connection.executemany(
        "INSERT INTO cx_responses (journey_id, stage_id, touchpoint_id, metric, value, "
        "recorded_at, respondent, segment, source, external_id, dedupe_key, comment, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", tuples)
    connection.commit()
    elapsed = time.perf_counter() - began
    connection.close()
    return elapsed


def _place_query():
    from sqlalchemy import select

    from uxlab.models import JourneyStage, Touchpoint

    return select(JourneyStage.position, Touchpoint.position, Touchpoint.id,
                  Touchpoint.stage_id, Touchpoint.journey_id).join(
        JourneyStage, JourneyStage.id == Touchpoint.stage_id)


def time_boards(folder: Path, name: str, repeats: int) -> tuple[float, float]:
    database = Database(f"sqlite:///{folder / name}")
    uxlab_times, baseline_times = [], []
    try:
        for _ in range(repeats):
            with database.session(write=False) as session:
                began = time.perf_counter()
                board = build_board(session, "Bench")
                uxlab_times.append(time.perf_counter() - began)
                assert sum(1 for s in board.stages for _ in s.cards) == STAGES * PER_STAGE
            connection = sqlite3.connect(folder / name)
            began = time.perf_counter()
            connection.execute("SELECT touchpoint_id, metric, count(*), avg(value) "
                               "FROM cx_responses GROUP BY touchpoint_id, metric").fetchall()
            baseline_times.append(time.perf_counter() - began)
            connection.close()
    finally:
        database.dispose()
    return float(np.median(uxlab_times)), float(np.median(baseline_times))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = make_rows(args.rows)
    text = csv_text(rows)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        imports, baselines, imported = [], [], 0
        for i in range(args.repeats):
            seconds, imported = time_uxlab_import(folder, f"uxlab{i}.sqlite", text)
            imports.append(seconds)
            baselines.append(time_baseline_import(folder, f"base{i}.sqlite", rows))
        board, board_baseline = time_boards(folder, "uxlab0.sqlite", args.repeats)
    import_s, base_s = float(np.median(imports)), float(np.median(baselines))
    print(f"CX benchmark: {args.rows:,} responses, {args.repeats} repeats, median; "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}\n")
    print("| measurement | uxlab | baseline | ratio | goal |")
    print("| --- | ---: | ---: | ---: | --- |")
    print(f"| import {args.rows:,} rows | {import_s:.2f} s ({args.rows / import_s:,.0f} rows/s) "
          f"| {base_s:.2f} s | {import_s / base_s:.2f} | ≤ {IMPORT_GOAL} × and "
          f"≤ {IMPORT_LIMIT_S:.0f} s |")
    print(f"| board over them | {board:.2f} s | {board_baseline:.2f} s | "
          f"{board / board_baseline:.2f} | ≤ {BOARD_GOAL} × and ≤ {BOARD_LIMIT_S:.0f} s |")
    print(f"\nimported {imported:,} of {args.rows:,} rows")
    ok = (imported == args.rows and import_s <= IMPORT_GOAL * base_s
          and import_s <= IMPORT_LIMIT_S and board <= BOARD_GOAL * board_baseline
          and board <= BOARD_LIMIT_S)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
