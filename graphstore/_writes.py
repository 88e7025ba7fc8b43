"""Write logic shared by every engine: validation and composition of operations.

Each function runs inside the caller's transaction (``tx``); it raises before anything is
committed, so a bad element anywhere in a batch leaves the store untouched.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import ops
from ._convert import now_ms
from ._write_reads import allocate as _allocate
from ._write_reads import read_stored
from .cache import OUTPUTS_DELETED, input_fingerprint
from .engines.base import Transaction
from .errors import AlreadyExists, InvalidArgument, NotFound
from .kinds import KIND_SPECS, KindSpec, NodeKind, Relation
from .models import Event, EventType, PropertyType, _NodeBase, _TypeBase
from .values import Prop, encode_properties, same_props

__all__ = ["delete_nodes", "link", "put_events", "put_lineage", "put_nodes", "put_parent_contexts",
           "put_type", "rewrite_nodes"]

ARTIFACTS, EXECUTIONS, CONTEXTS = (KIND_SPECS[k] for k in NodeKind)
_IMMUTABLE = frozenset({"id", "type_id", "type", "create_time_since_epoch",
                        "last_update_time_since_epoch"})


# -- types -------------------------------------------------------------------------------

def _check_type(spec: KindSpec, t: _TypeBase) -> str:
    what = f"{spec.noun}_type {t.name!r}"
    if t.base_type is not None and t.base_type not in spec.base_types:
        raise InvalidArgument(f"{what}.base_type: {t.base_type!r} is not one of "
                              f"{sorted(spec.base_types) or 'none (contexts have no base type)'}")
    for name, ptype in t.properties.items():
        if not name or ptype is PropertyType.UNKNOWN:
            raise InvalidArgument(f"{what}.properties[{name!r}]: needs a name and a known type, "
                                  f"got {ptype!r}")
    return what


def put_type(tx: Transaction, spec: KindSpec, t: _TypeBase, can_add_fields: bool,
             can_omit_fields: bool) -> int:
    what = _check_type(spec, t)
    version = t.version or ""
    found = tx.run(ops.GetTypes(spec.kind, keys=((t.name, version),)))
    if not found:
        new_id = _allocate(tx, {"Type": 1})["Type"]
        tx.run(ops.InsertType(spec.kind, ops.TypeRow(
            new_id, t.name, version, t.description, t.external_id or None, t.base_type,
            tuple(sorted(t.properties.items())))))
        return int(new_id)
    old = found[0]
    stored: dict[str, PropertyType] = old["properties"]
    for name, ptype in t.properties.items():
        if name in stored and stored[name] != ptype:
            raise AlreadyExists(f"{what}.properties[{name!r}]: stored as {stored[name].name}, "
                                f"given {PropertyType(ptype).name}")
    added = sorted(set(t.properties) - set(stored))
    omitted = sorted(set(stored) - set(t.properties))
    if added and not can_add_fields:
        raise AlreadyExists(f"{what}: adds properties {added}; pass can_add_fields=True")
    if omitted and not can_omit_fields:
        raise AlreadyExists(f"{what}: omits stored properties {omitted}; pass can_omit_fields=True")
    changes = {k: v for k, v in (("description", t.description), ("base_type", t.base_type),
                                 ("external_id", t.external_id or None)) if v is not None}
    if added or any(old.get(k) != v for k, v in changes.items()):
        merged = {**old, **changes}
        tx.run(ops.UpdateType(spec.kind, ops.TypeRow(
            old["id"], t.name, version, merged.get("description"), merged.get("external_id"),
            merged.get("base_type"), tuple(sorted({**stored, **t.properties}.items())))))
    return int(old["id"])


# -- nodes -------------------------------------------------------------------------------

def _fields_of(spec: KindSpec, values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    fields: dict[str, Any] = {"name": values.get("name"),
                              "external_id": values.get("external_id") or None}
    for name in spec.extra_fields:
        value = values.get(name)
        # states are stored by name; a merged update may already hold the stored name
        fields[name] = value.name if isinstance(value, enum.Enum) else value
    return tuple(fields.items())


def _values(node: _NodeBase) -> dict[str, Any]:
    # shallow on purpose: model_dump would turn ProtoValue property values into dicts; a
    # model's __dict__ holds exactly its fields (extra="forbid")
    return {k: v for k, v in vars(node).items() if k not in _IMMUTABLE}


def _merge(spec: KindSpec, what: str, old: dict[str, Any], new: _NodeBase,
           mask: Sequence[str]) -> dict[str, Any]:
    """The node after an update: all of ``new``, or only the fields ``mask`` names."""
    given = _values(new)
    if not mask:
        return given
    merged: dict[str, Any] = {k: old.get(k) for k in given}
    merged["properties"] = dict(old.get("properties", {}))
    merged["custom_properties"] = dict(old.get("custom_properties", {}))
    for path in mask:
        head, _, key = path.partition(".")
        if head in ("properties", "custom_properties"):
            if not key:
                merged[head] = dict(given[head])
            elif key in given[head]:
                merged[head][key] = given[head][key]
            else:
                merged[head].pop(key, None)
        elif head in given and not key:
            merged[head] = given[head]
        elif head not in _IMMUTABLE:
            raise InvalidArgument(f"{what} field_mask: unknown path {path!r}")
    return merged


@dataclass
class _Draft:
    """Nodes of one kind checked and encoded, waiting for the ids of the new ones."""

    spec: KindSpec
    ids: list[int | None]  # per node: its stored id, None while new
    new: list[tuple[int, str, tuple[tuple[str, Any], ...], tuple[Prop, ...]]]
    updates: list[ops.NodeRow]
    now: int

    def finish(self, first_id: int, contexts: tuple[int, ...] = ()) -> tuple[list[int], list[Any]]:
        """The ids in input order and the write operations; new nodes take consecutive ids
        from ``first_id`` and are linked to ``contexts``."""
        fresh = iter(range(first_id, first_id + len(self.new)))
        ids = [i if i is not None else next(fresh) for i in self.ids]
        inserts = tuple(ops.NodeRow(first_id + k, type_id, type_name, fields, self.now, self.now, props)
                        for k, (type_id, type_name, fields, props) in enumerate(self.new))
        steps: list[Any] = []
        if inserts:
            steps.append(ops.InsertNodes(self.spec.kind, inserts, contexts))
        if self.updates:
            steps.append(ops.UpdateNodes(self.spec.kind, tuple(self.updates)))
        return ids, steps


def _draft(spec: KindSpec, nodes: Sequence[_NodeBase], types: Sequence[dict[str, Any]],
           existing: dict[int, dict[str, Any]], field_mask: Sequence[str]) -> _Draft:
    now = now_ms()
    draft = _Draft(spec, [], [], [], now)
    for i, (n, t) in enumerate(zip(nodes, types, strict=True)):
        what = f"{spec.noun}s[{i}]"
        if n.id is None:
            values = _values(n)
        else:
            old = existing[n.id]
            if n.type_id is not None and n.type_id != old["type_id"]:
                raise InvalidArgument(f"{what}.type_id: {n.type_id} differs from the stored "
                                      f"type_id {old['type_id']} (a node's type cannot change)")
            values = _merge(spec, what, old, n, field_mask)
        if spec.kind is NodeKind.CONTEXT and not values.get("name"):
            raise InvalidArgument(f"{what}.name: a context needs a non-empty name, "
                                  f"got {values.get('name')!r}")
        props = encode_properties(what, t["properties"], values["properties"],
                                  values["custom_properties"])
        fields = _fields_of(spec, values)
        draft.ids.append(n.id)
        if n.id is None:
            draft.new.append((t["id"], t["name"], fields, props))
        elif not _unchanged(spec, t, existing[n.id], fields, props):
            # (re-putting a stored node as it is writes nothing: its update time stays)
            draft.updates.append(ops.NodeRow(n.id, t["id"], t["name"], fields,
                                             existing[n.id]["create_time_since_epoch"], now, props))
    return draft


def put_nodes(tx: Transaction, spec: KindSpec, nodes: Sequence[_NodeBase],
              field_mask: Sequence[str] = ()) -> list[int]:
    """Insert nodes without an id, update those with one; returns ids in input order."""
    stored = read_stored(tx, [(spec, nodes, None)], {spec.label: sum(n.id is None for n in nodes)})
    draft = _draft(spec, nodes, stored.types[0], stored.existing[0], field_mask)
    ids, steps = draft.finish(stored.first.get(spec.label, 0))
    if steps:
        tx.run(ops.WriteBatch(tuple(steps)))
    return ids


def _unchanged(spec: KindSpec, type_row: dict[str, Any], old: dict[str, Any],
               fields: tuple[tuple[str, Any], ...], props: tuple[Prop, ...]) -> bool:
    if _fields_of(spec, old) != fields:
        return False
    stored = encode_properties("stored", type_row["properties"], old["properties"], old["custom_properties"])
    return same_props(stored, props)


def _require(tx: Transaction, checks: Sequence[tuple[KindSpec, set[int], str]],
             error: type[Exception] = InvalidArgument) -> None:
    """Every (kind, ids, field) check's ids exist, all checked in one statement; the first
    check with a missing id raises."""
    wanted = [(spec, ids, field) for spec, ids, field in checks if ids]
    if not wanted:
        return
    found = tx.run(ops.ReadBatch(tuple(ops.ExistingIds(spec.kind, tuple(ids)) for spec, ids, _ in wanted)))
    for (spec, ids, field), existing in zip(wanted, found, strict=True):
        missing = sorted(ids - existing)
        if missing:
            raise error(f"{field}: no {spec.noun} with id {missing[0]}"
                        + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))


def delete_nodes(tx: Transaction, spec: KindSpec, ids: Sequence[int]) -> int:
    """Delete nodes with their properties, events and links; unknown ids delete nothing."""
    _require(tx, [(spec, set(ids), f"{spec.noun}_ids")], NotFound)
    if spec.kind is NodeKind.ARTIFACT:
        # An execution whose output is gone can no longer serve as a cache hit: the events
        # that said it had outputs go with the artifact, so retire its input fingerprint.
        producers = {r["execution_id"] for r in tx.run(ops.GetEvents(artifact_ids=tuple(ids)))
                     if not EventType[r["type"]].is_input}
        if producers:
            tx.run(ops.SetInputFingerprints(tuple((e, OUTPUTS_DELETED) for e in sorted(producers))))
    return int(tx.run(ops.DeleteNodes(spec.kind, tuple(dict.fromkeys(ids)))))


# -- relations ---------------------------------------------------------------------------

def _check_events(tx: Transaction, events: Sequence[tuple[int | None, int | None, Event]], what: str,
                  known_artifacts: set[int], known_executions: set[int], fresh_executions: set[int]
                  ) -> tuple[list[tuple[int, int, str]], list[dict[str, Any]]]:
    """Validate (artifact id, execution id, event) triples; returns their (artifact,
    execution, kind) keys and the stored events of their executions. Duplicates (same
    artifact, execution and kind) are AlreadyExists.

    ``known_*`` ids were written or read earlier in this transaction and need no existence
    check; a ``fresh_executions`` id is new, so it has no stored events to collide with.
    """
    keys: list[tuple[int, int, str]] = []
    for i, (artifact_id, execution_id, e) in enumerate(events):
        if artifact_id is None or execution_id is None:
            raise InvalidArgument(f"{what}[{i}]: artifact_id and execution_id are required, "
                                  f"got {artifact_id!r} and {execution_id!r}")
        if e.type is EventType.UNKNOWN:
            raise InvalidArgument(f"{what}[{i}].type: an event needs a kind, got UNKNOWN")
        keys.append((artifact_id, execution_id, e.type.name))
    if not keys:
        return [], []
    _require(tx, [(ARTIFACTS, {k[0] for k in keys} - known_artifacts, f"{what}.artifact_id"),
                  (EXECUTIONS, {k[1] for k in keys} - known_executions - fresh_executions,
                   f"{what}.execution_id")])
    older = {k[1] for k in keys} - fresh_executions
    before = tx.run(ops.GetEvents(execution_ids=tuple(older))) if older else []
    stored = {(r["artifact_id"], r["execution_id"], r["type"]) for r in before}
    for i, key in enumerate(keys):
        if key in stored:
            raise AlreadyExists(f"{what}[{i}]: a {key[2]} event between artifact {key[0]} and "
                                f"execution {key[1]} already exists")
        stored.add(key)
    return keys, before


def _event_steps(events: Sequence[Event], keys: list[tuple[int, int, str]],
                 before: list[dict[str, Any]], first_id: int) -> list[Any]:
    """Insert the events and refresh the input fingerprint of every execution that got one
    (graphstore.cache)."""
    if not keys:
        return []
    now = now_ms()
    rows = tuple(ops.EventRow(first_id + i, k[0], k[1], k[2], json.dumps(list(e.path)),
                              e.milliseconds_since_epoch or now)
                 for i, (k, e) in enumerate(zip(keys, events, strict=True)))
    triples: dict[int, list[tuple[int, str, str]]] = {k[1]: [] for k in keys}
    for r in before:
        triples[r["execution_id"]].append((r["artifact_id"], r["type"], r["path"]))
    for row in rows:
        triples[row.execution_id].append((row.artifact_id, row.type, row.path))
    return [ops.InsertEvents(rows),
            ops.SetInputFingerprints(tuple((eid, input_fingerprint(t)) for eid, t in triples.items()))]


def put_events(tx: Transaction, events: Sequence[Event], what: str = "events") -> None:
    """Insert events; duplicates (same artifact, execution and kind) are AlreadyExists."""
    keys, before = _check_events(tx, [(e.artifact_id, e.execution_id, e) for e in events], what,
                                 set(), set(), set())
    if keys:
        first = _allocate(tx, {"Event": len(keys)})["Event"]
        tx.run(ops.WriteBatch(tuple(_event_steps(events, keys, before, first))))


def link(tx: Transaction, relation: Relation, pairs: Sequence[tuple[int, int]], field: str,
         *, checked: bool = False) -> None:
    """Create links (idempotent) after checking that both ends exist (unless ``checked``:
    the caller wrote or read both ends in this transaction)."""
    if not pairs:
        return
    rel = relation.value
    if not checked:
        _require(tx, [(KIND_SPECS[rel.source], {p[0] for p in pairs}, f"{field}.{rel.source_column}"),
                      (CONTEXTS, {p[1] for p in pairs}, f"{field}.{rel.target_column}")])
    tx.run(ops.Link(relation, tuple(dict.fromkeys(pairs))))


def put_parent_contexts(tx: Transaction, pairs: Sequence[tuple[int, int]]) -> None:
    """Link (child, parent) pairs; self-links, duplicates and cycles are rejected."""
    for i, (child, parent) in enumerate(pairs):
        if child == parent:
            raise InvalidArgument(f"parent_contexts[{i}]: context {child} cannot be its own parent")
    for i, (child, parent) in enumerate(pairs):
        parents = {r["id"] for r in tx.run(ops.NodeQuery(
            NodeKind.CONTEXT, linked=ops.LinkFilter(Relation.PARENT, child, as_source=False)))}
        if parent in parents or pairs.index((child, parent)) != i:
            raise AlreadyExists(f"parent_contexts[{i}]: context {parent} is already a parent "
                                f"of context {child}")
    link(tx, Relation.PARENT, pairs, "parent_contexts")
    for i, (child, parent) in enumerate(pairs):
        if child in tx.run(ops.Ancestors((parent,))):
            raise InvalidArgument(f"parent_contexts[{i}]: making {parent} a parent of {child} "
                                  f"would create a cycle")


def _reuse_query(spec: KindSpec, nodes: Sequence[_NodeBase], by: str | None) -> ops.NodeQuery | None:
    """Stored nodes that new nodes may reuse: contexts by (type, name), artifacts by
    external_id."""
    if by is None:
        return None
    values = tuple(sorted({getattr(n, by) for n in nodes if n.id is None and getattr(n, by)}))
    if not values:
        return None
    return (ops.NodeQuery(spec.kind, names=values) if by == "name"
            else ops.NodeQuery(spec.kind, external_ids=values))


def _reused(nodes: Sequence[_NodeBase], types: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]],
            by: str) -> list[int | None]:
    """The stored id each new node reuses (reused nodes are left as they are), else None."""
    # contexts are reused by (type, name), artifacts by external_id alone
    stored = {(r[by], r["type_id"] if by == "name" else None): r["id"] for r in rows}
    out: list[int | None] = [None] * len(nodes)
    for i, (n, t) in enumerate(zip(nodes, types, strict=True)):
        key = getattr(n, by)
        if n.id is None and key:
            out[i] = stored.get((key, t["id"] if by == "name" else None))
    return out


def put_lineage(tx: Transaction, executions: Sequence[_NodeBase], artifacts: Sequence[_NodeBase],
                contexts: Sequence[_NodeBase],
                edges: Sequence[tuple[int | None, int | None, Event]],
                reuse_context: bool, reuse_artifact: bool
                ) -> tuple[list[int], list[int], list[int]]:
    """Upsert executions, artifacts and contexts, add the events between them, and link
    every artifact and execution to every context.

    Round trips matter (Neo4j: ~1.4 ms each, more under load): the types of all kinds are
    one statement, the stored nodes of all kinds with the id blocks another (read_stored),
    and everything is written by one WriteBatch (one statement on Neo4j).
    """
    kinds = ((CONTEXTS, contexts, "name" if reuse_context else None),
             (EXECUTIONS, executions, None),
             (ARTIFACTS, artifacts, "external_id" if reuse_artifact else None))
    # Without reuse the new nodes are known before reading: their id blocks come with the
    # reads (one round trip less); with it, after the reads tell which nodes are reused.
    reusing = reuse_context or reuse_artifact
    counts = {} if reusing else {**{spec.label: sum(n.id is None for n in nodes) for spec, nodes, _ in kinds},
                                 "Event": len(edges)}
    found = read_stored(tx, [(spec, nodes, _reuse_query(spec, nodes, by)) for spec, nodes, by in kinds],
                        counts)
    existing, types, candidates = found.existing, found.types, found.candidates
    drafts: list[_Draft] = []
    reused: list[list[int | None]] = []
    for (spec, nodes, by), ex, ts, rows in zip(kinds, existing, types, candidates, strict=True):
        reuse: list[int | None] = _reused(nodes, ts, rows, by) if by else [None] * len(nodes)
        keep = [i for i, r in enumerate(reuse) if r is None]
        drafts.append(_draft(spec, [nodes[i] for i in keep], [ts[i] for i in keep], ex, ()))
        reused.append(reuse)
    first = found.first if not reusing else _allocate(tx, {
        **{spec.label: len(d.new) for (spec, _, _), d in zip(kinds, drafts, strict=True)}, "Event": len(edges)})

    steps: list[Any] = []
    all_ids: list[list[int]] = []
    stored: list[list[int]] = []  # per kind: ids of nodes that existed before this call
    context_ids: list[int] = []
    for (spec, nodes, _), draft, reuse in zip(kinds, drafts, reused, strict=True):
        # contexts come first, so the new nodes of the other kinds link to them as they are made
        written, write_steps = draft.finish(first.get(spec.label, 0), tuple(dict.fromkeys(context_ids)))
        steps += write_steps
        fresh_ids = iter(written)
        ids = [r if r is not None else next(fresh_ids) for r in reuse]
        all_ids.append(ids)
        stored.append([i for i, n, r in zip(ids, nodes, reuse, strict=True) if n.id is not None or r is not None])
        if spec is CONTEXTS:
            context_ids = ids
    context_ids, execution_ids, artifact_ids = all_ids

    events: list[tuple[int | None, int | None, Event]] = []
    for i, (ei, ai, event) in enumerate(edges):
        resolved: dict[str, int | None] = {"execution_id": event.execution_id,
                                           "artifact_id": event.artifact_id}
        for field, index, ids in (("execution_id", ei, execution_ids),
                                  ("artifact_id", ai, artifact_ids)):
            if index is None:
                continue
            if not 0 <= index < len(ids):
                raise InvalidArgument(f"event_edges[{i}]: {field} index {index} is out of range")
            given = resolved[field]
            if given is not None and given != ids[index]:
                raise InvalidArgument(f"event_edges[{i}].{field}: {given} does not match the "
                                      f"{field.split('_')[0]} it is attached to ({ids[index]})")
            resolved[field] = ids[index]
        events.append((resolved["artifact_id"], resolved["execution_id"], event))
    new_executions = {i for i, e in zip(execution_ids, executions, strict=True) if e.id is None}
    keys, before = _check_events(tx, events, "event_edges", set(artifact_ids), set(execution_ids),
                                 new_executions)
    steps += _event_steps([e for _, _, e in events], keys, before, first.get("Event", 0))
    # New nodes were linked as they were inserted; stored ones (updated or reused) may be
    # linked already, so theirs are idempotent links.
    for relation, sources in ((Relation.ASSOCIATION, stored[1]), (Relation.ATTRIBUTION, stored[2])):
        pairs = tuple(dict.fromkeys((s, c) for s in sources for c in context_ids))
        if pairs:
            steps.append(ops.Link(relation, pairs))
    if steps:
        tx.run(ops.WriteBatch(tuple(steps)))
    return execution_ids, artifact_ids, context_ids


def rewrite_nodes(tx: Transaction, spec: KindSpec, records: Sequence[dict[str, Any]]) -> None:
    """Write stored node records back as given, times included (annotations such as the
    quarantine marker must not look like user updates, and must undo to the same bytes)."""
    if not records:
        return
    type_ids = tuple({r["type_id"] for r in records})
    types = {t["id"]: t for t in tx.run(ops.GetTypes(spec.kind, ids=type_ids))}
    rows = []
    for i, r in enumerate(records):
        props = encode_properties(f"{spec.noun}s[{i}]", types[r["type_id"]]["properties"],
                                  r["properties"], r["custom_properties"])
        rows.append(ops.NodeRow(r["id"], r["type_id"], r["type"], _fields_of(spec, r),
                                r["create_time_since_epoch"], r["last_update_time_since_epoch"],
                                props))
    tx.run(ops.UpdateNodes(spec.kind, tuple(rows)))
