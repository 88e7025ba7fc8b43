"""Between stored rows (plain dicts from the compilers) and the pydantic models."""

from __future__ import annotations

import enum
import json
import time
from typing import Any, TypeVar

from pydantic import BaseModel

from .kinds import KindSpec
from .models import Event, EventType, _NodeBase, _TypeBase

__all__ = ["EVENT_TYPES", "build", "event", "now_ms", "to_event", "to_node", "to_nodes", "to_type"]


_set = object.__setattr__
B = TypeVar("B", bound=BaseModel)


def build(model: type[B], fields: dict[str, Any]) -> B:
    """A model from trusted, complete field values (every field given, in declaration order).

    What ``model_construct`` does minus its per-field default handling: about a tenth of the
    cost, which decides how fast a call that returns 100,000 nodes or events can be. The
    fields-set is one set per model class, shared: every field is in it, so pydantic's
    ``add`` on assignment never changes it (a copy gets its own); 728 bytes a record saved."""
    obj = model.__new__(model)
    _set(obj, "__dict__", fields)
    _set(obj, "__pydantic_fields_set__", _every_field(model, fields))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


_ALL_FIELDS: dict[type[BaseModel], tuple[set[str], int]] = {}


def _every_field(model: type[BaseModel], fields: dict[str, Any]) -> set[str]:
    """The shared set of every field of ``model`` (a new set if ``fields`` lacks some)."""
    shared = _ALL_FIELDS.get(model)
    if shared is None:
        every = set(model.model_fields)
        shared = _ALL_FIELDS[model] = (every, len(every))
    if len(fields) == shared[1]:
        return shared[0]
    return set(fields)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def to_type(spec: KindSpec, row: dict[str, Any]) -> _TypeBase:
    return spec.type_model.model_construct(
        id=row["id"], name=row["name"], version=row.get("version") or None,
        description=row.get("description"), external_id=row.get("external_id"),
        base_type=row.get("base_type"), properties=dict(row.get("properties", {})))


def to_node(spec: KindSpec, row: dict[str, Any]) -> _NodeBase:
    """The record of a stored row. A row holding exactly the model's fields in declaration
    order (SQLite's node rows, see ``compile.node_sql.node_columns``) becomes the record's field
    dict itself, its state name turned into the member in place: no second dict a record."""
    # Rows come from our own database, already typed: no re-validation, which matters when
    # a call returns tens of thousands of nodes.
    if list(row) != _order(spec.model):
        fields: dict[str, Any] = {
            "id": row["id"], "type_id": row["type_id"], "type": row.get("type"),
            "name": row.get("name"), "external_id": row.get("external_id"),
            "properties": row.get("properties", {}),
            "custom_properties": row.get("custom_properties", {}),
            "create_time_since_epoch": row.get("create_time_since_epoch"),
            "last_update_time_since_epoch": row.get("last_update_time_since_epoch"),
        }
        for name in spec.extra_fields:
            fields[name] = row.get(name)
        row = fields
    if spec.state_field and spec.state_enum is not None:
        state = row[spec.state_field]
        row[spec.state_field] = (_member(spec.state_enum, state) if isinstance(state, str)
                                 else spec.state_enum(state or 0))
    return build(spec.model, row)


_ORDER: dict[type[BaseModel], list[str]] = {}


def _order(model: type[BaseModel]) -> list[str]:
    """The model's field names in declaration order."""
    order = _ORDER.get(model)
    if order is None:
        order = _ORDER[model] = list(model.model_fields)
    return order


def to_nodes(spec: KindSpec, rows: list[dict[str, Any]]) -> list[_NodeBase]:
    """``to_node`` over one statement's rows (they share their keys), in one tight loop:
    what 100,000 records cost is mostly this loop's own overhead."""
    if not rows:
        return []
    if list(rows[0]) != _order(spec.model):
        return [to_node(spec, row) for row in rows]
    model, state_field, enum_ = spec.model, spec.state_field, spec.state_enum
    # a stored state is its member's name, or NULL for a state never set
    states: dict[Any, enum.Enum] = ({**_members(enum_), None: enum_(0)} if enum_ is not None else {})
    fields_set = _every_field(model, rows[0])
    new, put = model.__new__, _set
    out: list[_NodeBase] = []
    append = out.append
    for row in rows:
        if state_field:
            state = states.get(row[state_field])
            row[state_field] = state if state is not None else enum_(row[state_field] or 0)  # type: ignore[misc]
        obj = new(model)
        put(obj, "__dict__", row)
        put(obj, "__pydantic_fields_set__", fields_set)
        put(obj, "__pydantic_extra__", None)
        put(obj, "__pydantic_private__", None)
        append(obj)
    return out


_MEMBERS: dict[type[enum.Enum], dict[str, enum.Enum]] = {}
EVENT_TYPES: dict[str, EventType] = dict(EventType.__members__)  # by name, without Enum's lookup


def _members(kind: type[enum.Enum]) -> dict[str, enum.Enum]:
    members = _MEMBERS.get(kind)
    if members is None:
        members = _MEMBERS[kind] = dict(kind.__members__)
    return members


def _member(kind: type[enum.Enum], name: str) -> enum.Enum:
    """``kind[name]`` through a plain dict: Enum's own lookup is a Python-level call."""
    return _members(kind)[name]


def to_event(row: dict[str, Any]) -> Event:
    return event(row["artifact_id"], row["execution_id"], row["type"], row["path"],
                 row["milliseconds_since_epoch"])


def event(artifact_id: int, execution_id: int, kind: str, path: str | None, ms: int) -> Event:
    """An Event from its stored parts (``path`` as JSON text, ``kind`` the type's name)."""
    return build(Event, {"artifact_id": artifact_id, "execution_id": execution_id,
                         "type": EVENT_TYPES[kind],
                         "path": json.loads(path) if path and path != "[]" else [],
                         "milliseconds_since_epoch": ms})
