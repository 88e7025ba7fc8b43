"""graphstore: an MLMD-shaped lineage and metadata store on Neo4j, with an embedded SQLite default.

    >>> from graphstore import MetadataStore, ArtifactType, Artifact, PropertyType
    >>> store = MetadataStore()                      # embedded, in memory
    >>> t = store.put_artifact_type(ArtifactType(name="DataSet", properties={"day": PropertyType.INT}))
    >>> [a] = store.put_artifacts([Artifact(type_id=t, uri="/data/1", properties={"day": 1})])
"""

from ._retention_api import PruneReport
from .analysis import CacheHit, Comparison, ImpactedNode, ImpactReport
from .errors import (
    AlreadyExists,
    CommitOutcomeUnknown,
    DeadlineExceeded,
    EngineUnavailable,
    FailedPrecondition,
    FilterSyntaxError,
    GraphstoreError,
    InvalidArgument,
    NotFound,
)
from .lineage import (
    LineageDirection,
    LineageGraph,
    LineageNode,
    LineageResult,
    LineageSubgraphQueryOptions,
    NodeRef,
)
from .models import (
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
    ParentContext,
    PropertyType,
    ProtoValue,
)
from .options import ListOptions, OrderByField, Page, RecordList
from .pipeline import Pipeline, Step
from .store import MetadataStore

__version__ = "0.1.0"

__all__ = [
    "AlreadyExists",
    "Artifact",
    "ArtifactState",
    "ArtifactType",
    "Association",
    "Attribution",
    "CacheHit",
    "CommitOutcomeUnknown",
    "Comparison",
    "Context",
    "ContextType",
    "DeadlineExceeded",
    "EngineUnavailable",
    "Event",
    "EventType",
    "Execution",
    "ExecutionState",
    "ExecutionType",
    "FailedPrecondition",
    "FilterSyntaxError",
    "GraphstoreError",
    "ImpactReport",
    "ImpactedNode",
    "InvalidArgument",
    "LineageDirection",
    "LineageGraph",
    "LineageNode",
    "LineageResult",
    "LineageSubgraphQueryOptions",
    "ListOptions",
    "MetadataStore",
    "NodeRef",
    "NotFound",
    "PruneReport",
    "OrderByField",
    "Page",
    "ParentContext",
    "Pipeline",
    "PropertyType",
    "ProtoValue",
    "RecordList",
    "Step",
    "__version__",
]
