"""Load benchmark of live participants (issue 14): open-loop, against gunicorn, SQLite or PostgreSQL.

N participants, each with its own session at a running task and the participant cookie the link
page sets, post a batch of 5–15 recorder events every 5 s, each at a random phase. The client is
open-loop: a batch is sent at its time whether or not earlier ones were answered, and its latency
counts from that time (so a slow server is not hidden by a client that waits for it). A batch
that fails (no answer, a 15 s timeout, 408, 429 or 5xx) is sent again with the same event ids
after the recorder's backoff (full jitter, 1 s doubling to 30 s; ``Retry-After`` obeyed), up to
8 tries.

Like a browser tab, each participant keeps one HTTP/1.1 keep-alive connection
(``keepalive_client.py``), opens a new one when the server has closed it, and sends a request
again at once when a reused connection turns out closed before any answer byte (counted apart
from errors). ``--connection close`` opens a connection per request instead (sync workers close
every connection anyway). The batches' bodies (fresh event ids each) are built before the timed
phase, so the client's CPU goes to sending; uvloop runs the client when it is installed.
``--clients new,old`` also drives each target with the client this benchmark had before (a
connection per request, each batch built at send time, asyncio's default loop) to compare the
client's CPU per request in the same run.

Targets, each a gunicorn with its own fresh database (``load_targets.py``): ``--server flask``
(the app), ``--server ingest`` (the ingestion server under uvicorn workers) or both, from this
checkout and from each ``--compare REF`` (``git archive``); ``bare``, the baseline; and with
``--stub`` a server that answers at once and stores nothing (the client's own limits). For each
participant count the targets run in turn (alternating order); a target whose p99 went over 10 s
is not run at higher counts. Reported per run (``load_report.py``): offered and achieved
requests/s, p50/p95/p99, the client's own lag (how late it sent batches), errors (failed tries),
batches never acknowledged, reconnects and stale-connection retries, the CPU of the server
(gunicorn and PostgreSQL's backends) and of the client, and events stored vs acknowledged (exit status 1 unless every acknowledged event is stored, once). ``--fault server``
or ``--fault database`` restarts the server or PostgreSQL in the middle of every run. Run::

    .venv/bin/python benchmarks/load_bench.py --backend sqlite --server flask,ingest
    .venv/bin/python benchmarks/load_bench.py --backend postgresql --server flask,ingest
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ingest_bench import Participant, free_port, prepare, stop  # the sibling benchmark
from keepalive_client import (
    Counters,
    Origin,
    ProtocolError,
    Response,
    event_loop_factory,
    request_bytes,
)
from load_report import STOP_P99_MS, Run, collapsed, report, row
from load_targets import (  # SECRET_KEY, process_tree_cpu: for ingest_server_bench.py too
    PROJECT_ROOT,
    SECRET_KEY,  # noqa: F401
    Databases,
    Target,
    bare_target,
    check_ingest_worker,
    cookies,
    extract_ref,
    has_ingest_server,
    process_tree_cpu,  # noqa: F401
    raise_open_files_limit,
    server_target,
    stub_target,
)

INTERVAL_S = 5.0
RETRY_LIMIT = 8
TIMEOUT_S = 15.0  # the recorder's (static/runner.js)
CLIENTS = ("new", "old")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    #: How late the client itself sent each measured batch: the share of the latency that is
    #: the client's (its event loop busy), not the server's.
    lags: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    unacknowledged: int = 0
    scheduled: int = 0
    #: Requests sent (retries included): the divisor of the CPU per request.
    tries: int = 0
    fault: str = ""


# --- batches -------------------------------------------------------------------------------------

def make_batch(participant: Participant, tab: str, seq: int, rng: random.Random,
               t: int | None = None) -> list[dict]:
    """5–15 events of a participant at a task: clicks with a navigation now and then (``t``:
    the first event's client time in ms, now by default)."""
    t = int(time.time() * 1000) if t is None else t
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


class Batches:
    """One participant's batches in order: each a request with fresh event ids.

    ``prebuilt``: all are made now (before the timed phase); else each when it is due, as this
    benchmark's old client did."""

    def __init__(self, participant: Participant, path: str, headers: str, count: int,
                 rng: random.Random, keep_alive: bool, prebuilt: bool):
        self.participant, self.path, self.headers = participant, path, headers
        self.rng, self.keep_alive = rng, keep_alive
        self.tab, self.seq = uuid.uuid4().hex[:12], 0
        self.made = iter([self.make() for _ in range(count)]) if prebuilt else iter(())

    def make(self) -> tuple[list[str], bytes]:
        events = make_batch(self.participant, self.tab, self.seq, self.rng)
        self.seq += len(events)
        body = json.dumps({"events": events}, separators=(",", ":")).encode()
        return ([e["id"] for e in events],
                request_bytes(self.path, self.headers, body, keep_alive=self.keep_alive))

    def next(self) -> tuple[list[str], bytes]:
        return next(self.made, None) or self.make()


# --- load ----------------------------------------------------------------------------------------

def retryable(status: int) -> bool:
    """The recorder's rule: no answer, 408, 429 and 5xx are sent again; other refusals are not."""
    return status in (0, 408, 429) or status >= 500


def backoff_s(failures: int, response: Response | None, rng: random.Random) -> float:
    """The recorder's wait before the next try (static/runner.js ``backoff``)."""
    if response is not None and response.retry_after is not None:
        return min(response.retry_after, 600) + rng.random() * 0.25
    return rng.random() * min(30.0, 2.0 ** min(failures, 15))


async def send_batch(target: Target, origin: Origin, ids: list[str], data: bytes, due: float,
                     tally: Tally, measured: bool, rng: random.Random) -> None:
    target.sent.update(ids)
    for failures in range(RETRY_LIMIT):
        tally.tries += 1
        response = None
        try:
            async with asyncio.timeout(TIMEOUT_S):
                response = await origin.send(data)
            status, answer = response.status, response.body
        except (TimeoutError, OSError, ProtocolError) as exc:
            status, answer = 0, repr(exc).encode()
        if status == 200:
            target.acknowledged.update(ids)
            if measured:
                tally.latencies.append(time.perf_counter() - due)
            return
        tally.errors += 1
        tally.first_error = tally.first_error or f"{status} {answer[:200]!r}"
        if not retryable(status):
            break
        await asyncio.sleep(backoff_s(failures, response, rng))
    tally.unacknowledged += 1


async def participant_loop(target: Target, origin: Origin, batches: Batches, due: float,
                           warm_up_end: float, end: float, tally: Tally, tasks: set,
                           rng: random.Random) -> None:
    while due < end:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        ids, data = batches.next()
        measured = due >= warm_up_end
        if measured:
            tally.scheduled += 1
            tally.lags.append(time.perf_counter() - due)
        task = asyncio.create_task(send_batch(target, origin, ids, data, due, tally, measured,
                                              rng))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        due += INTERVAL_S


async def inject_fault(at: float, fault, tally: Tally, name: str) -> None:
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    began = time.perf_counter()
    await asyncio.to_thread(fault)
    tally.fault = f"{name} restarted, {time.perf_counter() - began:.1f} s"


async def drive(target: Target, origins: list[Origin], batches: list[Batches],
                phases: list[float], args, fault) -> Tally:
    rng = random.Random(args.seed)
    tally, tasks = Tally(), set()
    start = time.perf_counter() + 0.5
    warm_up_end, end = start + args.warm_up, start + args.warm_up + args.seconds
    loops = [participant_loop(target, origin, each, start + phase, warm_up_end, end, tally,
                              tasks, rng)
             for origin, each, phase in zip(origins, batches, phases, strict=True)]
    if fault is not None:
        loops.append(inject_fault(warm_up_end + args.fault_at, fault, tally, args.fault))
    await asyncio.gather(*loops)
    while tasks:  # the stragglers and their retries
        await asyncio.gather(*list(tasks))
    for origin in origins:
        origin.close()
    return tally


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return 1000 * sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def run_load(target: Target, participants: list[Participant], client: str,
             databases: Databases, args) -> Run:
    keep_alive = client == "new" and args.connection == "keep-alive"
    rng = random.Random(args.seed)
    phases = [rng.uniform(0, INTERVAL_S) for _ in participants]
    per_participant = int((args.warm_up + args.seconds) / INTERVAL_S) + 2
    batches = [Batches(p, path, headers, per_participant, random.Random(rng.random()),
                       keep_alive, prebuilt=client == "new")
               for p, (path, headers) in zip(participants, target.requests, strict=False)]
    counters = Counters()
    origins = [Origin("127.0.0.1", target.port, counters, keep_alive=keep_alive)
               for _ in participants]
    fault = {"server": target.restart, "database": databases.restart}.get(args.fault)
    gc.collect()
    gc.freeze()  # the batches made above live through the run: keep the collector off them
    server_before, db_before = target.cpu_seconds(), databases.cpu_seconds()
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    wall_start = time.perf_counter()
    with asyncio.Runner(loop_factory=event_loop_factory() if client == "new" else None) as runner:
        tally = runner.run(drive(target, origins, batches, phases, args, fault))
    wall = time.perf_counter() - wall_start
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    server = target.cpu_seconds() - server_before
    database = databases.cpu_seconds() - db_before
    gc.unfreeze()
    client_cpu = (client_after.ru_utime - client_before.ru_utime
                  + client_after.ru_stime - client_before.ru_stime)
    latencies = sorted(tally.latencies)
    if tally.first_error:
        print(f"  {target.name}: first error: {tally.first_error}", flush=True)
    return Run(
        target=target.name, client=client, participants=len(participants),
        offered_rps=tally.scheduled / args.seconds,
        achieved_rps=len(latencies) / args.seconds,
        p50_ms=percentile(latencies, 0.50), p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        client_lag_p99_ms=percentile(sorted(tally.lags), 0.99), errors=tally.errors,
        unacknowledged=tally.unacknowledged,
        reconnects=max(0, counters.connections - len(participants)) if keep_alive else None,
        stale_retries=counters.stale_retries,
        server_cores=server / wall, database_cores=database / wall,
        client_cores=client_cpu / wall,
        server_cpu_ms=1000 * (server + database) / max(1, tally.tries),
        client_cpu_ms=1000 * client_cpu / max(1, tally.tries), fault=tally.fault)


def stored_events(url: str) -> tuple[set[str], int]:
    """The stored event ids and the number of rows (equal unless an event is stored twice)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        ids = [str(uuid.UUID(str(row[0]))) if not isinstance(row[0], uuid.UUID) else str(row[0])
               for row in connection.execute(text("SELECT event_uuid FROM events"))]
    engine.dispose()
    return set(ids), len(ids)


# --- report ---------------------------------------------------------------------------------------

def check_stored(targets: list[Target]) -> bool:
    good = True
    for target in targets:
        if not target.database_url:
            continue  # the stub stores nothing
        stored, rows = stored_events(target.database_url)
        missing = target.acknowledged - stored
        strange = stored - target.sent
        print(f"{target.name}: events sent {len(target.sent):,}, acknowledged "
              f"{len(target.acknowledged):,}, stored {len(stored):,} in {rows:,} rows; "
              f"acknowledged but not stored: {len(missing)}, stored twice: {rows - len(stored)}, "
              f"stored but never sent: {len(strange)}")
        good &= not missing and rows == len(stored) and not strange
    return good


# --- main ----------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--participants", default="1000,2000,3000,4000",
                        help="comma-separated participant counts, run in this order (a target "
                             f"is not run again after its p99 went over {STOP_P99_MS / 1000:.0f} s)")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured, per run")
    parser.add_argument("--warm-up", type=float, default=5.0)
    parser.add_argument("--server", default="flask",
                        help="flask, ingest or flask,ingest: the server(s) of this checkout "
                             "and of each --compare REF")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"),
                        help="of the flask and bare servers")
    parser.add_argument("--threads", type=int, default=32, help="per gthread worker")
    parser.add_argument("--connection", choices=("keep-alive", "close"), default="keep-alive",
                        help="a kept connection per participant, or a new one per request")
    parser.add_argument("--clients", default="new",
                        help="new, or new,old to also drive every target with the old client "
                             "(a connection per request, batches built at send time)")
    parser.add_argument("--compare", action="append", default=[], metavar="REF",
                        help="also run the code of git REF (e.g. main)")
    parser.add_argument("--no-bare", action="store_true", help="leave out the bare baseline")
    parser.add_argument("--stub", action="store_true",
                        help="add a stub server that answers at once: the client's own limits")
    parser.add_argument("--fault", choices=("server", "database"),
                        help="restart the server (gunicorn) or PostgreSQL during every run")
    parser.add_argument("--fault-at", type=float, default=None,
                        help="seconds into the measured phase (default: its middle)")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    args.counts = [int(n) for n in args.participants.split(",")]
    args.servers = args.server.split(",")
    args.client_kinds = args.clients.split(",")
    for kind, given, allowed in (("--server", args.servers, ("flask", "ingest")),
                                 ("--clients", args.client_kinds, CLIENTS)):
        if not given or any(each not in allowed for each in given):
            parser.error(f"{kind}: {','.join(given)!r} is not a comma-separated list of "
                         f"{', '.join(allowed)}")
    if args.fault == "database" and args.backend != "postgresql":
        parser.error("--fault database needs --backend postgresql")
    if args.fault_at is None:
        args.fault_at = args.seconds / 2
    return args


def start_targets(args, databases: Databases, participants: list[Participant],
                  folder: Path) -> list[Target]:
    if "ingest" in args.servers:
        check_ingest_worker()
    signed = cookies(participants)
    uxlab_requests = [(f"/api/v1/sessions/{p.public_id}/events", f"Cookie: session={c}\r\n")
                      for p, c in zip(participants, signed, strict=True)]
    sources = [("uxlab", PROJECT_ROOT)] + [
        (f"uxlab@{ref}", extract_ref(ref, folder / f"ref-{i}"))
        for i, ref in enumerate(args.compare)]
    targets = []
    for code, source in sources:
        for server in args.servers:
            name = f"{code}[{server}]"
            if server == "ingest" and not has_ingest_server(source):
                print(f"{name}: left out, that code has no ingestion server", flush=True)
                continue
            targets.append(server_target(
                name, server, source, databases.copy(f"t{len(targets)}"), folder, uxlab_requests,
                free_port(), args))
    if not args.no_bare:
        targets.append(bare_target(databases.copy("bare"), folder, participants, free_port(),
                                   args))
    if args.stub:
        targets.append(stub_target(folder, participants, free_port()))
    return targets


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers (finally) on kill
    raise_open_files_limit()

    folder = Path(tempfile.mkdtemp(prefix="uxlab-load-bench-"))
    databases = Databases(args.backend, folder)
    targets: list[Target] = []
    try:
        participants = prepare(databases.template_url, max(args.counts))
        targets = start_targets(args, databases, participants, folder)
        runs: list[Run] = []
        stopped: dict[tuple[str, str], Run] = {}
        skipped: list[tuple[str, int, Run]] = []
        for level, count in enumerate(args.counts):
            flip = level % 2 == 1
            for target in (targets[::-1] if flip else targets):
                for client in (args.client_kinds[::-1] if flip else args.client_kinds):
                    if (target.name, client) in stopped:
                        last = stopped[(target.name, client)]
                        skipped.append((last.label, count, last))
                        continue
                    run = run_load(target, participants[:count], client, databases, args)
                    runs.append(run)
                    print(row(run), flush=True)
                    if collapsed(run):
                        stopped[(target.name, client)] = run
                        if all((target.name, c) in stopped for c in args.client_kinds):
                            # Its queue of requests nobody waits for any more would take
                            # the next target's CPU.
                            stop(target.process)
        for target in targets:
            stop(target.process)
        report(runs, skipped, args, INTERVAL_S)
        print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0 if check_stored(targets) else 1
    finally:
        for target in targets:
            stop(target.process)
        databases.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
