"""Benchmark the live console under load (issue 11): consoles watching sessions while they record.

One uxlab server, gunicorn with the README's threaded workers (``-k gthread --threads 32 -w 2``),
on SQLite (WAL) and on PostgreSQL (a throw-away cluster, as the test suite makes one), holding the
demo study with ``--sessions`` remote-moderated sessions, each with a running attempt. Three
phases of ``--seconds`` each, every session posting a batch of ``--batch`` events every 2 s
(staggered) throughout:

1. baseline: the load alone;
2. consoles: the same load while ``--consoles`` logged-in consoles, in a process of their own,
   each hold one live stream of all the study's live sessions (``/studies/<id>/live/stream``);
3. baseline again, so load drifting on a shared machine weighs on both sides alike (the two
   baseline phases are pooled).

Reported as Markdown rows per database: ingestion p50 / p99 without and with consoles and the p99
ratio (goal <= 1.2), the p50 / p95 / p99 from an event stored (its ``received_at``, the server's
clock) to its frame read by a console (the same machine's clock; goal p95 < 2 s), how many events
the consoles got of those sent (goal >= 95 %), refused posts and streams, and pool-exhaustion
messages in the server log (goal none). Exits non-zero when a goal is missed. Run::

    .venv/bin/python benchmarks/live_bench.py [--database sqlite|postgresql|both] [--seconds 30]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from array import array
from datetime import datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
GUNICORN = Path(sys.executable).parent / "gunicorn"
PASSWORD = "benchmark-password-1"
SECRET_KEY = "live-benchmark-secret"


def prepare(url: str, sessions: int) -> dict:
    """Migrate, load the demo study (running), a moderator, and the sessions with attempts."""
    from werkzeug.security import generate_password_hash

    from uxlab import schema
    from uxlab.db import Database
    from uxlab.models import User
    from uxlab.moderation.sessions import start_moderated_session
    from uxlab.participants import flow
    from uxlab.recording.auth import ingest_token
    from uxlab.studies.files import read_study_file
    from uxlab.studies.service import load_spec, start_study
    from uxlab.timeutil import utcnow

    database = Database(url)
    schema.upgrade(database.engine)
    targets = []
    with database.session() as session:
        owner = User(email="moderator@example.org", role="researcher",
                     password_hash=generate_password_hash(PASSWORD, method="scrypt"))
        session.add(owner)
        session.flush()
        study = load_spec(session, read_study_file(PROJECT_ROOT / "studies" /
                                                   "checkout-redesign.toml"), owner=owner).study
        start_study(study)
        for _ in range(sessions):
            participant, test_session = start_moderated_session(session, study, owner,
                                                                "remote_moderated")
            flow.consent(session, study, participant, 0)
            attempt = flow.start_task(session, study, participant, participant.step)
            attempt.started_at = utcnow()
            targets.append((test_session.public_id, attempt))
        session.flush()
        study_id = study.id
        targets = [(str(public_id), attempt.id) for public_id, attempt in targets]
    database.dispose()

    class TokenApp:  # ingest_token needs only the secret key
        config = {"SECRET_KEY": SECRET_KEY}
    tokens = {public_id: ingest_token(TokenApp, uuid.UUID(public_id)) for public_id, _ in targets}
    return {"study": study_id, "sessions": [(p, a, tokens[p]) for p, a in targets]}


def start_server(url: str, port: int, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "UXLAB_DATABASE_URL": url, "UXLAB_SECRET_KEY": SECRET_KEY,
           "UXLAB_INSTANCE_PATH": str(folder), "UXLAB_LIVE_STREAMS_PER_PROCESS": "16",
           "UXLAB_LIVE_HEARTBEAT_SECONDS": "2"}
    command = [str(GUNICORN), "-k", "gthread", "--threads", "32", "-w", "2", "-b",
               f"127.0.0.1:{port}", "--log-level", "warning", "uxlab:create_app()"]
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT,
                               stdout=(folder / "server.log").open("wb"),
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/static/uxlab.css")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start; see server.log")


def batch(attempt_id: int, size: int, token: str, seq: list[int], tab: str) -> bytes:
    events = []
    for _ in range(size):
        events.append({"id": str(uuid.uuid4()), "seq": seq[0], "tab": tab, "type": "click",
                       "t": int(time.time() * 1000), "attempt": attempt_id, "x": 10.0,
                       "y": 20.0, "target": "#add", "url": "shoes.html",
                       "data": {"interactive": True, "text": "Add to cart"}})
        seq[0] += 1
    return json.dumps({"events": events, "token": token}).encode()


def recorders(port: int, sessions: list, size: int, seconds: float, latencies: list,
              failures: list, threads: int = 16) -> None:
    """Each session posts a batch every 2 s, staggered, for ``seconds``."""
    def work(mine):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        state = {p: ([0], uuid.uuid4().hex[:12]) for p, _, _ in mine}
        start = time.monotonic()
        offsets = {p: 2.0 * i / max(1, len(mine)) for i, (p, _, _) in enumerate(mine)}
        due = {p: start + offsets[p] for p, _, _ in mine}
        while True:
            public_id, attempt, token = min(mine, key=lambda s: due[s[0]])
            wait = due[public_id] - time.monotonic()
            if due[public_id] - start > seconds:
                break
            if wait > 0:
                time.sleep(wait)
            body = batch(attempt, size, token, *state[public_id])
            began = time.perf_counter()
            try:
                connection.request("POST", f"/api/v1/sessions/{public_id}/events", body,
                                   {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(response.status)
            except OSError as exc:
                failures.append(str(exc))
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            latencies.append(time.perf_counter() - began)
            due[public_id] += 2.0
    groups = [sessions[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=work, args=(g,)) for g in groups if g]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def log_in(port: int) -> str:
    """Log the moderator in; return the session cookie."""
    import re

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": "moderator@example.org", "password": PASSWORD,
                                   "csrf_token": token})
    connection.request("POST", "/login", form, {"Cookie": cookie, "Content-Type":
                                                "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    return response.getheader("Set-Cookie").split(";")[0]


def latest_event(url: str) -> int:
    from uxlab.db import Database
    from uxlab.moderation.live import settled_event_id

    database = Database(url)
    with database.session(write=False) as session:
        latest = settled_event_id(session)
    database.dispose()
    return latest


def console(port: int, study: int, cookie: str, stop, delays: list, counts: dict,
            after: int) -> None:
    """Hold the study's live stream, reconnecting after Last-Event-ID, recording delays."""
    last = str(after)
    marker = '"received_at":"'
    seen: set[str] = set()  # event ids this console was shown: a repeat is a stream's bug
    while not stop.is_set():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        headers = {"Cookie": cookie, "Last-Event-ID": last}
        connection.request("GET", f"/studies/{study}/live/stream", headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            counts["refused"] += 1
            response.read()
            time.sleep(1)
            continue
        pending = b""
        while not stop.is_set():
            chunk = response.read1(1 << 16)  # all the frames that have arrived
            if not chunk:
                break
            shown = time.time()
            complete, _, pending = (pending + chunk).rpartition(b"\n\n")
            for block in complete.decode().split("\n\n"):
                if block.startswith("id: "):  # only event frames carry an id
                    last = block[4:block.index("\n")]
                    if last in seen:
                        counts["repeats"] += 1
                        continue
                    seen.add(last)
                    at = block.index(marker) + len(marker)
                    stored = datetime.fromisoformat(block[at:block.index('"', at)])
                    delays.append(shown - stored.timestamp())
                    counts["events"] += 1
                elif block.startswith("event: state"):
                    counts["states"] += 1
        connection.close()


def consoles_process(port: int, study: int, cookie: str, after: int, consoles: int,
                     stop, states, results) -> None:
    """Run the consoles in a process of their own, so reading frames does not slow the
    recorders' posts (or the other way round) through one interpreter lock; report the
    stored-to-shown delays and counts through ``results`` once ``stop`` is set."""
    delays: list[float] = []
    counts = {"events": 0, "states": 0, "refused": 0, "repeats": 0}
    threads = [threading.Thread(target=console, args=(port, study, cookie, stop, delays, counts,
                                                      after), daemon=True)
               for _ in range(consoles)]
    for thread in threads:
        thread.start()
    while not stop.wait(0.2):
        states.value = counts["states"]
    results.put((array("d", delays).tobytes(), counts))


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 \
        else (values[0] if values else float("nan"))


def server_cpu(pid: int) -> float:
    """Return the CPU seconds used so far by the server process and its workers (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def watch(port: int, setup: dict, url: str, args, server_pid: int) -> tuple[array, dict]:
    """Start the consoles, wait until they have every state, run the recorders' load; return
    the consoles' delays, and their counts with the connecting time and the posts' latencies."""
    cookie = log_in(port)
    stop, states = multiprocessing.Event(), multiprocessing.Value("l", 0)
    results = multiprocessing.Queue()
    watcher = multiprocessing.Process(target=consoles_process, args=(
        port, setup["study"], cookie, latest_event(url), args.consoles, stop, states, results))
    connecting = time.monotonic()
    watcher.start()
    while states.value < args.consoles * args.sessions and time.monotonic() - connecting < 120:
        time.sleep(0.5)
    connect_s = time.monotonic() - connecting
    latencies, failures = [], []
    cpu = server_cpu(server_pid)
    recorders(port, setup["sessions"], args.batch, args.seconds, latencies, failures)
    cpu = server_cpu(server_pid) - cpu
    time.sleep(3)  # the last events reach the consoles
    stop.set()
    raw, counts = results.get(timeout=120)
    watcher.join(timeout=60)
    delays = array("d")
    delays.frombytes(raw)
    counts.update(connect_s=connect_s, latencies=latencies, failures=failures, cpu=cpu)
    return delays, counts


def run(database: str, args) -> dict:
    """One server on a fresh ``database``; the load without, with, and again without consoles."""
    folder = Path(tempfile.mkdtemp(prefix="uxlab-live-bench-"))
    cluster = None
    if database == "postgresql":
        from tests.support.postgres import ThrowawayCluster, find_bin_dir

        cluster = ThrowawayCluster(find_bin_dir())
        url = cluster.start()
    else:
        url = f"sqlite:///{folder / 'uxlab.sqlite'}"
    from tests.support.postgres import free_port

    port = free_port()
    server = None
    base_latencies, base_failures = [], []
    try:
        setup = prepare(url, args.sessions)
        server = start_server(url, port, folder)
        cpu = [server_cpu(server.pid)]
        recorders(port, setup["sessions"], args.batch, args.seconds, base_latencies,
                  base_failures)
        cpu.append(server_cpu(server.pid))
        delays, counts = watch(port, setup, url, args, server.pid)
        # Closed streams are noticed at their next heartbeat (2 s here); then the baseline again,
        # so a machine whose load drifts during the run weighs on both sides alike.
        time.sleep(3)
        cpu.append(server_cpu(server.pid))
        recorders(port, setup["sessions"], args.batch, args.seconds, base_latencies,
                  base_failures)
        cpu.append(server_cpu(server.pid))
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
        if cluster is not None:
            cluster.stop()
    log = (folder / "server.log").read_text(errors="replace")
    exhausted = log.count("QueuePool limit") + log.count("TimeoutError")
    if exhausted:
        print(f"server log kept: {folder / 'server.log'}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    latencies = counts["latencies"]
    return {
        "database": database, "base_p50": percentile(base_latencies, 50),
        "base_p99": percentile(base_latencies, 99), "base_posts": len(base_latencies),
        "base_refused": len(base_failures), "live_p50": percentile(latencies, 50),
        "live_p99": percentile(latencies, 99), "live_posts": len(latencies),
        "live_refused": len(counts["failures"]), "shown": len(delays),
        "shown_p50": percentile(delays, 50), "shown_p95": percentile(delays, 95),
        "shown_p99": percentile(delays, 99), "states": counts["states"],
        "streams_refused": counts["refused"], "repeats": counts["repeats"],
        "connect_s": counts["connect_s"],
        "exhausted": exhausted, "load": os.getloadavg(),
        "base_cpu": (cpu[1] - cpu[0] + cpu[3] - cpu[2]) / 2, "live_cpu": counts["cpu"],
    }


def report(result: dict, args) -> bool:
    """Print one database's figures as Markdown rows; return whether every goal is met."""
    ratio = result["live_p99"] / result["base_p99"]
    expected = args.consoles * result["live_posts"] * args.batch
    goals = {"ratio": ratio <= 1.2, "shown": result["shown_p95"] < 2.0,
             "pool": result["exhausted"] == 0, "complete": result["shown"] >= 0.95 * expected,
             "no repeats": result["repeats"] == 0}
    ms = 1000
    print(f"\n{result['database']}: {args.sessions} sessions x {args.batch} events every 2 s, "
          f"{args.consoles} consoles, {args.seconds:g} s per phase, load average "
          f"{' / '.join(f'{x:.1f}' for x in result['load'])}\n")
    print("| measure | figure | goal | |\n| --- | ---: | ---: | --- |")
    print(f"| ingestion p50 / p99 without consoles ({result['base_posts']} posts) | "
          f"{result['base_p50'] * ms:.0f} ms / {result['base_p99'] * ms:.0f} ms | | |")
    print(f"| ingestion p50 / p99 with consoles ({result['live_posts']} posts) | "
          f"{result['live_p50'] * ms:.0f} ms / {result['live_p99'] * ms:.0f} ms | | |")
    print(f"| ingestion p99 ratio | {ratio:.2f} | <= 1.20 | {_met(goals['ratio'])} |")
    print(f"| stored-to-shown p50 / p95 / p99 | {result['shown_p50']:.2f} s / "
          f"{result['shown_p95']:.2f} s / {result['shown_p99']:.2f} s | p95 < 2 s | "
          f"{_met(goals['shown'])} |")
    print(f"| events shown (all consoles) | {result['shown']} of {expected:.0f} | >= 95 % | "
          f"{_met(goals['complete'])} |")
    print(f"| refused posts / refused streams | {result['base_refused'] + result['live_refused']}"
          f" / {result['streams_refused']} | | |")
    print(f"| events shown twice to one console | {result['repeats']} | 0 | "
          f"{_met(goals['no repeats'])} |")
    print(f"| consoles connected with every state | {result['connect_s']:.1f} s | | |")
    print(f"| server CPU per phase without / with consoles | {result['base_cpu']:.1f} s / "
          f"{result['live_cpu']:.1f} s | | |")
    print(f"| pool-exhaustion messages | {result['exhausted']} | 0 | {_met(goals['pool'])} |")
    return all(goals.values())


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--consoles", type=int, default=20)
    parser.add_argument("--batch", type=int, default=10, help="events per batch")
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    met = [report(run(database, args), args) for database in databases]
    sys.exit(0 if all(met) else 1)


if __name__ == "__main__":
    main()
