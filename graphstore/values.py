"""Property values: check them against declared types and encode them for storage.

Both engines store int, float, str and bool natively; STRUCT and PROTO values are stored as
JSON text (Neo4j has no map properties), so each stored value travels with its PropertyType.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidArgument
from .models import PropertyType, PropertyValue, ProtoValue

__all__ = ["Prop", "Scalar", "decode_value", "encode_properties", "infer_type"]

Scalar = int | float | str | bool
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True, slots=True)
class Prop:
    """One stored property: ``value`` is native for scalars, JSON text for STRUCT and PROTO."""

    name: str
    custom: bool
    ptype: PropertyType
    value: Scalar


def infer_type(value: PropertyValue) -> PropertyType:
    """The PropertyType a custom property gets from its Python value."""
    if isinstance(value, bool):
        return PropertyType.BOOLEAN
    if isinstance(value, int):
        return PropertyType.INT
    if isinstance(value, float):
        return PropertyType.DOUBLE
    if isinstance(value, str):
        return PropertyType.STRING
    if isinstance(value, ProtoValue):
        return PropertyType.PROTO
    return PropertyType.STRUCT


def _encode(field: str, ptype: PropertyType, value: PropertyValue) -> Scalar:
    ok: bool
    if ptype is PropertyType.INT:
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and not _INT64[0] <= value <= _INT64[1]:  # type: ignore[operator]
            raise InvalidArgument(f"{field}: {value!r} does not fit in a 64-bit integer")
    elif ptype is PropertyType.DOUBLE:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            return float(value)  # type: ignore[arg-type]
    elif ptype is PropertyType.STRING:
        ok = isinstance(value, str)
    elif ptype is PropertyType.BOOLEAN:
        ok = isinstance(value, bool)
    elif ptype is PropertyType.STRUCT:
        if isinstance(value, (dict, list)):
            try:
                return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
            except (TypeError, ValueError) as exc:
                raise InvalidArgument(f"{field}: {value!r} is not a JSON-serialisable struct") from exc
        ok = False
    elif ptype is PropertyType.PROTO:
        if isinstance(value, ProtoValue):
            payload = {"type_url": value.type_url, "value": base64.b64encode(value.value).decode()}
            return json.dumps(payload, sort_keys=True, separators=(",", ":"))
        ok = False
    else:
        raise InvalidArgument(f"{field}: property type {ptype!r} cannot hold values")
    if not ok:
        raise InvalidArgument(f"{field}: {value!r} is not a {ptype.name} value")
    return value  # type: ignore[return-value]


def decode_value(ptype: PropertyType | int, raw: Any) -> PropertyValue:
    """Turn a stored value back into the Python value the caller wrote."""
    ptype = PropertyType(ptype)
    if ptype is PropertyType.STRUCT:
        return json.loads(raw)  # type: ignore[no-any-return]
    if ptype is PropertyType.PROTO:
        data = json.loads(raw)
        return ProtoValue(type_url=data["type_url"], value=base64.b64decode(data["value"]))
    if ptype is PropertyType.BOOLEAN:
        return bool(raw)
    if ptype is PropertyType.DOUBLE:
        return float(raw)
    return raw  # type: ignore[no-any-return]


def _check_name(field: str, name: str) -> None:
    if not isinstance(name, str) or not name:
        raise InvalidArgument(f"{field}: property names must be non-empty strings, got {name!r}")


def encode_properties(
    what: str,
    declared: Mapping[str, PropertyType],
    properties: Mapping[str, PropertyValue],
    custom_properties: Mapping[str, PropertyValue],
) -> tuple[Prop, ...]:
    """Check ``properties`` against ``declared`` and encode both maps.

    ``what`` names the record in error messages (e.g. ``"artifact[2]"``).
    """
    out: list[Prop] = []
    for name, value in properties.items():
        field = f"{what}.properties[{name!r}]"
        _check_name(field, name)
        ptype = declared.get(name)
        if ptype is None:
            raise InvalidArgument(f"{field}: property {name!r} is not declared by the type "
                                  f"(declared: {sorted(declared) or 'none'})")
        out.append(Prop(name, False, ptype, _encode(field, ptype, value)))
    for name, value in custom_properties.items():
        field = f"{what}.custom_properties[{name!r}]"
        _check_name(field, name)
        ptype = infer_type(value)
        out.append(Prop(name, True, ptype, _encode(field, ptype, value)))
    return tuple(out)
