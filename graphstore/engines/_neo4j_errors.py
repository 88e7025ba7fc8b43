"""Neo4j driver errors as graphstore errors: a table of (test, translation), first match wins.

Every driver exception leaving the Neo4j engine passes through :func:`translate`, so none
reaches the caller raw. Messages use the server's ``code`` and ``message`` (never ``str(exc)``,
which can carry connection details) and say what happened in graphstore's terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from neo4j import exceptions as neo4j_errors

from ..errors import (
    AlreadyExists,
    CommitOutcomeUnknown,
    DeadlineExceeded,
    EngineUnavailable,
    FailedPrecondition,
    GraphstoreError,
    InvalidArgument,
)

__all__ = ["is_final", "is_schema_race", "refuses_writes", "translate"]

# Codes for "this database takes no writes": ForbiddenOnReadOnlyDatabase (the driver marks
# it transient), WriteOnReadOnlyAccessDatabase (5.26 with server.databases.read_only), ReadOnly.
_READ_ONLY = ("General.ForbiddenOnReadOnlyDatabase", "General.WriteOnReadOnlyAccessDatabase",
              "General.ReadOnly")


def refuses_writes(exc: Exception) -> bool:
    """The database (or this server's copy of it) is read-only."""
    return _code(exc).endswith(_READ_ONLY)


def is_final(exc: Exception, routing: bool) -> bool:
    """A refusal that retrying cannot change, though the driver may mark it transient and
    retry it for 30 s: a read-only database stays read-only. NotALeader is worth retrying
    only where the driver routes (neo4j://: it drops the old leader and asks for the new
    one); over bolt:// the same follower would refuse again."""
    return refuses_writes(exc) or (not routing and isinstance(exc, neo4j_errors.NotALeader))

_INDEX_SCHEMA = re.compile(r"schema=\(:(\w+) \{([^}]*)\}\)")
_PROPERTY_SIZE = re.compile(r"property size: (\d+)")


def _code(exc: Exception) -> str:
    return getattr(exc, "code", None) or ""


def _message(exc: Exception) -> str:
    return getattr(exc, "message", None) or type(exc).__name__


def _too_large(exc: Exception, _: float | None) -> GraphstoreError:
    # "Property value is too large to index … schema=(:Artifact {properties.p}) … property size: 9011"
    text = _message(exc)
    schema, size = _INDEX_SCHEMA.search(text), _PROPERTY_SIZE.search(text)
    where = f"{schema.group(1)}.{schema.group(2)}" if schema else "an indexed field"
    bytes_ = f" ({size.group(1)} bytes)" if size else ""
    return InvalidArgument(f"{where}: the value is too large for Neo4j's index{bytes_}; "
                           f"nothing was written")


def _timed_out(exc: Exception, timeout: float | None) -> GraphstoreError:
    limit = f" of {timeout:g} s" if timeout is not None else ""
    return DeadlineExceeded(f"the query ran past its time limit{limit} and Neo4j stopped it "
                            f"(raise read_timeout / filter_timeout, or narrow the query): "
                            f"{_code(exc)}")


def _incomplete_commit(exc: Exception, _: float | None) -> GraphstoreError:
    return CommitOutcomeUnknown(
        "the connection to Neo4j was lost during COMMIT: the write may or may not have been "
        "applied. Look the records up (by the ids, external_id or type and name the call "
        "would have written) before retrying, or a retry may write them twice")


def _unavailable(exc: Exception, _: float | None) -> GraphstoreError:
    return EngineUnavailable(f"Neo4j is unreachable; nothing was committed "
                             f"({type(exc).__name__}: {_message(exc)})")


def _panicked(exc: Exception, _: float | None) -> GraphstoreError:
    return EngineUnavailable(f"Neo4j's database stopped on a critical error and must be "
                             f"restarted (see the server's debug.log): {_message(exc)}")


def _terminated(exc: Exception, _: float | None) -> GraphstoreError:
    return EngineUnavailable(f"Neo4j terminated the transaction (an administrator or a "
                             f"shutdown); nothing was committed: {_code(exc)}")


def _rate_limited(exc: Exception, _: float | None) -> GraphstoreError:
    # a ClientError, not an AuthError; the server's message names no user, and neither do we
    return EngineUnavailable("Neo4j refused the login: too many failed attempts in a row, so it "
                             "locks this user for a while (dbms.security.auth_lock_time, 5 s by "
                             "default); check the user and password, then try again "
                             f"({_code(exc)})")


def _read_only(exc: Exception, _: float | None) -> GraphstoreError:
    return FailedPrecondition(
        "Neo4j refused the write: this database is read-only (server.databases.read_only, "
        "ALTER DATABASE … SET ACCESS READ ONLY, or a read-only server); nothing was written. "
        f"Reads still work; write to a writable database ({_code(exc)})")


def _not_leader(exc: Exception, _: float | None) -> GraphstoreError:
    return FailedPrecondition(
        "Neo4j refused the write: the server that received it is not the database's leader "
        "(a follower or read replica); nothing was written. Connect with a routing URI "
        f"(neo4j://, neo4j+s://) so writes go to the leader ({_code(exc)})")


def _schema(exc: Exception, _: float | None) -> GraphstoreError:
    return FailedPrecondition(f"Neo4j refused a schema change: {_message(exc)} ({_code(exc)})")


_TABLE: tuple[tuple[Callable[[Exception], bool], Callable[[Exception, float | None],
                                                           GraphstoreError]], ...] = (
    (refuses_writes, _read_only),
    (lambda e: isinstance(e, neo4j_errors.NotALeader), _not_leader),
    (lambda e: _code(e).endswith("Transaction.InvalidBookmark"),
     lambda e, _: InvalidArgument("bookmarks: Neo4j cannot read them (give the tuple another "
                                  f"store's .bookmarks returned, unchanged): {_code(e)}")),
    (lambda e: isinstance(e, neo4j_errors.ConstraintError),
     lambda e, _: AlreadyExists(f"a record with the same key already exists: {_message(e)}")),
    (lambda e: "TransactionTimedOut" in _code(e), _timed_out),
    (lambda e: _code(e).endswith("Transaction.Terminated"), _terminated),
    (lambda e: "too large to index" in _message(e), _too_large),
    (lambda e: "needs to be restarted" in _message(e), _panicked),
    (lambda e: isinstance(e, neo4j_errors.IncompleteCommit), _incomplete_commit),
    (lambda e: isinstance(e, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired,
                              neo4j_errors.DatabaseUnavailable)), _unavailable),
    (lambda e: _code(e).endswith("Security.AuthenticationRateLimit"), _rate_limited),
    (lambda e: isinstance(e, neo4j_errors.AuthError),
     lambda e, _: EngineUnavailable(f"Neo4j refused the credentials: {_message(e)}")),
    (lambda e: isinstance(e, neo4j_errors.ClientError) and "Database" in _code(e),
     lambda e, _: InvalidArgument(f"database: {_message(e)}")),
    (lambda e: ".Schema." in _code(e), _schema),
)


def translate(exc: Exception, timeout: float | None = None, *, wrote: bool = True) -> GraphstoreError:
    """The graphstore error for a driver exception; ``timeout`` is the limit the transaction
    ran under (named in a DeadlineExceeded); ``wrote=False`` for a read, whose lost COMMIT
    leaves nothing unknown."""
    if not wrote and isinstance(exc, neo4j_errors.IncompleteCommit):
        return _unavailable(exc, timeout)
    for test, make in _TABLE:
        if test(exc):
            return make(exc, timeout)
    if isinstance(exc, neo4j_errors.Neo4jError):
        return GraphstoreError(f"Neo4j error {_code(exc)}: {_message(exc)}")
    return GraphstoreError(f"Neo4j driver error ({type(exc).__name__}): {exc}")


def is_schema_race(exc: Exception) -> bool:
    """Two writers created the same index or constraint at once (``IF NOT EXISTS`` checks
    before it commits, so the second can still collide); running the statement again is a
    no-op."""
    code = _code(exc)
    return ".Schema." in code and ("AlreadyExists" in code or "Equivalent" in code)
