"""Time limits on reads: every read transaction runs under one, and the engine stops it there.

A read gets ``read_timeout`` seconds; a listing with a filter query gets ``filter_timeout``
(filters are the reads a caller can make arbitrarily expensive). Either is set per store by
the ``MetadataStore`` keyword of the same name, else by the environment variable, else by
the default here. Past the limit the engine stops the query (Neo4j: the transaction timeout,
enforced by the server; SQLite: a progress handler that interrupts the statement) and the
call raises :class:`~graphstore.errors.DeadlineExceeded`.
"""

from __future__ import annotations

import math
import os

from .errors import InvalidArgument

__all__ = [
    "DEFAULT_FILTER_TIMEOUT", "DEFAULT_READ_TIMEOUT", "FILTER_TIMEOUT_ENV", "READ_TIMEOUT_ENV",
    "resolve_timeout",
]

DEFAULT_READ_TIMEOUT = 60.0  # lineage and whole-store listings of large stores take seconds
DEFAULT_FILTER_TIMEOUT = 5.0  # a filter over 100,000 artifacts answers in well under 1 s
READ_TIMEOUT_ENV = "GRAPHSTORE_READ_TIMEOUT"
FILTER_TIMEOUT_ENV = "GRAPHSTORE_FILTER_TIMEOUT"


def resolve_timeout(value: float | None, field: str, env: str, default: float) -> float:
    """``value`` if given, else ``$env`` if set, else ``default``; a positive, finite number
    of seconds, or InvalidArgument naming where the bad value came from."""
    source: object = value
    if value is None:
        text = os.environ.get(env, "").strip()
        if not text:
            return default
        field, source = env, text
        try:
            value = float(text)
        except ValueError:
            value = math.nan
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(value) or value <= 0):
        raise InvalidArgument(f"{field}: expected a positive number of seconds, got {source!r}")
    return float(value)
