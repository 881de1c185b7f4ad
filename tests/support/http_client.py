"""A participant's browser over real HTTP, for tests against server processes: one cookie jar,
no redirects followed, and each request sent to the next of several servers in turn (as a
round-robin reverse proxy would). It answers like Flask's test client, so ``tests/participants/
bot.py`` drives it unchanged."""

from __future__ import annotations

import http.cookiejar
import json as json_module
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the bot checks the 302/303 itself


class Answer:
    def __init__(self, status: int, headers, body: bytes):
        self.status_code = status
        self.headers = headers
        self.body = body

    def get_data(self, as_text: bool = False):
        return self.body.decode() if as_text else self.body

    def get_json(self):
        return json_module.loads(self.body)


class RoundRobinClient:
    """Sends request *i* to ``base_urls[i % len(base_urls)]``; ``served`` counts per server."""

    def __init__(self, base_urls: list[str]):
        self.base_urls = base_urls
        self.served: Counter[str] = Counter()
        self._turn = 0
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

    def get(self, path: str) -> Answer:
        return self._send("GET", path, None, {})

    def post(self, path: str, data: dict | None = None, json=None,
             headers: dict | None = None) -> Answer:
        headers = dict(headers or {})
        if json is not None:
            body = json_module.dumps(json).encode()
            headers["Content-Type"] = "application/json"
        else:
            body = urllib.parse.urlencode(data or {}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self._send("POST", path, body, headers)

    def _send(self, method: str, path: str, body: bytes | None, headers: dict) -> Answer:
        base = self.base_urls[self._turn % len(self.base_urls)]
        self._turn += 1
        self.served[base] += 1
        request = urllib.request.Request(base + path, data=body, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=60) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.headers, error.read())
