"""The README's production command serves live streams and other requests side by side."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, TEST_PASSWORD
from tests.support.postgres import free_port
from uxlab.db import Database

GUNICORN = Path(sys.executable).parent / "gunicorn"


def production_command() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    line = next(line for line in re.findall(r"```sh\n(.+?)\n```", section, re.S)[0].splitlines()
                if line.startswith("gunicorn"))
    return shlex.split(line)


def test_the_production_command_uses_threaded_workers():
    command = production_command()
    assert command[command.index("-k") + 1] == "gthread" and "--threads" in command


@pytest.fixture
def served(tmp_path, sqlite_template, password_hash):
    """The README's gunicorn command on a fresh database with a moderated session."""
    from uxlab.models import User
    from uxlab.moderation.sessions import start_moderated_session
    from uxlab.studies.files import read_study_file
    from uxlab.studies.service import load_spec, start_study

    path = tmp_path / "uxlab.sqlite"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    with database.session() as session:
        owner = User(email="owner@example.org", password_hash=password_hash, role="researcher")
        session.add(owner)
        session.flush()
        study = load_spec(session, read_study_file(PROJECT_ROOT / "studies" /
                                                   "checkout-redesign.toml"), owner=owner).study
        start_study(study)
        _, test_session = start_moderated_session(session, study, owner, "remote_moderated")
        session.flush()
        live = f"/studies/{study.id}/sessions/{test_session.public_id}/live"
    database.dispose()
    port = free_port()
    command = production_command()
    command[0] = str(GUNICORN)
    command[command.index("-b") + 1] = f"127.0.0.1:{port}"
    env = {**os.environ, "UXLAB_DATABASE_URL": f"sqlite:///{path}",
           "UXLAB_SECRET_KEY": "production-test", "UXLAB_INSTANCE_PATH": str(tmp_path),
           "UXLAB_LIVE_STREAM_SECONDS": "20"}
    log = open(tmp_path / "gunicorn.log", "wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                               cwd=PROJECT_ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # two workers import scipy on a busy machine
        while True:
            try:
                urllib.request.urlopen(f"{base}/static/uxlab.css", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        yield base, live
    finally:
        # SIGINT: a quick shutdown (SIGTERM would wait for the open streams to end).
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            log.close()


def logged_in_opener(base: str):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": "owner@example.org", "password": TEST_PASSWORD,
                                   "csrf_token": token}).encode()
    opener.open(f"{base}/login", data=form, timeout=10).close()
    return opener


def test_streams_and_pages_are_served_side_by_side(served):
    base, live = served
    opener = logged_in_opener(base)
    streams, first_lines = [], []

    def read_stream():
        response = opener.open(f"{base}{live}/stream", timeout=10)
        streams.append(response)
        first_lines.append(response.readline().decode())

    readers = [threading.Thread(target=read_stream) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=15)
    assert first_lines == ["retry: 1000\n"] * 4, "four streams are open at once"
    started = time.monotonic()
    with opener.open(f"{base}{live}/feed", timeout=10) as feed:
        assert feed.status == 200
    assert time.monotonic() - started < 5, "the open streams do not hold up other requests"
    for response in streams:
        response.close()
