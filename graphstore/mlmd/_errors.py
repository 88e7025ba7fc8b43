"""graphstore's errors as ``ml_metadata.errors`` exceptions (MLMD's status codes)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from ..errors import (
    AlreadyExists,
    CommitOutcomeUnknown,
    DeadlineExceeded,
    EngineUnavailable,
    FailedPrecondition,
    GraphstoreError,
    InvalidArgument,
    NotFound,
)
from ._proto import errors

__all__ = ["to_mlmd", "translated"]

P = ParamSpec("P")
R = TypeVar("R")

_CODES: tuple[tuple[type[GraphstoreError], int], ...] = (
    (InvalidArgument, errors.INVALID_ARGUMENT), (NotFound, errors.NOT_FOUND),
    (AlreadyExists, errors.ALREADY_EXISTS), (FailedPrecondition, errors.FAILED_PRECONDITION),
    (DeadlineExceeded, errors.DEADLINE_EXCEEDED),
    # UNKNOWN, not UNAVAILABLE: callers (TFX among them) retry UNAVAILABLE blindly, and a
    # commit that may have been applied must be looked up first, not repeated
    (CommitOutcomeUnknown, errors.UNKNOWN), (EngineUnavailable, errors.UNAVAILABLE))


def to_mlmd(exc: GraphstoreError) -> Exception:
    """The MLMD exception for a graphstore error. Two situations MLMD codes differently from
    graphstore: updating an id that does not exist (MLMD: INVALID_ARGUMENT, graphstore:
    NotFound) and an event edge index out of range (MLMD: OUT_OF_RANGE)."""
    message = str(exc)
    code = next((c for cls, c in _CODES if isinstance(exc, cls)), errors.INTERNAL)
    if isinstance(exc, NotFound) and "].id: no " in message:
        code = errors.INVALID_ARGUMENT
    elif isinstance(exc, InvalidArgument) and "index" in message and "out of range" in message:
        code = errors.OUT_OF_RANGE
    result: Exception = errors.make_exception(message, code)
    return result


def translated(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` and re-raise graphstore errors as MLMD's, the original as the cause."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except GraphstoreError as exc:
            raise to_mlmd(exc) from exc
    return wrapper
