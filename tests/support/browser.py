"""Launching Debian's Chromium through Playwright, the one way every browser test does it."""

from __future__ import annotations

import time
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler

CHROMIUM = Path("/usr/bin/chromium")
#: Without the networking flags Chromium keeps trying hosts that this network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def launch(playwright):
    """Launch headless Chromium (never ``playwright install``: it downloads its own browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)


def watch_csp(context) -> list[str]:
    """Collect what Chromium's console says the Content-Security-Policy blocked, in every page of
    ``context`` (a browser context): the returned list fills as the pages run. A browser test
    asserts it stays empty, so a script or handler the policy refuses fails the test instead of
    silently not running."""
    blocked: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            blocked.append(message.text)

    context.on("console", on_console)
    return blocked


_RESPONSE_KEY = "uxlab.tests.response_iterable"


def remember_response(app):
    """Keep each response's iterable in its environ, so the handler can close it (see below)."""

    def remembering_app(environ, start_response):
        iterable = app(environ, start_response)
        environ[_RESPONSE_KEY] = iterable
        return iterable

    return remembering_app


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without request logs, closing every response even on a dropped client.

    When the browser drops a connection mid-file (a reload, going offline), Werkzeug's dev server
    raises out of its clean-up before it closes the response, leaving the static file open; the
    ResourceWarning then fails the test at random. gunicorn closes responses; this matches it.
    """

    def log_request(self, *args, **kwargs):
        pass

    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            iterable = getattr(self, "environ", {}).pop(_RESPONSE_KEY, None)
            if hasattr(iterable, "close"):
                iterable.close()


def wait_in_page(page, expression: str, timeout: float = 30.0) -> None:
    """Wait until the JavaScript ``expression`` is truthy in ``page``, or fail.

    Not ``page.wait_for_function``: when it has to poll, Playwright evaluates the string inside the
    page, which uxlab's Content-Security-Policy (no ``'unsafe-eval'``) refuses. ``page.evaluate``
    runs through the DevTools protocol, which the policy does not govern.
    """
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):
                return
        except Error as error:  # a navigation replaced the document mid-evaluation: ask again
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
        if time.monotonic() >= deadline:
            raise AssertionError(f"not true within {timeout:g} s: {expression}")
        time.sleep(0.1)
