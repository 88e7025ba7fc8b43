"""Writes that keep the ids (and times) records had in another store: the MLMD importer's.

Each function runs inside the caller's transaction, like those of ``_writes``.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import ops
from ._write_reads import allocate as _allocate
from ._write_reads import resolve_types as _resolve_types
from ._writes import _check_type, _fields_of, _values
from .engines.base import Transaction
from .errors import InvalidArgument
from .kinds import KindSpec, NodeKind
from .models import _NodeBase, _TypeBase
from .values import encode_properties

__all__ = ["import_nodes", "import_types"]


def _advance_sequence(tx: Transaction, sequence: str, past: int) -> None:
    """Move a sequence so that it never hands out ``past`` or a smaller id."""
    next_id = tx.run(ops.AllocateIds(((sequence, 0),)))[sequence]  # the next id, without taking it
    if next_id <= past:
        _allocate(tx, {sequence: past - next_id + 1})


def import_types(tx: Transaction, spec: KindSpec, types: Sequence[_TypeBase]) -> None:
    """Insert types under the ids they carry; an id or (name, version) in use is AlreadyExists."""
    for i, t in enumerate(types):
        _check_type(spec, t)
        if t.id is None:
            raise InvalidArgument(f"{spec.noun}_types[{i}].id: an imported type needs its id")
        tx.run(ops.InsertType(spec.kind, ops.TypeRow(
            t.id, t.name, t.version or "", t.description, t.external_id or None, t.base_type,
            tuple(sorted(t.properties.items())))))
    if types:
        _advance_sequence(tx, "Type", max(t.id for t in types if t.id is not None))


def import_nodes(tx: Transaction, spec: KindSpec, nodes: Sequence[_NodeBase]) -> None:
    """Insert nodes under the ids and times they carry (copying another store); an id in use
    is AlreadyExists. The kind's sequence moves past the largest id."""
    if not nodes:
        return
    rows = []
    (types,) = _resolve_types(tx, [(spec, nodes, {})])
    for i, (n, t) in enumerate(zip(nodes, types, strict=True)):
        what = f"{spec.noun}s[{i}]"
        if n.id is None or n.create_time_since_epoch is None:
            raise InvalidArgument(f"{what}: an imported node needs its id and create time")
        values = _values(n)
        if spec.kind is NodeKind.CONTEXT and not values.get("name"):
            raise InvalidArgument(f"{what}.name: a context needs a non-empty name")
        props = encode_properties(what, t["properties"], values["properties"],
                                  values["custom_properties"])
        rows.append(ops.NodeRow(n.id, t["id"], t["name"], _fields_of(spec, values),
                                n.create_time_since_epoch,
                                n.last_update_time_since_epoch or n.create_time_since_epoch, props))
    tx.run(ops.InsertNodes(spec.kind, tuple(rows)))
    _advance_sequence(tx, spec.label, max(r.id for r in rows))
