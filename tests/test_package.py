"""Packaging: the version shown, where data lives, and the installed wheel working anywhere.

The slow test's wheel is built from a copy of the sources (nothing is written into the checkout, and no stale
``build/`` folder can leak into it), installed with all its dependencies into a new virtualenv in
a temporary folder, and run from an empty folder outside the checkout: ``uxlab db upgrade``,
``uxlab demo``, ``uxlab study validate``, ``uxlab serve --demo``, then the log-in page, a
participant page, a prototype page and a static file are fetched over HTTP.

The virtualenv does not see the test environment's packages, and nothing is installed with
``--no-deps``: a dependency missing from setup.cfg fails here. For speed the dependencies come
from a wheelhouse kept in the test environment's folder, filled by pip from the configured index
on the first run (or when a dependency changes), so later runs install without the network.
This test never skips: where it cannot build or install, it fails.
"""

from __future__ import annotations

import http.cookiejar
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.support.postgres import free_port
from uxlab import config
from uxlab.demo import demo_study_file
from uxlab.i18n.catalogue import SHIPPED_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = Path(sys.prefix) / "uxlab-test-wheelhouse"
#: Top-level folders of the checkout that a build does not need.
NOT_BUILT = {".git", ".venv", "build", "dist", "instance", "tests", "benchmarks", "docs",
             ".pytest_cache", ".ruff_cache", ".hypothesis"}



SERVE_START_LIMIT_S = 180

def test_the_version_shown_is_the_package_metadatas(cli, client):
    version = importlib.metadata.version("uxlab")
    assert cli("--version").output.strip() == f"uxlab, version {version}"
    login = client.get("/login", follow_redirects=True).get_data(as_text=True)
    assert f'<footer class="site-footer muted">uxlab {version}</footer>' in login


def test_a_clone_keeps_its_own_instance_and_studies_folders():
    assert config.source_checkout() == ROOT
    assert config.shipped_data_dir() == ROOT
    assert config.default_instance_path() == ROOT / "instance"
    assert config.default_studies_dir(ROOT / "elsewhere") == ROOT / "studies"


def test_an_installed_uxlab_keeps_its_data_in_the_users_data_folder(tmp_path, monkeypatch):
    bundled = tmp_path / "site-packages" / "uxlab" / "bundled"
    bundled.mkdir(parents=True)
    monkeypatch.setattr(config, "BUNDLED_DIR", bundled)
    monkeypatch.setattr(config.platformdirs, "user_data_dir",
                        lambda name, appauthor: str(tmp_path / "data" / name))
    assert config.source_checkout() is None
    assert config.shipped_data_dir() == bundled
    assert config.default_instance_path() == tmp_path / "data" / "uxlab"
    assert config.default_studies_dir(tmp_path / "instance") == tmp_path / "instance" / "studies"


def test_the_demo_study_is_copied_into_an_empty_studies_folder(tmp_path):
    study_file = demo_study_file(tmp_path / "studies")
    assert study_file == tmp_path / "studies" / "checkout-redesign.toml"
    assert study_file.read_bytes() == (ROOT / "studies" / "checkout-redesign.toml").read_bytes()
    assert (tmp_path / "studies" / "checkout-redesign" / "a" / "index.html").is_file()
    assert (tmp_path / "studies" / "journeys.toml").is_file()  # the demo's CX journeys
    study_file.write_text(study_file.read_text() + "\n# edited\n")
    assert demo_study_file(tmp_path / "studies").read_text().endswith("# edited\n")  # kept


def _copy_sources(target: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder).resolve() == ROOT
        return {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".egg-info"))
                or (top and n in NOT_BUILT)}

    shutil.copytree(ROOT, target, ignore=ignore)


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (f"{' '.join(map(str, args))} exited {result.returncode}\n"
                                    f"{result.stdout}\n{result.stderr}")
    return result


def _pip(*args) -> list:
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("build")
    _copy_sources(folder / "src")
    _run(_pip("wheel", "-q", "--no-deps", "-w", folder / "dist", folder / "src"))
    (built,) = (folder / "dist").glob("uxlab-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The bin folder of a new virtualenv, outside the checkout, with the wheel installed."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    install = _pip("--python", python, "install", "-q", "--no-compile", "--no-index",
                   "--find-links", WHEELHOUSE, wheel)
    if subprocess.run([str(a) for a in install], capture_output=True).returncode != 0:
        _refresh_wheelhouse(wheel)
        _run(install)
    return venv / "bin"


def _refresh_wheelhouse(wheel: Path) -> None:
    """Download the wheel's dependencies into the wheelhouse (pip reuses what is there)."""
    # pip download copies the wheel itself too; an earlier build's copy, same name but other
    # requirements, would stand in for the new one, so none is kept.
    def drop_uxlab():
        for copy in WHEELHOUSE.glob("uxlab-*.whl"):
            copy.unlink()

    drop_uxlab()
    _run(_pip("download", "-q", "--find-links", WHEELHOUSE, "-d", WHEELHOUSE, wheel))
    drop_uxlab()


@pytest.fixture
def outside(tmp_path) -> dict:
    """An empty working folder and a home folder outside the checkout, and their environment."""
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("UXLAB_", "XDG_")) and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["HOME"] = str(home)
    return {"cwd": work, "home": home, "env": env}


def _open(opener, url: str):
    with opener.open(url, timeout=10) as response:
        return response.status, response.headers, response.read().decode()


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    # Generous: on a loaded 2-core machine a fresh install's first start (imports, the
    # database made, the demo study loaded) took over 60 s.
    deadline = time.monotonic() + SERVE_START_LIMIT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, f"uxlab serve exited:\n{log.read_text()}"
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"uxlab serve did not answer within {SERVE_START_LIMIT_S} s:\n"
                         f"{log.read_text()}")


@pytest.mark.slow
def test_the_wheel_carries_the_compiled_catalogues(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in SHIPPED_LANGUAGES[1:]:  # English is the source language: no catalogue
        assert f"uxlab/translations/{language}/LC_MESSAGES/messages.mo" in names


@pytest.mark.slow
def test_the_installed_wheel_runs_the_demo_from_any_folder(installed, outside):
    version = importlib.metadata.version("uxlab")
    uxlab = installed / "uxlab"
    run = {"cwd": outside["cwd"], "env": outside["env"]}
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"

    assert _run([uxlab, "--version"], **run).stdout.strip() == f"uxlab, version {version}"
    assert "Database at revision" in _run([uxlab, "db", "upgrade"], **run).stdout
    demo = _run([uxlab, "demo", "--base-url", base_url], **run).stdout
    token = re.search(r"/p/([\w-]+)", demo).group(1)
    study_file = Path(re.search(r"study file: (.+?)\)", demo).group(1))
    assert study_file.is_file() and (study_file.parent / "checkout-redesign" / "a").is_dir()
    assert "ok (checkout-redesign" in _run([uxlab, "study", "validate", study_file], **run).stdout
    if sys.platform == "linux":  # the per-user data folder (platformdirs) said in the README
        assert (outside["home"] / ".local/share/uxlab/uxlab.sqlite").is_file()

    log = outside["home"] / "serve.log"
    with open(log, "wb") as log_file:
        server = subprocess.Popen([str(uxlab), "serve", "--demo", "--port", str(port)],
                                  stdout=log_file, stderr=subprocess.STDOUT, **run)
    try:
        _wait_for(f"{base_url}/login", server, log)
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, _, login = _open(browser, f"{base_url}/login")
        assert status == 200 and 'name="password"' in login and f"uxlab {version}" in login
        status, _, consent = _open(browser, f"{base_url}/p/{token}")  # redirects to /run
        assert status == 200 and "I have read the above and agree" in consent
        status, _, page = _open(browser, f"{base_url}/prototypes/checkout-redesign/a/index.html")
        assert status == 200 and "data-uxlab-recorder" in page
        runner = re.search(r'src="(/static/runner\.js\?v=\w+)"', consent).group(1)
        status, headers, _ = _open(browser, base_url + runner)
        assert status == 200 and "immutable" in headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert list(outside["cwd"].iterdir()) == []  # nothing written to the current folder
