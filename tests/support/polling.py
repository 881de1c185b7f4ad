"""Waiting for what a live server does in its own time (events sent every few seconds)."""

from __future__ import annotations

import time


def wait_for(condition, timeout: float = 20.0) -> bool:
    """Poll ``condition`` every 0.2 s until it holds or ``timeout`` seconds pass; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()
