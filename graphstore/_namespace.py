"""Namespaces: independent stores inside one database or file (docs/namespaces.md).

A type carries its namespace; every node has a type, so a namespace's nodes are the nodes of
its types. Every operation a store runs passes through one ``Scoped`` transaction, which
narrows it to the namespace: type lookups and inserts carry the name, node queries and
existence checks carry the namespace's type ids (``scope``), and the reads that start from
ids (events, links, ancestors, lineage walks) start only from the namespace's own. Writes
check their ids with ExistingIds (graphstore._writes), so another namespace's id is an
unknown id. Events and links never cross namespaces, so walks and joins cannot leave one.
Doing it here, once per operation type, means no API method can forget it (a test checks
that every operation type has its rule).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, TypeVar

from . import ops
from .engines.base import Engine, Transaction
from .errors import InvalidArgument
from .kinds import NodeKind
from .limits import NAMESPACE_NAME, abridge, check_max

__all__ = ["DEFAULT", "ENV", "Scoped", "ScopedEngine", "check_namespace", "stored_name"]

T = TypeVar("T")
DEFAULT = "default"
"""The public name of the default namespace: what stores made before namespaces hold."""
ENV = "GRAPHSTORE_NAMESPACE"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


def check_namespace(value: Any, field: str = "namespace") -> str:
    """A valid namespace name (None is the default namespace)."""
    if value is None:
        return DEFAULT
    if not isinstance(value, str):
        raise InvalidArgument(f"{field}: expected a string, got {abridge(value)}")
    check_max(NAMESPACE_NAME, field, len(value), value)
    if not _NAME.fullmatch(value):
        raise InvalidArgument(f"{field}: {abridge(value)} is not a namespace name (ASCII letters, "
                              f"digits, '-', '_' and '.', starting with a letter or digit)")
    return value


def stored_name(namespace: str) -> str:
    """How a namespace is stored on its types: the default one as '' (as stores made before
    namespaces are migrated), any other by its name."""
    return "" if namespace == DEFAULT else namespace


class Scoped(Transaction):
    """A transaction whose every operation is narrowed to one namespace."""

    def __init__(self, tx: Transaction, namespace: str) -> None:
        self._tx = tx
        self.compiler = tx.compiler
        self._ns = namespace
        self._type_ids: dict[NodeKind, tuple[int, ...]] = {}
        # ids this transaction has seen to be the namespace's (checked, read or inserted):
        # own() asks the engine only about the others (a round trip, and on a bulk write a
        # second pass over the same 50,000 ids, saved)
        self._own: dict[NodeKind, set[int]] = {k: set() for k in NodeKind}

    def execute(self, statements: Any) -> list[Any]:
        return self._tx.execute(statements)

    def run(self, op: ops.Op) -> Any:
        rule = _RULES.get(type(op))
        if rule is None:
            raise TypeError(f"no namespace rule for {type(op).__name__}")
        if isinstance(op, ops.GetTypesMany):
            return self._types_many_run(op)
        result = self._tx.run(rule(self, op))
        self._note(op, result)
        return result

    def _note(self, op: ops.Op, result: Any) -> None:
        """Remember which ids the operation showed to be (or made, or removed from) the
        namespace's own."""
        if isinstance(op, ops.ExistingIds):
            self._own[op.kind].update(result)
        elif isinstance(op, ops.NodeQuery):
            self._own[op.kind].update(r["id"] for r in result)
        elif isinstance(op, ops.InsertNodes):
            self._own[op.kind].update(r.id for r in op.rows)
        elif isinstance(op, ops.DeleteNodes):
            self._own[op.kind].difference_update(op.ids)
        elif isinstance(op, (ops.WriteBatch, ops.ReadBatch)):
            parts = result if isinstance(op, ops.ReadBatch) else [None] * len(op.steps)
            for step, part in zip(op.steps, parts, strict=True):
                self._note(step, part)

    def _types_many_run(self, op: ops.GetTypesMany) -> list[list[dict[str, Any]]]:
        # The namespace's type ids of every kind not known yet ride along (no round trip of
        # their own when a node query or an existence check needs them later).
        missing = [k for k in NodeKind if k not in self._type_ids]
        if not op.queries and not missing:
            return []
        extra = tuple(ops.GetTypes(k, namespace=self._ns) for k in missing)
        found = self._tx.run(ops.GetTypesMany(self._types_many(op).queries + extra))
        for kind, rows in zip(missing, found[len(op.queries):], strict=True):
            self._type_ids[kind] = tuple(r["id"] for r in rows)
        return found[:len(op.queries)]  # type: ignore[no-any-return]

    def type_ids(self, kind: NodeKind) -> tuple[int, ...]:
        """The namespace's type ids of ``kind``, read once per transaction (every kind
        missing in one round trip)."""
        if kind not in self._type_ids:
            self._types_many_run(ops.GetTypesMany(()))
        return self._type_ids[kind]

    def own(self, kind: NodeKind, ids: tuple[int, ...]) -> tuple[int, ...]:
        """Those of ``ids`` that are the namespace's nodes (in their order)."""
        unknown = tuple(i for i in dict.fromkeys(ids) if i not in self._own[kind])
        if unknown:
            self._own[kind].update(self._tx.run(ops.ExistingIds(kind, unknown, scope=self.type_ids(kind))))
        return tuple(i for i in ids if i in self._own[kind])

    # -- the rules, one per operation type --------------------------------------------------
    def _types(self, op: ops.GetTypes) -> ops.GetTypes:
        return dataclasses.replace(op, namespace=self._ns)

    def _types_many(self, op: ops.GetTypesMany) -> ops.GetTypesMany:
        return ops.GetTypesMany(tuple(self._types(q) for q in op.queries))

    def _type_row(self, op: ops.InsertType | ops.UpdateType) -> Any:
        self._type_ids.pop(op.kind, None)  # a new type joins the namespace's scope
        return dataclasses.replace(op, row=dataclasses.replace(op.row, namespace=self._ns))

    def _insert_nodes(self, op: ops.InsertNodes) -> ops.InsertNodes:
        return dataclasses.replace(op, namespace=self._ns)

    def _nodes(self, op: ops.NodeQuery) -> ops.NodeQuery:
        return dataclasses.replace(op, scope=self.type_ids(op.kind))

    def _existing(self, op: ops.ExistingIds) -> ops.ExistingIds:
        return dataclasses.replace(op, scope=self.type_ids(op.kind))

    def _events(self, op: ops.GetEvents) -> ops.GetEvents:
        return ops.GetEvents(
            None if op.artifact_ids is None else self.own(NodeKind.ARTIFACT, op.artifact_ids),
            None if op.execution_ids is None else self.own(NodeKind.EXECUTION, op.execution_ids))

    def _links(self, op: ops.GetLinks) -> ops.GetLinks:
        return dataclasses.replace(op, source_ids=self.own(op.relation.value.source, op.source_ids))

    def _ancestors(self, op: ops.Ancestors) -> ops.Ancestors:
        return ops.Ancestors(self.own(NodeKind.CONTEXT, op.ids))

    def _walk(self, op: ops.LineageWalk | ops.LineageEdges) -> Any:
        return dataclasses.replace(op, artifact_ids=self.own(NodeKind.ARTIFACT, op.artifact_ids),
                                   execution_ids=self.own(NodeKind.EXECUTION, op.execution_ids))

    def _batch(self, op: ops.WriteBatch) -> ops.WriteBatch:
        return ops.WriteBatch(tuple(_RULES[type(s)](self, s) for s in op.steps))

    def _read_batch(self, op: ops.ReadBatch) -> ops.ReadBatch:
        return ops.ReadBatch(tuple(_RULES[type(s)](self, s) for s in op.steps))

    def _as_is(self, op: Any) -> Any:
        # writes whose ids graphstore._writes has checked with ExistingIds (scoped above) in
        # this transaction, id allocation (ids are global) and schema (indexes are shared)
        return op


_RULES: dict[type, Callable[[Scoped, Any], Any]] = {
    ops.GetTypes: Scoped._types,
    ops.GetTypesMany: Scoped._types_many,
    ops.InsertType: Scoped._type_row,
    ops.UpdateType: Scoped._type_row,
    ops.InsertNodes: Scoped._insert_nodes,
    ops.NodeQuery: Scoped._nodes,
    ops.ExistingIds: Scoped._existing,
    ops.GetEvents: Scoped._events,
    ops.GetLinks: Scoped._links,
    ops.Ancestors: Scoped._ancestors,
    ops.LineageWalk: Scoped._walk,
    ops.LineageEdges: Scoped._walk,
    ops.WriteBatch: Scoped._batch,
    ops.ReadBatch: Scoped._read_batch,
    **{op: Scoped._as_is for op in (
        ops.AllocateIds, ops.UpdateNodes, ops.DeleteNodes, ops.InsertEvents,
        ops.Link, ops.SetInputFingerprints, ops.MarkNodes, ops.PropertyIndexes,
        ops.IndexStates, ops.DropIndexes)},
}
"""How each operation type is narrowed to a namespace (tests check every Op has a rule)."""


class ScopedEngine(Engine):
    """An engine whose transactions are narrowed to one namespace."""

    def __init__(self, engine: Engine, namespace: str) -> None:
        self.inner = engine
        self.name = engine.name
        self.namespace = namespace
        self._stored = stored_name(namespace)

    @property
    def read_timeout(self) -> float:
        """The inner engine's: one value, so setting it here limits the reads that run there."""
        return self.inner.read_timeout

    @read_timeout.setter
    def read_timeout(self, seconds: float) -> None:
        self.inner.read_timeout = seconds

    def write(self, fn: Callable[[Transaction], T], *, idempotent: bool = False) -> T:
        return self.inner.write(lambda tx: fn(Scoped(tx, self._stored)), idempotent=idempotent)

    def read(self, fn: Callable[[Transaction], T], *, timeout: float | None = None) -> T:
        return self.inner.read(lambda tx: fn(Scoped(tx, self._stored)), timeout=timeout)

    def schema(self, op: ops.Op) -> Any:
        return self.inner.schema(op)

    def close(self) -> None:
        self.inner.close()

    def bookmarks(self) -> tuple[str, ...]:
        return self.inner.bookmarks()

    def __getattr__(self, name: str) -> Any:
        # the engine's own attributes (a driver, a path) for tools and tests that inspect it
        if name == "inner":  # not set yet (a copy being built): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)
