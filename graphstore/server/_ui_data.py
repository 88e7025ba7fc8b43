"""The one thing the web UI asks of its own: a laid-out lineage picture of the nodes it shows.

Everything else the UI reads from graphstore's JSON API (``/api/graphstore``). The picture is
laid out here, in Python, by the same code as ``graphstore.render``'s HTML page, so the browser
only draws it. Nodes are named by key, ``kind:id`` (``artifact:3``, ``execution:7``).
"""

from __future__ import annotations

from typing import Any

from graphstore import render
from graphstore.errors import InvalidArgument
from graphstore.limits import UI_PICTURE_NODES, abridge, check_max
from graphstore.lineage import LineageGraph, NodeRef
from graphstore.store import MetadataStore

__all__ = ["parse_key", "picture"]

KINDS = ("artifact", "execution")
_INT64 = 2**63 - 1


def parse_key(field: str, key: object, kinds: tuple[str, ...] = KINDS) -> tuple[str, int]:
    """``"artifact:3"`` → ``("artifact", 3)``; anything else is InvalidArgument naming ``field``."""
    if not isinstance(key, str):
        raise InvalidArgument(f"{field}: expected a node key like 'artifact:3', got {key!r}")
    kind, _, ident = key.partition(":")
    if kind not in kinds or not ident.isdigit() or not 0 < int(ident) <= _INT64:
        raise InvalidArgument(f"{field}: expected a node key like '{kinds[0]}:3' "
                              f"(kind one of {', '.join(kinds)}), got {key[:80]!r}")
    return kind, int(ident)


def picture(store: MetadataStore, keys: list[Any], start: list[Any]) -> dict[str, Any]:
    """The laid-out picture (render.picture) of the given nodes and every event between them."""
    for field, value in (("nodes", keys), ("start", start)):
        if not isinstance(value, list):
            raise InvalidArgument(f"{field}: expected a list of node keys, got {abridge(value)}")
    check_max(UI_PICTURE_NODES, "nodes", len(keys), keys)
    refs = {parse_key("nodes", k) for k in keys}
    starts = [NodeRef(*parse_key("start", k)) for k in start]  # type: ignore[arg-type]
    artifact_ids = sorted(i for k, i in refs if k == "artifact")
    execution_ids = {i for k, i in refs if k == "execution"}
    artifacts = store.get_artifacts_by_id(artifact_ids) if artifact_ids else []
    executions = store.get_executions_by_id(sorted(execution_ids)) if execution_ids else []
    events = [e for e in store.get_events_by_artifact_ids(artifact_ids) if e.execution_id in execution_ids] \
        if artifact_ids and execution_ids else []
    graph = LineageGraph(artifacts=artifacts, executions=executions, events=events)
    shown = {NodeRef("artifact", a.id) for a in artifacts if a.id is not None} | {
        NodeRef("execution", e.id) for e in executions if e.id is not None}
    return render.picture(graph, start=[s for s in starts if s in shown], title="")


