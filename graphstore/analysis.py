"""Answers built on lineage: impact of bad data, cache hits, and comparing two runs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .lineage import NodeRef
from .models import Artifact, Context, Execution

__all__ = [
    "QUARANTINE_REASON",
    "QUARANTINE_ROOT",
    "CacheHit",
    "Comparison",
    "ImpactReport",
    "ImpactedNode",
    "LineageDifference",
    "PropertyDifference",
]

# The quarantine marker: custom properties, so they show in Neo4j Browser and work in filter
# queries (custom_properties.graphstore_quarantine_reason.string_value IS NOT NULL).
QUARANTINE_REASON = "graphstore_quarantine_reason"
QUARANTINE_ROOT = "graphstore_quarantine_root"


class ImpactedNode(BaseModel):
    """A node downstream of bad data: its distance from the nearest root and every root
    (bad artifact id) it descends from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    ref: NodeRef
    type: str | None
    distance: int
    roots: list[int]
    node: Artifact | Execution

    def __repr__(self) -> str:
        return f"ImpactedNode({self.ref}, type={self.type!r}, distance={self.distance}, roots={self.roots})"


class ImpactReport(BaseModel):
    """Everything downstream of the roots. ``contexts`` are the contexts (pipeline runs, …)
    the impacted nodes belong to; ``marked`` counts nodes the call quarantined."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    roots: list[int]
    artifacts: list[ImpactedNode] = Field(default_factory=list)
    executions: list[ImpactedNode] = Field(default_factory=list)
    contexts: list[Context] = Field(default_factory=list)
    marked: int = 0

    def __repr__(self) -> str:
        return (f"ImpactReport(roots={self.roots}, {len(self.artifacts)} artifacts, "
                f"{len(self.executions)} executions, {len(self.contexts)} contexts, marked={self.marked})")

    __str__ = __repr__  # print() too: pydantic's str lists every field of every node

    def _repr_html_(self) -> str:
        from ._notebook import html
        return html(self)

    def to_pandas(self) -> Any:
        """One row per impacted node (needs pandas: the ``notebook`` extra): kind, id, type,
        name, distance, roots, quarantined — nearest first."""
        from ._notebook import impact_frame
        return impact_frame(self)

    def by_type(self) -> dict[str, list[ImpactedNode]]:
        """Impacted artifacts and executions grouped by type name."""
        out: dict[str, list[ImpactedNode]] = {}
        for n in self.executions + self.artifacts:
            out.setdefault(n.type or "?", []).append(n)
        return out

    def by_distance(self) -> dict[int, list[ImpactedNode]]:
        """Impacted artifacts and executions grouped by hops from the nearest root."""
        out: dict[int, list[ImpactedNode]] = {}
        for n in sorted(self.executions + self.artifacts, key=lambda n: (n.distance, n.ref)):
            out.setdefault(n.distance, []).append(n)
        return out


class CacheHit(BaseModel):
    """An earlier COMPLETE execution on the same inputs, with its (still LIVE) outputs."""

    execution: Execution
    outputs: list[Artifact]

    def __repr__(self) -> str:
        return f"CacheHit(execution={self.execution.id}, outputs={[a.id for a in self.outputs]})"

    __str__ = __repr__  # print() too: pydantic's str lists every field of every node

    def _repr_html_(self) -> str:
        from ._notebook import html
        return html(self)


class PropertyDifference(BaseModel):
    """One field or property whose value differs (None where it is missing)."""

    field: str  # "uri", "properties.lr", "custom_properties.note", ...
    left: Any
    right: Any


class LineageDifference(BaseModel):
    """Upstream artifacts of one type at one depth that are not shared by both sides."""

    depth: int
    type: str | None
    only_left: list[int]
    only_right: list[int]


class Comparison(BaseModel):
    """How two artifacts or two executions of the same type differ."""

    left: int
    right: int
    kind: str
    properties: list[PropertyDifference]
    lineage: list[LineageDifference]
    shared_upstream: list[int]  # artifact ids both were built from

    def __repr__(self) -> str:
        return (f"Comparison({self.kind} {self.left} vs {self.right}: {len(self.properties)} property "
                f"differences, {len(self.lineage)} lineage differences, {len(self.shared_upstream)} "
                "shared upstream)")

    __str__ = __repr__  # print() too: pydantic's str lists every field of every node

    def _repr_html_(self) -> str:
        from ._notebook import html
        return html(self)

    def to_pandas(self) -> Any:
        """The differing fields (needs pandas: the ``notebook`` extra): field, left, right."""
        from ._notebook import pandas
        return pandas().DataFrame([p.model_dump() for p in self.properties], columns=["field", "left", "right"])
