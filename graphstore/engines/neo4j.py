"""The Neo4j engine: one driver, managed transactions (retried on transient errors)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from .. import ops
from .._id_leases import IdLeases
from .._resources import cypher_statements, schema_cypher
from ..compile.base import SCHEMA_VERSION, Statement
from ..compile.cypher import CypherCompiler
from ..errors import (
    AlreadyExists,
    EngineUnavailable,
    FailedPrecondition,
    GraphstoreError,
    InvalidArgument,
)
from ..ops import SEQUENCES, Op
from .base import Connection, Engine, Transaction

__all__ = ["Neo4jEngine"]

T = TypeVar("T")
# ids a store takes from a sequence at a time; every write then allocates without touching
# the (write-locked) sequence node, so writers in different processes do not queue on it
ID_LEASE = 1_000


class _Neo4jTx(Transaction):
    def __init__(self, tx: neo4j.ManagedTransaction, compiler: CypherCompiler) -> None:
        self.tx = tx
        self.compiler = compiler

    def execute(self, statements: Sequence[Statement]) -> list[Any]:
        # A Record is a tuple of values: zipping it with the keys is 5-7x faster than
        # Record.data(), which also walks every value to turn graph entities into dicts.
        # graphstore's statements return only scalars, lists and maps (`n {.*}`), never
        # nodes or relationships, so there is nothing for data() to convert.
        out: list[Any] = []
        for s in statements:
            result = self.tx.run(s.text, s.params)
            keys = result.keys()
            out.append([dict(zip(keys, record, strict=True)) for record in result])
        return out


def _translate(exc: Exception) -> GraphstoreError:
    if isinstance(exc, neo4j_errors.ConstraintError):
        return AlreadyExists(f"a record with the same key already exists: {exc.message}")
    if isinstance(exc, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired)):
        return EngineUnavailable(f"Neo4j is unreachable: {exc}")
    if isinstance(exc, neo4j_errors.AuthError):
        return EngineUnavailable(f"Neo4j refused the credentials: {exc.message}")
    if isinstance(exc, neo4j_errors.ClientError) and exc.code and "Database" in exc.code:
        return InvalidArgument(f"database: {exc.message}")
    return GraphstoreError(f"Neo4j error: {exc}")


class Neo4jEngine(Engine):
    """A Neo4j server, cluster or Aura database reached through the official driver."""

    name = "neo4j"

    def __init__(self, conn: Connection) -> None:
        self.uri = conn.target
        self.database = conn.database or "neo4j"
        auth = (conn.user or "neo4j", conn.password or "") if conn.password is not None else None
        self.compiler = CypherCompiler()
        self.leases = IdLeases(self._take_ids, ID_LEASE)
        try:
            self._driver = neo4j.GraphDatabase.driver(
                conn.target, auth=auth, notifications_min_severity="OFF")
            self._driver.verify_connectivity()
            self._init_schema()
        except neo4j_errors.Neo4jError as exc:
            self._close_quietly()
            raise _translate(exc) from exc
        except neo4j_errors.DriverError as exc:
            self._close_quietly()
            raise _translate(exc) from exc
        except GraphstoreError:
            self._close_quietly()
            raise

    def _close_quietly(self) -> None:
        driver = getattr(self, "_driver", None)
        if driver is not None:
            driver.close()

    def _init_schema(self) -> None:
        ddl = hashlib.sha256("\n".join(schema_cypher()).encode()).hexdigest()[:16]
        marker, _, _ = self._driver.execute_query(cypher_statements()["schema_marker"],
                                                  database_=self.database)
        version, done = marker[0]["version"], marker[0]["ddl"]
        if version is not None and version > SCHEMA_VERSION:
            raise FailedPrecondition(f"store schema version {version} is newer than this "
                                     f"graphstore's ({SCHEMA_VERSION}); upgrade graphstore")
        if done != ddl:
            # Schema and data cannot share a transaction; each schema statement commits alone.
            for text in schema_cypher():
                self._driver.execute_query(text, database_=self.database)
        params = {"sequences": list(SEQUENCES), "version": SCHEMA_VERSION, "ddl": ddl}
        for attempt in range(3):
            try:
                records, _, _ = self._driver.execute_query(
                    cypher_statements()["init_bookkeeping"], params, database_=self.database)
                break
            except neo4j_errors.ConstraintError:
                # another process created the same bookkeeping nodes at the same moment
                if attempt == 2:
                    raise
        found = records[0]["version"]
        if found > SCHEMA_VERSION:
            raise FailedPrecondition(f"store schema version {found} is newer than this "
                                     f"graphstore's ({SCHEMA_VERSION}); upgrade graphstore")

    def _take_ids(self, counts: tuple[tuple[str, int], ...]) -> dict[str, int]:
        # its own short transaction: the sequence nodes stay locked only while it commits
        return self.write(lambda tx: tx.run(ops.AllocateIds(counts)))

    def _run(self, write: bool, fn: Callable[[Transaction], T]) -> T:
        def work(tx: neo4j.ManagedTransaction) -> T:
            wrapped = _Neo4jTx(tx, self.compiler)
            wrapped.leases = self.leases
            return fn(wrapped)
        try:
            with self._driver.session(database=self.database) as session:
                return session.execute_write(work) if write else session.execute_read(work)
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
            raise _translate(exc) from exc

    def write(self, fn: Callable[[Transaction], T]) -> T:
        return self._run(True, fn)

    def read(self, fn: Callable[[Transaction], T]) -> T:
        return self._run(False, fn)

    def schema(self, op: Op) -> None:
        try:
            for stmt in self.compiler.compile(op).statements:
                self._driver.execute_query(stmt.text, stmt.params, database_=self.database)
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
            raise _translate(exc) from exc

    def close(self) -> None:
        self._driver.close()
