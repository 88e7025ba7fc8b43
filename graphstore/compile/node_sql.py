"""Reading nodes on SQLite: the columns of a node row, its properties as JSON, and the
windowed page (see docs/decisions.md, entries 34 and 66)."""

from __future__ import annotations

import json
import math
from typing import Any

from .. import ops
from ..kinds import NodeKind, spec_of
from ..models import PropertyType
from ..values import decode_value
from .base import Rows
from .filter_sql import compile_filter_sql

__all__ = ["WINDOW", "columns", "decode_nodes", "node_columns", "window_head", "window_params", "window_start"]

_COMMON = ("id", "type_id", "type", "name", "external_id",
           "create_time_since_epoch", "last_update_time_since_epoch")


def columns(kind: NodeKind) -> tuple[str, ...]:
    return _COMMON + spec_of(kind).extra_fields


# A later page first tests this many times its limit of rows after its keyset one by one
# (see window_head): a filter matching at least 1 row in 8 fills its page there.
WINDOW = 8


def window_start(op: ops.NodeQuery, cmp: str) -> str:
    """Where a page's window starts: after its keyset, or at the first row."""
    return f" WHERE id {cmp} ?" if op.after is not None else ""


def window_params(op: ops.NodeQuery) -> list[Any]:
    return [op.after[1]] if op.after is not None else []


def node_columns(kind: NodeKind, row: str = "n") -> str:
    """A node's columns in its model's field order, properties as one JSON list in
    ``properties`` and a ``custom_properties`` placeholder: decode_nodes fills both in place,
    so each row is already the record's field dict (``_convert.to_node`` keeps it)."""
    head, times = _COMMON[:5], _COMMON[5:]
    props = f"(SELECT {_PROPS_JSON} FROM {spec_of(kind).table}_property p WHERE p.node_id = {row}.id) " \
            "AS properties, NULL AS custom_properties"
    return ", ".join([*(f"{row}.{c}" for c in head), props,
                      *(f"{row}.{c}" for c in times + spec_of(kind).extra_fields)])


# A DOUBLE reaches the properties' JSON as text that float() reads back exactly: SQLite's
# own JSON (and CAST) keep only 15 significant digits (0.1 + 0.2 came back 0.3) and write
# ±inf as a bare Inf, which is not JSON. printf's 17 digits are exact below 2**128 (its
# digits drift for large magnitudes: a few in 10,000 above 1e100), so larger values are
# scaled by 2**-1024 (two exact multiplications by 2**-512) and marked "x"; -0.0 reads back
# as 0.0. 'NaN' (text) stays as it is.
_DOUBLE_JSON = (
    "CASE WHEN typeof(p.value) <> 'real' THEN p.value"
    " WHEN abs(p.value) < 3.402823669209385e38 OR abs(p.value) > 1.7976931348623157e308"
    " THEN printf('%!.17g', p.value)"
    " ELSE 'x' || printf('%!.17g', p.value * 7.458340731200207e-155 * 7.458340731200207e-155) END")
_JSON_VALUE = f"CASE WHEN p.data_type = {int(PropertyType.DOUBLE)} THEN {_DOUBLE_JSON} ELSE p.value END"
_SCALED = 1024


def _double(text: str) -> float:
    """A DOUBLE from the properties' JSON (see _DOUBLE_JSON)."""
    return math.ldexp(float(text[1:]), _SCALED) if text[0] == "x" else float(text)


# stored as they are read back: no decode_value call (most properties are one of these)
_AS_STORED = frozenset({int(PropertyType.INT), int(PropertyType.STRING)})
_DOUBLE = int(PropertyType.DOUBLE)
# A node's properties as [{declared}, {custom}, [[is_custom, name, data_type, value], ...]]:
# INT and STRING values are final in the two objects, which json.loads builds in C (one
# str per key for a whole batch); the list holds the other values, decoded in Python.
_FINAL = " IN ({}, {})".format(*sorted(_AS_STORED))
# (The others are null in the objects, keeping each key's place: a DOUBLE's inf is no JSON.)
_FINAL_VALUE = f"CASE WHEN p.data_type{_FINAL} THEN p.value END"
_PROPS_JSON = (
    f"json_array(json_group_object(p.name, {_FINAL_VALUE}) FILTER (WHERE NOT p.is_custom), "
    f"json_group_object(p.name, {_FINAL_VALUE}) FILTER (WHERE p.is_custom), "
    f"json_group_array(json_array(p.is_custom, p.name, p.data_type, {_JSON_VALUE})) "
    f"FILTER (WHERE p.data_type NOT{_FINAL}))")


def decode_nodes(results: list[Rows]) -> list[dict[str, Any]]:
    rows = results[-1]
    if not rows:
        return []
    # One json.loads for every row's properties (see _PROPS_JSON): per-row calls cost more in
    # Python than the parsing itself. The rows are this call's own, so they are completed in
    # place, in the model's field order (see node_columns).
    every = json.loads("[" + ",".join(row["properties"] for row in rows) + "]")
    names: dict[str, str] = {}  # one str per type name, not one per record
    for row, (props, custom, rest) in zip(rows, every, strict=True):
        for is_custom, name, data_type, value in rest:
            (custom if is_custom else props)[name] = (
                _double(value) if data_type == _DOUBLE else decode_value(data_type, value))
        row["properties"] = props
        row["custom_properties"] = custom
        kind = row["type"]
        if kind is not None:
            row["type"] = names.setdefault(kind, kind)
    return rows


def window_head(op: ops.NodeQuery, direction: str, cmp: str) -> tuple[str, list[Any]]:
    """The first half of a windowed page: the matches among the WINDOW x limit rows after
    the keyset, in id order (the window's own: an ORDER BY here would sort every match of
    the window, properties computed, before the LIMIT); rows are ``w``, so a plan's
    ``SCAN n`` still means a whole-table walk. UNION ALL without an ORDER BY of its own runs
    its halves in turn and stops at its LIMIT, so a page filled here never starts the second
    half's gathering; the second half starts after the window, so no row comes twice."""
    assert op.limit is not None
    spec = spec_of(op.kind)
    where: list[str] = []
    params: list[Any] = [*window_params(op), WINDOW * op.limit]
    if op.linked is not None:
        rel = op.linked.relation.value
        mine, other = ((rel.source_column, rel.target_column) if op.linked.as_source
                       else (rel.target_column, rel.source_column))
        where.append(f"EXISTS (SELECT 1 FROM {rel.table} WHERE {mine} = w.id AND {other} = ?)")
        params.append(op.linked.other_id)
    if op.filter is not None:
        text, fparams = compile_filter_sql(op.filter, op.kind, "w", seeks=False)
        where.append(f"({text})")
        params.extend(fparams)
    if op.scope is not None:
        where.append("w.type_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(op.scope)))
    sql = (f"SELECT {node_columns(op.kind, 'w')} FROM (SELECT * FROM {spec.table}{window_start(op, cmp)} "
           f"ORDER BY id {direction} LIMIT ?) w WHERE {' AND '.join(where)} LIMIT ?")
    return sql, [*params, op.limit]
