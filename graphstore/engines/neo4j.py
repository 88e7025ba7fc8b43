"""The Neo4j engine: one driver, managed transactions (retried on transient errors).

On a cluster or Aura (``neo4j://``), reads go to readers and writes to the leader (the
driver's routing, per transaction's access mode), and every transaction carries the store's
bookmarks, so a read sees the writes this store made before it (causal consistency).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from .._poll import wait_until
from .._resources import cypher_statements, schema_cypher
from ..compile.base import SCHEMA_VERSION, Statement
from ..compile.cypher import INDEXED_TYPES, KEY_CHARS, KEY_PREFIX, CypherCompiler, quote
from ..errors import EngineUnavailable, FailedPrecondition, GraphstoreError
from ..kinds import NodeKind, spec_of
from ..ops import SEQUENCES, Op
from ._neo4j_errors import is_final, is_schema_race, refuses_writes, translate
from .base import Connection, Engine, Transaction

__all__ = ["Neo4jEngine"]

T = TypeVar("T")
# An idempotent call that lost a uniqueness race runs again and finds the winner's record;
# a third loss in a row would need three writers creating the same key within one call.
CONFLICT_ATTEMPTS = 3
# How long opening a store waits for the indexes schema.cypher creates to come online.
SCHEMA_WAIT_S = 300
# URI schemes whose driver routes (neo4j://): a NotALeader there refreshes the routing table
# and is worth the driver's retry; over bolt:// the same server would answer the same again.
ROUTING_SCHEMES = frozenset({"neo4j", "neo4j+s", "neo4j+ssc"})


class _Refused(Exception):
    """A refusal retrying cannot change (a write to a read-only database), raised inside the
    transaction function so the driver gives up at once (it retries only its own errors,
    and would retry ForbiddenOnReadOnlyDatabase for 30 s). Never leaves the engine."""

    def __init__(self, error: neo4j_errors.Neo4jError) -> None:
        super().__init__(type(error).__name__)
        self.error = error


class _Neo4jTx(Transaction):
    def __init__(self, tx: neo4j.ManagedTransaction, compiler: CypherCompiler,
                 routing: bool) -> None:
        self.tx = tx
        self.compiler = compiler
        self.routing = routing

    def execute(self, statements: Sequence[Statement]) -> list[Any]:
        # A Record is a tuple of values: zipping it with the keys is 5-7x faster than
        # Record.data(), which also walks every value to turn graph entities into dicts.
        # graphstore's statements return only scalars, lists and maps (`n {.*}`), never
        # nodes or relationships, so there is nothing for data() to convert.
        out: list[Any] = []
        for s in statements:
            out.append(_rows(self.tx, s.text, s.params, self.routing, s.fold))
        return out


def schema_fingerprint() -> str:
    """The hash of schema.cypher the marker node records once that DDL has run."""
    return hashlib.sha256("\n".join(schema_cypher()).encode()).hexdigest()[:16]


def _rows(tx: neo4j.ManagedTransaction, text: str, params: dict[str, Any],
          routing: bool, fold: Callable[[Iterator[dict[str, Any]]], Any] | None = None) -> Any:
    """One statement's rows as dicts (or what ``fold`` makes of them as they stream); an
    error the driver should not retry leaves as _Refused."""
    try:
        result = tx.run(text, params)
        keys = result.keys()
        if fold is not None:
            return fold(dict(zip(keys, record, strict=True)) for record in result)
        return [dict(zip(keys, record, strict=True)) for record in result]
    except neo4j_errors.Neo4jError as exc:
        if is_final(exc, routing):
            raise _Refused(exc) from exc
        raise


NO_PASSWORD = ("Neo4j at {uri} asks for a login, but no password was given: pass password=... "
               "(CLI: --password or GRAPHSTORE_PASSWORD), or put it in the URI (bolt://USER:PASSWORD@HOST)")


class Neo4jEngine(Engine):
    """A Neo4j server, cluster or Aura database reached through the official driver."""

    name = "neo4j"

    def __init__(self, conn: Connection) -> None:
        self.uri = conn.target
        self.database = conn.database or "neo4j"
        self.read_timeout = conn.read_timeout
        auth = (conn.user or "neo4j", conn.password or "") if conn.password is not None else None
        self.compiler = CypherCompiler()
        # One bookmark manager for every session of this store: each transaction starts after
        # the ones this store committed before it, on whichever cluster member serves it.
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager(
            neo4j.Bookmarks.from_raw_values(conn.bookmarks))
        self.routing = conn.scheme in ROUTING_SCHEMES
        try:
            self._driver = neo4j.GraphDatabase.driver(
                conn.target, auth=auth, notifications_min_severity="OFF")
            self._driver.verify_connectivity()
            self._init_schema()
        except _Refused as exc:
            self._close_quietly()
            raise translate(exc.error) from exc.error
        except neo4j_errors.Neo4jError as exc:
            self._close_quietly()
            if conn.password is None and isinstance(exc, neo4j_errors.AuthError):
                raise EngineUnavailable(NO_PASSWORD.format(uri=conn.target)) from exc
            raise translate(exc) from exc
        except neo4j_errors.DriverError as exc:
            self._close_quietly()
            raise translate(exc) from exc
        except GraphstoreError:
            self._close_quietly()
            raise

    def _close_quietly(self) -> None:
        driver = getattr(self, "_driver", None)
        if driver is not None:
            driver.close()

    def _init_schema(self) -> None:
        ddl = schema_fingerprint()
        marker = self._query(cypher_statements()["schema_marker"], write=False)
        version, done = marker[0]["version"], marker[0]["ddl"]
        if version is not None and version > SCHEMA_VERSION:
            raise FailedPrecondition(f"store schema version {version} is newer than this "
                                     f"graphstore's ({SCHEMA_VERSION}); upgrade graphstore")
        if done != ddl:
            self._backfill_node_namespaces()
            # Schema and data cannot share a transaction; each schema statement commits alone.
            for text in schema_cypher():
                self._schema_statement(text, {})
            self._backfill_index_keys()
            # Neo4j builds an index in the background, and a write that reaches an index
            # still POPULATING with a value it cannot hold panics the database: no call
            # may write before every index is ONLINE.
            wait_until(self._schema_online, SCHEMA_WAIT_S, "building graphstore's Neo4j indexes")
        params = {"sequences": list(SEQUENCES), "version": SCHEMA_VERSION, "ddl": ddl}
        for attempt in range(3):
            try:
                records = self._query(cypher_statements()["init_bookkeeping"], params)
                break
            except neo4j_errors.ConstraintError:
                # another process created the same bookkeeping nodes at the same moment
                if attempt == 2:
                    raise
            except _Refused as exc:
                # A read-only database holding a current store opens for reading; its
                # writes fail then, each with the cause named.
                if refuses_writes(exc.error) and version == SCHEMA_VERSION and done == ddl:
                    return
                raise translate(exc.error) from exc.error
        found = records[0]["version"]
        if found > SCHEMA_VERSION:
            raise FailedPrecondition(f"store schema version {found} is newer than this "
                                     f"graphstore's ({SCHEMA_VERSION}); upgrade graphstore")

    def _backfill_index_keys(self) -> None:
        """Stores made before decision 40 get the ``_key.*`` shadows of their uris and declared
        properties, with indexes on them, and lose the plain indexes on the declared properties
        (a long string would overflow them). Idempotent: only nodes lacking a shadow are written."""
        statements = cypher_statements()
        targets = [("Artifact", "uri")]
        records = self._query(statements["declared_properties"], write=False)
        for r in records:
            if not {int(t) for t in INDEXED_TYPES} & set(r["types"]):
                continue
            label = spec_of(NodeKind(r["kind"])).label
            targets.append((label, r["key"]))
            found = self._query(statements["range_indexes_on"], {"label": label, "key": r["key"]},
                                write=False)
            for index in found:
                self._query(f"DROP INDEX {quote(index['name'])} IF EXISTS")
            self._query(f"CREATE RANGE INDEX IF NOT EXISTS FOR (n:{quote(label)}) "
                        f"ON (n.{quote(KEY_PREFIX + r['key'])})")
        # CALL … IN TRANSACTIONS needs an auto-commit transaction (session.run)
        with self._session(write=True) as session:
            for label, key in targets:
                text = statements["backfill_index_keys"].replace("{Label}", quote(label))
                session.run(text, {"key": key, "shadow": KEY_PREFIX + key, "chars": KEY_CHARS}).consume()

    def _backfill_node_namespaces(self) -> None:
        """Nodes made before external ids were per namespace get their type's namespace, before
        schema.cypher swaps the external-id constraints for per-namespace ones. Idempotent:
        only nodes lacking one are written."""
        with self._session(write=True) as session:  # CALL … IN TRANSACTIONS: auto-commit
            for kind in NodeKind:
                text = cypher_statements()["backfill_node_namespaces"].replace("{Label}", quote(spec_of(kind).label))
                session.run(text).consume()

    def _schema_online(self) -> bool:
        records = self._query(
            "SHOW INDEXES YIELD name, state, failureMessage WHERE name STARTS WITH 'graphstore_' "
            "AND state <> 'ONLINE' RETURN name, state, failureMessage", write=False)
        failed = [r for r in records if r["state"] == "FAILED"]
        if failed:
            raise FailedPrecondition(f"Neo4j index {failed[0]['name']} is FAILED: "
                                     f"{(failed[0]['failureMessage'] or '')[:300]}")
        return not records

    def _schema_statement(self, text: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                return self._query(text, params)
            except neo4j_errors.Neo4jError as exc:
                if not is_schema_race(exc) or attempt + 1 == CONFLICT_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _session(self, write: bool) -> neo4j.Session:
        """A session on the store's database that carries (and advances) the store's
        bookmarks; read sessions are routed to readers on a cluster."""
        return self._driver.session(
            database=self.database, bookmark_manager=self._bookmarks,
            default_access_mode=neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS)

    def _query(self, text: str, params: dict[str, Any] | None = None, *,
               write: bool = True) -> list[dict[str, Any]]:
        """One statement in its own managed transaction (bootstrap and schema work)."""
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = _rows(tx, text, params or {}, self.routing)
            return rows
        with self._session(write) as session:
            return session.execute_write(work) if write else session.execute_read(work)

    def _run(self, write: bool, fn: Callable[[Transaction], T], timeout: float | None,
             idempotent: bool) -> T:
        def work(tx: neo4j.ManagedTransaction) -> T:
            return fn(_Neo4jTx(tx, self.compiler, self.routing))
        # The server stops a transaction past its timeout (and frees the core it used); the
        # driver raises TransactionTimedOut*, translated to DeadlineExceeded.
        unit = neo4j.unit_of_work(timeout=timeout)(work) if timeout is not None else work
        for attempt in range(CONFLICT_ATTEMPTS if idempotent or not write else 1):
            try:
                with self._session(write) as session:
                    return session.execute_write(unit) if write else session.execute_read(unit)
            except _Refused as exc:
                raise translate(exc.error, timeout) from exc.error
            except neo4j_errors.IncompleteCommit as exc:
                # a read's COMMIT only ends it: it wrote nothing, so it runs again (as the
                # driver reruns a read on any other lost connection) and is never "unknown"
                if write or attempt + 1 == CONFLICT_ATTEMPTS:
                    raise translate(exc, timeout, wrote=write) from exc
            except neo4j_errors.ConstraintError as exc:
                # read committed: two writers can both miss a record and both create it; the
                # loser runs again, sees the winner's record, and (being idempotent) uses it
                if attempt + 1 == CONFLICT_ATTEMPTS or not idempotent:
                    raise translate(exc) from exc
            except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
                raise translate(exc, timeout) from exc
        raise AssertionError("unreachable")

    def write(self, fn: Callable[[Transaction], T], *, idempotent: bool = False) -> T:
        return self._run(True, fn, None, idempotent)

    def read(self, fn: Callable[[Transaction], T], *, timeout: float | None = None) -> T:
        return self._run(False, fn, self.read_timeout if timeout is None else timeout, False)

    def schema(self, op: Op) -> Any:
        compiled = self.compiler.compile(op)
        try:
            return compiled.decode([self._schema_statement(s.text, s.params)
                                    for s in compiled.statements])
        except _Refused as exc:
            raise translate(exc.error) from exc.error
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
            raise translate(exc) from exc

    def bookmarks(self) -> tuple[str, ...]:
        return tuple(sorted(self._bookmarks.get_bookmarks()))

    def close(self) -> None:
        self._driver.close()
