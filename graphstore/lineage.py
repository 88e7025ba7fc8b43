"""Lineage: walking events breadth-first over distinct nodes, and the shapes it returns.

The engine hands back the events around the reachable set in one statement
(``ops.LineageEdges``: a pruned var-length match on Neo4j, a recursive CTE on SQLite); the
breadth-first pass here turns them into hop distances and one explaining path per node, the
same way for every engine. There is no hop cap: ``max_hops=None`` is the whole lineage.
"""

from __future__ import annotations

import copy
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field

from . import ops
from ._bfs import expand
from ._gc import paused_gc
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
    "LineageLoader",
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
_HALF = (1).__rrshift__  # _HALF(k) == k >> 1


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

    def __repr__(self) -> str:
        return (f"LineageGraph({len(self.artifacts)} artifacts, {len(self.executions)} executions, "
                f"{len(self.events)} events, {len(self.contexts)} contexts)")

    __str__ = __repr__  # print() too: pydantic's str lists every record

    def _repr_html_(self) -> str:
        from ._notebook import html
        return html(self)


LINEAGE_FIELDS = tuple(LineageGraph.model_fields)


class LineageNode:
    """One node of a deep-lineage answer: how far it is and one path that explains it.

    ``node`` (the full record) and ``path`` (from a start node to this node, both included)
    come from the answer they belong to, which fetches them in batches when first asked."""

    __slots__ = ("_node", "_path", "_reach", "_source", "distance", "ref")

    def __init__(self, ref: NodeRef, distance: int, node: Artifact | Execution | None = None, *,
                 path: list[NodeRef] | None = None, reach: Reach | None = None,
                 source: LineageResult | None = None) -> None:
        if path is None and reach is None and source is None:
            raise TypeError("LineageNode needs a path, or the Reach or answer to build it from")
        self.ref, self.distance, self._node = ref, distance, node
        self._reach, self._path, self._source = reach, path, source

    @property
    def node(self) -> Artifact | Execution:
        """The full record (fetched with its neighbours in the answer on first read)."""
        if self._node is None:
            assert self._source is not None
            self._node = self._source.record(self.ref)
        return self._node

    @property
    def path(self) -> list[NodeRef]:
        """One shortest path from a start node to this one, both included."""
        if self._path is None:
            if self._reach is not None:
                self._path, self._reach = self._reach.path(self.ref), None
            else:
                assert self._source is not None
                self._path = self._source.path(self.ref)
        return self._path

    @property
    def type(self) -> str | None:
        """The node's type name."""
        return self.node.type

    def __repr__(self) -> str:
        return f"LineageNode({self.ref}, distance={self.distance})"


class LineageLoader(Protocol):
    """What a lazy answer asks its store for (``_lineage_api`` provides it)."""

    def records(self, refs: Sequence[NodeRef]) -> dict[NodeRef, Any]: ...

    def parents(self, depth: int) -> dict[int, int]: ...

    def total(self) -> int: ...


class LineageResult:
    """A page of deep lineage, held as columns; records and paths are fetched when asked.

    ``keys`` (``id * 2 + kind bit``), ``distances`` and ``type_ids`` are int64 arrays in
    (distance, kind, id) order; ``ids``, ``kinds`` and ``refs`` read them. ``nodes`` builds
    a ``LineageNode`` per entry and fetches the full records in batches on first use;
    ``iter_nodes`` streams them a batch at a time. ``truncated`` says a ``max_hops`` bound
    cut the walk short; ``next_cursor`` continues with the next page (None on the last);
    ``total`` counts the whole answer (every page), computed in the engine when first read
    if the walk stopped early."""

    def __init__(self, start: list[NodeRef], direction: ops.Direction,
                 keys: array[int] | None = None, distances: array[int] | None = None,
                 type_ids: array[int] | None = None, *, truncated: bool = False,
                 total: int | None = None, next_cursor: str | None = None,
                 loader: LineageLoader | None = None,
                 nodes: list[LineageNode] | None = None) -> None:
        """From the engine's columns and a loader, or (as before) from ready ``nodes``."""
        self.start, self.direction = start, direction
        self._nodes: list[LineageNode] | None = None
        if nodes is not None:
            keys = array("q", (node_key(n.ref) for n in nodes))
            distances = array("q", (n.distance for n in nodes))
            type_ids = array("q", (n.node.type_id or 0 for n in nodes))
            self._nodes = list(nodes)
        self.keys = keys if keys is not None else array("q")
        self.distances = distances if distances is not None else array("q")
        self.type_ids = type_ids if type_ids is not None else array("q")
        self.truncated, self.next_cursor = truncated, next_cursor
        self._total = total if total is not None or loader is not None else len(self.keys)
        self._loader = loader
        self._records: dict[NodeRef, Any] = {}
        self._parents: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return (f"LineageResult({self.direction.name.lower()} of {', '.join(map(str, self.start))}: "
                f"{len(self)} nodes, next_cursor={self.next_cursor!r})")

    def _repr_html_(self) -> str:
        # counts come from the columns; only the nearest few records are fetched
        from ._notebook import html
        return html(self)

    def nearest(self, n: int) -> LineageResult:
        """The first ``n`` entries — the nearest, as the answer is in distance order — sharing
        this answer's store and the records it fetched."""
        if len(self) <= n:
            return self
        return self.model_copy(update={"keys": self.keys[:n], "distances": self.distances[:n],
                                       "type_ids": self.type_ids[:n],
                                       "_nodes": self._nodes[:n] if self._nodes is not None else None})

    @property
    def total(self) -> int:
        """How many nodes the whole answer holds (counted on first read after an early stop)."""
        if self._total is None:
            assert self._loader is not None
            self._total = self._loader.total()
        return self._total

    @property
    def ids(self) -> array[int]:
        """Node ids, in answer order (``kinds`` says which are executions)."""
        return array("q", map(_HALF, self.keys))  # k >> 1 without a Python-level loop

    @property
    def kinds(self) -> list[Kind]:
        """Each node's kind (``"artifact"`` or ``"execution"``), in answer order."""
        return [_KIND_OF[k & 1] for k in self.keys]

    @property
    def refs(self) -> list[NodeRef]:
        """Each node's reference, in answer order (nearest first)."""
        return [node_ref(k) for k in self.keys]

    @property
    def nodes(self) -> list[LineageNode]:
        """The answer's nodes, nearest first; records are fetched in batches when first read."""
        if self._nodes is None:
            refs = self.refs
            with paused_gc():  # 100,000 small objects would trigger full collections (see _gc)
                self._fetch(refs)
                get = self._records.get
                self._nodes = [LineageNode(r, d, get(r), source=self)
                               for r, d in zip(refs, self.distances, strict=True)]
        return self._nodes

    def iter_nodes(self, batch: int = 1000) -> Iterator[LineageNode]:
        """The nodes with their records, fetched ``batch`` at a time (a big answer's records
        never sit in memory all at once)."""
        for i in range(0, len(self.keys), batch):
            chunk = self.keys[i:i + batch]
            records = self._need().records([node_ref(k) for k in chunk])
            for k, d in zip(chunk, self.distances[i:i + batch], strict=True):
                ref = node_ref(k)
                yield LineageNode(ref, d, records[ref], source=self)

    def model_copy(self, *, update: dict[str, Any] | None = None) -> LineageResult:
        """A shallow copy with some attributes replaced (as pydantic's, which it used to be)."""
        out = copy.copy(self)
        for name, value in (update or {}).items():
            setattr(out, name, value)
        return out

    def _need(self) -> LineageLoader:
        if self._loader is None:
            raise TypeError("this LineageResult was built from ready nodes; it has no store to ask")
        return self._loader

    def _fetch(self, refs: Sequence[NodeRef]) -> None:
        missing = [r for r in refs if r not in self._records]
        if missing:
            self._records.update(self._need().records(missing))

    def record(self, ref: NodeRef) -> Any:
        """The full record of one node of the answer."""
        self._fetch([ref])
        return self._records[ref]

    def path(self, ref: NodeRef) -> list[NodeRef]:
        """One shortest path from a start node to ``ref`` (both included)."""
        if self._parents is None:
            self._parents = self._need().parents(max(self.distances, default=0))
        key = node_key(ref)
        out = [key]
        step = self._parents.get(key, -1)
        while step != -1:
            out.append(step)
            step = self._parents.get(step, -1)
        return [node_ref(k) for k in reversed(out)]

    def to_pandas(self) -> Any:
        """The columns as a pandas DataFrame (needs pandas: the ``notebook`` extra): id, kind,
        type_id, distance. Records are not fetched (``iter_nodes`` streams them)."""
        from ._notebook import pandas

        return pandas().DataFrame({"id": self.ids, "kind": self.kinds, "type_id": self.type_ids,
                             "distance": self.distances})

    def to_arrow(self) -> Any:
        """The columns as a pyarrow Table (needs pyarrow)."""
        import pyarrow as pa  # type: ignore[import-not-found]

        return pa.table({"id": pa.array(self.ids, pa.int64()), "kind": pa.array(self.kinds),
                         "type_id": pa.array(self.type_ids, pa.int64()),
                         "distance": pa.array(self.distances, pa.int64())})


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
        frontier = expand(frontier, adj, distance, parent, depth, halt)
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
