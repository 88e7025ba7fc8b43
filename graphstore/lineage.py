"""Lineage: walking events breadth-first over distinct nodes, and the shapes it returns.

The engine hands back the events around the reachable set in one statement
(``ops.LineageEdges``: a pruned var-length match on Neo4j, a recursive CTE on SQLite); the
breadth-first pass here turns them into hop distances and one explaining path per node, the
same way for every engine. There is no hop cap: ``max_hops=None`` is the whole lineage.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import ops
from .models import (
    Artifact,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    Execution,
    ExecutionType,
)

__all__ = [
    "LineageDirection",
    "LineageGraph",
    "LineageNode",
    "LineageResult",
    "LineageSubgraphQueryOptions",
    "NodeRef",
    "adjacency",
    "bfs",
    "events_walked",
    "walk",
]

LineageDirection = ops.Direction
Kind = Literal["artifact", "execution"]


@dataclass(frozen=True, order=True)
class NodeRef:
    """An artifact or execution, by kind and id (artifacts sort before executions)."""

    kind: Kind
    id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


class LineageSubgraphQueryOptions(BaseModel):
    """MLMD's LineageSubgraphQueryOptions, flattened.

    Exactly one of ``starting_artifacts`` / ``starting_executions`` (filter queries) picks
    the start. ``max_num_hops`` counts event edges (artifact → execution → artifact is 2);
    None walks the whole lineage. Traversal stops at ending nodes, which are returned only
    with ``include_ending_nodes``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    starting_artifacts: str | None = None
    starting_executions: str | None = None
    max_num_hops: int | None = Field(default=None, ge=0)
    direction: LineageDirection = LineageDirection.BIDIRECTIONAL
    ending_artifacts: str | None = None
    ending_executions: str | None = None
    include_ending_nodes: bool = False


class LineageGraph(BaseModel):
    """A lineage subgraph: nodes, the events between them, their contexts and types."""

    artifacts: list[Artifact] = Field(default_factory=list)
    executions: list[Execution] = Field(default_factory=list)
    contexts: list[Context] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    attributions: list[Attribution] = Field(default_factory=list)
    associations: list[Association] = Field(default_factory=list)
    artifact_types: list[ArtifactType] = Field(default_factory=list)
    execution_types: list[ExecutionType] = Field(default_factory=list)
    context_types: list[ContextType] = Field(default_factory=list)


LINEAGE_FIELDS = tuple(LineageGraph.model_fields)


class LineageNode(BaseModel):
    """One node of a deep-lineage answer: how far it is and one path that explains it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    ref: NodeRef
    distance: int
    path: list[NodeRef]  # from a start node to this node, both included
    node: Artifact | Execution

    @property
    def type(self) -> str | None:
        return self.node.type


class LineageResult(BaseModel):
    """A page of deep lineage. ``truncated`` says a ``max_hops`` bound cut it short;
    ``next_cursor`` continues with the next page (None on the last)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    start: list[NodeRef]
    direction: LineageDirection
    nodes: list[LineageNode]
    truncated: bool
    total: int
    next_cursor: str | None = None


@dataclass
class Reach:
    """What a breadth-first walk found: distance and predecessor of every node, in BFS order."""

    distance: dict[NodeRef, int] = field(default_factory=dict)
    parent: dict[NodeRef, NodeRef | None] = field(default_factory=dict)
    truncated: bool = False

    def path(self, ref: NodeRef) -> list[NodeRef]:
        out = [ref]
        step = self.parent[ref]
        while step is not None:
            out.append(step)
            step = self.parent[step]
        return out[::-1]


def _key(row: dict[str, Any]) -> tuple[int, int, str]:
    return (row["artifact_id"], row["execution_id"], row["type"])


def adjacency(rows: Iterable[dict[str, Any]], direction: ops.Direction
              ) -> dict[NodeRef, list[NodeRef]]:
    """Neighbours in walking order; rows are sorted first so every engine walks alike."""
    inputs = set(ops.INPUT_KINDS)
    forward = direction in (ops.Direction.DOWNSTREAM, ops.Direction.BIDIRECTIONAL)
    backward = direction in (ops.Direction.UPSTREAM, ops.Direction.BIDIRECTIONAL)
    adj: dict[NodeRef, list[NodeRef]] = {}
    for row in sorted(rows, key=_key):
        a = NodeRef("artifact", row["artifact_id"])
        e = NodeRef("execution", row["execution_id"])
        src, dst = (a, e) if row["type"] in inputs else (e, a)  # the way data flows
        if forward:
            adj.setdefault(src, []).append(dst)
        if backward:
            adj.setdefault(dst, []).append(src)
    return adj


def walk(starts: Sequence[NodeRef], rows: Iterable[dict[str, Any]], direction: ops.Direction,
         max_hops: int | None, stop: frozenset[NodeRef] = frozenset()) -> Reach:
    """Breadth-first from ``starts``; nodes in ``stop`` are reached but not walked through."""
    return bfs(starts, adjacency(rows, direction), max_hops, stop)


def bfs(starts: Sequence[NodeRef], adj: dict[NodeRef, list[NodeRef]], max_hops: int | None,
        stop: frozenset[NodeRef] = frozenset()) -> Reach:
    """The walk itself, over an adjacency built once (impact analysis walks once per root)."""
    reach = Reach()
    queue: deque[NodeRef] = deque()
    for s in sorted(set(starts)):
        reach.distance[s] = 0
        reach.parent[s] = None
        queue.append(s)
    start_set = set(starts)
    while queue:
        node = queue.popleft()
        if node in stop and node not in start_set:
            continue
        depth = reach.distance[node]
        for nxt in adj.get(node, ()):
            if nxt in reach.distance:
                continue
            if max_hops is not None and depth >= max_hops:
                reach.truncated = True
                break
            reach.distance[nxt] = depth + 1
            reach.parent[nxt] = node
            queue.append(nxt)
    return reach


def events_walked(rows: Iterable[dict[str, Any]], reach: Reach, direction: ops.Direction,
                  max_hops: int | None, nodes: set[NodeRef], stop: set[NodeRef]) -> list[dict[str, Any]]:
    """Event rows the walk crossed: from a node it expanded (nearer than ``max_hops``, not an
    ending node) to a node of ``nodes``. An event joining two nodes on the outer rim is one
    hop too far (MLMD leaves it out too). Deduplicated, sorted."""
    inputs = set(ops.INPUT_KINDS)
    forward = direction in (ops.Direction.DOWNSTREAM, ops.Direction.BIDIRECTIONAL)
    backward = direction in (ops.Direction.UPSTREAM, ops.Direction.BIDIRECTIONAL)

    def expanded(ref: NodeRef) -> bool:
        depth = reach.distance.get(ref)
        return depth is not None and (max_hops is None or depth < max_hops) and ref not in stop
    crossed = []
    for row in rows:
        a = NodeRef("artifact", row["artifact_id"])
        e = NodeRef("execution", row["execution_id"])
        src, dst = (a, e) if row["type"] in inputs else (e, a)  # the way data flows
        if (forward and expanded(src) and dst in nodes) or (backward and expanded(dst) and src in nodes):
            crossed.append(row)
    return events_among(crossed, nodes)


def events_among(rows: Iterable[dict[str, Any]], nodes: set[NodeRef]) -> list[dict[str, Any]]:
    """Event rows whose artifact and execution are both in ``nodes``, deduplicated, sorted."""
    seen: dict[tuple[int, int, str], dict[str, Any]] = {}
    for row in rows:
        if (NodeRef("artifact", row["artifact_id"]) in nodes
                and NodeRef("execution", row["execution_id"]) in nodes):
            seen.setdefault(_key(row), row)
    return [seen[k] for k in sorted(seen)]
