"""What a compiler produces and how an engine consumes it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..ops import Op

__all__ = [
    "SCHEMA_VERSION", "Compiled", "Compiler", "Rows", "Statement", "batch_statements", "first_column",
    "no_result", "read_batch_parts", "split_results",
]

# The version of the stored layout (tables / graph shape); bumped with a migration.
SCHEMA_VERSION = 1

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Statement:
    """One statement with its parameters.

    ``many`` means ``params`` is a list of parameter rows to run the statement with, one
    after the other (SQLite's executemany); Neo4j statements batch with UNWIND instead.
    ``fold``, when set, takes the statement's rows (dicts) as they stream from the engine
    and its return value stands for them: a big answer in chunks of rows becomes compact
    arrays without every chunk held at once.
    """

    text: str
    params: Any = field(default_factory=dict)
    many: bool = False
    fold: Callable[[Iterator[dict[str, Any]]], Rows] | None = None


@dataclass(frozen=True)
class Compiled:
    """Statements run in order in one transaction; ``decode`` turns their rows into a result.

    ``follow``, when set, is asked after each batch (with that batch's rows) for the next
    statements, until it returns none: a walk SQLite runs level by level stays one operation
    in one transaction. ``decode`` then gets every batch's rows, in order."""

    statements: Sequence[Statement]
    decode: Callable[[list[Rows]], Any]
    follow: Callable[[list[Rows]], Sequence[Statement]] | None = None


class Compiler(Protocol):
    def compile(self, op: Op) -> Compiled: ...


def no_result(_: list[Rows]) -> None:
    return None


def batch_statements(compiler: Compiler, steps: Sequence[Op]) -> list[Statement]:
    """The statements of a WriteBatch's steps, in order; a step may not have a result."""
    statements: list[Statement] = []
    for step in steps:
        compiled = compiler.compile(step)
        if compiled.decode is not no_result:
            raise TypeError(f"WriteBatch: {type(step).__name__} has a result")
        statements.extend(compiled.statements)
    return statements


def read_batch_parts(compiler: Compiler, steps: Sequence[Op]) -> list[Compiled]:
    """The compiled steps of a ReadBatch; a step that pages (``follow``) cannot be one."""
    parts = [compiler.compile(step) for step in steps]
    for step, part in zip(steps, parts, strict=True):
        if part.follow is not None:
            raise TypeError(f"ReadBatch: {type(step).__name__} runs in several batches")
    return parts


def split_results(parts: Sequence[Compiled], results: list[Rows]) -> list[Any]:
    """Each part's decoded result from the rows of all parts' statements, in order."""
    out: list[Any] = []
    at = 0
    for part in parts:
        n = len(part.statements)
        out.append(part.decode(results[at:at + n]))
        at += n
    return out


def first_column(results: list[Rows]) -> list[Any]:
    """The first column of the last statement's rows."""
    return [next(iter(row.values())) for row in results[-1]]
