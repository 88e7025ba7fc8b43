"""A small store for filter tests, and a reference evaluator of the filter semantics.

The reference is a direct reading of graphstore.filters.plan's rules (three-valued logic,
typed property values, aliases ranging over neighbours or one absent neighbour), written
independently of either compiler, so engine results can be checked against it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphstore import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    MetadataStore,
    ParentContext,
    PropertyType,
)
from graphstore.filters import (
    Alias,
    AliasKind,
    And,
    Compare,
    CompareOp,
    Expr,
    Field,
    InList,
    IsNull,
    Like,
    LikeWildcard,
    NodeKind,
    Not,
    Operand,
    Or,
    ValueType,
    aliases,
    split_like,
)

A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT

ARTIFACTS = {
    "a1": Artifact(type="DataSet", name="a1", uri="/data/Train_1", state=ArtifactState.LIVE,
                   properties={"day": 1, "score": 0.5, "note": "Hello", "ok": True},
                   custom_properties={"c": "x", "mixed": 1}),
    "a2": Artifact(type="DataSet", name="a2", uri="/data/train_2", state=ArtifactState.PENDING,
                   properties={"day": 5, "score": 0.97, "ok": False, "blob": {"k": 1}},
                   custom_properties={"mixed": "1", "my:odd.key": True, "st": {"a": [1]}}),
    "a3": Artifact(type="Model", name="a3", uri="/models/m%1", state=ArtifactState.DELETED,
                   external_id="ext-3", custom_properties={"mixed": 1.0, "tick`key": "ok"}),
    "a4": Artifact(type="Model", name="a4", uri="/x\ny[*?]",
                   custom_properties={"note2": "line1\nline2"}),
    "a5": Artifact(type="Model"),
}
EXECUTIONS = {
    "e1": Execution(type="Trainer", name="e1", last_known_state=ExecutionState.RUNNING,
                    properties={"epochs": 10}),
    "e2": Execution(type="Trainer", name="e2", last_known_state=ExecutionState.COMPLETE,
                    properties={"epochs": 3}),
    "e3": Execution(type="Trainer", name="e3", last_known_state=ExecutionState.FAILED),
}
CONTEXTS = {
    "c1": Context(type="Experiment", name="exp1"),
    "c2": Context(type="Run", name="run1", properties={"n": 1}),
    "c3": Context(type="Run", name="run2", properties={"n": 2}),
    "c4": Context(type="Experiment", name="exp2", external_id="ext-c4"),
}
ATTRIBUTIONS = [("a1", "c1"), ("a1", "c2"), ("a2", "c2"), ("a3", "c3")]
ASSOCIATIONS = [("e1", "c2"), ("e2", "c3"), ("e2", "c1")]
PARENTS = [("c2", "c1"), ("c3", "c1"), ("c3", "c4")]  # (child, parent)
EVENTS = [("a1", "e1", EventType.INPUT, 100), ("a2", "e1", EventType.OUTPUT, 200),
          ("a2", "e2", EventType.INPUT, 300), ("a3", "e2", EventType.OUTPUT, 400),
          ("a1", "e2", EventType.DECLARED_INPUT, 500)]


def build(store: MetadataStore) -> dict[str, int]:
    """Write the world into an empty ``store``; returns node name → id (also type names)."""
    ids = {
        "DataSet": store.put_artifact_type(ArtifactType(name="DataSet", properties={
            "day": PropertyType.INT, "score": PropertyType.DOUBLE, "note": PropertyType.STRING,
            "ok": PropertyType.BOOLEAN, "blob": PropertyType.STRUCT})),
        "Model": store.put_artifact_type(ArtifactType(name="Model")),
        "Trainer": store.put_execution_type(
            ExecutionType(name="Trainer", properties={"epochs": PropertyType.INT})),
        "Experiment": store.put_context_type(ContextType(name="Experiment")),
        "Run": store.put_context_type(ContextType(name="Run", properties={"n": PropertyType.INT})),
    }
    ids.update(zip(ARTIFACTS, store.put_artifacts(list(ARTIFACTS.values())), strict=True))
    ids.update(zip(EXECUTIONS, store.put_executions(list(EXECUTIONS.values())), strict=True))
    ids.update(zip(CONTEXTS, store.put_contexts(list(CONTEXTS.values())), strict=True))
    store.put_attributions_and_associations(
        [Attribution(artifact_id=ids[a], context_id=ids[c]) for a, c in ATTRIBUTIONS],
        [Association(execution_id=ids[e], context_id=ids[c]) for e, c in ASSOCIATIONS])
    store.put_parent_contexts([ParentContext(child_id=ids[c], parent_id=ids[p])
                               for c, p in PARENTS])
    store.put_events([Event(artifact_id=ids[a], execution_id=ids[e], type=t,
                            milliseconds_since_epoch=ms) for a, e, t, ms in EVENTS])
    return ids


# -- reference evaluator ---------------------------------------------------------------------

Record = dict[Any, Any]  # attribute name → value, and ("props", custom, name) → (type, value)
_PYTHON_TYPES: list[tuple[type, ValueType]] = [
    (bool, ValueType.BOOL), (int, ValueType.INT), (float, ValueType.DOUBLE), (str, ValueType.STRING)]


def _typed(value: Any) -> tuple[ValueType | None, Any]:
    for py, vt in _PYTHON_TYPES:
        if isinstance(value, py):
            return vt, value
    return None, value  # STRUCT / PROTO: no *_value reads it


def _record(node: Artifact | Execution | Context) -> Record:
    rec: Record = node.model_dump(exclude={"properties", "custom_properties"})
    for key in ("state", "last_known_state"):
        if key in rec:
            rec[key] = rec[key].name if rec[key] is not None else None
    for custom, props in ((False, node.properties), (True, node.custom_properties)):
        for name, value in props.items():
            rec["props", custom, name] = _typed(value)
    return rec


@dataclass
class World:
    """The stored world as records, read back from a store (so ids and times are real)."""

    nodes: dict[NodeKind, dict[str, Record]]
    neighbours: dict[tuple[NodeKind, str, AliasKind], list[Record]] = field(default_factory=dict)

    def names_of(self, kind: NodeKind, ids: list[int]) -> set[str]:
        by_id = {rec["id"]: name for name, rec in self.nodes[kind].items()}
        return {by_id[i] for i in ids}

    def matching(self, expr: Expr, kind: NodeKind) -> set[str]:
        return {name for name in self.nodes[kind] if self.matches(expr, kind, name)}

    def matches(self, expr: Expr, kind: NodeKind, name: str) -> bool:
        used = aliases(expr)
        domains: list[list[Record | None]] = [
            list(self.neighbours.get((kind, name, a.kind), [])) or [None] for a in used]
        node = self.nodes[kind][name]
        return any(
            _eval(expr, node, dict(zip(used, choice, strict=True))) is True
            for choice in itertools.product(*domains))


def read_world(store: MetadataStore, ids: dict[str, int]) -> World:
    nodes = {
        A: {n: _record(x) for n, x in zip(ARTIFACTS, store.get_artifacts_by_id(
            [ids[n] for n in ARTIFACTS]), strict=True)},
        E: {n: _record(x) for n, x in zip(EXECUTIONS, store.get_executions_by_id(
            [ids[n] for n in EXECUTIONS]), strict=True)},
        C: {n: _record(x) for n, x in zip(CONTEXTS, store.get_contexts_by_id(
            [ids[n] for n in CONTEXTS]), strict=True)},
    }
    world = World(nodes)
    nb = world.neighbours

    def add(kind: NodeKind, name: str, alias: AliasKind, rec: Record) -> None:
        nb.setdefault((kind, name, alias), []).append(rec)
    for a, c in ATTRIBUTIONS:
        add(A, a, AliasKind.CONTEXTS, nodes[C][c])
        add(C, c, AliasKind.ARTIFACTS, nodes[A][a])
    for e, c in ASSOCIATIONS:
        add(E, e, AliasKind.CONTEXTS, nodes[C][c])
        add(C, c, AliasKind.EXECUTIONS, nodes[E][e])
    for child, parent in PARENTS:
        add(C, child, AliasKind.PARENT_CONTEXTS, nodes[C][parent])
        add(C, parent, AliasKind.CHILD_CONTEXTS, nodes[C][child])
    for a, e, t, ms in EVENTS:
        ev = {"type": t.name, "milliseconds_since_epoch": ms}
        add(A, a, AliasKind.EVENTS, {**ev, "execution_id": ids[e]})
        add(E, e, AliasKind.EVENTS, {**ev, "artifact_id": ids[a]})
    return world


_COMPARE: dict[CompareOp, Callable[[Any, Any], bool]] = {
    CompareOp.EQ: lambda x, y: bool(x == y), CompareOp.NE: lambda x, y: bool(x != y),
    CompareOp.LT: lambda x, y: bool(x < y), CompareOp.LE: lambda x, y: bool(x <= y),
    CompareOp.GT: lambda x, y: bool(x > y), CompareOp.GE: lambda x, y: bool(x >= y),
}


def _value(o: Operand, node: Record, assignment: dict[Alias, Record | None]) -> Any:
    owner = node if o.scope is None else assignment[o.scope]
    if owner is None:
        return None
    if isinstance(o, Field):
        return owner.get(o.name)
    vtype, value = owner.get(("props", o.custom, o.name), (None, None))
    return value if vtype is o.value_type else None


def _like(pattern: str) -> re.Pattern[str]:
    parts = [".*" if p is LikeWildcard.ANY else "." if p is LikeWildcard.ONE else re.escape(p)
             for p in split_like(pattern)]
    return re.compile("".join(parts), re.DOTALL)


def _eval(e: Expr, node: Record, assignment: dict[Alias, Record | None]) -> bool | None:
    """Kleene three-valued logic: None is unknown."""
    if isinstance(e, (And, Or)):
        got = [_eval(i, node, assignment) for i in e.items]
        decisive = isinstance(e, Or)  # True decides an OR, False an AND
        if decisive in got:
            return decisive
        return None if None in got else not decisive
    if isinstance(e, Not):
        inner = _eval(e.item, node, assignment)
        return None if inner is None else not inner
    v = _value(e.left, node, assignment)
    if isinstance(e, IsNull):
        return (v is not None) if e.negated else (v is None)
    if v is None:
        return None
    if isinstance(e, Compare):
        return _COMPARE[e.op](v, e.value)
    if isinstance(e, Like):
        return (_like(e.pattern).fullmatch(v) is not None) != e.negated
    assert isinstance(e, InList)
    return (v in e.values) != e.negated

