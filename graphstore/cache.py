"""Input fingerprints: how "has this step already run on these inputs?" stays an index probe.

An execution's fingerprint hashes the set of its input events — (artifact id, event kind,
path) — and is stored beside it, indexed with its type. Writes that add events refresh it in
the same transaction; the cache query looks candidates up by (type, fingerprint) instead of
scanning executions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from .ops import INPUT_KINDS

__all__ = ["OUTPUTS_DELETED", "input_fingerprint"]

_INPUTS = frozenset(INPUT_KINDS)
# Stored instead of a fingerprint once an execution's output was deleted: matches nothing.
OUTPUTS_DELETED = "outputs-deleted"


def input_fingerprint(events: Iterable[tuple[int, str, str]]) -> str:
    """Fingerprint of (artifact_id, event kind name, path JSON) triples; non-input kinds are
    ignored, order and repeats don't matter."""
    inputs = sorted({(a, kind, json.dumps(json.loads(path))) for a, kind, path in events
                     if kind in _INPUTS})
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()
