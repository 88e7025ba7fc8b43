"""MLMD's rules where graphstore's core API keeps its own: result orders and write-once names.

MLMD 1.17's orders below are those of the SQLite indexes its queries happen to use, not
documented promises; graphstore's core answers in id / write order, and graphstore.mlmd
reorders so that MLMD code sees MLMD's answer. docs/mlmd-parity.md has the audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import store as gs
from ..kinds import NodeKind
from ..models import Event
from ._convert import node_to_pb, type_to_pb
from ._proto import Message

__all__ = ["by_external_ids", "events_by_artifacts", "events_by_executions", "keep_stored", "maskable",
           "types_by_external_id", "updated"]

_FIELDS = {NodeKind.ARTIFACT: ("name", "external_id", "uri", "state", "properties", "custom_properties"),
           NodeKind.EXECUTION: ("name", "external_id", "last_known_state", "properties", "custom_properties"),
           NodeKind.CONTEXT: ("name", "external_id", "properties", "custom_properties")}


def maskable(kind: NodeKind) -> tuple[str, ...]:
    """The top-level fields a field mask may name for ``kind``."""
    return _FIELDS[kind]


def events_by_artifacts(events: Iterable[Event]) -> list[Event]:
    """MLMD's order for events looked up by artifact: artifact, execution, then event type."""
    return sorted(events, key=lambda e: (e.artifact_id or 0, e.execution_id or 0, int(e.type)))


def events_by_executions(events: Iterable[Event]) -> list[Event]:
    """MLMD's order for events looked up by execution: execution, then write order."""
    return sorted(events, key=lambda e: e.execution_id or 0)  # stable: write order within


def types_by_external_id(types: Iterable[Any]) -> list[Any]:
    """MLMD's order for types looked up by external id: by external id."""
    return sorted(types, key=lambda t: t.external_id or "")


def keep_stored(kind: NodeKind, nodes: Sequence[Any], stored: Mapping[int, Any],
                nothing_masked: bool, mask: Sequence[str] = ()) -> list[Any]:
    """``nodes`` as MLMD updates them: an artifact's or execution's name is written once, when
    it is created, and never changes (a different or missing name in an update is ignored;
    contexts can be renamed); a field mask naming no known field changes nothing; an update
    that replaces an artifact's uri without giving one stores "" (MLMD's column is not null)."""
    out: list[Any] = []
    for node in nodes:
        old = stored.get(node["id"]) if isinstance(node, dict) and "id" in node else None
        if old is None:
            out.append(node)
        elif nothing_masked:
            out.append(old)  # re-putting a stored node as it is writes nothing
        elif kind is NodeKind.CONTEXT:
            out.append(node)
        else:
            node = {k: v for k, v in node.items() if k != "name"}
            if old.name:
                node["name"] = old.name
            if kind is NodeKind.ARTIFACT and "uri" not in node and (not mask or "uri" in mask):
                node["uri"] = ""
            out.append(node)
    return out


def updated(store: gs.MetadataStore, kind: NodeKind, nodes: list[Any], nothing_masked: bool,
            mask: Sequence[str] = ()) -> list[Any]:
    """``nodes`` with :func:`keep_stored` applied. The stored nodes are read first, in a read
    of their own: names are written once, so no write in between can change the answer."""
    ids = [n["id"] for n in nodes if isinstance(n, dict) and "id" in n]
    if not ids or (kind is NodeKind.CONTEXT and not nothing_masked):
        return nodes
    read: Any = {NodeKind.ARTIFACT: store.get_artifacts_by_id, NodeKind.EXECUTION: store.get_executions_by_id,
            NodeKind.CONTEXT: store.get_contexts_by_id}[kind]
    return keep_stored(kind, nodes, {n.id: n for n in read(ids)}, nothing_masked, mask)


def by_external_ids(store: gs.MetadataStore, kind: NodeKind, wanted: list[str], types: bool) -> list[Message]:
    """Nodes (in id order) or types (in external-id order) with these external ids."""
    noun = {NodeKind.ARTIFACT: "artifact", NodeKind.EXECUTION: "execution", NodeKind.CONTEXT: "context"}[kind]
    if types:
        found: list[Any] = getattr(store, f"get_{noun}_types_by_external_ids")(wanted)
        return [type_to_pb(kind, t) for t in types_by_external_id(found)]
    return [node_to_pb(kind, n) for n in getattr(store, f"get_{noun}s_by_external_ids")(wanted)]
