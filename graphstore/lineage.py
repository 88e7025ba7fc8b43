"""Lineage: walking events breadth-first over distinct nodes, and the shapes it returns.

The engine hands back the events around the reachable set in one statement
(``ops.LineageEdges``: a pruned var-length match on Neo4j, a recursive CTE on SQLite); the
breadth-first pass here turns them into hop distances and one explaining path per node, the
same way for every engine. There is no hop cap: ``max_hops=None`` is the whole lineage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Literal, NamedTuple

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
    Int64,
    _Checked,
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
    "node_key",
    "node_ref",
    "walk",
]

LineageDirection = ops.Direction
Kind = Literal["artifact", "execution"]


class NodeRef(NamedTuple):
    """An artifact or execution, by kind and id (artifacts sort before executions)."""

    kind: Kind
    id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


# Inside a walk a node is one int (id * 2, plus 1 for executions): hashing and comparing
# ints is several times cheaper than tuples, and a walk touches every event row twice.
_KIND_BIT: dict[str, int] = {"artifact": 0, "execution": 1}
_KIND_OF: tuple[Kind, Kind] = ("artifact", "execution")


def node_key(ref: NodeRef) -> int:
    """The walk's int for a node."""
    return ref.id * 2 + _KIND_BIT[ref.kind]


def node_ref(key: int) -> NodeRef:
    """The node behind a walk's int."""
    return NodeRef(_KIND_OF[key & 1], key >> 1)


class LineageSubgraphQueryOptions(_Checked):
    """MLMD's LineageSubgraphQueryOptions, flattened.

    Exactly one of ``starting_artifacts`` / ``starting_executions`` (filter queries) picks
    the start. ``max_num_hops`` counts event edges (artifact → execution → artifact is 2);
    None walks the whole lineage. Traversal stops at ending nodes, which are returned only
    with ``include_ending_nodes``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    starting_artifacts: str | None = None
    starting_executions: str | None = None
    max_num_hops: Int64 | None = Field(default=None, ge=0)
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


class LineageNode:
    """One node of a deep-lineage answer: how far it is and one path that explains it.

    ``path`` (from a start node to this node, both included) is built when first read, so
    an answer of 100,000 nodes does not build 100,000 paths nobody looks at."""

    __slots__ = ("_path", "_reach", "distance", "node", "ref")

    def __init__(self, ref: NodeRef, distance: int, node: Artifact | Execution, *,
                 path: list[NodeRef] | None = None, reach: Reach | None = None) -> None:
        if path is None and reach is None:
            raise TypeError("LineageNode needs a path or the Reach to build it from")
        self.ref, self.distance, self.node = ref, distance, node
        self._reach, self._path = reach, path

    @property
    def path(self) -> list[NodeRef]:
        if self._path is None:
            assert self._reach is not None
            self._path, self._reach = self._reach.path(self.ref), None
        return self._path

    @property
    def type(self) -> str | None:
        return self.node.type

    def __repr__(self) -> str:
        return f"LineageNode({self.ref}, distance={self.distance}, type={self.type!r})"


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


# An event row as LineageEdges returns it: artifact_id, execution_id, event kind name,
# path (JSON text or None), milliseconds_since_epoch.
Edge = Sequence[Any]
_ORDER = itemgetter(0, 1, 2)


@dataclass
class Reach:
    """What a breadth-first walk found: distance and predecessor of every node (as walk
    ints, see ``node_key``), in BFS order."""

    distance: dict[int, int] = field(default_factory=dict)
    parent: dict[int, int] = field(default_factory=dict)  # -1 for a start node
    truncated: bool = False

    def refs(self) -> dict[NodeRef, int]:
        """Every node reached, with its distance."""
        return {node_ref(k): d for k, d in self.distance.items()}

    def ranked(self, skip: NodeRef, kinds: set[str]) -> list[tuple[int, Kind, int]]:
        """(distance, kind, id) of every node reached but ``skip``, of the given kinds, nearest
        first — without building a NodeRef per node (a deep-lineage page needs few)."""
        wanted = {_KIND_BIT[k] for k in kinds}
        skipped = node_key(skip)
        return sorted((d, _KIND_OF[k & 1], k >> 1) for k, d in self.distance.items()
                      if k != skipped and k & 1 in wanted)

    def path(self, ref: NodeRef) -> list[NodeRef]:
        key = node_key(ref)
        out = [key]
        step = self.parent[key]
        while step != -1:
            out.append(step)
            step = self.parent[step]
        return [node_ref(k) for k in reversed(out)]


def _flows(direction: ops.Direction) -> tuple[bool, bool]:
    return (direction in (ops.Direction.DOWNSTREAM, ops.Direction.BIDIRECTIONAL),
            direction in (ops.Direction.UPSTREAM, ops.Direction.BIDIRECTIONAL))


def adjacency(rows: Iterable[Edge], direction: ops.Direction) -> dict[int, list[int]]:
    """Neighbours in walking order; rows are sorted first so every engine walks alike."""
    inputs = frozenset(ops.INPUT_KINDS)
    forward, backward = _flows(direction)
    adj: defaultdict[int, list[int]] = defaultdict(list)
    for a, e, kind, *_ in sorted(rows, key=_ORDER):
        if kind in inputs:  # the way data flows: artifact -> execution
            src, dst = a * 2, e * 2 + 1
        else:
            src, dst = e * 2 + 1, a * 2
        if forward:
            adj[src].append(dst)
        if backward:
            adj[dst].append(src)
    return dict(adj)


def walk(starts: Sequence[NodeRef], rows: Iterable[Edge], direction: ops.Direction,
         max_hops: int | None, stop: frozenset[NodeRef] = frozenset()) -> Reach:
    """Breadth-first from ``starts``; nodes in ``stop`` are reached but not walked through."""
    return bfs(starts, adjacency(rows, direction), max_hops, stop)


def bfs(starts: Sequence[NodeRef], adj: dict[int, list[int]], max_hops: int | None,
        stop: frozenset[NodeRef] = frozenset()) -> Reach:
    """The walk itself, over an adjacency built once (impact analysis walks once per root)."""
    reach = Reach()
    distance, parent = reach.distance, reach.parent
    start_keys = [node_key(s) for s in sorted(set(starts))]
    for k in start_keys:
        distance[k] = 0
        parent[k] = -1
    halt = {node_key(s) for s in stop} - set(start_keys)
    frontier = start_keys
    depth = 0
    while frontier:
        if max_hops is not None and depth >= max_hops:
            reach.truncated = any(n not in distance for k in frontier if k not in halt
                                  for n in adj.get(k, ()))
            break
        depth += 1
        following = []
        for node in frontier:
            if node in halt:
                continue
            for nxt in adj.get(node, ()):
                if nxt not in distance:
                    distance[nxt] = depth
                    parent[nxt] = node
                    following.append(nxt)
        frontier = following
    return reach


def events_walked(rows: Iterable[Edge], reach: Reach, direction: ops.Direction,
                  max_hops: int | None, nodes: set[int], stop: set[int]) -> list[Edge]:
    """Event rows the walk crossed: from a node it expanded (nearer than ``max_hops``, not an
    ending node) to a node of ``nodes``. An event joining two nodes on the outer rim is one
    hop too far (MLMD leaves it out too). Nodes are walk ints (``node_key``). Deduplicated,
    sorted."""
    if max_hops is None and not stop:
        # Unbounded and nothing stops the walk: every row leads on from a reached node to a
        # node the walk reached too, so the walk crossed them all.
        return _dedup(rows)
    inputs = frozenset(ops.INPUT_KINDS)
    forward, backward = _flows(direction)
    limit = max_hops if max_hops is not None else -1
    expanded = {k for k, d in reach.distance.items() if (limit < 0 or d < limit) and k not in stop}
    crossed = []
    for row in rows:
        a, e = row[0] * 2, row[1] * 2 + 1
        src, dst = (a, e) if row[2] in inputs else (e, a)  # the way data flows
        if (forward and src in expanded and dst in nodes) or (backward and dst in expanded and src in nodes):
            crossed.append(row)
    return _dedup(crossed)


def _dedup(rows: Iterable[Edge]) -> list[Edge]:
    seen: dict[tuple[int, int, str], Edge] = {}
    for row in rows:
        seen.setdefault((row[0], row[1], row[2]), row)
    return [seen[k] for k in sorted(seen)]
