"""What the web UI reads and writes, as JSON-ready dicts over the Python API.

Each function takes the store and plain request values, validates them (graphstore's errors,
naming the field) and makes one store call per part of the answer; the engine pages and filters.
Nodes are named by key, ``kind:id`` (``artifact:3``, ``execution:7``, ``context:2``).
"""

from __future__ import annotations

from typing import Any

from graphstore import render
from graphstore.analysis import QUARANTINE_REASON
from graphstore.errors import InvalidArgument, NotFound
from graphstore.limits import UI_PICTURE_NODES, check_max
from graphstore.lineage import LineageDirection, LineageGraph, NodeRef
from graphstore.models import Artifact, Context, Execution
from graphstore.options import ListOptions
from graphstore.store import MetadataStore

__all__ = ["PAGE", "compare", "impact", "neighbours", "node", "parse_key", "picture", "search", "unmark"]

PAGE = 50  # rows per page of search results, neighbours and context members
KINDS = ("artifact", "execution", "context")
_INT64 = 2**63 - 1
# the fields search looks in, per kind (executions have no uri)
_SEARCH_FIELDS = {"artifact": ("name", "uri", "type"), "execution": ("name", "type"),
                  "context": ("name", "type")}

Record = Artifact | Execution | Context


def parse_key(field: str, key: object, kinds: tuple[str, ...] = KINDS) -> tuple[str, int]:
    """``"artifact:3"`` → ``("artifact", 3)``; anything else is InvalidArgument naming ``field``."""
    if not isinstance(key, str):
        raise InvalidArgument(f"{field}: expected a node key like 'artifact:3', got {key!r}")
    kind, _, ident = key.partition(":")
    if kind not in kinds or not ident.isdigit() or not 0 < int(ident) <= _INT64:
        raise InvalidArgument(f"{field}: expected a node key like '{kinds[0]}:3' "
                              f"(kind one of {', '.join(kinds)}), got {key[:80]!r}")
    return kind, int(ident)


def _like(text: str) -> str:
    """A filter-language LIKE literal matching ``text`` anywhere (its wildcards made literal)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("'", "\\'")
    return f"'%{escaped}%'"


def summary(kind: str, record: Record) -> dict[str, Any]:
    """A row of a list: key, kind, id, type, name, uri and state."""
    state = getattr(record, "state", None) or getattr(record, "last_known_state", None)
    return {"key": f"{kind}:{record.id}", "kind": kind, "id": record.id, "type": record.type,
            "name": record.name or None, "uri": getattr(record, "uri", None) or None,
            "state": state.name if state is not None else None,
            "quarantined": QUARANTINE_REASON in record.custom_properties}


def _page(store: MetadataStore, kind: str, options: ListOptions) -> tuple[list[Record], str | None]:
    if kind == "artifact":
        page_a = store.page_artifacts(options)
        return list(page_a.items), page_a.next_page_token
    if kind == "execution":
        page_e = store.page_executions(options)
        return list(page_e.items), page_e.next_page_token
    page_c = store.page_contexts(options)
    return list(page_c.items), page_c.next_page_token


def search(store: MetadataStore, text: str, kind: str | None = None,
           page: str | None = None) -> dict[str, Any]:
    """Nodes whose name, uri or type contains ``text`` (case-sensitive), a page per kind."""
    if kind is not None and kind not in KINDS:
        raise InvalidArgument(f"kind: expected one of {', '.join(KINDS)}, got {kind[:80]!r}")
    if page is not None and kind is None:
        raise InvalidArgument("page: a page token needs the kind it pages")
    text = text.strip()
    out: dict[str, Any] = {"query": text, "results": {}}
    for k in (kind,) if kind else KINDS:
        query = " OR ".join(f"{f} LIKE {_like(text)}" for f in _SEARCH_FIELDS[k]) if text else None
        items, token = _page(store, k, ListOptions(limit=PAGE, filter_query=query, next_page_token=page))
        out["results"][k] = {"items": [summary(k, r) for r in items], "next_page": token}
    return out


def _record(store: MetadataStore, kind: str, ident: int) -> Record:
    found: list[Record]
    if kind == "artifact":
        found = list(store.get_artifacts_by_id([ident]))
    elif kind == "execution":
        found = list(store.get_executions_by_id([ident]))
    else:
        found = list(store.get_contexts_by_id([ident]))
    if not found:
        raise NotFound(f"node: no {kind} with id {ident}")
    return found[0]


def _contexts(store: MetadataStore, kind: str, ident: int) -> list[dict[str, Any]]:
    contexts = (store.get_contexts_by_artifact(ident) if kind == "artifact"
                else store.get_contexts_by_execution(ident))
    return [summary("context", c) for c in contexts]


def node(store: MetadataStore, key: str) -> dict[str, Any]:
    """One node: its record, its contexts; a context also its parents, children and members."""
    kind, ident = parse_key("node", key)
    record = _record(store, kind, ident)
    out: dict[str, Any] = {"node": summary(kind, record),
                           "record": record.model_dump(mode="json", exclude_none=True)}
    if kind == "context":
        out["parents"] = [summary("context", c) for c in store.get_parent_contexts_by_context(ident)]
        out["children"] = [summary("context", c) for c in store.get_children_contexts_by_context(ident)]
        out["artifacts"] = [summary("artifact", a)
                            for a in store.get_artifacts_by_context(ident, ListOptions(limit=PAGE))]
        out["executions"] = [summary("execution", e)
                             for e in store.get_executions_by_context(ident, ListOptions(limit=PAGE))]
    else:
        out["contexts"] = _contexts(store, kind, ident)
    return out


def neighbours(store: MetadataStore, key: str, direction: str, cursor: str | None = None) -> dict[str, Any]:
    """A page of the nodes one hop up- or downstream (what made / used an artifact, what an
    execution read / wrote), with the total and the cursor of the next page."""
    kind, ident = parse_key("node", key, ("artifact", "execution"))
    if direction not in ("upstream", "downstream"):
        raise InvalidArgument(f"direction: expected upstream or downstream, got {direction[:80]!r}")
    way = LineageDirection.UPSTREAM if direction == "upstream" else LineageDirection.DOWNSTREAM
    result = store.lineage(way, max_hops=1, limit=PAGE, cursor=cursor,
                           artifact_id=ident if kind == "artifact" else None,
                           execution_id=ident if kind == "execution" else None)
    return {"node": key, "direction": direction, "total": result.total, "next_cursor": result.next_cursor,
            "items": [summary(n.ref.kind, n.node) for n in result.nodes]}


def picture(store: MetadataStore, keys: list[Any], start: list[Any]) -> dict[str, Any]:
    """The laid-out picture (render.picture) of the given nodes and every event between them."""
    if not isinstance(keys, list) or not isinstance(start, list):
        raise InvalidArgument("nodes, start: expected lists of node keys")
    check_max(UI_PICTURE_NODES, "nodes", len(keys), keys)
    refs = {parse_key("nodes", k, ("artifact", "execution")) for k in keys}
    starts = [NodeRef(*parse_key("start", k, ("artifact", "execution"))) for k in start]  # type: ignore[arg-type]
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


def _artifact_id(field: str, key: object) -> int:
    return parse_key(field, key, ("artifact",))[1]


def impact(store: MetadataStore, root: object, mark: object = None) -> dict[str, Any]:
    """Everything downstream of a bad artifact; with ``mark`` (a reason) quarantined too."""
    ident = _artifact_id("root", root)
    if mark is not None and not isinstance(mark, str):
        raise InvalidArgument(f"mark: expected a reason (a string), got {mark!r}")
    report = store.impact([ident], mark=mark)
    rows = [{**summary(n.ref.kind, n.node), "distance": n.distance}
            for n in sorted(report.executions + report.artifacts, key=lambda n: (n.distance, n.ref))]
    return {"root": f"artifact:{ident}", "node": summary("artifact", _record(store, "artifact", ident)),
            "nodes": rows, "marked": report.marked,
            "contexts": [summary("context", c) for c in report.contexts]}


def unmark(store: MetadataStore, root: object) -> dict[str, Any]:
    """Lift the quarantine that marking from ``root`` set; returns how many nodes changed."""
    return {"root": root, "unmarked": store.unmark_impact([_artifact_id("root", root)])}


def compare(store: MetadataStore, left: str, right: str) -> dict[str, Any]:
    """How two artifacts or two executions (two runs) of one type differ."""
    lkind, lid = parse_key("left", left, ("artifact", "execution"))
    rkind, rid = parse_key("right", right, ("artifact", "execution"))
    if lkind != rkind:
        raise InvalidArgument(f"right: compare two nodes of one kind, got {left} and {right}")
    cmp = store.compare_artifacts(lid, rid) if lkind == "artifact" else store.compare_executions(lid, rid)
    return {**cmp.model_dump(mode="json"), "left": summary(lkind, _record(store, lkind, lid)),
            "right": summary(rkind, _record(store, rkind, rid))}
