"""What a node write reads before it writes, in as few statements as possible.

Each statement is a round trip on Neo4j (~1.4 ms idle, far more under load), so a write
reads: the types its nodes name (one statement for every kind); then, in one ReadBatch, the
stored nodes it updates, the stored nodes it may reuse and its id blocks; a third statement
only when a stored node names no type and its type was not read yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import ops
from .engines.base import Transaction
from .errors import InvalidArgument, NotFound
from .kinds import KindSpec
from .models import _NodeBase

__all__ = ["Stored", "allocate", "read_stored", "resolve_types"]

Types = dict[int, dict[str, Any]]


def allocate(tx: Transaction, counts: dict[str, int]) -> dict[str, int]:
    """First id of a block per sequence, every sequence in one statement; empty blocks are
    not asked for."""
    wanted = tuple((name, count) for name, count in counts.items() if count)
    return dict(tx.run(ops.AllocateIds(wanted))) if wanted else {}


def _fetch_types(tx: Transaction, wanted: Sequence[tuple[KindSpec, set[int], set[str]]]
                 ) -> list[tuple[Types, dict[str, dict[str, Any]]]]:
    """Per (kind, type ids, unversioned type names): the stored types by id and by name, all
    in one statement."""
    plans = []
    for spec, ids, names in wanted:
        plan = []
        if ids:
            plan.append(ops.GetTypes(spec.kind, ids=tuple(sorted(ids))))
        if names:
            plan.append(ops.GetTypes(spec.kind, keys=tuple((n, "") for n in sorted(names))))
        plans.append(plan)
    queries = tuple(q for plan in plans for q in plan)
    found = iter(tx.run(ops.GetTypesMany(queries)) if queries else [])
    out = []
    for plan in plans:
        by_id: Types = {}
        by_name: dict[str, dict[str, Any]] = {}
        for query in plan:
            rows = next(found)
            if query.ids is not None:
                by_id.update((t["id"], t) for t in rows)
            else:
                by_name.update((t["name"], t) for t in rows)
        out.append((by_id, by_name))
    return out


def _named(spec: KindSpec, nodes: Sequence[_NodeBase]) -> tuple[KindSpec, set[int], set[str]]:
    return (spec, {n.type_id for n in nodes if n.type_id is not None},
            {n.type for n in nodes if n.type_id is None and n.type})


def resolve_types(tx: Transaction, batches: Sequence[tuple[KindSpec, Sequence[_NodeBase],
                                                          dict[int, dict[str, Any]]]]
                  ) -> list[list[dict[str, Any]]]:
    """The stored type of each node of each (kind, nodes, stored nodes being updated) batch:
    by type_id, else by type name (unversioned), else the type of the stored node. One
    statement reads the types of every batch (a write of three kinds is one round trip)."""
    wanted = []
    for spec, nodes, existing in batches:
        spec, ids, names = _named(spec, nodes)
        wanted.append((spec, ids | {row["type_id"] for row in existing.values()}, names))
    found = _fetch_types(tx, wanted)
    return [_match_types(spec, nodes, existing, by_id, by_name)
            for (spec, nodes, existing), (by_id, by_name) in zip(batches, found, strict=True)]


def _match_types(spec: KindSpec, nodes: Sequence[_NodeBase], existing: dict[int, dict[str, Any]],
                 by_id: Types, by_name: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, n in enumerate(nodes):
        what = f"{spec.noun}s[{i}]"
        if n.type_id is not None:
            if n.type_id not in by_id:
                raise NotFound(f"{what}.type_id: no {spec.noun} type with id {n.type_id}")
            out.append(by_id[n.type_id])
        elif n.type:
            if n.type not in by_name:
                raise NotFound(f"{what}.type: no unversioned {spec.noun} type named {n.type!r}")
            out.append(by_name[n.type])
        elif n.id is not None and n.id in existing:
            out.append(by_id[existing[n.id]["type_id"]])
        else:
            raise InvalidArgument(f"{what}.type_id: required (or give the type's name in .type)")
    return out


@dataclass
class Stored:
    """What ``read_stored`` found, per batch (in the batches' order)."""

    types: list[list[dict[str, Any]]]  # per node: its stored type
    existing: list[dict[int, dict[str, Any]]]  # the stored nodes being updated, by id
    candidates: list[list[dict[str, Any]]]  # stored nodes that new nodes may reuse
    first: dict[str, int]  # the id blocks asked for up front


def read_stored(tx: Transaction,
                batches: Sequence[tuple[KindSpec, Sequence[_NodeBase], ops.NodeQuery | None]],
                counts: dict[str, int]) -> Stored:
    """The types, the stored nodes being updated (an unknown id is NotFound) and the reuse
    candidates (``NodeQuery`` per batch, or None) of each (kind, nodes, reuse) batch, and
    id blocks of ``counts`` (ask only for blocks known before reading: nothing reused)."""
    given = _fetch_types(tx, [_named(spec, nodes) for spec, nodes, _ in batches])
    steps: list[Any] = []
    for spec, nodes, reuse in batches:
        ids = tuple(n.id for n in nodes if n.id is not None)
        steps += [ops.NodeQuery(spec.kind, ids=ids)] if ids else []
        steps += [reuse] if reuse is not None else []
    wanted = tuple((name, count) for name, count in counts.items() if count)
    if wanted:
        steps.append(ops.AllocateIds(wanted))
    results = iter(tx.run(ops.ReadBatch(tuple(steps))) if steps else [])
    existing: list[dict[int, dict[str, Any]]] = []
    candidates: list[list[dict[str, Any]]] = []
    for spec, nodes, reuse in batches:
        found = {r["id"]: r for r in next(results)} if any(n.id is not None for n in nodes) else {}
        for i, n in enumerate(nodes):
            if n.id is not None and n.id not in found:
                raise NotFound(f"{spec.noun}s[{i}].id: no {spec.noun} with id {n.id}")
        existing.append(found)
        candidates.append(next(results) if reuse is not None else [])
    first = dict(next(results)) if wanted else {}
    # stored nodes that name no type take their stored one: read here if not read already
    missing = [(spec, {ex[n.id]["type_id"] for n in nodes if n.type_id is None and not n.type
                       and n.id in ex} - set(by_id), set[str]())
               for (spec, nodes, _), ex, (by_id, _) in zip(batches, existing, given, strict=True)]
    if any(ids for _, ids, _ in missing):
        for (by_id, _), (more, _) in zip(given, _fetch_types(tx, missing), strict=True):
            by_id.update(more)
    types = [_match_types(spec, nodes, ex, by_id, by_name)
             for (spec, nodes, _), ex, (by_id, by_name) in zip(batches, existing, given, strict=True)]
    return Stored(types, existing, candidates, first)
