"""When a commit's outcome is unknown, say which records to look up before retrying."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .engines.base import Engine, Transaction
from .errors import CommitOutcomeUnknown
from .limits import abridge

__all__ = ["keys_of", "write_naming"]

T = TypeVar("T")


def keys_of(noun: str, records: Sequence[Any]) -> str:
    """How to find ``records`` (nodes or types) again: their ids, external_ids and names."""
    parts = []
    for field, label in (("id", "ids"), ("external_id", "external_ids"), ("name", "names")):
        values = [v for r in records if (v := getattr(r, field, None)) not in (None, "")]
        if values:
            parts.append(f"{noun} {label} {abridge(values, 80)}")
    return "; ".join(parts) or f"{len(records)} new {noun}s without ids, names or external_ids"


def write_naming(engine: Engine, fn: Callable[[Transaction], T], keys: Callable[[], str], *,
                 idempotent: bool = False) -> T:
    """``engine.write(fn)``; an unknown commit outcome names the records the call wrote."""
    try:
        return engine.write(fn, idempotent=idempotent)
    except CommitOutcomeUnknown as exc:
        raise CommitOutcomeUnknown(f"{exc}. This call wrote (or not): {keys()}") from exc.__cause__
