"""The servers and databases of the load benchmark (``load_bench.py``): set-up, not load.

Each target is a gunicorn on 127.0.0.1 with its own fresh database holding the same
participants. The servers:

- ``flask``: the whole app, ``uxlab.app:create_app()``, with ``--worker-class sync|gthread``;
- ``ingest``: the ingestion server alone, ``uxlab.ingest.asgi:create_ingest_app()`` under
  ``-k uvicorn_worker.UvicornWorker`` (uvloop, httptools; the same configuration variables);
- ``bare``: ``benchmarks/bare_ingest_app.py``, one Core INSERT per batch (the baseline), run
  like ``flask``;
- ``stub``: ``benchmarks/stub_server.py``, which answers at once and stores nothing: what the
  client alone carries.

Every server gets ``--keep-alive`` above the recorder's 5-second interval, so that a
participant's connection outlives the pause between two batches (sync workers ignore it: they
close every connection after its answer).
"""

from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from ingest_bench import Participant, start_gunicorn, start_server, stop  # the sibling benchmark

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))  # tests.support.postgres, for the throw-away cluster
SECRET_KEY = "load-benchmark-secret"
#: Seconds a server keeps an idle connection: above the recorder's 5 s between batches.
KEEP_ALIVE_S = 10
#: gthread's connections per worker (default 1,000): every participant's kept-alive connection
#: must fit, or the worker stops accepting.
GTHREAD_CONNECTIONS = 10_000
APP_SPECS = {"flask": "uxlab.app:create_app()", "ingest": "uxlab.ingest.asgi:create_ingest_app()"}
INGEST_MODULE = Path("uxlab/ingest/asgi.py")


@dataclass
class Target:
    name: str
    port: int
    database_url: str
    #: (path, extra header lines) per participant, in the order of the participants.
    requests: list[tuple[str, str]] = field(default_factory=list)
    #: Starts the server (again, for ``--fault server``).
    start: Callable[[], subprocess.Popen] | None = None
    process: subprocess.Popen | None = None
    #: CPU seconds of server processes stopped by a restart.
    retired_cpu: float = 0.0
    acknowledged: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)

    def cpu_seconds(self) -> float:
        """CPU time of this target's server processes so far, restarts included."""
        return self.retired_cpu + process_tree_cpu(self.process.pid)

    def restart(self) -> None:
        """Stop the server (gracefully, as a deployment would) and start it again."""
        self.retired_cpu += process_tree_cpu(self.process.pid)
        stop(self.process)
        self.process = self.start()


def gunicorn_options(server: str, args) -> tuple[str, ...]:
    if server == "ingest":
        return ("--worker-class", "uvicorn_worker.UvicornWorker", "--keep-alive", str(KEEP_ALIVE_S))
    options = ["--worker-class", args.worker_class, "--keep-alive", str(KEEP_ALIVE_S)]
    if args.worker_class == "gthread":
        options += ["--threads", str(args.threads),
                    "--worker-connections", str(GTHREAD_CONNECTIONS)]
    return tuple(options)


def server_target(name: str, server: str, source: Path, database_url: str, folder: Path,
                  requests: list[tuple[str, str]], port: int, args) -> Target:
    """A started gunicorn serving ``server`` (flask or ingest) from the code in ``source``."""
    env = {"UXLAB_DATABASE_URL": database_url, "UXLAB_SECRET_KEY": SECRET_KEY,
           "UXLAB_INSTANCE_PATH": str(folder / f"instance-{name}"), "PYTHONPATH": str(source)}
    target = Target(name, port, database_url, requests)
    target.start = lambda: start_gunicorn(APP_SPECS[server], port, env, source,
                                          folder / f"{name}.log", args.workers,
                                          gunicorn_options(server, args))
    target.process = target.start()
    return target


def bare_target(database_url: str, folder: Path, participants: list[Participant], port: int,
                args) -> Target:
    target = Target("bare", port, database_url,
                    [(f"/bare/sessions/{p.session_id}/events", "") for p in participants])
    target.start = lambda: start_gunicorn("bare_ingest_app:app", port,
                                          {"BARE_DATABASE_URL": database_url},
                                          PROJECT_ROOT / "benchmarks", folder / "bare.log",
                                          args.workers, gunicorn_options("flask", args))
    target.process = target.start()
    return target


def stub_target(folder: Path, participants: list[Participant], port: int) -> Target:
    """The stub server: no database (``database_url`` empty: nothing to check)."""
    target = Target("stub", port, "", [("/stub/events", "")] * len(participants))
    benchmarks = PROJECT_ROOT / "benchmarks"
    target.start = lambda: start_server([sys.executable, str(benchmarks / "stub_server.py"),
                                         str(port)], port, {}, benchmarks,
                                        folder / "stub.log", "the stub server")
    target.process = target.start()
    return target


def has_ingest_server(source: Path) -> bool:
    return (source / INGEST_MODULE).is_file()


def check_ingest_worker() -> None:
    if importlib.util.find_spec("uvicorn_worker") is None:
        raise SystemExit("--server ingest needs uvicorn-worker (pip install -e . in this venv)")


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
        #: CPU seconds of PostgreSQL processes ended by a restart.
        self.retired_cpu = 0.0
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
        """CPU time of PostgreSQL's processes so far, restarts included (0 for SQLite: it runs
        in the workers)."""
        if self.cluster is None:
            return 0.0
        try:
            postmaster = int((self.cluster.data / "postmaster.pid").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            return self.retired_cpu  # between a stop and a start
        return self.retired_cpu + process_tree_cpu(postmaster)

    def restart(self) -> None:
        """Restart PostgreSQL (``pg_ctl restart -m fast``: open transactions roll back)."""
        if self.cluster is None:
            raise SystemExit("--fault database needs --backend postgresql")
        self.retired_cpu = self.cpu_seconds()
        self.cluster.restart()

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


def raise_open_files_limit() -> None:
    """Every participant holds a connection: lift the soft limit of open files to the hard one
    (the servers, started from here, inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
