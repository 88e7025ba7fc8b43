"""Engine-neutral operations: plain frozen data that a compiler turns into statements.

The API layer (store.py) validates input and composes these inside one transaction; the
Cypher and SQL compilers (compile/) know how each one is written for their engine. Results
come back as plain dicts shaped like the pydantic models' fields.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .kinds import NodeKind, Relation
from .models import EventType, PropertyType
from .values import Prop

__all__ = [
    "AllocateIds",
    "Ancestors",
    "Direction",
    "GetLinks",
    "LineageEdges",
    "LineageWalk",
    "MarkNodes",
    "Report",
    "DeleteNodes",
    "EventRow",
    "ExistingIds",
    "GetEvents",
    "GetTypes",
    "GetTypesMany",
    "InsertEvents",
    "InsertNodes",
    "InsertType",
    "Link",
    "LinkFilter",
    "NodeQuery",
    "NodeRow",
    "Op",
    "SetInputFingerprints",
    "OrderBy",
    "ReadBatch",
    "PropertyIndexes",
    "IndexStates",
    "DropIndexes",
    "TypeRow",
    "UpdateNodes",
    "UpdateType",
    "WriteBatch",
    "SEQUENCES",
]


# -- types -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TypeRow:
    """A type as stored; ``version`` is "" when the type has none (keeps uniqueness simple)."""

    id: int
    name: str
    version: str
    description: str | None
    external_id: str | None
    base_type: str | None
    properties: tuple[tuple[str, PropertyType], ...]
    namespace: str = ""  # "" is the default namespace (graphstore._namespace)


@dataclass(frozen=True)
class GetTypes:
    """Types of one kind; each non-None selector narrows the result (all of them AND-ed)."""

    kind: NodeKind
    ids: tuple[int, ...] | None = None
    keys: tuple[tuple[str, str], ...] | None = None  # (name, version)
    names: tuple[str, ...] | None = None  # any version
    external_ids: tuple[str, ...] | None = None
    namespace: str | None = None  # None: every namespace's types


@dataclass(frozen=True)
class GetTypesMany:
    """Several GetTypes in one statement (one round trip); returns one list per query, in order.

    A write that touches artifacts, executions and contexts needs the types of all three kinds
    before it can validate anything; asking once instead of per kind saves round trips.
    """

    queries: tuple[GetTypes, ...]


@dataclass(frozen=True)
class InsertType:
    kind: NodeKind
    row: TypeRow


@dataclass(frozen=True)
class UpdateType:
    """Replace a type's description, external id, base type and property declarations."""

    kind: NodeKind
    row: TypeRow


# -- nodes -------------------------------------------------------------------------------

SEQUENCES = ("Artifact", "Context", "Event", "Execution", "Type")
"""The id sequences, one per kind (types share one); created when a store opens."""


@dataclass(frozen=True)
class AllocateIds:
    """Reserve a block of consecutive ids from each named sequence, all in one statement;
    returns ``{sequence: first id of its block}`` (a count of 0 reads the next id).

    Sequences live in the database and are advanced inside the caller's transaction, so ids
    increase in commit order, are never reused, and concurrent writers never share one. The
    compilers lock the sequences in name order, so two writers cannot deadlock on them.
    """

    counts: tuple[tuple[str, int], ...]  # (sequence name, count)


@dataclass(frozen=True)
class NodeRow:
    """A node as stored. ``fields`` holds name, external_id and the kind's extra fields."""

    id: int
    type_id: int
    type_name: str
    fields: tuple[tuple[str, Any], ...]
    create_time: int
    update_time: int
    props: tuple[Prop, ...]


@dataclass(frozen=True)
class InsertNodes:
    """Create nodes; each new node is also linked to every context in ``contexts``
    (attribution for artifacts, association for executions; the caller has checked that the
    contexts exist). A new node has no links yet, so these need no "already linked" test."""

    kind: NodeKind
    rows: tuple[NodeRow, ...]
    contexts: tuple[int, ...] = ()
    # the stored name of the nodes' namespace ('' is the default one): node external ids
    # are unique per namespace. Set by graphstore._namespace; an update never changes it.
    namespace: str = ""


@dataclass(frozen=True)
class UpdateNodes:
    """Replace each node's fields and properties (its id, type and create time stay)."""

    kind: NodeKind
    rows: tuple[NodeRow, ...]


@dataclass(frozen=True)
class DeleteNodes:
    """Delete nodes with their properties, events and context links; returns the count."""

    kind: NodeKind
    ids: tuple[int, ...]


@dataclass(frozen=True)
class ExistingIds:
    """Which of ``ids`` exist as nodes of ``kind``; returns a set."""

    kind: NodeKind
    ids: tuple[int, ...]
    scope: tuple[int, ...] | None = None  # see NodeQuery.scope


@dataclass(frozen=True)
class LinkFilter:
    """Nodes linked through ``relation`` to the node ``other_id``.

    ``as_source`` says which end the selected nodes are: attributions run artifact → context,
    associations execution → context, parent links child → parent.
    """

    relation: Relation
    other_id: int
    as_source: bool


class OrderBy(enum.Enum):
    ID = "id"
    CREATE_TIME = "create_time_since_epoch"
    UPDATE_TIME = "last_update_time_since_epoch"


@dataclass(frozen=True)
class NodeQuery:
    """Nodes of one kind; every non-None selector narrows the result (AND)."""

    kind: NodeKind
    ids: tuple[int, ...] | None = None
    type_ids: tuple[int, ...] | None = None
    names: tuple[str, ...] | None = None
    uris: tuple[str, ...] | None = None
    external_ids: tuple[str, ...] | None = None
    input_fingerprints: tuple[str, ...] | None = None  # executions only
    linked: LinkFilter | None = None
    filter: Any = None  # a parsed filter expression (graphstore.filters), compiled per engine
    order_by: OrderBy = OrderBy.ID
    descending: bool = False
    limit: int | None = None
    # keyset paging: start strictly after this (order value, id) pair
    after: tuple[Any, int] | None = field(default=None)
    # a namespace's type ids of this kind: a check on each row, never what drives the plan
    # (the other selectors and the order pick the index, as in a store of one namespace)
    scope: tuple[int, ...] | None = None


# -- relations ---------------------------------------------------------------------------

@dataclass(frozen=True)
class EventRow:
    id: int
    artifact_id: int
    execution_id: int
    type: str  # EventType name
    path: str  # JSON list of steps
    time: int


@dataclass(frozen=True)
class InsertEvents:
    rows: tuple[EventRow, ...]


@dataclass(frozen=True)
class GetEvents:
    """Events touching any of the given artifacts or executions, in insertion order."""

    artifact_ids: tuple[int, ...] | None = None
    execution_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Link:
    """Create attribution / association / parent links; existing ones are left as they are."""

    relation: Relation
    pairs: tuple[tuple[int, int], ...]  # (source id, target id)


@dataclass(frozen=True)
class SetInputFingerprints:
    """Store each execution's input fingerprint (see graphstore.cache); indexed per type."""

    pairs: tuple[tuple[int, str], ...]  # (execution id, fingerprint)


@dataclass(frozen=True)
class PropertyIndexes:
    """Schema: make declared properties of ``kind`` index-searchable (idempotent). Runs
    outside data transactions (Neo4j cannot mix schema and data changes)."""

    kind: NodeKind
    names: tuple[str, ...]


@dataclass(frozen=True)
class IndexStates:
    """Schema: the state of the indexes ``PropertyIndexes(kind, names)`` made, one row each
    (``name``, ``state``, ``key``, ``failure``); none on an engine whose indexes are complete
    when created (SQLite). Neo4j builds an index in the background: ``POPULATING`` until it is
    ``ONLINE``, or ``FAILED``."""

    kind: NodeKind
    names: tuple[str, ...]


@dataclass(frozen=True)
class DropIndexes:
    """Schema: drop the named indexes (the names ``IndexStates`` gave), if they exist."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Ancestors:
    """Ids of every context reachable upwards through parent links from ``ids`` (inclusive)."""

    ids: tuple[int, ...]


class Direction(enum.Enum):
    """Which way lineage goes: against the data flow, with it, or both (MLMD's numbers)."""

    UPSTREAM = 1
    DOWNSTREAM = 2
    BIDIRECTIONAL = 3


INPUT_KINDS = tuple(t.name for t in EventType if t.is_input)
OUTPUT_KINDS = tuple(t.name for t in EventType if t is not EventType.UNKNOWN and not t.is_input)
EVENT_KINDS = INPUT_KINDS + OUTPUT_KINDS
# For each direction: the event kinds that lead on from an artifact (to an execution) and
# from an execution (to an artifact). Upstream from an artifact means "who output it".
STEPS: dict[Direction, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Direction.UPSTREAM: (OUTPUT_KINDS, INPUT_KINDS),
    Direction.DOWNSTREAM: (INPUT_KINDS, OUTPUT_KINDS),
    Direction.BIDIRECTIONAL: (EVENT_KINDS, EVENT_KINDS),
}


@dataclass(frozen=True)
class LineageEdges:
    """Events leading on from everything reachable from the start nodes, in the walk's
    direction, each once.

    Returns event rows ``[artifact_id, execution_id, kind]`` — plus ``path`` (JSON text) and
    ``milliseconds_since_epoch`` when ``details`` — covering the reachable set: the engine
    walks distinct nodes (never paths), and the caller's breadth-first pass over these rows
    computes distances. ``max_hops`` bounds the walk (None = unbounded); rows one hop past the
    bound are included, which tells the caller the bound cut the answer short.
    """

    artifact_ids: tuple[int, ...]
    execution_ids: tuple[int, ...]
    direction: Direction
    max_hops: int | None
    details: bool = True


KIND_BITS = {"artifact": 0, "execution": 1}
"""A walked node is one int, ``id * 2 + kind bit``: artifacts sort before executions."""


@dataclass(frozen=True)
class Report:
    """Which reached nodes an answer reports: all the set conditions hold (AND).

    ``type_ids`` are type ids (unique across kinds); ``states`` are state names (an artifact's
    ``state``, an execution's ``last_known_state``); ``created_after`` is ms since epoch
    (strictly later); ``filters`` holds one parsed filter per kind (a node of a kind without
    one passes)."""

    kinds: tuple[str, ...] = ("artifact", "execution")
    type_ids: tuple[int, ...] | None = None
    states: tuple[str, ...] | None = None
    created_after: int | None = None
    filters: tuple[tuple[NodeKind, Any], ...] = ()

    @property
    def by_kind(self) -> bool:
        """Whether any condition needs the node's row (not just its kind)."""
        return bool(self.type_ids is not None or self.states is not None
                    or self.created_after is not None or self.filters)


@dataclass(frozen=True)
class LineageWalk:
    """The engine's breadth-first walk over events from the start nodes: every reached node
    once, at its minimal hop distance.

    Returns a dict of columns — ``keys`` (``id * 2 + kind bit``), ``distances``, ``type_ids``,
    and ``parents`` (the key of a node one hop nearer, -1 for a start) when asked — for the
    reported nodes (``report``; start nodes only with ``include_start``) in (distance, kind,
    id) order, strictly after ``after`` (distance, kind bit, id) and cut at ``limit``; plus
    ``truncated`` (``max_hops`` cut the walk short) and ``exhausted`` (the walk reached
    everything, so the answer is whole). With ``limit`` the walk stops at the first depth by
    which ``limit`` reported nodes are known: nearest-N costs what the near part costs.
    ``count_by`` ("type", "distance", "kind") returns ``counts``: [[group, count], ...] of
    the reported nodes instead of columns. ``edges`` adds the event rows (artifact id,
    execution id, kind, path, ms) leading on in the walk's direction from reached nodes to
    reached nodes. ``target`` (a key) stops the walk as soon as it is reached. ``keys_only``
    says the caller needs only the set of keys (an engine may then skip the other columns
    and the order: SQLite returns keys in key order, no distances or type ids).
    """

    artifact_ids: tuple[int, ...]
    execution_ids: tuple[int, ...]
    direction: Direction
    max_hops: int | None = None
    report: Report = field(default_factory=Report)
    include_start: bool = False
    after: tuple[int, int, int] | None = None
    limit: int | None = None
    parents: bool = False
    count_by: str | None = None
    edges: bool = False
    target: int | None = None
    keys_only: bool = False


@dataclass(frozen=True)
class MarkNodes:
    """Quarantine: set the marker custom properties on nodes of one kind that have none yet,
    as one set-based write; ``roots`` pairs each node id with its root artifact id. Returns
    how many nodes were marked."""

    kind: NodeKind
    reason_key: str
    root_key: str
    reason: str
    roots: tuple[tuple[int, int], ...]  # (node id, root artifact id)


@dataclass(frozen=True)
class GetLinks:
    """(source id, context id) pairs of a relation for the given sources."""

    relation: Relation
    source_ids: tuple[int, ...]


@dataclass(frozen=True)
class WriteBatch:
    """Write operations without results, run in order as one unit: one statement on Neo4j
    (each step a subquery; a round trip costs more than the statement there), the steps'
    statements one after the other on SQLite."""

    steps: tuple[Any, ...]  # operations whose result is None


@dataclass(frozen=True)
class ReadBatch:
    """Independent operations whose results the caller needs, run in order as one unit:
    one statement on Neo4j (each step a subquery whose rows come back as one list), the
    steps' statements one after the other on SQLite. Returns the steps' results, in order.
    A step may write (id allocation) but must not depend on an earlier step's result."""

    steps: tuple[Any, ...]


Op = (
    GetTypes | GetTypesMany | WriteBatch | ReadBatch | InsertType | UpdateType | AllocateIds | InsertNodes
    | UpdateNodes | DeleteNodes
    | ExistingIds | NodeQuery | InsertEvents | GetEvents | Link | Ancestors | LineageEdges
    | LineageWalk | MarkNodes | GetLinks
    | SetInputFingerprints | PropertyIndexes | IndexStates | DropIndexes
)
