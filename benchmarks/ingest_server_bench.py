"""CPU per request of the ingestion server (uxlab.ingest) against the events endpoint under
gunicorn's sync workers, measured alternately in the same run (issue 14).

    .venv/bin/python benchmarks/ingest_server_bench.py [--backend sqlite|postgresql]
        [--participants 400] [--requests 3000] [--concurrency 64] [--rounds 3]

Two targets, each gunicorn with 2 workers on a fresh copy of the same database (the demo study,
``--participants`` participants each with a session at a running task):

- **sync**: ``gunicorn --worker-class sync 'uxlab.app:create_app()'`` (the events endpoint's
  WSGI entry), one connection per request (sync workers close it after the answer);
- **ingest**: ``gunicorn -k uvicorn_worker.UvicornWorker 'uxlab.ingest.asgi:create_ingest_app()'``,
  keep-alive connections (as a participant's browser keeps its connection).

A closed-loop asyncio client keeps ``--concurrency`` requests in flight, each a batch of 5–15
events of a random participant (with its signed cookie), ``--requests`` per round; rounds
alternate between the targets. Reported per target, median over rounds: requests/s, p50/p99,
CPU per request of the server (gunicorn's processes), of PostgreSQL and of the client, and the
ratio ingest / sync of server + database. On a loaded machine only the CPU figures and their ratio mean anything.
Exits non-zero unless every acknowledged event is stored, once.

``--open-loop N --seconds S`` instead runs one round per target (``--only`` one of them) with N
participants each posting a batch every 5 s at a random phase on a connection of its own, for S
seconds, whatever the delay of the answers; latency counts from the batch's due time. A quick
look at the load goal; ``load_bench.py`` is its benchmark (retries, several participant counts,
the bare endpoint).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest_bench import PROJECT_ROOT, free_port, prepare, start_gunicorn, stop  # noqa: E402
from load_bench import (  # noqa: E402
    INTERVAL_S,
    SECRET_KEY,
    Databases,
    cookies,
    make_batch,
    process_tree_cpu,
    stored_events,
)

TARGETS = {
    "sync": ("uxlab.app:create_app()", ("--worker-class", "sync")),
    "ingest": ("uxlab.ingest.asgi:create_ingest_app()",
               ("--worker-class", "uvicorn_worker.UvicornWorker", "--keep-alive", "15")),
}


@dataclass
class Round:
    target: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    server_ms: float
    database_ms: float
    client_ms: float


class Client:
    """One HTTP/1.1 connection, kept alive or not."""

    def __init__(self, port: int, keep_alive: bool):
        self.port, self.keep_alive = port, keep_alive
        self.reader = self.writer = None

    async def post(self, path: str, cookie: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        connection = "keep-alive" if self.keep_alive else "close"
        self.writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {connection}"
                          f"\r\nContent-Type: application/json\r\nCookie: session={cookie}\r\n"
                          f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(int(line.split(":", 1)[1]) for line in lines
                      if line.lower().startswith("content-length:"))
        answer = await self.reader.readexactly(length)
        closing = any(line.lower() == "connection: close" for line in lines)
        if closing or not self.keep_alive:
            self.writer.close()
            self.reader = self.writer = None
        return int(lines[0].split(" ", 2)[1]), answer


async def run_round(name: str, port: int, server_pid: int, databases: Databases, work: list,
                    concurrency: int) -> tuple[Round, list[str]]:
    latencies, acknowledged = [], []
    queue = list(reversed(work))

    async def worker():
        client = Client(port, keep_alive=name == "ingest")
        while queue:
            path, cookie, events = queue.pop()
            body = json.dumps({"events": events}).encode()
            started = time.perf_counter()
            status, answer = await client.post(path, cookie, body)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"{name}: {status} {answer[:200]!r}")
            acknowledged.extend(event["id"] for event in events)
        if client.writer is not None:
            client.writer.close()

    server_before, database_before = process_tree_cpu(server_pid), databases.cpu_seconds()
    client_before, wall_before = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - wall_before
    server = process_tree_cpu(server_pid) - server_before
    database = databases.cpu_seconds() - database_before
    client = time.process_time() - client_before
    latencies.sort()
    n = len(work)
    return Round(name, n / wall, latencies[n // 2] * 1000, latencies[int(n * 0.99)] * 1000,
                 server / n * 1000, database / n * 1000, client / n * 1000), acknowledged


async def run_open_loop(name: str, port: int, server_pid: int, databases: Databases,
                        participants: list, signed: list[str], seconds: float,
                        rng: random.Random) -> tuple[Round, list[str], int]:
    """Every participant posts a batch every 5 s at a random phase, on its own connection (kept
    alive for the ingestion server), whatever the answers' delay: open loop. Latency counts from
    the batch's due time. Returns the round, the acknowledged ids and the failed requests."""
    latencies, acknowledged, failures = [], [], [0]
    start = time.perf_counter() + 0.5

    async def participant(i: int, phase: float):
        client = Client(port, keep_alive=name == "ingest")
        due, seq = start + phase, 0
        while due < start + seconds:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            events = make_batch(participants[i], f"open-{i}", seq, rng)
            seq += len(events)
            try:
                status, _ = await client.post(f"/api/v1/sessions/{participants[i].public_id}"
                                              "/events", signed[i],
                                              json.dumps({"events": events}).encode())
            except (OSError, asyncio.IncompleteReadError):
                status, client = 0, Client(port, keep_alive=name == "ingest")
            if status == 200:
                latencies.append(time.perf_counter() - due)
                acknowledged.extend(event["id"] for event in events)
            else:
                failures[0] += 1
            due += INTERVAL_S
        if client.writer is not None:
            client.writer.close()

    server_before, database_before = process_tree_cpu(server_pid), databases.cpu_seconds()
    client_before = time.process_time()
    await asyncio.gather(*(participant(i, rng.uniform(0, INTERVAL_S))
                           for i in range(len(participants))))
    server = process_tree_cpu(server_pid) - server_before
    database = databases.cpu_seconds() - database_before
    client = time.process_time() - client_before
    n = max(1, len(latencies))
    latencies.sort()
    at = lambda q: latencies[min(n - 1, int(n * q))] * 1000 if latencies else float("nan")  # noqa: E731
    return Round(name, len(latencies) / seconds, at(0.5), at(0.99), server / n * 1000,
                 database / n * 1000, client / n * 1000), acknowledged, failures[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--participants", type=int, default=400)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--open-loop", type=int, metavar="PARTICIPANTS", default=0,
                        help="instead of the closed loop: this many participants posting every "
                             "5 s for --seconds, one round per target")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--only", choices=tuple(TARGETS), help="run one target (open loop)")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="uxlab-ingest-server-bench-"))
    databases = Databases(args.backend, folder)
    processes = {}
    rng = random.Random(14)
    try:
        participants = prepare(databases.template_url, max(args.participants, args.open_loop))
        signed = cookies(participants)
        urls = {name: databases.copy(name) for name in TARGETS}
        ports = {name: free_port() for name in TARGETS}
        for i, (name, (spec, options)) in enumerate(TARGETS.items()):
            processes[name] = start_gunicorn(
                spec, ports[name], {"UXLAB_DATABASE_URL": urls[name],
                                    "UXLAB_SECRET_KEY": SECRET_KEY,
                                    "UXLAB_INSTANCE_PATH": str(folder / f"instance-{i}")},
                PROJECT_ROOT, folder / f"{name}.log", args.workers, options)
        rounds: list[Round] = []
        acknowledged: dict[str, list[str]] = {name: [] for name in TARGETS}
        seqs = [0] * len(participants)
        for name in (TARGETS if args.only is None else (args.only,)) if args.open_loop else ():
            done, ids, failed = asyncio.run(run_open_loop(
                name, ports[name], processes[name].pid, databases,
                participants[:args.open_loop], signed, args.seconds, rng))
            rounds.append(done)
            acknowledged[name] += ids
            print(f"{name:7} {args.open_loop} participants: {done.requests_per_s:6.0f} req/s "
                  f"answered, p50 {done.p50_ms:6.1f} ms, p99 {done.p99_ms:6.1f} ms, failed "
                  f"{failed}, CPU per request: server {done.server_ms:.2f} ms, database "
                  f"{done.database_ms:.2f}, client {done.client_ms:.2f}", flush=True)
        for number in range(0 if args.open_loop else args.rounds):
            for name in (TARGETS if number % 2 == 0 else reversed(TARGETS)):
                work = []
                for _ in range(args.requests):
                    i = rng.randrange(len(participants))
                    events = make_batch(participants[i], f"tab-{i}", seqs[i], rng)
                    seqs[i] += len(events)
                    work.append((f"/api/v1/sessions/{participants[i].public_id}/events",
                                 signed[i], events))
                done, ids = asyncio.run(run_round(name, ports[name], processes[name].pid,
                                                  databases, work, args.concurrency))
                rounds.append(done)
                acknowledged[name] += ids
                print(f"{name:7} round {number + 1}: {done.requests_per_s:6.0f} req/s, "
                      f"p50 {done.p50_ms:6.1f} ms, p99 {done.p99_ms:6.1f} ms, CPU per request: server "
                      f"{done.server_ms:.2f} ms, database {done.database_ms:.2f}, client "
                      f"{done.client_ms:.2f}",
                      flush=True)
        ok = True
        for name in TARGETS:
            stored, total = stored_events(urls[name])
            expected = {str(uuid.UUID(i)) for i in acknowledged[name]}
            if total != len(stored) or not expected <= stored:
                print(f"{name}: acknowledged events missing or stored twice", file=sys.stderr)
                ok = False
        if not args.open_loop:
            report(rounds, args)
        return 0 if ok else 1
    finally:
        for process in processes.values():
            stop(process)
        databases.close()


def report(rounds: list[Round], args) -> None:
    print(f"\n{args.backend}, {args.workers} workers each, {args.requests} requests per round, "
          f"{args.concurrency} in flight, median of {args.rounds} rounds\n")
    print("| target | req/s | p50 (ms) | p99 (ms) | server CPU/request (ms) | "
          "database CPU/request (ms) | client CPU/request (ms) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    medians = {}
    for name in TARGETS:
        mine = [r for r in rounds if r.target == name]
        med = {field: statistics.median(getattr(r, field) for r in mine)
               for field in ("requests_per_s", "p50_ms", "p99_ms", "server_ms", "database_ms",
                             "client_ms")}
        medians[name] = med
        print(f"| {name} | {med['requests_per_s']:.0f} | {med['p50_ms']:.1f} | "
              f"{med['p99_ms']:.1f} | {med['server_ms']:.2f} | {med['database_ms']:.2f} | "
              f"{med['client_ms']:.2f} |")
    total = {name: med["server_ms"] + med["database_ms"] for name, med in medians.items()}
    print(f"\nserver (+ database) CPU per request, ingest / sync: "
          f"{total['ingest'] / total['sync']:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
