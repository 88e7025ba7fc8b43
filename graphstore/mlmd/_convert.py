"""Between ``metadata_store_pb2`` messages and graphstore's models.

Messages coming in become plain dicts: graphstore validates them itself and names the bad
field in its errors. Models going out become messages with only the fields MLMD would set
(an unset version, description or state stays unset, so printed messages and message
equality look the way they do with MLMD).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

from ..kinds import NodeKind
from ..lineage import LineageGraph, LineageSubgraphQueryOptions
from ..models import Event, ProtoValue, _NodeBase, _TypeBase
from ..ops import Direction
from ..options import ListOptions
from ..options import OrderByField as GsOrderByField
from ._proto import Message, errors, json_format, pb

__all__ = ["event_from_pb", "event_to_pb", "graph_to_pb", "id_of", "ids_of", "lineage_options",
           "list_options", "message_of", "node_from_pb", "node_to_pb", "text_of", "type_from_pb",
           "type_to_pb"]

NODE_CLASSES: dict[NodeKind, Any] = {
    NodeKind.ARTIFACT: pb.Artifact, NodeKind.EXECUTION: pb.Execution, NodeKind.CONTEXT: pb.Context}
TYPE_CLASSES: dict[NodeKind, Any] = {
    NodeKind.ARTIFACT: pb.ArtifactType, NodeKind.EXECUTION: pb.ExecutionType,
    NodeKind.CONTEXT: pb.ContextType}
_STATE_FIELD = {NodeKind.ARTIFACT: "state", NodeKind.EXECUTION: "last_known_state"}
_SCALARS = ("id", "type_id", "name", "external_id", "uri")


# -- property values -----------------------------------------------------------------------

def value_from_pb(name: str, value: Message) -> Any:
    """A ``Value`` message as the plain Python value graphstore stores."""
    which = value.WhichOneof("value")
    if which is None:
        # MLMD's own wording: client code and MLMD's tests match on it
        raise errors.InvalidArgumentError(f"Found unmatched property type: {name}")
    if which == "struct_value":
        return json_format.MessageToDict(value.struct_value)
    if which == "proto_value":
        return ProtoValue(type_url=value.proto_value.type_url, value=value.proto_value.value)
    return getattr(value, which)


def value_to_pb(python_value: Any, out: Message) -> None:
    """Fill the ``Value`` message ``out``; bool is tested before int on purpose."""
    if isinstance(python_value, bool):
        out.bool_value = python_value
    elif isinstance(python_value, int):
        out.int_value = python_value
    elif isinstance(python_value, float):
        out.double_value = python_value
    elif isinstance(python_value, str):
        out.string_value = python_value
    elif isinstance(python_value, ProtoValue):
        out.proto_value.type_url = python_value.type_url
        out.proto_value.value = python_value.value
    elif isinstance(python_value, dict):
        out.struct_value.update(python_value)
    else:  # a top-level list (graphstore's STRUCT allows it, MLMD's Struct does not)
        out.struct_value.update({"list": python_value})


# -- nodes ---------------------------------------------------------------------------------

def node_from_pb(kind: NodeKind, msg: Message) -> dict[str, Any]:
    """An Artifact / Execution / Context message as a dict graphstore validates. Output-only
    fields (``type``, times, system_metadata) are ignored, as MLMD ignores them."""
    message_of(msg, NODE_CLASSES[kind])
    out: dict[str, Any] = {f: getattr(msg, f) for f in _SCALARS
                           if f in msg.DESCRIPTOR.fields_by_name and msg.HasField(f)}
    state_field = _STATE_FIELD.get(kind)
    if state_field and msg.HasField(state_field):
        out[state_field] = int(getattr(msg, state_field))
    for field in ("properties", "custom_properties"):
        out[field] = {k: value_from_pb(k, v) for k, v in getattr(msg, field).items()}
    return out


def node_to_pb(kind: NodeKind, node: _NodeBase) -> Message:
    msg = NODE_CLASSES[kind]()
    for field in (*_SCALARS, "type", "create_time_since_epoch", "last_update_time_since_epoch"):
        value = getattr(node, field, None)
        if value is not None:
            setattr(msg, field, value)
    state_field = _STATE_FIELD.get(kind)
    if state_field and int(getattr(node, state_field)):  # UNKNOWN is MLMD's "not set"
        setattr(msg, state_field, int(getattr(node, state_field)))
    for field in ("properties", "custom_properties"):
        target = getattr(msg, field)
        for name, value in getattr(node, field).items():
            value_to_pb(value, target[name])
    return msg


# -- types ---------------------------------------------------------------------------------

def type_from_pb(kind: NodeKind, msg: Message) -> dict[str, Any]:
    out: dict[str, Any] = {f: getattr(msg, f) for f in ("id", "name", "version", "description",
                                                       "external_id") if msg.HasField(f)}
    if msg.HasField("base_type") and msg.base_type:
        out["base_type"] = type(msg).SystemDefinedBaseType.Name(msg.base_type)
    out["properties"] = {k: int(v) for k, v in msg.properties.items()}
    return out


def type_to_pb(kind: NodeKind, t: _TypeBase) -> Message:
    msg = TYPE_CLASSES[kind]()
    for field in ("id", "name", "version", "description", "external_id"):
        value = getattr(t, field)
        if value is not None and value != "":
            setattr(msg, field, value)
    if t.base_type:
        msg.base_type = type(msg).SystemDefinedBaseType.Value(t.base_type)
    for name, ptype in t.properties.items():
        msg.properties[name] = int(ptype)
    return msg


# -- events --------------------------------------------------------------------------------

def event_from_pb(msg: Message) -> dict[str, Any]:
    message_of(msg, pb.Event)
    out: dict[str, Any] = {f: getattr(msg, f) for f in ("artifact_id", "execution_id",
                                                       "milliseconds_since_epoch") if msg.HasField(f)}
    out["type"] = int(msg.type)
    out["path"] = [getattr(s, s.WhichOneof("value")) for s in msg.path.steps if s.WhichOneof("value")]
    return out


def event_to_pb(event: Event) -> Message:
    msg = pb.Event(artifact_id=event.artifact_id, execution_id=event.execution_id,
                   type=int(event.type), milliseconds_since_epoch=event.milliseconds_since_epoch)
    for step in event.path:
        if isinstance(step, int):
            msg.path.steps.add().index = step
        else:
            msg.path.steps.add().key = step
    return msg


# -- queries -------------------------------------------------------------------------------

def list_options(options: Any) -> ListOptions | None:
    """MLMD's ListOptions (or graphstore's) as graphstore's. MLMD rejects a negative limit
    and treats 0 as "no limit"; an unset order is by id (the proto's default)."""
    if options is None or isinstance(options, ListOptions):
        return options
    limit = options.limit
    if limit is not None and limit < 0:
        raise errors.InvalidArgumentError(
            "Invalid list_options.limit value passed. list_options.limit is expected to be "
            "greater than 1")
    order = options.order_by
    field = GsOrderByField(order.value if hasattr(order, "value") else order) if order else GsOrderByField.ID
    return ListOptions(limit=limit or None, order_by=field, is_asc=bool(options.is_asc),
                       filter_query=_filter_text(options.filter_query))


def _filter_text(text: str | None) -> str | None:
    if text and not text.strip():  # MLMD parses a blank filter and fails; "" means none
        raise errors.InvalidArgumentError(
            "Invalid `filter_query`: Syntax error: Unexpected end of expression [at 1:1]")
    return text or None


def lineage_options(msg: Message) -> LineageSubgraphQueryOptions:
    """MLMD's LineageSubgraphQueryOptions. Unlike MLMD, an unset ``max_num_hops`` walks the
    whole lineage (MLMD stops at 100) and there is no cap on the number of start nodes."""
    fields: dict[str, Any] = {}
    for name in ("starting_artifacts", "starting_executions"):
        if msg is not None and msg.HasField(name):
            fields[name] = getattr(msg, name).filter_query
    if not fields:
        raise errors.InvalidArgumentError("Missing arguments for listing starting nodes.")
    if msg.HasField("max_num_hops"):
        fields["max_num_hops"] = msg.max_num_hops
    if msg.direction:  # DIRECTION_UNSPECIFIED means both ways, graphstore's default
        fields["direction"] = Direction(int(msg.direction))
    include = []
    for name in ("ending_artifacts", "ending_executions"):
        if msg.HasField(name):
            fields[name] = getattr(msg, name).filter_query or None
            include.append(getattr(msg, name).include_ending_nodes)
    # graphstore has one include flag for both kinds; MLMD's two almost always agree
    fields["include_ending_nodes"] = any(include)
    return LineageSubgraphQueryOptions(**fields)


def graph_to_pb(graph: LineageGraph) -> Message:
    out = pb.LineageGraph()
    out.artifacts.extend(node_to_pb(NodeKind.ARTIFACT, n) for n in graph.artifacts)
    out.executions.extend(node_to_pb(NodeKind.EXECUTION, n) for n in graph.executions)
    out.contexts.extend(node_to_pb(NodeKind.CONTEXT, n) for n in graph.contexts)
    out.artifact_types.extend(type_to_pb(NodeKind.ARTIFACT, t) for t in graph.artifact_types)
    out.execution_types.extend(type_to_pb(NodeKind.EXECUTION, t) for t in graph.execution_types)
    out.context_types.extend(type_to_pb(NodeKind.CONTEXT, t) for t in graph.context_types)
    out.events.extend(event_to_pb(e) for e in graph.events)
    out.attributions.extend(pb.Attribution(artifact_id=a.artifact_id, context_id=a.context_id)
                            for a in graph.attributions)
    out.associations.extend(pb.Association(execution_id=a.execution_id, context_id=a.context_id)
                            for a in graph.associations)
    return out


# MLMD's client hands arguments to its C++ layer, which raises TypeError for a wrong Python
# type (None, a string id, a list as a name); these raise the same, with MLMD's messages.

def ids_of(values: Iterable[Any]) -> list[int]:
    """Ids as MLMD takes them: any iterable (list, set, generator, even an empty dict)."""
    return [id_of(v) for v in values]


def id_of(value: Any) -> int:
    """One id: an int (or anything with ``__index__``); None and strings are TypeError."""
    return operator.index(value)


def text_of(value: Any) -> str:
    """A type name, node name or uri: a string; anything else is TypeError."""
    if not isinstance(value, str):
        raise TypeError("bad argument type for built-in operation")
    return value


def message_of(value: Any, cls: Any) -> Any:
    """``value`` if it is a ``cls`` message; anything else is TypeError."""
    if not isinstance(value, cls):
        raise TypeError("Parameter to CopyFrom() must be instance of same class: expected "
                        f"{cls} got {type(value).__name__}.")
    return value
