"""What a filter may name: attributes per node kind, aliases per node kind, enum members.

A superset of MLMD's resolver: neighbours also expose ``type_id``, ``external_id`` and their
properties, and parent/child contexts expose every context attribute, not only id/name/type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..models import ArtifactState, EventType, ExecutionState
from .ast import AliasKind, NodeKind, ValueType

__all__ = [
    "ALIAS_KINDS",
    "ATTRIBUTES",
    "EVENT_ATTRIBUTES",
    "PROPERTY_VALUE_TYPES",
    "Attribute",
    "alias_attributes",
]


@dataclass(frozen=True, slots=True)
class Attribute:
    """One filterable attribute; ``members`` lists the names an ENUM attribute accepts and
    ``numbers`` pairs them with their numbers (MLMD clients filter by number too)."""

    name: str
    value_type: ValueType
    members: frozenset[str] = frozenset()
    numbers: tuple[tuple[str, int], ...] = ()


def _enum(name: str, members: Mapping[str, int]) -> Attribute:
    return Attribute(name, ValueType.ENUM, frozenset(members),
                     tuple((n, int(v)) for n, v in members.items()))


def _table(*attrs: Attribute) -> dict[str, Attribute]:
    return {a.name: a for a in attrs}


_COMMON = (
    Attribute("id", ValueType.INT),
    Attribute("type_id", ValueType.INT),
    Attribute("type", ValueType.STRING),
    Attribute("name", ValueType.STRING),
    Attribute("external_id", ValueType.STRING),
    Attribute("create_time_since_epoch", ValueType.INT),
    Attribute("last_update_time_since_epoch", ValueType.INT),
)

ATTRIBUTES: dict[NodeKind, dict[str, Attribute]] = {
    NodeKind.ARTIFACT: _table(
        *_COMMON,
        Attribute("uri", ValueType.STRING),
        _enum("state", ArtifactState.__members__),
    ),
    NodeKind.EXECUTION: _table(*_COMMON, _enum("last_known_state", ExecutionState.__members__)),
    NodeKind.CONTEXT: _table(*_COMMON),
}

_EVENT_TYPE = _enum("type", EventType.__members__)
_EVENT_TIME = Attribute("milliseconds_since_epoch", ValueType.INT)

# An event links one artifact and one execution; from either end only the other end's id is
# meaningful (the own id is the node itself), which is how MLMD exposes it too.
EVENT_ATTRIBUTES: dict[NodeKind, dict[str, Attribute]] = {
    NodeKind.ARTIFACT: _table(_EVENT_TYPE, _EVENT_TIME, Attribute("execution_id", ValueType.INT)),
    NodeKind.EXECUTION: _table(_EVENT_TYPE, _EVENT_TIME, Attribute("artifact_id", ValueType.INT)),
}

ALIAS_KINDS: dict[NodeKind, tuple[AliasKind, ...]] = {
    NodeKind.ARTIFACT: (AliasKind.CONTEXTS, AliasKind.EVENTS),
    NodeKind.EXECUTION: (AliasKind.CONTEXTS, AliasKind.EVENTS),
    NodeKind.CONTEXT: (
        AliasKind.ARTIFACTS,
        AliasKind.EXECUTIONS,
        AliasKind.PARENT_CONTEXTS,
        AliasKind.CHILD_CONTEXTS,
    ),
}

PROPERTY_VALUE_TYPES: dict[str, ValueType] = {
    "int_value": ValueType.INT,
    "double_value": ValueType.DOUBLE,
    "string_value": ValueType.STRING,
    "bool_value": ValueType.BOOL,
}


def alias_attributes(alias: AliasKind, kind: NodeKind) -> dict[str, Attribute]:
    """Attributes of an ``alias`` neighbour when filtering nodes of ``kind``."""
    target = alias.node_kind
    return EVENT_ATTRIBUTES[kind] if target is None else ATTRIBUTES[target]
