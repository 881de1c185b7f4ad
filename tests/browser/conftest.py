"""Browser fixtures: Debian's Chromium through Playwright, and uxlab served from a thread.

Never ``playwright install`` (it downloads its own browser, which fails here): Playwright drives
``/usr/bin/chromium``. Without it the browser tests skip, or fail when ``UXLAB_REQUIRE_BROWSER=1``.

The browser is module-scoped, not session-scoped: Playwright's sync API cannot run two instances
at once in one thread ("using Playwright Sync API inside the asyncio loop"), and other modules here
start their own per module, so a session-long instance would break them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from tests.conftest import PROJECT_ROOT, TEST_PASSWORD, stop_background_work, unavailable
from tests.support import browser as chromium_support


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium (Debian's /usr/bin/chromium) for the tests of one module."""
    problem = chromium_support.chromium_problem()
    if problem:
        unavailable("Chromium", "UXLAB_REQUIRE_BROWSER", problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium_support.launch(playwright)
        yield browser
        browser.close()


@dataclass
class LiveApp:
    url: str
    app: object

    @property
    def database(self):
        return self.app.extensions["uxlab.db"]


@pytest.fixture
def live_app(sqlite_url, tmp_path):
    """uxlab on 127.0.0.1:<free port> in a thread, on a fresh SQLite database."""
    from uxlab.app import create_app

    app = create_app({
        "DATABASE_URL": sqlite_url,
        "SECRET_KEY": "browser-test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "STUDIES_DIR": str(PROJECT_ROOT / "studies"),
    })
    server = make_server("127.0.0.1", 0, chromium_support.remember_response(app), threaded=True, request_handler=chromium_support.QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="uxlab-live", daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        stop_background_work(app)
        app.extensions["uxlab.db"].dispose()


@pytest.fixture
def researchers(live_app, password_hash):
    """Two researcher accounts (password ``TEST_PASSWORD``): returns their emails."""
    from uxlab.models import User

    emails = ["alice@example.org", "bob@example.org"]
    with live_app.database.session() as session:
        session.add_all([User(email=email, name=email.split("@")[0], role="researcher",
                              password_hash=password_hash) for email in emails])
    return emails


@pytest.fixture
def new_page(chromium):
    """Open a page in a fresh browser context (its own cookies); all are closed afterwards.

    Whatever the Content-Security-Policy blocked in them fails the test (unless the test opened
    the page with ``csp_blocks_expected=True``, being about what the policy blocks).
    """
    contexts = []

    def open_page(csp_blocks_expected: bool = False):
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        blocked = chromium_support.watch_csp(context)
        contexts.append((context, None if csp_blocks_expected else blocked))
        return context.new_page()

    yield open_page
    for context, _ in contexts:
        context.close()
    blocked = [text for _, found in contexts if found for text in found]
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


def log_in(page, base_url: str, email: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the form, as a person would: labels, typing, the Log in button."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/studies/")
