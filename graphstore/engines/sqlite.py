"""The embedded engine: Python's own sqlite3, in memory or in a file shared by processes."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..compile.base import SCHEMA_VERSION, Statement
from ..compile.sql import SqlCompiler, namespace_migration, node_namespace_migration, schema_statements
from ..errors import (
    AlreadyExists,
    DeadlineExceeded,
    EngineUnavailable,
    FailedPrecondition,
    GraphstoreError,
)
from ..kinds import NodeKind, spec_of
from ..ops import SEQUENCES, Op
from ._sqlite_file import classify_tables, inspect_path, sqlite_uri
from .base import Connection, Engine, Transaction

__all__ = ["SqliteEngine"]

T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000
NODE_TABLES = tuple(spec_of(kind).table for kind in NodeKind)
# SQLite calls the progress handler every this many virtual-machine steps (~0.1 ms of work):
# often enough to stop on time, rare enough to cost nothing measurable.
PROGRESS_STEPS = 10_000


class _SqliteTx(Transaction):
    def __init__(self, conn: sqlite3.Connection, compiler: SqlCompiler) -> None:
        self.conn = conn
        self.compiler = compiler

    def execute(self, statements: Sequence[Statement]) -> list[Any]:
        results: list[Any] = []
        for stmt in statements:
            if stmt.many:
                if stmt.params:
                    self.conn.executemany(stmt.text, stmt.params)
                results.append([])
            else:
                # plain tuples zipped with the column names: a third cheaper than dict(Row)
                cur = self.conn.cursor()
                cur.row_factory = None
                cur.execute(stmt.text, stmt.params)
                names = [d[0] for d in cur.description or ()]
                if stmt.fold is not None:
                    results.append(stmt.fold(dict(zip(names, r, strict=True)) for r in cur))
                else:
                    results.append([dict(zip(names, r, strict=True)) for r in cur.fetchall()] if names else [])
        return results


def _has_column(tx: Transaction, table: str, column: str) -> bool:
    assert isinstance(tx, _SqliteTx)
    return any(row[1] == column for row in tx.conn.execute(f"PRAGMA table_info({table})"))


def _has_namespaces(tx: Transaction) -> bool:
    """Whether the type and node tables have their namespace columns (stores made before
    namespaces, or before node external ids were per namespace, do not)."""
    return all(_has_column(tx, t, "namespace") for t in ("type", *NODE_TABLES))


def _translate(exc: sqlite3.Error, timeout: float | None = None) -> GraphstoreError:
    # Every message below is redacted of credentials by GraphstoreError itself (_redact.redact).
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and text == "interrupted" and timeout is not None:
        return DeadlineExceeded(f"the query ran past its time limit of {timeout:g} s and SQLite "
                                f"stopped it (raise read_timeout / filter_timeout, or narrow "
                                f"the query)")
    if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in text:
        columns = text.split(":", 1)[-1].strip()
        return AlreadyExists(f"a record with the same {columns} already exists")
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return EngineUnavailable(f"the SQLite file stayed locked for {BUSY_TIMEOUT_MS} ms: {text}")
    if isinstance(exc, sqlite3.OperationalError) and "readonly" in text:
        return FailedPrecondition(f"the SQLite store cannot be written: {text}")
    if isinstance(exc, sqlite3.OperationalError) and ("disk I/O" in text or "unable to open" in text):
        return EngineUnavailable(f"SQLite cannot reach its file: {text}")
    return GraphstoreError(f"SQLite error: {text}")


class SqliteEngine(Engine):
    """One connection; writes take SQLite's write lock up front (BEGIN IMMEDIATE).

    A file is inspected before it is opened writable (see ``_sqlite_file``): only a new or
    empty file, or graphstore's own store, is written to. ``read_only`` opens the file with
    ``mode=ro``: nothing is created or changed, and a missing file is an error.
    """

    name = "sqlite"

    def __init__(self, conn: Connection) -> None:
        self.path = conn.target
        self.read_only = conn.read_only
        self.read_timeout = conn.read_timeout
        self._lock = threading.RLock()  # sqlite3 connections are not safe to share unguarded
        self.compiler = SqlCompiler()
        in_memory = self.path == ":memory:"
        if not in_memory:
            inspect_path(self.path, read_only=self.read_only)
        target = sqlite_uri(self.path, mode="ro") if self.read_only and not in_memory else self.path
        try:
            self._conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False,
                                         timeout=BUSY_TIMEOUT_MS / 1000, uri=target != self.path)
        except sqlite3.Error as exc:
            raise EngineUnavailable(f"cannot open SQLite store {self.path!r}: {exc}") from exc
        try:
            self._setup(in_memory)
        except BaseException:
            self._conn.close()
            raise

    def _setup(self, in_memory: bool) -> None:
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not in_memory and not self.read_only:
                # WAL lets readers and one writer in other processes work at once; NORMAL sync
                # keeps every committed transaction through a crash of the process (kill -9),
                # and only an OS crash or power cut can lose the last commits (never corrupt).
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise EngineUnavailable(f"cannot open SQLite store {self.path!r}: {exc}") from exc
        if self.read_only and not in_memory:  # a new in-memory store has nothing to read yet
            self.read(self._check_version)
        else:
            self.write(self._init_schema)

    def _init_schema(self, tx: Transaction) -> None:
        assert isinstance(tx, _SqliteTx)
        # Checked again under the write lock: the file may have changed since it was inspected.
        tables = [n for (n,) in tx.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        classify_tables(self.path, tables)
        if "type" in tables and not _has_column(tx, "type", "namespace"):
            for ddl in namespace_migration():
                tx.conn.execute(ddl)
        for kind in NodeKind:
            if spec_of(kind).table in tables and not _has_column(tx, spec_of(kind).table, "namespace"):
                for ddl in node_namespace_migration(kind):
                    tx.conn.execute(ddl)
        for ddl in schema_statements():
            tx.conn.execute(ddl)
        tx.conn.execute("INSERT OR IGNORE INTO graphstore_meta (key, value) VALUES "
                        "('schema_version', ?)", [str(SCHEMA_VERSION)])
        # every sequence exists before any write, so allocating ids is one UPDATE
        tx.conn.executemany("INSERT OR IGNORE INTO id_sequence (name, value) VALUES (?, 0)",
                            [(name,) for name in SEQUENCES])
        self._check_version(tx)

    @staticmethod
    def _check_version(tx: Transaction) -> None:
        assert isinstance(tx, _SqliteTx)
        row = tx.conn.execute("SELECT value FROM graphstore_meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            raise FailedPrecondition("the store has no schema version (graphstore_meta is empty)")
        if int(row[0]) > SCHEMA_VERSION:
            raise FailedPrecondition(f"store schema version {row[0]} is newer than this "
                                     f"graphstore's ({SCHEMA_VERSION}); upgrade graphstore")
        if not _has_namespaces(tx):
            raise FailedPrecondition("the store predates namespaces: open it once writable "
                                     "(not read_only) to upgrade it in place")

    def _run(self, begin: str, fn: Callable[[Transaction], T], timeout: float | None = None) -> T:
        with self._lock:
            if timeout is not None:
                # a true return interrupts the running statement ("interrupted"), which the
                # engine turns into DeadlineExceeded; the transaction is rolled back
                deadline = time.monotonic() + timeout
                self._conn.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
            try:
                self._conn.execute(begin)
                try:
                    result = fn(_SqliteTx(self._conn, self.compiler))
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
                return result
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise _translate(exc, timeout) from exc
            finally:
                if timeout is not None:
                    self._conn.set_progress_handler(None, 0)

    def write(self, fn: Callable[[Transaction], T], *, idempotent: bool = False) -> T:
        # writers queue on the file lock (BEGIN IMMEDIATE), so no two of them ever race to
        # create the same key: idempotent calls need nothing more here
        return self._run("BEGIN IMMEDIATE", fn)

    def read(self, fn: Callable[[Transaction], T], *, timeout: float | None = None) -> T:
        return self._run("BEGIN", fn, self.read_timeout if timeout is None else timeout)

    def schema(self, op: Op) -> Any:
        return self.write(lambda tx: tx.run(op))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
