"""Load benchmark of live participants (issue 14): open-loop, against gunicorn, SQLite or PostgreSQL.

N participants, each with its own session at a running task and the participant cookie the link
page sets, post a batch of 5–15 recorder events every 5 s, each at a random phase. The client is
open-loop: a batch is sent at its time whether or not earlier ones were answered, and its latency
counts from that time (so a slow server is not hidden by a client that waits for it). A batch
that fails (connection error, timeout, an answer other than 200) is sent again with the same
event ids after 1, 2, 4 … s, as the recorder does.

Targets, each a gunicorn on 127.0.0.1 with its own fresh database (the same participants):

- ``uxlab``: this checkout's ``POST /api/v1/sessions/<id>/events``;
- ``uxlab@REF`` (``--compare REF``, repeatable): the same endpoint from a git ref's code (``git
  archive``), e.g. ``main``, to measure a change against today's code in the same run;
- ``bare``: ``benchmarks/bare_ingest_app.py``, one Core ``INSERT … ON CONFLICT DO NOTHING`` per
  batch and nothing else (the baseline).

For each participant count the targets run in turn (alternating order). Reported per run:
offered and achieved requests/s, p50/p95/p99 latency, errors (failed tries), batches never
acknowledged, the CPU of the server (gunicorn master and workers, and PostgreSQL's backends) and of
the client in cores, and events stored vs acknowledged (every acknowledged event must be stored,
once). The limit is the participant count at which p99 first crosses 200 ms. Run::

    .venv/bin/python benchmarks/load_bench.py --backend sqlite --participants 1000,2000,3000,4000
    .venv/bin/python benchmarks/load_bench.py --backend postgresql --participants 500,1000,1500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from ingest_bench import (  # the sibling benchmark
    Participant,
    free_port,
    prepare,
    start_gunicorn,
    stop,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
SECRET_KEY = "load-benchmark-secret"
INTERVAL_S = 5.0
P99_LIMIT_MS = 200.0
RETRY_LIMIT = 8
TIMEOUT_S = 15.0  # the recorder's (static/runner.js)


@dataclass
class Target:
    name: str
    port: int
    database_url: str
    #: (path, headers) per participant, in the order of ``Fixture.participants``.
    requests: list[tuple[str, str]] = field(default_factory=list)
    process: subprocess.Popen | None = None
    acknowledged: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)


@dataclass
class Run:
    target: str
    participants: int
    offered_rps: float
    achieved_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    unacknowledged: int
    server_cores: float
    database_cores: float
    client_cores: float
    server_cpu_ms: float
    client_cpu_ms: float


# --- set-up --------------------------------------------------------------------------------------

def cookies(participants: list[Participant]) -> list[str]:
    """The signed session cookie the link page sets for each participant (a permanent session)."""
    from flask import Flask

    app = Flask(__name__)
    app.secret_key = SECRET_KEY
    serializer = app.session_interface.get_signing_serializer(app)
    return [serializer.dumps({"_permanent": True, "participant_id": p.participant_id})
            for p in participants]


class Databases:
    """Fresh databases of the same content, one per target: copies of a SQLite file, or
    PostgreSQL databases made from a template in a throw-away cluster (fsync on)."""

    def __init__(self, backend: str, folder: Path):
        self.backend, self.folder = backend, folder
        self.cluster = None
        if backend == "postgresql":
            from tests.support.postgres import ThrowawayCluster, find_bin_dir

            bin_dir = find_bin_dir()
            if bin_dir is None:
                raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
            self.cluster = ThrowawayCluster(bin_dir, options="-c max_connections=300")
            self.server_url = self.cluster.start()
        self.template_url = self.url_for("template")

    def url_for(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder / (name + '.sqlite')}"
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            template = "" if name == "template" else ' TEMPLATE "template_db"'
            database = "template_db" if name == "template" else f"load_{name}"
            connection.execute(text(f'CREATE DATABASE "{database}"{template}'))
        admin.dispose()
        return make_url(self.server_url).set(database=database).render_as_string(
            hide_password=False)

    def copy(self, name: str) -> str:
        if self.backend == "sqlite":
            shutil.copy(self.folder / "template.sqlite", self.folder / f"{name}.sqlite")
            return f"sqlite:///{self.folder / (name + '.sqlite')}"
        return self.url_for(name)

    def cpu_seconds(self) -> float:
        """CPU time of PostgreSQL's processes so far (0 for SQLite: it runs in the workers)."""
        if self.cluster is None:
            return 0.0
        postmaster = int((self.cluster.data / "postmaster.pid").read_text().split()[0])
        return process_tree_cpu(postmaster)

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live children (gunicorn's workers)."""
    ticks = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    for each in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended since
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def extract_ref(ref: str, folder: Path) -> Path:
    """Write the tree of git ``ref`` to ``folder`` (nothing in the repository changes)."""
    archive = subprocess.run(["git", "-C", str(PROJECT_ROOT), "archive", ref],
                             check=True, capture_output=True).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def start_server(app_spec: str, port: int, env: dict, chdir: Path, log: Path,
                 args) -> subprocess.Popen:
    options = ["--worker-class", args.worker_class]
    if args.worker_class == "gthread":
        options += ["--threads", str(args.threads)]
    return start_gunicorn(app_spec, port, env, chdir, log, args.workers, tuple(options))


# --- load ----------------------------------------------------------------------------------------

def make_batch(participant: Participant, tab: str, seq: int, rng: random.Random) -> list[dict]:
    """5–15 events of a participant at a task: clicks with a navigation now and then."""
    t = int(time.time() * 1000)
    events = []
    for i in range(rng.randint(5, 15)):
        event = {"id": str(uuid.uuid4()), "seq": seq + i, "tab": tab, "t": t + 300 * i,
                 "attempt": participant.attempt_id, "url": "shoes.html"}
        if i % 6 == 5:
            event["type"] = "navigate"
        else:
            event.update(type="click", x=412.5, y=188.0,
                         target="main > form#product-form > button.primary",
                         data={"interactive": i % 7 != 0})
        events.append(event)
    return events


async def post(port: int, path: str, headers: str, body: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     f"Content-Type: application/json\r\n{headers}"
                     f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        answer = await reader.read()  # Connection: close, so the answer ends at EOF
    finally:
        writer.close()
    head, _, rest = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), rest


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    unacknowledged: int = 0
    scheduled: int = 0
    #: Requests sent (retries included): the divisor of the CPU per request.
    tries: int = 0


async def send_batch(target: Target, index: int, events: list[dict], due: float, tally: Tally,
                     measured: bool) -> None:
    path, headers = target.requests[index]
    ids = [e["id"] for e in events]
    target.sent.update(ids)
    body = json.dumps({"events": events}, separators=(",", ":")).encode()
    for attempt in range(RETRY_LIMIT):
        tally.tries += 1
        try:
            status, answer = await asyncio.wait_for(post(target.port, path, headers, body),
                                                    TIMEOUT_S)
        except (TimeoutError, OSError, IndexError, ValueError) as exc:
            status, answer = 0, repr(exc).encode()
        if status == 200:
            target.acknowledged.update(ids)
            if measured:
                tally.latencies.append(time.perf_counter() - due)
            return
        tally.errors += 1
        tally.first_error = tally.first_error or f"{status} {answer[:200]!r}"
        await asyncio.sleep(min(2 ** attempt, 16))  # the recorder's backoff, same event ids
    tally.unacknowledged += 1


async def participant_loop(target: Target, index: int, participant: Participant, start: float,
                           warm_up_end: float, end: float, tally: Tally, tasks: set,
                           rng: random.Random) -> None:
    due = start + rng.uniform(0, INTERVAL_S)
    tab, seq = uuid.uuid4().hex[:12], 0
    while due < end:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        events = make_batch(participant, tab, seq, rng)
        seq += len(events)
        measured = due >= warm_up_end
        tally.scheduled += measured
        task = asyncio.create_task(send_batch(target, index, events, due, tally, measured))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        due += INTERVAL_S


async def drive(target: Target, participants: list[Participant], warm_up: float,
                seconds: float, seed: int) -> Tally:
    rng = random.Random(seed)
    tally, tasks = Tally(), set()
    start = time.perf_counter() + 0.5
    loops = [participant_loop(target, i, p, start, start + warm_up, start + warm_up + seconds,
                              tally, tasks, rng) for i, p in enumerate(participants)]
    await asyncio.gather(*loops)
    while tasks:  # the stragglers and their retries
        await asyncio.gather(*list(tasks))
    return tally


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return 1000 * sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def run_load(target: Target, participants: list[Participant], databases: Databases,
             args) -> Run:
    server_before, db_before = process_tree_cpu(target.process.pid), databases.cpu_seconds()
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    wall_start = time.perf_counter()
    tally = asyncio.run(drive(target, participants, args.warm_up, args.seconds, args.seed))
    wall = time.perf_counter() - wall_start
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    server = process_tree_cpu(target.process.pid) - server_before
    database = databases.cpu_seconds() - db_before
    client = (client_after.ru_utime - client_before.ru_utime
              + client_after.ru_stime - client_before.ru_stime)
    latencies = sorted(tally.latencies)
    if tally.first_error:
        print(f"  {target.name}: first error: {tally.first_error}", flush=True)
    return Run(
        target=target.name, participants=len(participants),
        offered_rps=tally.scheduled / args.seconds,
        achieved_rps=len(latencies) / args.seconds,
        p50_ms=percentile(latencies, 0.50), p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99), errors=tally.errors,
        unacknowledged=tally.unacknowledged,
        server_cores=server / wall, database_cores=database / wall, client_cores=client / wall,
        server_cpu_ms=1000 * (server + database) / max(1, tally.tries),
        client_cpu_ms=1000 * client / max(1, tally.tries))


def stored_events(url: str) -> tuple[set[str], int]:
    """The stored event ids and the number of rows (equal unless an event is stored twice)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        ids = [str(uuid.UUID(str(row[0]))) if not isinstance(row[0], uuid.UUID) else str(row[0])
               for row in connection.execute(text("SELECT event_uuid FROM events"))]
    engine.dispose()
    return set(ids), len(ids)


# --- main ----------------------------------------------------------------------------------------

def report(runs: list[Run], targets: list[Target], args) -> None:
    print(f"\nLoad: {args.backend}, gunicorn {args.workers} {args.worker_class} workers"
          f"{f' × {args.threads} threads' if args.worker_class == 'gthread' else ''}, "
          f"a batch of 5–15 events every {INTERVAL_S:.0f} s per participant, "
          f"{args.seconds:.0f} s measured after {args.warm_up:.0f} s")
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average before: {args.load_before}\n")
    print("| target | participants | offered req/s | achieved req/s | p50 (ms) | p95 (ms) | "
          "p99 (ms) | errors | lost batches | server cores | database cores | client cores | "
          "server + database CPU per request (ms) | client CPU per request (ms) |")
    print("| --- |" + " ---: |" * 13)
    for r in runs:
        print(f"| {r.target} | {r.participants:,} | {r.offered_rps:,.0f} | {r.achieved_rps:,.0f} | "
              f"{r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | "
              f"{r.unacknowledged} | {r.server_cores:.2f} | {r.database_cores:.2f} | "
              f"{r.client_cores:.2f} | {r.server_cpu_ms:.2f} | {r.client_cpu_ms:.2f} |")
    print()
    for target in targets:
        crossing = next((r.participants for r in runs
                         if r.target == target.name and not r.p99_ms < P99_LIMIT_MS), None)
        below = [r.participants for r in runs if r.target == target.name and r.p99_ms < P99_LIMIT_MS
                 and (crossing is None or r.participants < crossing)]
        print(f"{target.name}: p99 < {P99_LIMIT_MS:.0f} ms up to "
              f"{max(below) if below else 'none'} participants; "
              f"crosses at {crossing if crossing else 'none measured'}")
    reference = {(r.target, r.participants): r for r in runs}
    for target in targets[1:]:
        pairs = [(reference[(targets[0].name, r.participants)], r) for r in runs
                 if r.target == target.name and (targets[0].name, r.participants) in reference]
        ratios = ", ".join(f"{a.participants}: p99 {a.p99_ms / b.p99_ms:.2f}, "
                           f"server CPU {a.server_cpu_ms / b.server_cpu_ms:.2f}"
                           for a, b in pairs if b.p99_ms and b.server_cpu_ms)
        print(f"ratios {targets[0].name} / {target.name}: {ratios}")


def check_stored(targets: list[Target]) -> bool:
    good = True
    for target in targets:
        stored, rows = stored_events(target.database_url)
        missing = target.acknowledged - stored
        strange = stored - target.sent
        print(f"{target.name}: events sent {len(target.sent):,}, acknowledged "
              f"{len(target.acknowledged):,}, stored {len(stored):,} in {rows:,} rows; "
              f"acknowledged but not stored: {len(missing)}, stored twice: {rows - len(stored)}, "
              f"stored but never sent: {len(strange)}")
        good &= not missing and rows == len(stored) and not strange
    return good


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--participants", default="1000,2000,3000,4000",
                        help="comma-separated participant counts, run in this order")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured, per run")
    parser.add_argument("--warm-up", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=32, help="per gthread worker")
    parser.add_argument("--compare", action="append", default=[], metavar="REF",
                        help="also run the code of git REF (e.g. main)")
    parser.add_argument("--no-bare", action="store_true", help="leave out the bare baseline")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.participants.split(",")]
    args.load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers (finally) on kill

    folder = Path(tempfile.mkdtemp(prefix="uxlab-load-bench-"))
    databases = Databases(args.backend, folder)
    targets: list[Target] = []
    try:
        participants = prepare(databases.template_url, max(counts))
        signed = cookies(participants)
        uxlab_requests = [(f"/api/v1/sessions/{p.public_id}/events", f"Cookie: session={c}\r\n")
                          for p, c in zip(participants, signed, strict=True)]
        sources = [("uxlab", PROJECT_ROOT)] + [
            (f"uxlab@{ref}", extract_ref(ref, folder / f"ref-{i}"))
            for i, ref in enumerate(args.compare)]
        for i, (name, source) in enumerate(sources):
            target = Target(name, free_port(), databases.copy(f"t{i}"), uxlab_requests)
            target.process = start_server(
                "uxlab.app:create_app()", target.port,
                {"UXLAB_DATABASE_URL": target.database_url, "UXLAB_SECRET_KEY": SECRET_KEY,
                 "UXLAB_INSTANCE_PATH": str(folder / f"instance-{i}"),
                 "PYTHONPATH": str(source)}, source, folder / f"{name}.log", args)
            targets.append(target)
        if not args.no_bare:
            bare = Target("bare", free_port(), databases.copy("bare"),
                          [(f"/bare/sessions/{p.session_id}/events", "") for p in participants])
            bare.process = start_server("bare_ingest_app:app", bare.port,
                                          {"BARE_DATABASE_URL": bare.database_url},
                                          PROJECT_ROOT / "benchmarks", folder / "bare.log", args)
            targets.append(bare)

        runs: list[Run] = []
        for level, count in enumerate(counts):
            for target in (targets if level % 2 == 0 else targets[::-1]):
                run = run_load(target, participants[:count], databases, args)
                runs.append(run)
                print(f"{run.target:12} {count:6,} participants: offered {run.offered_rps:6.0f} "
                      f"req/s, achieved {run.achieved_rps:6.0f}, p50 {run.p50_ms:7.1f} ms, "
                      f"p95 {run.p95_ms:7.1f}, p99 {run.p99_ms:7.1f}, errors {run.errors}, "
                      f"lost {run.unacknowledged}, server {run.server_cores:.2f} + database "
                      f"{run.database_cores:.2f} cores, client {run.client_cores:.2f}; CPU per request "
                      f"{run.server_cpu_ms:.2f} ms server + database, {run.client_cpu_ms:.2f} "
                      "ms client", flush=True)
        for target in targets:
            stop(target.process)
        report(runs, targets, args)
        print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0 if check_stored(targets) else 1
    finally:
        for target in targets:
            stop(target.process)
        databases.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
