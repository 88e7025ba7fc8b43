"""Between stored rows (plain dicts from the compilers) and the pydantic models."""

from __future__ import annotations

import json
import time
from typing import Any

from .kinds import KindSpec
from .models import Event, EventType, _NodeBase, _TypeBase

__all__ = ["now_ms", "to_event", "to_node", "to_type"]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def to_type(spec: KindSpec, row: dict[str, Any]) -> _TypeBase:
    return spec.type_model.model_construct(
        id=row["id"], name=row["name"], version=row.get("version") or None,
        description=row.get("description"), external_id=row.get("external_id"),
        base_type=row.get("base_type"), properties=dict(row.get("properties", {})))


def to_node(spec: KindSpec, row: dict[str, Any]) -> _NodeBase:
    # Rows come from our own database, already typed: model_construct skips re-validation,
    # which matters when a call returns tens of thousands of nodes.
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
    if spec.state_field and spec.state_enum is not None:
        state = row.get(spec.state_field)
        fields[spec.state_field] = spec.state_enum[state] if state else spec.state_enum(0)
    return spec.model.model_construct(**fields)


def to_event(row: dict[str, Any]) -> Event:
    return Event.model_construct(
        artifact_id=row["artifact_id"], execution_id=row["execution_id"],
        type=EventType[row["type"]], path=json.loads(row["path"] or "[]"),
        milliseconds_since_epoch=row["milliseconds_since_epoch"])
