"""The data model: MLMD's records as pydantic v2 models with plain Python property values."""

from __future__ import annotations

import enum
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

__all__ = [
    "Artifact",
    "ArtifactState",
    "ArtifactType",
    "Association",
    "Attribution",
    "Context",
    "ContextType",
    "Event",
    "EventType",
    "Execution",
    "ExecutionState",
    "ExecutionType",
    "ParentContext",
    "PropertyType",
    "PropertyValue",
    "ProtoValue",
]


class PropertyType(enum.IntEnum):
    """Declared type of a property (MLMD's PropertyType, same numbers)."""

    UNKNOWN = 0
    INT = 1
    DOUBLE = 2
    STRING = 3
    STRUCT = 4
    PROTO = 5
    BOOLEAN = 6


class ArtifactState(enum.IntEnum):
    UNKNOWN = 0
    PENDING = 1
    LIVE = 2
    MARKED_FOR_DELETION = 3
    DELETED = 4
    ABANDONED = 5
    REFERENCE = 6


class ExecutionState(enum.IntEnum):
    UNKNOWN = 0
    NEW = 1
    RUNNING = 2
    COMPLETE = 3
    FAILED = 4
    CACHED = 5
    CANCELED = 6


class EventType(enum.IntEnum):
    UNKNOWN = 0
    DECLARED_OUTPUT = 1
    DECLARED_INPUT = 2
    INPUT = 3
    OUTPUT = 4
    INTERNAL_INPUT = 5
    INTERNAL_OUTPUT = 6
    PENDING_OUTPUT = 7

    @property
    def is_input(self) -> bool:
        """Input kinds flow artifact → execution; the others execution → artifact."""
        return self in _INPUT_EVENTS


_INPUT_EVENTS = frozenset({EventType.DECLARED_INPUT, EventType.INPUT, EventType.INTERNAL_INPUT})


class ProtoValue(BaseModel):
    """A PROTO property value: MLMD's ``google.protobuf.Any`` (type URL and serialized bytes)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    type_url: str
    value: bytes = b""


# bool is listed before int on purpose: pydantic's smart union keeps True a bool, and the
# Strict* types stop "1" from becoming 1.
PropertyValue = Union[StrictBool, StrictInt, StrictFloat, StrictStr, ProtoValue, dict[str, Any], list[Any]]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class _TypeBase(_Record):
    id: int | None = None
    name: str = Field(min_length=1)
    version: str | None = None
    description: str | None = None
    external_id: str | None = None
    base_type: str | None = None
    properties: dict[str, PropertyType] = Field(default_factory=dict)


class ArtifactType(_TypeBase):
    """An artifact type; ``base_type`` is one of DATASET, MODEL, METRICS, STATISTICS."""


class ExecutionType(_TypeBase):
    """An execution type; ``base_type`` is one of TRAIN, TRANSFORM, PROCESS, EVALUATE, DEPLOY."""


class ContextType(_TypeBase):
    """A context type (pipeline, pipeline run, experiment, ...)."""


class _NodeBase(_Record):
    id: int | None = None
    type_id: int | None = None
    # MLMD treats ``type`` as output only; graphstore also accepts it on input to name the type.
    type: str | None = None
    name: str | None = None
    external_id: str | None = None
    properties: dict[str, PropertyValue] = Field(default_factory=dict)
    custom_properties: dict[str, PropertyValue] = Field(default_factory=dict)
    create_time_since_epoch: int | None = None
    last_update_time_since_epoch: int | None = None


class Artifact(_NodeBase):
    """A piece of data: a dataset, a model, metrics, ..."""

    uri: str | None = None
    state: ArtifactState = ArtifactState.UNKNOWN


class Execution(_NodeBase):
    """A run of a step."""

    last_known_state: ExecutionState = ExecutionState.UNKNOWN


class Context(_NodeBase):
    """A group of artifacts and executions; its name is unique within its type."""


PathStep = Union[StrictInt, StrictStr]


class Event(_Record):
    """An artifact used (input kinds) or produced (output kinds) by an execution.

    ``path`` is MLMD's list of steps: an int is an index step, a str a key step.
    """

    artifact_id: int | None = None
    execution_id: int | None = None
    type: EventType = EventType.UNKNOWN
    path: list[PathStep] = Field(default_factory=list)
    milliseconds_since_epoch: int | None = None


class Attribution(_Record):
    """An artifact belongs to a context."""

    artifact_id: int
    context_id: int


class Association(_Record):
    """An execution belongs to a context."""

    execution_id: int
    context_id: int


class ParentContext(_Record):
    """``child_id`` is nested in ``parent_id`` (e.g. a pipeline run in its pipeline)."""

    child_id: int
    parent_id: int
