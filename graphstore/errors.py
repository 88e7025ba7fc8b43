"""graphstore's exceptions: one root, MLMD-shaped leaves.

::

    GraphstoreError                 every error graphstore raises
    ├── InvalidArgument             bad input: names the field and the value
    │   └── FilterSyntaxError       a malformed filter query (carries line and column)
    ├── NotFound                    a referenced id, type or name does not exist
    ├── AlreadyExists               a duplicate or an incompatible re-registration
    ├── FailedPrecondition          the store is not in a state that allows the call
    ├── DeadlineExceeded            a read ran past its time limit and was stopped
    └── EngineUnavailable           the engine cannot be reached or refused the connection
        └── CommitOutcomeUnknown    the connection was lost during COMMIT: the write may
                                    or may not have been applied

Driver exceptions (neo4j, sqlite3) never leave graphstore: the engine layer translates them
into this tree and keeps the original as ``__cause__``.
"""

from __future__ import annotations

from ._redact import redact

__all__ = [
    "AlreadyExists",
    "CommitOutcomeUnknown",
    "DeadlineExceeded",
    "EngineUnavailable",
    "FailedPrecondition",
    "FilterSyntaxError",
    "GraphstoreError",
    "InvalidArgument",
    "NotFound",
]


class GraphstoreError(Exception):
    """Root of every error graphstore raises. Its message never carries a credential."""

    def __init__(self, *args: object) -> None:
        # every message passes the one redaction, whoever builds it (engines, API, CLI)
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))


class InvalidArgument(GraphstoreError, ValueError):
    """The caller's input is invalid; the message names the field and the value."""


class FilterSyntaxError(InvalidArgument):
    """A filter query could not be parsed.

    ``line`` and ``column`` are 1-based positions in the query text; ``expected`` says what
    the parser wanted there.
    """

    def __init__(self, message: str, *, query: str, line: int, column: int, expected: str = "") -> None:
        super().__init__(f"{message} at line {line}, column {column}")
        self.query = query
        self.line = line
        self.column = column
        self.expected = expected


class NotFound(GraphstoreError, LookupError):
    """A referenced record does not exist."""


class AlreadyExists(GraphstoreError):
    """The record exists already, or a re-registration is incompatible with it."""


class FailedPrecondition(GraphstoreError):
    """The store's state does not allow the call (e.g. an unknown schema version)."""


class EngineUnavailable(GraphstoreError, ConnectionError):
    """The engine could not be reached, or refused the credentials."""


class DeadlineExceeded(GraphstoreError, TimeoutError):
    """A read ran longer than its time limit (``read_timeout`` / ``filter_timeout``) and the
    engine stopped it; nothing was returned (MLMD's DeadlineExceededError)."""


class CommitOutcomeUnknown(EngineUnavailable):
    """The engine went away while committing: the write may have been applied or not.

    Look before retrying (by the ids, ``external_id`` or names the call would have written),
    or a retry may write the same records twice.
    """
