"""Waiting for something the engine finishes in the background (Neo4j's index builds)."""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import DeadlineExceeded

__all__ = ["wait_until"]


def wait_until(ready: Callable[[], bool], timeout: float, what: str) -> None:
    """Call ``ready`` with growing pauses (10 ms to 0.5 s) until it returns True; after
    ``timeout`` seconds raise DeadlineExceeded saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    pause = 0.01
    while not ready():
        if time.monotonic() > deadline:
            raise DeadlineExceeded(f"{what} did not finish within {timeout:g} s")
        time.sleep(pause)
        pause = min(pause * 2, 0.5)
