"""The data model: MLMD's records as pydantic v2 models with plain Python property values."""

from __future__ import annotations

import enum
from typing import Annotated, Any, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    InstanceOf,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from ._validate import from_validation, int64_problem, text_problem

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
    """An artifact's state (MLMD's numbers: ``state IN (2)`` is LIVE in filters too)."""

    UNKNOWN = 0
    PENDING = 1
    LIVE = 2
    MARKED_FOR_DELETION = 3
    DELETED = 4
    ABANDONED = 5
    REFERENCE = 6


class ExecutionState(enum.IntEnum):
    """An execution's ``last_known_state`` (MLMD's numbers)."""

    UNKNOWN = 0
    NEW = 1
    RUNNING = 2
    COMPLETE = 3
    FAILED = 4
    CACHED = 5
    CANCELED = 6


class EventType(enum.IntEnum):
    """An event's kind: how an artifact took part in an execution (MLMD's numbers)."""

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


def _int64(value: Any) -> Any:
    # before pydantic's own checks (a limit's gt=0 would otherwise speak first)
    problem = int64_problem(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if problem:
        raise PydanticCustomError("int64", problem)
    return value


def _text(identifier: bool) -> BeforeValidator:
    # before pydantic's own str check, which words a lone surrogate obscurely
    def check(value: Any) -> Any:
        problem = text_problem(value, identifier=identifier) if isinstance(value, str) else None
        if problem:
            raise PydanticCustomError("text", problem)
        return value
    return BeforeValidator(check)


Int64 = Annotated[int, BeforeValidator(_int64)]
"""An int that fits in 64 bits (docs/limits.md, ``int64``)."""
Name = Annotated[str, _text(identifier=True)]
"""A name, key or identifier: valid Unicode without NUL."""
Text = Annotated[str, _text(identifier=False)]
"""Free text: valid Unicode (NUL allowed)."""


class _Checked(BaseModel):
    """Construction and assignment errors are InvalidArgument (graphstore's tree), naming the
    model and the field, rather than pydantic's ValidationError."""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise from_validation(exc, type(self).__name__) from None

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            raise from_validation(exc, type(self).__name__) from None


class ProtoValue(_Checked):
    """A PROTO property value: MLMD's ``google.protobuf.Any`` (type URL and serialized bytes)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    type_url: Text
    value: bytes = b""


# bool is listed before int on purpose: pydantic's smart union keeps True a bool, and the
# Strict* types stop "1" from becoming 1. A PROTO value must be a ProtoValue: a dict is a
# STRUCT, even one with a "type_url" key (pydantic would otherwise build a ProtoValue from it).
PropertyValue = Union[StrictBool, StrictInt, StrictFloat, StrictStr, InstanceOf[ProtoValue],
                      dict[str, Any], list[Any]]


class _Record(_Checked):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class _TypeBase(_Record):
    id: Int64 | None = None
    name: Name = Field(min_length=1)
    version: Name | None = None
    description: Text | None = None
    external_id: Name | None = None
    base_type: str | None = None
    properties: dict[Name, PropertyType] = Field(default_factory=dict)


class ArtifactType(_TypeBase):
    """An artifact type; ``base_type`` is one of DATASET, MODEL, METRICS, STATISTICS."""


class ExecutionType(_TypeBase):
    """An execution type; ``base_type`` is one of TRAIN, TRANSFORM, PROCESS, EVALUATE, DEPLOY."""


class ContextType(_TypeBase):
    """A context type (pipeline, pipeline run, experiment, ...)."""


class _NodeBase(_Record):
    id: Int64 | None = None
    type_id: Int64 | None = None
    # MLMD treats ``type`` as output only; graphstore also accepts it on input to name the type.
    type: Name | None = None
    name: Name | None = None
    external_id: Name | None = None
    # keys and values are checked when encoded (graphstore.values), where the field is known
    properties: dict[str, PropertyValue] = Field(default_factory=dict)
    custom_properties: dict[str, PropertyValue] = Field(default_factory=dict)
    create_time_since_epoch: Int64 | None = None
    last_update_time_since_epoch: Int64 | None = None


class Artifact(_NodeBase):
    """A piece of data: a dataset, a model, metrics, ..."""

    uri: Name | None = None
    state: ArtifactState = ArtifactState.UNKNOWN


class Execution(_NodeBase):
    """A run of a step."""

    last_known_state: ExecutionState = ExecutionState.UNKNOWN


class Context(_NodeBase):
    """A group of artifacts and executions; its name is unique within its type."""


def _path_step(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return _int64(value)
    if isinstance(value, str):
        problem = text_problem(value, identifier=False)
        if problem:
            raise PydanticCustomError("text", problem)
        return value
    raise PydanticCustomError("path_step", "a path step is an int (index) or a str (key), got "
                              "{value!r}", {"value": value})


PathStep = Annotated[Union[StrictInt, StrictStr], BeforeValidator(_path_step)]


class Event(_Record):
    """An artifact used (input kinds) or produced (output kinds) by an execution.

    ``path`` is MLMD's list of steps: an int is an index step, a str a key step.
    """

    artifact_id: Int64 | None = None
    execution_id: Int64 | None = None
    type: EventType = EventType.UNKNOWN
    path: list[PathStep] = Field(default_factory=list)
    milliseconds_since_epoch: Int64 | None = None


class Attribution(_Record):
    """An artifact belongs to a context."""

    artifact_id: Int64
    context_id: Int64


class Association(_Record):
    """An execution belongs to a context."""

    execution_id: Int64
    context_id: Int64


class ParentContext(_Record):
    """``child_id`` is nested in ``parent_id`` (e.g. a pipeline run in its pipeline)."""

    child_id: Int64
    parent_id: Int64
