"""The small engine interface, and choosing an engine from a URI (a table, not branches)."""

from __future__ import annotations

import abc
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from .._id_leases import IdLeases
from ..compile.base import Compiler
from ..errors import InvalidArgument
from ..ops import Op

__all__ = ["Connection", "Engine", "Transaction", "open_engine", "parse_uri"]

T = TypeVar("T")


class Transaction(abc.ABC):
    """One open transaction: runs operations, returns their decoded results."""

    compiler: Compiler
    # ids taken ahead from the sequences (decision 27); None: allocated inside each write
    leases: IdLeases | None = None

    @abc.abstractmethod
    def execute(self, statements: Any) -> list[Any]: ...

    def run(self, op: Op) -> Any:
        compiled = self.compiler.compile(op)
        return compiled.decode(self.execute(compiled.statements))


class Engine(abc.ABC):
    """Runs a function in one transaction: committed if it returns, rolled back if it raises."""

    name: str

    @abc.abstractmethod
    def write(self, fn: Callable[[Transaction], T]) -> T: ...

    @abc.abstractmethod
    def read(self, fn: Callable[[Transaction], T]) -> T: ...

    @abc.abstractmethod
    def schema(self, op: Op) -> None:
        """Run a schema operation, each statement committed on its own."""

    @abc.abstractmethod
    def close(self) -> None: ...


@dataclass(frozen=True)
class Connection:
    """Where a store lives, parsed from a URI and keyword overrides."""

    scheme: str
    target: str  # file path, ":memory:", or the Neo4j URI without credentials
    user: str | None = None
    password: str | None = None
    database: str | None = None


def parse_uri(uri: str | os.PathLike[str] | None, *, user: str | None = None,
              password: str | None = None, database: str | None = None) -> Connection:
    """``None``/``":memory:"`` → embedded in memory; a path or ``sqlite:///path`` → embedded
    file; ``bolt://``, ``neo4j://`` (``+s``/``+ssc``) → Neo4j, credentials may be in the URI."""
    if uri is None or str(uri) in (":memory:", "sqlite://", "sqlite://:memory:"):
        return Connection("sqlite", ":memory:")
    text = os.fspath(uri)
    if "://" not in text:
        return Connection("sqlite", text)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite://relative.db, sqlite:///absolute/path.db
        return Connection("sqlite", text[len("sqlite://"):] or ":memory:")
    if scheme not in _NEO4J_SCHEMES:
        raise InvalidArgument(f"uri: unsupported scheme {parts.scheme!r} in {text!r} "
                              f"(use a file path, sqlite://, bolt:// or neo4j://)")
    netloc = parts.hostname or "localhost"
    if parts.port:
        netloc += f":{parts.port}"
    target = f"{scheme}://{netloc}"
    return Connection(
        scheme, target,
        user=user or (unquote(parts.username) if parts.username else None),
        password=password or (unquote(parts.password) if parts.password else None),
        database=database or (parts.path.strip("/") or None))


_NEO4J_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})


def open_engine(conn: Connection) -> Engine:
    """Open the engine a connection names (imported lazily: SQLite needs nothing extra)."""
    module_name, class_name = _ENGINES[conn.scheme]
    module = importlib.import_module(module_name, __package__)
    engine: Engine = getattr(module, class_name)(conn)
    return engine


_ENGINES: dict[str, tuple[str, str]] = {
    "sqlite": (".sqlite", "SqliteEngine"),
    **{scheme: (".neo4j", "Neo4jEngine") for scheme in _NEO4J_SCHEMES},
}
