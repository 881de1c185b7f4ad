"""Benchmark event ingestion under gunicorn against a bare Flask endpoint (issue 4).

Two servers, each gunicorn with 2 sync workers on 127.0.0.1 and its own fresh, migrated SQLite
file holding the same demo study, participant, session and attempt:

- uxlab: the real app, ``POST /api/v1/sessions/<id>/events`` with the participant's cookie
  (JSON body parsing with a bound, session lookup and authorisation, the whole-batch validation,
  the attempt check, the idempotent insert with RETURNING, the commit);
- bare: ``benchmarks/bare_ingest_app.py``, which maps the batch to the same ``events`` table and
  inserts it with one SQLAlchemy Core ``INSERT … ON CONFLICT DO NOTHING`` and nothing else.

A small asyncio HTTP/1.1 client (loopback only) keeps ``--connections`` requests in flight, each
a 50-event batch with fresh UUIDs generated before the clock starts, until ``--requests`` are done
or ``--seconds`` have passed. Rounds alternate between the two servers after a warm-up; reported
are the medians over rounds of events/s and of the p50/p99 latencies (connect to last byte).
Goal: uxlab ≥ 0.7 × the bare endpoint's events/s. Run::

    .venv/bin/python benchmarks/ingest_bench.py [--rounds 5] [--connections 64] [--requests 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
BATCH_SIZE = 50
RATIO_GOAL = 0.7
SECRET_KEY = "ingest-benchmark-secret"


@dataclass
class Target:
    name: str
    port: int
    path: str
    headers: str
    process: subprocess.Popen | None = None


@dataclass(frozen=True)
class Round:
    events_per_s: float
    requests: int
    p50_ms: float
    p99_ms: float
    seconds: float
    #: CPU time (user + system) of the gunicorn workers per request: less sensitive than
    #: throughput to other work on a shared machine.
    cpu_ms: float


# --- set-up --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Participant:
    participant_id: int
    session_id: int
    public_id: str
    attempt_id: int


def prepare(url: str, count: int) -> list[Participant]:
    """Migrate ``url`` and add the demo study with ``count`` participants at a running task."""
    from uxlab import schema
    from uxlab.db import Database
    from uxlab.models import Attempt, TestSession
    from uxlab.models import Participant as ParticipantRow
    from uxlab.studies.files import read_study_file
    from uxlab.studies.service import load_spec
    from uxlab.timeutil import utcnow

    database = Database(url)
    schema.upgrade(database.engine)
    with database.session() as session:
        study = load_spec(session, read_study_file(PROJECT_ROOT / "studies" /
                                                   "checkout-redesign.toml")).study
        session.flush()
        variant, task = study.variants[0], study.tasks[0]
        people = [ParticipantRow(study_id=study.id, code=f"P{i:05d}", token=f"load-{i}",
                                 variant_id=variant.id) for i in range(count)]
        session.add_all(people)
        session.flush()
        sittings = [TestSession(participant_id=p.id) for p in people]
        session.add_all(sittings)
        session.flush()
        attempts = [Attempt(session_id=s.id, task_id=task.id, variant_id=variant.id,
                            started_at=utcnow()) for s in sittings]
        session.add_all(attempts)
        session.flush()
        result = [Participant(p.id, s.id, str(s.public_id), a.id)
                  for p, s, a in zip(people, sittings, attempts, strict=True)]
    with database.engine.connect() as connection:
        if database.is_sqlite:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # A running PostgreSQL has statistics (autovacuum analyzes a table soon after it
            # grows); without them the planner scans every session and participant for each
            # group's lookup instead of using their indexes.
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    database.dispose()
    return result


def participant_cookie(url: str, instance: Path, participant_id: int) -> str:
    """Sign a Flask session cookie holding ``participant_id``, as the link page would set it."""
    from uxlab.app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY,
                      "INSTANCE_PATH": str(instance)})
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"participant_id": participant_id})
    app.extensions["uxlab.db"].dispose()
    return cookie


def start_gunicorn(app_spec: str, port: int, env: dict, chdir: Path, log: Path,
                   workers: int, worker_options: tuple[str, ...] = ("--worker-class", "sync"),
                   ) -> subprocess.Popen:
    command = [str(GUNICORN), "--workers", str(workers), *worker_options,
               "--bind", f"127.0.0.1:{port}", "--backlog", "4096", "--chdir", str(chdir),
               "--log-level", "warning", app_spec]
    return start_server(command, port, env, chdir, log, f"gunicorn for {app_spec}")


def start_server(command: list[str], port: int, env: dict, chdir: Path, log: Path,
                 what: str) -> subprocess.Popen:
    """Start ``command`` in ``chdir`` and wait until it answers HTTP on ``port``."""
    # In ``chdir`` too: gunicorn puts the folder it starts in first on sys.path, so from the
    # repository's root its workers imported this checkout's uxlab whatever PYTHONPATH said
    # (and ``--compare REF`` measured this code).
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=chdir,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300  # importing the app took minutes on a loaded machine
    while time.monotonic() < deadline:
        if process.poll() is not None:  # the log's folder is removed on the way out: show it
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise RuntimeError(f"{what} exited; the end of {log}:\n{tail}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            return process
        except urllib.error.HTTPError:
            return process  # it answers (a 404 or a redirect target is fine)
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"{what} did not start; see {log}")


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- load ----------------------------------------------------------------------------------------

def make_bodies(count: int, attempt_id: int) -> list[bytes]:
    """``count`` request bodies of BATCH_SIZE events each, every event with a fresh UUID."""
    bodies = []
    t = 1_700_000_000_000
    for _ in range(count):
        tab = uuid.uuid4().hex[:12]
        events = []
        for seq in range(BATCH_SIZE):
            t += 250
            if seq % 5 == 4:
                events.append({"id": str(uuid.uuid4()), "seq": seq, "tab": tab, "type": "navigate",
                               "t": t, "attempt": attempt_id, "url": "shoes.html"})
            else:
                events.append({
                    "id": str(uuid.uuid4()), "seq": seq, "tab": tab, "type": "click", "t": t,
                    "attempt": attempt_id, "x": 412.5, "y": 188.0,
                    "target": "main > form#product-form > button.primary", "url": "shoes.html",
                    "data": {"interactive": seq % 7 != 0, "vw": 1280, "vh": 800,
                             "text": "Add to cart"},
                })
        bodies.append(json.dumps({"events": events}, separators=(",", ":")).encode())
    return bodies


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    return status, await reader.readexactly(length), close


async def _client(target: Target, bodies, latencies: list[float], failures: list[str],
                  deadline: float) -> None:
    reader = writer = None
    for body in bodies:
        if time.perf_counter() > deadline:
            break
        start = time.perf_counter()
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
        writer.write(f"POST {target.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{target.headers}"
                     f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        status, answer, close = await _read_response(reader)
        latencies.append(time.perf_counter() - start)
        if status != 200:
            failures.append(f"{status} {answer[:200]!r}")
        if close:
            writer.close()
            await writer.wait_closed()
            reader = writer = None
    if writer is not None:
        writer.close()
        await writer.wait_closed()


async def _drive(target: Target, bodies: list[bytes], connections: int, seconds: float):
    latencies: list[float] = []
    failures: list[str] = []
    shared = iter(bodies)  # one iterator: the coroutines take the next body in turn
    start = time.perf_counter()
    await asyncio.gather(*(_client(target, shared, latencies, failures, start + seconds)
                           for _ in range(connections)))
    return time.perf_counter() - start, latencies, failures


def run_round(target: Target, bodies: list[bytes], connections: int, seconds: float) -> Round:
    cpu_before = workers_cpu_seconds(target.process)
    elapsed, latencies, failures = asyncio.run(_drive(target, bodies, connections, seconds))
    cpu = workers_cpu_seconds(target.process) - cpu_before
    if failures:
        raise RuntimeError(f"{target.name}: {len(failures)} failed requests, e.g. {failures[0]}")
    latencies.sort()
    n = len(latencies)
    return Round(events_per_s=n * BATCH_SIZE / elapsed, requests=n,
                 p50_ms=1000 * latencies[n // 2], p99_ms=1000 * latencies[min(n - 1, int(n * 0.99))],
                 seconds=elapsed, cpu_ms=1000 * cpu / n)


def workers_cpu_seconds(master: subprocess.Popen) -> float:
    """User + system CPU time of the gunicorn master's worker processes so far."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def count_events(url: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]


# --- report --------------------------------------------------------------------------------------

def median_round(rounds: list[Round]) -> dict[str, float]:
    return {name: statistics.median(getattr(r, name) for r in rounds)
            for name in ("events_per_s", "p50_ms", "p99_ms", "cpu_ms")}


def report(results: dict[str, list[Round]], args) -> float:
    real, bare = median_round(results["uxlab"]), median_round(results["bare"])
    ratio = real["events_per_s"] / bare["events_per_s"]
    print(f"\nIngestion: {args.rounds} rounds each, {args.connections} connections, "
          f"{BATCH_SIZE}-event batches, gunicorn {args.workers} sync workers, SQLite (WAL)")
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} CPUs\n")
    print("| endpoint | events/s | requests/s | p50 (ms) | p99 (ms) | worker CPU per request (ms) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, m in (("uxlab", real), ("bare Flask + Core", bare)):
        print(f"| {name} | {m['events_per_s']:,.0f} | {m['events_per_s'] / BATCH_SIZE:,.0f} | "
              f"{m['p50_ms']:.1f} | {m['p99_ms']:.1f} | {m['cpu_ms']:.2f} |")
    print(f"\nratio uxlab / bare (median events/s): {ratio:.2f} (goal ≥ {RATIO_GOAL})")
    print(f"ratio of worker CPU per request, bare / uxlab: {bare['cpu_ms'] / real['cpu_ms']:.2f}")
    per_round = ", ".join(f"{a.events_per_s / b.events_per_s:.2f}"
                          for a, b in zip(results["uxlab"], results["bare"], strict=True))
    print(f"ratio per round: {per_round}")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--requests", type=int, default=3000, help="per round and server")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--seconds", type=float, default=30.0, help="at most, per round")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="uxlab-ingest-bench-"))
    targets: list[Target] = []
    try:
        real_url = f"sqlite:///{folder / 'uxlab.sqlite'}"
        (sitting,) = prepare(real_url, 1)
        bare_dir = folder / "bare"
        bare_dir.mkdir()
        shutil.copy(folder / "uxlab.sqlite", bare_dir / "bare.sqlite")
        bare_url = f"sqlite:///{bare_dir / 'bare.sqlite'}"
        cookie = participant_cookie(real_url, folder / "instance", sitting.participant_id)
        json_header = "Content-Type: application/json\r\n"
        real = Target("uxlab", free_port(), f"/api/v1/sessions/{sitting.public_id}/events",
                      json_header + f"Cookie: session={cookie}\r\n")
        bare = Target("bare", free_port(), f"/bare/sessions/{sitting.session_id}/events", json_header)
        targets = [real, bare]
        real.process = start_gunicorn(
            "uxlab.app:create_app()", real.port,
            {"UXLAB_DATABASE_URL": real_url, "UXLAB_SECRET_KEY": SECRET_KEY,
             "UXLAB_INSTANCE_PATH": str(folder / "instance")}, PROJECT_ROOT, folder / "uxlab.log", args.workers)
        bare.process = start_gunicorn(
            "bare_ingest_app:app", bare.port, {"BARE_DATABASE_URL": bare_url},
            PROJECT_ROOT / "benchmarks", folder / "bare.log", args.workers)

        for target in targets:  # warm-up: imports, connection pools, page cache
            run_round(target, make_bodies(max(args.connections * 2, 200), sitting.attempt_id),
                      args.connections, args.seconds)
        results: dict[str, list[Round]] = {"uxlab": [], "bare": []}
        for i in range(args.rounds):
            for target in (targets if i % 2 == 0 else targets[::-1]):
                bodies = make_bodies(args.requests, sitting.attempt_id)
                result = run_round(target, bodies, args.connections, args.seconds)
                results[target.name].append(result)
                print(f"round {i + 1} {target.name:5}: {result.events_per_s:9,.0f} events/s, "
                      f"{result.requests} requests in {result.seconds:.1f} s, "
                      f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                      f"worker CPU {result.cpu_ms:.2f} ms/request", flush=True)
        stored = {"uxlab": count_events(real_url), "bare": count_events(bare_url)}
        for target in targets:
            stop(target.process)
        ratio = report(results, args)
        sent_real = BATCH_SIZE * (sum(r.requests for r in results["uxlab"]))
        print(f"stored events: uxlab {stored['uxlab']:,} (timed rounds sent {sent_real:,} "
              f"after the warm-up), bare {stored['bare']:,}")
        return 0 if ratio >= RATIO_GOAL else 1
    finally:
        for target in targets:
            stop(target.process)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
