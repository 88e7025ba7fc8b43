"""Pausing Python's cyclic garbage collector while a call builds a large answer."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block with the cyclic collector off (reference counting still frees memory).

    Building 100,000 models triggers a full collection again and again as live objects pile
    up: measured at 80 % of the time of building 300,000 events. The records built here hold
    no reference cycles, so nothing is left for the collector to find afterwards."""
    if not gc.isenabled():  # already paused (another call, or the application's choice)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
