"""The three node kinds, described as data so that compilers and the API never branch on them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .models import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Context,
    ContextType,
    Execution,
    ExecutionState,
    ExecutionType,
)

__all__ = ["CONTEXT_LINK", "KIND_SPECS", "NodeKind", "KindSpec", "Relation", "spec_of"]


class NodeKind(enum.Enum):
    ARTIFACT = "artifact"
    EXECUTION = "execution"
    CONTEXT = "context"


@dataclass(frozen=True)
class KindSpec:
    """Everything that differs between artifacts, executions and contexts."""

    kind: NodeKind
    label: str  # Neo4j node label, also the SQL table name in lower case
    type_label: str  # Neo4j label of its type nodes
    model: type[Artifact] | type[Execution] | type[Context]
    type_model: type[ArtifactType] | type[ExecutionType] | type[ContextType]
    state_field: str | None  # "state" / "last_known_state" / None
    state_enum: type[ArtifactState] | type[ExecutionState] | None
    extra_fields: tuple[str, ...]  # columns beyond the common ones, in order
    base_types: frozenset[str]

    @property
    def table(self) -> str:
        return self.label.lower()

    @property
    def noun(self) -> str:
        return self.kind.value


KIND_SPECS: dict[NodeKind, KindSpec] = {
    NodeKind.ARTIFACT: KindSpec(
        NodeKind.ARTIFACT, "Artifact", "ArtifactType", Artifact, ArtifactType,
        "state", ArtifactState, ("uri", "state"),
        frozenset({"DATASET", "MODEL", "METRICS", "STATISTICS"}),
    ),
    NodeKind.EXECUTION: KindSpec(
        NodeKind.EXECUTION, "Execution", "ExecutionType", Execution, ExecutionType,
        "last_known_state", ExecutionState, ("last_known_state",),
        frozenset({"TRAIN", "TRANSFORM", "PROCESS", "EVALUATE", "DEPLOY"}),
    ),
    NodeKind.CONTEXT: KindSpec(
        NodeKind.CONTEXT, "Context", "ContextType", Context, ContextType,
        None, None, (), frozenset(),
    ),
}


def spec_of(kind: NodeKind) -> KindSpec:
    return KIND_SPECS[kind]


@dataclass(frozen=True)
class RelationSpec:
    """A many-to-many link to a context: attribution, association or parent context."""

    name: str
    rel_type: str  # Neo4j relationship type, from ``source`` to ``target``
    table: str  # SQL table
    source: NodeKind
    source_column: str
    target_column: str


class Relation(enum.Enum):
    ATTRIBUTION = RelationSpec("attribution", "ATTRIBUTED_TO", "attribution",
                               NodeKind.ARTIFACT, "artifact_id", "context_id")
    ASSOCIATION = RelationSpec("association", "ASSOCIATED_WITH", "association",
                               NodeKind.EXECUTION, "execution_id", "context_id")
    PARENT = RelationSpec("parent context", "CHILD_OF", "parent_context",
                          NodeKind.CONTEXT, "context_id", "parent_context_id")


# How artifacts and executions belong to contexts: attribution and association.
CONTEXT_LINK: dict[NodeKind, Relation] = {NodeKind.ARTIFACT: Relation.ATTRIBUTION,
                                          NodeKind.EXECUTION: Relation.ASSOCIATION}
