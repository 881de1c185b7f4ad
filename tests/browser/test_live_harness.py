"""The threaded test server closes every response, even when the browser drops the connection.

CI once failed at random on an unclosed study image: Werkzeug's dev server raised out of its
clean-up on a dropped connection before closing the file it was sending.
"""

from __future__ import annotations

import pytest
from werkzeug.serving import WSGIRequestHandler

from tests.support import browser


class _Body:
    closed = False

    def __iter__(self):
        yield b"x"

    def close(self):
        self.closed = True


def test_a_response_is_closed_when_the_connection_drops_mid_request(monkeypatch):
    body = _Body()
    app = browser.remember_response(lambda environ, start_response: body)

    def dropped(handler):
        handler.environ = {}
        app(handler.environ, lambda *args: None)
        raise ConnectionResetError("the browser went away")

    monkeypatch.setattr(WSGIRequestHandler, "run_wsgi", dropped)
    handler = browser.QuietHandler.__new__(browser.QuietHandler)
    with pytest.raises(ConnectionResetError):
        handler.run_wsgi()
    assert body.closed
