"""uxlab in a subprocess on 127.0.0.1, so a test can kill it (SIGKILL) and start it again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.support.postgres import free_port

SERVER_CODE = """
import os
from uxlab.app import create_app
app = create_app({"SECRET_KEY": os.environ["UXLAB_TEST_SECRET"]})
app.run(host="127.0.0.1", port=int(os.environ["UXLAB_TEST_PORT"]), threaded=True)
"""


# Importing the app takes about 1 s on a quiet machine and was seen near 20 s on a loaded one;
# a failed start costs the wait, a slow one only its own time.
START_LIMIT_S = 90


class LiveServer:
    def __init__(self, database_url: str, instance_path: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "UXLAB_DATABASE_URL": database_url,
                    "UXLAB_INSTANCE_PATH": instance_path, "UXLAB_TEST_PORT": str(self.port),
                    "UXLAB_TEST_SECRET": "live-server-secret"}
        self.process: subprocess.Popen | None = None
        self.log_path = os.path.join(os.path.dirname(os.path.abspath(instance_path)), "server.log")

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-c", SERVER_CODE], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        deadline = time.monotonic() + START_LIMIT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                urllib.request.urlopen(self.url + "/static/uxlab.css", timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start within {START_LIMIT_S} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing, like a crash or a pulled plug."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()


@pytest.fixture
def two_servers(database_url, tmp_path):
    """Two uxlab processes on ``database_url`` (the importing module makes it PostgreSQL: several
    app processes share a database server), started and stopped around the test."""
    servers = [LiveServer(database_url, str(tmp_path / f"instance-{i}")) for i in range(2)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
