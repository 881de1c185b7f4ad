"""Benchmark the live console under load (issue 11): consoles watching sessions while they record.

One uxlab server, gunicorn with the README's threaded workers (``-k gthread --threads 32 -w 2``),
on SQLite (WAL) or PostgreSQL (a throw-away cluster), holding the demo study with ``--sessions``
remote-moderated sessions, each with a running attempt. Two phases of ``--seconds`` each:

1. baseline: every session posts a batch of ``--batch`` events every 2 s (staggered), nothing
   else; the latencies of those posts are recorded;
2. consoles: the same load while ``--consoles`` logged-in consoles each hold one live stream of
   all the study's live sessions (``/studies/<id>/live/stream``, no ``session`` parameter).

Reported: ingestion p50 / p99 of each phase and their ratio (goal: consoles' p99 within 20 % of
the baseline's), the p95 / p99 from an event stored (its ``received_at``, the server's clock) to
the frame read by a console (the same machine's clock; goal p95 < 2 s), frames and events
counted, refused posts, and any pool-exhaustion message in the server log. Run::

    .venv/bin/python benchmarks/live_bench.py [--database sqlite|postgresql] [--seconds 30]
"""

from __future__ import annotations

import argparse
import http.client
import json
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
           "UXLAB_INSTANCE_PATH": str(folder), "UXLAB_LIVE_STREAMS_PER_PROCESS": "16"}
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


def console(port: int, study: int, cookie: str, stop: threading.Event, delays: list,
            counts: dict, after: int) -> None:
    """Hold the study's live stream, reconnecting after Last-Event-ID, recording delays."""
    last = str(after)
    while not stop.is_set():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        headers = {"Cookie": cookie, "Last-Event-ID": last}
        connection.request("GET", f"/studies/{study}/live/stream", headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            counts["refused"] = counts.get("refused", 0) + 1
            response.read()
            time.sleep(1)
            continue
        event = None
        while not stop.is_set():
            line = response.fp.readline()
            if not line:
                break
            line = line.decode().rstrip("\n")
            if line.startswith("id: "):
                last = line[4:]
            elif line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "event":
                shown = time.time()
                stored = datetime.fromisoformat(json.loads(line[6:])["received_at"])
                delays.append(shown - stored.timestamp())
                counts["events"] = counts.get("events", 0) + 1
            elif line.startswith("data: ") and event == "state":
                counts["states"] = counts.get("states", 0) + 1
        connection.close()


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 \
        else (values[0] if values else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--consoles", type=int, default=20)
    parser.add_argument("--batch", type=int, default=10, help="events per batch")
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="uxlab-live-bench-"))
    cluster = None
    if args.database == "postgresql":
        from tests.support.postgres import ThrowawayCluster, find_bin_dir

        cluster = ThrowawayCluster(find_bin_dir())
        url = cluster.start()
    else:
        url = f"sqlite:///{folder / 'uxlab.sqlite'}"
    from tests.support.postgres import free_port

    port = free_port()
    server = None
    try:
        setup = prepare(url, args.sessions)
        server = start_server(url, port, folder)
        base_latencies, base_failures = [], []
        recorders(port, setup["sessions"], args.batch, args.seconds, base_latencies,
                  base_failures)

        cookie = log_in(port)
        stop, delays, counts = threading.Event(), [], {}
        after = latest_event(url)
        consoles = [threading.Thread(target=console, args=(port, setup["study"], cookie, stop,
                                                           delays, counts, after), daemon=True)
                    for _ in range(args.consoles)]
        connecting = time.monotonic()
        for thread in consoles:
            thread.start()
        # The consoles connect and read every session's state first.
        while counts.get("states", 0) < args.consoles * args.sessions and \
                time.monotonic() - connecting < 120:
            time.sleep(0.5)
        connect_s = time.monotonic() - connecting
        latencies, failures = [], []
        recorders(port, setup["sessions"], args.batch, args.seconds, latencies, failures)
        stop.set()
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
        if cluster is not None:
            cluster.stop()
    log = (folder / "server.log").read_text(errors="replace")
    exhausted = log.count("QueuePool limit") + log.count("TimeoutError")
    print(f"live console benchmark: {args.database}, {args.sessions} sessions x batch of "
          f"{args.batch} every 2 s, {args.consoles} consoles, {args.seconds:g} s per phase, "
          f"gunicorn gthread 2 x 32 threads")
    base99, live99 = percentile(base_latencies, 99), percentile(latencies, 99)
    print(f"ingestion without consoles: {len(base_latencies)} posts, p50 "
          f"{percentile(base_latencies, 50) * 1000:.0f} ms, p99 {base99 * 1000:.0f} ms, "
          f"refused {len(base_failures)}")
    print(f"ingestion with consoles:    {len(latencies)} posts, p50 "
          f"{percentile(latencies, 50) * 1000:.0f} ms, p99 {live99 * 1000:.0f} ms, "
          f"refused {len(failures)}; p99 ratio {live99 / base99:.2f} (goal <= 1.20)")
    print(f"stored-to-shown: {len(delays)} events read by consoles, p50 "
          f"{percentile(delays, 50):.2f} s, p95 {percentile(delays, 95):.2f} s, p99 "
          f"{percentile(delays, 99):.2f} s (goal p95 < 2 s); states {counts.get('states', 0)}, "
          f"streams refused {counts.get('refused', 0)}")
    print(f"consoles connected and had every state after {connect_s:.1f} s")
    print(f"pool exhaustion messages in the server log: {exhausted}")
    if exhausted:
        print(f"server log kept: {folder / 'server.log'}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
