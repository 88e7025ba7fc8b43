"""Property values: check them against declared types and encode them for storage.

Both engines store int, float, str and bool natively; STRUCT and PROTO values are stored as
JSON text (Neo4j has no map properties), so each stored value travels with its PropertyType.
"""

from __future__ import annotations

import base64
import json
import math
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._validate import check_text, int64_problem, text_problem
from .errors import InvalidArgument
from .limits import PROTO_BYTES, STRUCT_BYTES, STRUCT_DEPTH, check_max
from .models import PropertyType, PropertyValue, ProtoValue

__all__ = ["Prop", "Scalar", "decode_value", "encode_properties", "infer_type", "same_props"]

Scalar = int | float | str | bool
_SHORT = reprlib.Repr()  # a bounded repr: safe on a value nested 1,000 deep
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 3, 40, 40


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


def _struct_problem(value: Any, depth: int) -> tuple[str, str] | None:
    """(where, why) inside a STRUCT value that JSON cannot hold exactly, or None.

    A STRUCT is JSON: objects with string keys, lists, strings, finite numbers, booleans and
    null, nested at most ``struct_depth`` levels. Anything else would fail to encode (NaN,
    ±inf, a set), come back changed (a tuple as a list, an int key as a str) or exhaust the
    encoder's recursion.
    """
    if depth > STRUCT_DEPTH.maximum:
        return "", (f"nested more than {STRUCT_DEPTH.maximum} {STRUCT_DEPTH.unit} deep "
                    f"({STRUCT_DEPTH.key})")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"[{_SHORT.repr(key)}]", "STRUCT keys are strings"
            problem = text_problem(key, identifier=False)
            if problem:
                return f"[{_SHORT.repr(key)}]", problem
            inner = _struct_problem(item, depth + 1)
            if inner:
                return f"[{key!r}]{inner[0]}", inner[1]
    elif isinstance(value, list):
        for i, item in enumerate(value):
            inner = _struct_problem(item, depth + 1)
            if inner:
                return f"[{i}]{inner[0]}", inner[1]
    elif isinstance(value, str):
        problem = text_problem(value, identifier=False)
        if problem:
            return "", problem
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "", (f"{value!r} cannot be stored inside a STRUCT (JSON has no NaN or "
                        "infinity); store it as a DOUBLE property")
    elif isinstance(value, int) and not isinstance(value, bool):
        problem = int64_problem(value)
        if problem:
            return "", problem
    elif value is not None and not isinstance(value, bool):
        return "", (f"a {type(value).__name__} cannot be stored inside a STRUCT (JSON holds "
                    "dicts, lists, str, int, float, bool and None)")
    return None


def _encode(field: str, ptype: PropertyType, value: PropertyValue) -> Scalar:
    ok: bool
    if ptype is PropertyType.INT:
        ok = isinstance(value, int) and not isinstance(value, bool)
        problem = int64_problem(value) if ok else None  # type: ignore[arg-type]
        if problem:
            raise InvalidArgument(f"{field}: {problem}")
    elif ptype is PropertyType.DOUBLE:
        # NaN and ±inf are stored and read back as they are (a diverged loss is a real value)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            return float(value)  # type: ignore[arg-type]
    elif ptype is PropertyType.STRING:
        ok = isinstance(value, str)
        if ok:
            check_text(field, value, identifier=False)
    elif ptype is PropertyType.BOOLEAN:
        ok = isinstance(value, bool)
    elif ptype is PropertyType.STRUCT:
        if isinstance(value, (dict, list)):
            found = _struct_problem(value, 1)
            if found:
                where, why = found
                where = where if len(where) <= 60 else where[:59] + "…"
                raise InvalidArgument(f"{field}{where}: {why}; got {_SHORT.repr(value)}")
            text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
            check_max(STRUCT_BYTES, field, len(text.encode()), text)
            return text
        ok = False
    elif ptype is PropertyType.PROTO:
        if isinstance(value, ProtoValue):
            check_max(PROTO_BYTES, f"{field}.value", len(value.value), value.value[:40])
            payload = {"type_url": value.type_url, "value": base64.b64encode(value.value).decode()}
            return json.dumps(payload, sort_keys=True, separators=(",", ":"))
        ok = False
    else:
        raise InvalidArgument(f"{field}: property type {ptype!r} cannot hold values")
    if not ok:
        raise InvalidArgument(f"{field}: {_SHORT.repr(value)} is not a {ptype.name} value")
    return value  # type: ignore[return-value]


def same_props(a: tuple[Prop, ...], b: tuple[Prop, ...]) -> bool:
    """Whether two encoded property sets are equal, a NaN equal to a NaN (a re-put of an
    unchanged node with a NaN property is unchanged)."""
    def key(p: Prop) -> tuple[Any, ...]:
        nan = isinstance(p.value, float) and p.value != p.value
        return (p.name, p.custom, p.ptype, "NaN" if nan else p.value, nan)
    return {key(p) for p in a} == {key(p) for p in b}


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
    check_text(field, name)


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
