"""The small engine interface, and choosing an engine from a URI (a table, not branches)."""

from __future__ import annotations

import abc
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from .._redact import redact, remember
from ..compile.base import Compiler
from ..deadlines import DEFAULT_READ_TIMEOUT
from ..errors import FailedPrecondition, InvalidArgument
from ..ops import Op

__all__ = ["Connection", "Engine", "ReadOnly", "Transaction", "open_engine", "parse_uri"]

T = TypeVar("T")


class Transaction(abc.ABC):
    """One open transaction: runs operations, returns their decoded results."""

    compiler: Compiler

    @abc.abstractmethod
    def execute(self, statements: Any) -> list[Any]: ...

    def run(self, op: Op) -> Any:
        compiled = self.compiler.compile(op)
        results = self.execute(compiled.statements)
        if compiled.follow is not None:
            batch = results
            while more := compiled.follow(batch):
                batch = self.execute(more)
                results.extend(batch)
        return compiled.decode(results)


class Engine(abc.ABC):
    """Runs a function in one transaction: committed if it returns, rolled back if it raises."""

    name: str
    read_timeout: float  # seconds a read may run, unless the call gives its own

    @abc.abstractmethod
    def write(self, fn: Callable[[Transaction], T], *, idempotent: bool = False) -> T:
        """Run ``fn`` in a write transaction. ``idempotent`` calls (running them again on the
        committed state gives the same answer) are run again when they lose a race to
        create the same unique key, so they find the other writer's record."""

    @abc.abstractmethod
    def read(self, fn: Callable[[Transaction], T], *, timeout: float | None = None) -> T:
        """Run ``fn`` in a read transaction the engine stops after ``timeout`` seconds
        (default ``read_timeout``), raising DeadlineExceeded."""

    @abc.abstractmethod
    def schema(self, op: Op) -> Any:
        """Run a schema operation, each statement committed on its own; its decoded result."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def bookmarks(self) -> tuple[str, ...]:
        """Tokens naming the writes this store has seen, for another store to start after
        (``MetadataStore(..., bookmarks=...)``); none on an engine whose commits every later
        transaction sees anyway (SQLite: one file)."""
        return ()


@dataclass(frozen=True)
class Connection:
    """Where a store lives, parsed from a URI and keyword overrides (the repr hides the password)."""

    scheme: str
    target: str  # file path, ":memory:", or the Neo4j URI without credentials
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str | None = None
    read_only: bool = False
    read_timeout: float = DEFAULT_READ_TIMEOUT
    bookmarks: tuple[str, ...] = ()  # Neo4j: start after these writes (causal consistency)


def parse_uri(uri: str | os.PathLike[str] | None, *, user: str | None = None,
              password: str | None = None, database: str | None = None,
              read_only: bool = False) -> Connection:
    """``None``/``":memory:"`` → embedded in memory; a path or ``sqlite:///path`` → embedded
    file; ``bolt://``, ``neo4j://`` (``+s``/``+ssc``) → Neo4j, credentials may be in the URI.
    Every password seen here is redacted from graphstore's messages from now on."""
    remember(password)
    if uri is None or str(uri) in (":memory:", "sqlite://", "sqlite://:memory:"):
        return Connection("sqlite", ":memory:", read_only=read_only)
    text = os.fspath(uri)
    if "://" not in text:
        return Connection("sqlite", text, read_only=read_only)
    parts = urlsplit(text)
    try:
        uri_password = unquote(parts.password) if parts.password else None
    except ValueError:  # e.g. a non-numeric port: reported below or by the driver
        uri_password = None
    remember(uri_password)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite://relative.db, sqlite:///absolute/path.db
        return Connection("sqlite", text[len("sqlite://"):] or ":memory:", read_only=read_only)
    if scheme not in _NEO4J_SCHEMES:
        raise InvalidArgument(f"uri: unsupported scheme {parts.scheme!r} in {redact(text)!r} "
                              f"(use a file path, sqlite://, bolt:// or neo4j://)")
    try:
        netloc = parts.hostname or "localhost"
        if parts.port:
            netloc += f":{parts.port}"
    except ValueError as exc:  # urlsplit's port check; its message carries no credentials
        raise InvalidArgument(f"uri: {exc} in {redact(text)!r}") from None
    target = f"{scheme}://{netloc}"
    return Connection(
        scheme, target,
        user=user or (unquote(parts.username) if parts.username else None),
        password=password or uri_password,
        database=database or (parts.path.strip("/") or None), read_only=read_only)


_NEO4J_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})


def open_engine(conn: Connection) -> Engine:
    """Open the engine a connection names (imported lazily: SQLite needs nothing extra)."""
    module_name, class_name = _ENGINES[conn.scheme]
    module = importlib.import_module(module_name, __package__)
    engine: Engine = getattr(module, class_name)(conn)
    return ReadOnly(engine) if conn.read_only else engine


class ReadOnly(Engine):
    """An engine that refuses writes: the same refusal on every engine (SQLite also opens its
    file read-only, so nothing about the file changes)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.name = engine.name
        self.read_timeout = engine.read_timeout

    def _refuse(self) -> FailedPrecondition:
        return FailedPrecondition("the store was opened read-only (read_only=True): it takes no writes")

    def write(self, fn: Callable[[Transaction], T], *, idempotent: bool = False) -> T:
        raise self._refuse()

    def read(self, fn: Callable[[Transaction], T], *, timeout: float | None = None) -> T:
        return self._engine.read(fn, timeout=timeout)

    def schema(self, op: Op) -> Any:
        raise self._refuse()

    def close(self) -> None:
        self._engine.close()

    def bookmarks(self) -> tuple[str, ...]:
        return self._engine.bookmarks()


_ENGINES: dict[str, tuple[str, str]] = {
    "sqlite": (".sqlite", "SqliteEngine"),
    **{scheme: (".neo4j", "Neo4jEngine") for scheme in _NEO4J_SCHEMES},
}
