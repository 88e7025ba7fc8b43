"""The documented limits: one table, enforced in validation, identical on every engine.

Each limit is data (a row of ``LIMITS``), not a branch in an engine: the API checks input
against it before any statement runs, and a violation is an ``InvalidArgument`` naming the
field, the limit and the (abridged) value. ``docs/limits.md`` is generated from this table
(a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidArgument

__all__ = ["LIMITS", "Limit", "abridge", "check_max"]


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit: its key, the largest allowed value, the unit it counts in and why it exists."""

    key: str
    maximum: int
    unit: str
    why: str


# Rows are added by the validation that enforces them; keep them grouped by subject.
LIMITS: dict[str, Limit] = {}


def _add(key: str, maximum: int, unit: str, why: str) -> Limit:
    limit = Limit(key, maximum, unit, why)
    LIMITS[key] = limit
    return limit


def abridge(value: object, width: int = 60) -> str:
    """``repr(value)`` cut to about ``width`` characters, saying how long the whole was."""
    text = repr(value)
    if len(text) <= width:
        return text
    size = f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters as text"
    return f"{text[: width - 1]}… ({size})"


def check_max(limit: Limit, field: str, measured: int, value: object) -> None:
    """Raise ``InvalidArgument`` when ``measured`` exceeds ``limit.maximum``."""
    if measured > limit.maximum:
        raise InvalidArgument(f"{field}: {measured} {limit.unit} is over the limit of "
                              f"{limit.maximum} ({limit.key}); got {abridge(value)}")
