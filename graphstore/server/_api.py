"""graphstore's own JSON API under ``/api/graphstore`` (nodes, filters, lineage, impact,
compare, stats, search), described by ``/api/graphstore/openapi.json``.

Each endpoint is one call (or a few reads) of the Python API: parameters carry the Python API's
names (``filter_query``, ``next_page_token``, ``max_hops``, ``cursor`` …), so an error naming
a field names the parameter. Records are sent as the CLI's JSON shows them (``ref``, enum
values by name).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from graphstore import __version__
from graphstore._cli_output import record_json
from graphstore._cli_query import store_stats
from graphstore.analysis import ImpactedNode
from graphstore.errors import FilterSyntaxError, InvalidArgument, NotFound
from graphstore.limits import FILTER_LIKE_PATTERN, HTTP_GRAPH_NODES, HTTP_PAGE_SIZE, check_max
from graphstore.lineage import LineageDirection, LineageResult
from graphstore.options import ListOptions, OrderByField
from graphstore.server._endpoints import Endpoint, Param, openapi, route
from graphstore.store import MetadataStore

__all__ = ["ENDPOINTS", "OPENAPI_PATH", "PREFIX", "routes"]

PREFIX = "/api/graphstore"
OPENAPI_PATH = f"{PREFIX}/openapi.json"
DEFAULT_PAGE = 100
_ORDER = {"id": OrderByField.ID, "create_time": OrderByField.CREATE_TIME, "update_time": OrderByField.LAST_UPDATE_TIME}
_PLURAL = {"artifact": "artifacts", "execution": "executions", "context": "contexts"}
_DIRECTIONS = {"upstream": LineageDirection.UPSTREAM, "downstream": LineageDirection.DOWNSTREAM}


@contextmanager
def _filter_named(name: str = "filter_query") -> Iterator[None]:
    """A filter query's syntax error names the parameter it came in (the parser knows only
    the position)."""
    try:
        yield
    except FilterSyntaxError as exc:
        raise InvalidArgument(f"{name}: {exc}") from None


def _node(kind: str, record: Any) -> dict[str, Any]:
    return {"kind": kind, **record_json(record)}


def _type(t: Any) -> dict[str, Any]:
    data: dict[str, Any] = t.model_dump(mode="json", exclude_none=True)
    data["properties"] = {k: v.name for k, v in t.properties.items()}
    return data


def _limit(limit: int | None, default: int = DEFAULT_PAGE) -> int:
    value = default if limit is None else limit
    check_max(HTTP_PAGE_SIZE, "limit", value, value)
    return value


def _get(store: MetadataStore, kind: str, node_id: int) -> Any:
    getter: Any = {"artifact": store.get_artifacts_by_id, "execution": store.get_executions_by_id,
              "context": store.get_contexts_by_id}[kind]
    found = getter([node_id])
    if not found:
        raise NotFound(f"id: no {kind} with id {node_id}")
    return found[0]


def _event(e: Any) -> dict[str, Any]:
    return {"artifact_id": e.artifact_id, "execution_id": e.execution_id, "type": e.type.name,
            "path": list(e.path), "milliseconds_since_epoch": e.milliseconds_since_epoch}


# -- types and nodes ---------------------------------------------------------------------------

def get_types(store: MetadataStore) -> dict[str, Any]:
    return {"artifact_types": [_type(t) for t in store.get_artifact_types()],
            "execution_types": [_type(t) for t in store.get_execution_types()],
            "context_types": [_type(t) for t in store.get_context_types()]}


def _lister(kind: str) -> Any:
    def list_nodes(store: MetadataStore, *, filter_query: str | None = None, limit: int | None = None,
                   next_page_token: str | None = None, order_by: str = "id", is_asc: bool = True,
                   context_id: int | None = None) -> dict[str, Any]:
        options = ListOptions(filter_query=filter_query, limit=_limit(limit), next_page_token=next_page_token,
                              order_by=_ORDER[order_by], is_asc=is_asc)
        scope = {} if context_id is None else {"context_id": context_id}
        with _filter_named():
            page = getattr(store, f"page_{_PLURAL[kind]}")(options, **scope)
        return {"items": [_node(kind, n) for n in page.items], "next_page_token": page.next_page_token}
    list_nodes.__name__ = f"list_{_PLURAL[kind]}"
    return list_nodes


def _shower(kind: str) -> Any:
    def show_node(store: MetadataStore, *, id: int) -> dict[str, Any]:
        record = _get(store, kind, id)
        out: dict[str, Any] = {"node": _node(kind, record)}
        if kind == "context":
            out["parents"] = [_node("context", c) for c in store.get_parent_contexts_by_context(id)]
            out["children"] = [_node("context", c) for c in store.get_children_contexts_by_context(id)]
            return out
        events = (store.get_events_by_artifact_ids([id]) if kind == "artifact"
                  else store.get_events_by_execution_ids([id]))
        # a dataset read by 100,000 runs: the first page of its events, and how many there are
        out["events"] = [_event(e) for e in events[:HTTP_PAGE_SIZE.maximum]]
        out["events_total"] = len(events)
        contexts = (store.get_contexts_by_artifact(id) if kind == "artifact" else store.get_contexts_by_execution(id))
        out["contexts"] = [_node("context", c) for c in contexts]
        return out
    show_node.__name__ = f"get_{kind}"
    return show_node


# -- lineage -------------------------------------------------------------------------------------

def _start(kind: str, node_id: int) -> dict[str, Any]:
    return {"artifact_id": node_id} if kind == "artifact" else {"execution_id": node_id}


def _walker(kind: str, way: str) -> Any:
    def walk(store: MetadataStore, *, id: int, max_hops: int | None = None,
             limit: int | None = None, cursor: str | None = None, kinds: list[str] | None = None,
             types: list[str] | None = None, states: list[str] | None = None,
             created_after: int | None = None, filter_query: str | None = None,
             paths: bool = False) -> dict[str, Any]:
        with _filter_named():
            result = store.lineage(_DIRECTIONS[way], **_start(kind, id), max_hops=max_hops, limit=_limit(limit),
                                   cursor=cursor, kinds=kinds, types=types, states=states,
                                   created_after=created_after, filter_query=filter_query)
        return {"start": f"{kind}:{id}", "direction": way, "total": result.total, "truncated": result.truncated,
                "next_cursor": result.next_cursor, "nodes": _lineage_nodes(result, paths)}
    walk.__name__ = f"{way}_of_{kind}"
    return walk


def _lineage_nodes(result: LineageResult, paths: bool) -> list[dict[str, Any]]:
    out = []
    for n in result.nodes:
        item: dict[str, Any] = {"ref": str(n.ref), "distance": n.distance, "node": _node(n.ref.kind, n.node)}
        if paths:
            item["path"] = [str(p) for p in n.path]
        out.append(item)
    return out


def _grapher(kind: str) -> Any:
    def lineage_graph(store: MetadataStore, *, id: int, direction: str = "both",
                      max_hops: int | None = None, max_nodes: int | None = None) -> dict[str, Any]:
        """The nearest ``max_nodes`` nodes each way and the events among them."""
        size = 500 if max_nodes is None else max_nodes
        check_max(HTTP_GRAPH_NODES, "max_nodes", size, size)
        start = _get(store, kind, id)
        ways = ["upstream", "downstream"] if direction == "both" else [direction]
        nodes: dict[str, dict[str, Any]] = {f"{kind}:{id}": {**_node(kind, start), "distance": 0}}
        truncated = False
        for way in ways:
            result = store.lineage(_DIRECTIONS[way], **_start(kind, id), max_hops=max_hops, limit=size)
            truncated |= result.truncated or result.next_cursor is not None
            for n in result.nodes:
                nodes.setdefault(str(n.ref), {**_node(n.ref.kind, n.node), "distance": n.distance,
                                              "direction": way})
        artifact_ids = [v["id"] for v in nodes.values() if v["kind"] == "artifact"]
        edges = []
        for e in store.get_events_by_artifact_ids(artifact_ids) if artifact_ids else []:
            if f"execution:{e.execution_id}" in nodes:
                a, x = f"artifact:{e.artifact_id}", f"execution:{e.execution_id}"
                edges.append({"source": a if e.type.is_input else x, "target": x if e.type.is_input else a,
                              "type": e.type.name})
        return {"start": f"{kind}:{id}", "nodes": list(nodes.values()), "edges": edges, "truncated": truncated}
    lineage_graph.__name__ = f"lineage_graph_of_{kind}"
    return lineage_graph


# -- impact, compare, stats, search ----------------------------------------------------------------

_IMPACT_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "artifact_ids": {"type": "array", "items": {"type": "integer"}, "description": "the bad artifacts"},
    "filter_query": {"type": "string", "description": "also the artifacts matching this filter query"},
    "created_after": {"type": "integer", "description": "only nodes created after (ms since epoch)"},
    "mark": {"type": "string", "description": "quarantine the roots and everything downstream, with this reason"}}}
_UNMARK_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "root_artifact_ids": {"type": "array", "items": {"type": "integer"},
                          "description": "unmark the quarantine of these roots (all when absent)"}}}


def _fields(body: Any, schema: dict[str, Any]) -> dict[str, Any]:
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise InvalidArgument(f"body: expected a JSON object, got {type(body).__name__}")
    unknown = sorted(set(body) - set(schema["properties"]))
    if unknown:
        raise InvalidArgument(f"{unknown[0]}: unknown field (known: {', '.join(schema['properties'])})")
    return body


def _impacted(n: ImpactedNode) -> dict[str, Any]:
    return {"ref": str(n.ref), "distance": n.distance, "roots": n.roots, "node": _node(n.ref.kind, n.node)}


def impact(store: MetadataStore, *, body: Any) -> dict[str, Any]:
    fields = _fields(body, _IMPACT_BODY)
    with _filter_named():
        report = store.impact(fields.get("artifact_ids") or [], filter_query=fields.get("filter_query"),
                              created_after=fields.get("created_after"), mark=fields.get("mark"))
    reported = sorted(report.executions + report.artifacts, key=lambda n: (n.distance, n.ref))
    return {"roots": [f"artifact:{r}" for r in report.roots], "marked": report.marked,
            "nodes": [_impacted(n) for n in reported], "contexts": [_node("context", c) for c in report.contexts]}


def unmark(store: MetadataStore, *, body: Any) -> dict[str, Any]:
    fields = _fields(body, _UNMARK_BODY)
    return {"unmarked": store.unmark_impact(fields.get("root_artifact_ids"))}


def compare(store: MetadataStore, *, kind: str, left: int, right: int) -> dict[str, Any]:
    found = (store.compare_artifacts if kind == "artifact" else store.compare_executions)(left, right)
    data: dict[str, Any] = found.model_dump(mode="json")
    return data


def stats(store: MetadataStore) -> dict[str, Any]:
    data = store_stats(store)
    data.pop("store", None)  # the store's target is the operator's business, not a client's
    return data


def _like(text: str) -> str:
    """``text`` as a LIKE pattern's literal middle: quotes, backslashes and wildcards escaped."""
    for ch in ("\\", "'", "%", "_"):
        text = text.replace(ch, "\\" + ch)
    return text


def search(store: MetadataStore, *, q: str, kind: str = "artifact", limit: int | None = None,
           next_page_token: str | None = None) -> dict[str, Any]:
    """Nodes whose name (or, for artifacts, uri) contains ``q``."""
    if not q.strip():
        raise InvalidArgument("q: expected some text to look for")
    check_max(FILTER_LIKE_PATTERN, "q", len(q) + 2, q)
    pattern = f"'%{_like(q)}%'"
    query = f"name LIKE {pattern}" + (f" OR uri LIKE {pattern}" if kind == "artifact" else "")
    options = ListOptions(filter_query=query, limit=_limit(limit), next_page_token=next_page_token)
    page = getattr(store, f"page_{_PLURAL[kind]}")(options)
    return {"items": [_node(kind, n) for n in page.items], "next_page_token": page.next_page_token}


# -- the declarations ------------------------------------------------------------------------------

def _id(kind: str) -> Param:
    return Param("id", "integer", f"the {kind}'s id", where="path", minimum=0)


_LIMIT = Param("limit", "integer", f"page size (default {DEFAULT_PAGE}, at most {HTTP_PAGE_SIZE.maximum})", minimum=1)
_FILTER = Param("filter_query", "string", "MLMD filter query, e.g. type = 'Model' AND uri LIKE '/data/%'")
_TOKEN = Param("next_page_token", "string", "the previous page's next_page_token")


def _endpoints() -> list[Endpoint]:
    out = [Endpoint("GET", f"{PREFIX}/types", "every artifact, execution and context type", get_types, tags=("types",))]
    for kind, plural in _PLURAL.items():
        scope = ((Param("context_id", "integer", f"only the {plural} of this context", minimum=0),)
                 if kind != "context" else ())
        out += [
            Endpoint("GET", f"{PREFIX}/{plural}", f"a page of {plural} (keyset paging: never repeats or skips)",
                     _lister(kind), (_FILTER, _LIMIT, _TOKEN,
                                     Param("order_by", "string", "sort key (default id)", choices=tuple(_ORDER)),
                                     Param("is_asc", "boolean", "ascending (default true)"), *scope), tags=(plural,)),
            Endpoint("GET", f"{PREFIX}/{plural}/{{id}}",
                     f"one {kind} with its " + ("parent and child contexts" if kind == "context"
                                                else "events and contexts"), _shower(kind), (_id(kind),),
                     tags=(plural,))]
        if kind == "context":
            continue
        for way in _DIRECTIONS:
            out.append(Endpoint(
                "GET", f"{PREFIX}/{plural}/{{id}}/{way}",
                f"a page of what the {kind} was " + ("made from" if way == "upstream" else "used to make")
                + ", nearest first", _walker(kind, way),
                (_id(kind), Param("max_hops", "integer", "stop after N event edges (default: no limit)", minimum=0),
                 _LIMIT, Param("cursor", "string", "the previous page's next_cursor"),
                 Param("kinds", "array", "report only these kinds", choices=("artifact", "execution")),
                 Param("types", "array", "report only these type names"),
                 Param("states", "array", "report only these states (LIVE, COMPLETE, …)"),
                 Param("created_after", "integer", "report only nodes created after (ms since epoch)"),
                 _FILTER, Param("paths", "boolean", "include one explaining path per node (default false)")),
                tags=("lineage",)))
        out.append(Endpoint(
            "GET", f"{PREFIX}/{plural}/{{id}}/lineage", f"the lineage picture around the {kind}: nodes and edges, "
            "nearest first, bounded", _grapher(kind),
            (_id(kind), Param("direction", "string", "default both", choices=("both", *_DIRECTIONS)),
             Param("max_hops", "integer", "stop after N event edges (default: no limit)", minimum=0),
             Param("max_nodes", "integer", f"nodes per direction (default 500, at most {HTTP_GRAPH_NODES.maximum})",
                   minimum=1)), tags=("lineage",)))
    out += [
        Endpoint("POST", f"{PREFIX}/impact", "everything downstream of bad artifacts; with mark, quarantine it",
                 impact, body=_IMPACT_BODY, tags=("impact",)),
        Endpoint("POST", f"{PREFIX}/impact/unmark", "remove quarantine marks (of these roots, or all)", unmark,
                 body=_UNMARK_BODY, tags=("impact",)),
        Endpoint("GET", f"{PREFIX}/compare", "property and upstream-lineage differences of two runs or artifacts",
                 compare, (Param("kind", "string", "what to compare", required=True, choices=("artifact", "execution")),
                           Param("left", "integer", "one id", required=True, minimum=0),
                           Param("right", "integer", "the other id", required=True, minimum=0)), tags=("compare",)),
        Endpoint("GET", f"{PREFIX}/stats", "counts by kind, type and state; events; quarantined nodes", stats,
                 tags=("stats",)),
        Endpoint("GET", f"{PREFIX}/search", "nodes whose name (artifacts: or uri) contains q", search,
                 (Param("q", "string", "text to look for", required=True),
                  Param("kind", "string", "default artifact", choices=tuple(_PLURAL)), _LIMIT, _TOKEN),
                 tags=("search",)),
    ]
    return out


ENDPOINTS: list[Endpoint] = _endpoints()
_HEALTH_DOC = {"/healthz": {"get": {"summary": "200 when the store answers a read, else 503 (no token needed)",
                                    "operationId": "health", "security": [],
                                    "responses": {"200": {"description": "healthy"}, "503": {"description": "not"}}}},
               OPENAPI_PATH: {"get": {"summary": "this document", "operationId": "openapi",
                                      "responses": {"200": {"description": "OpenAPI 3.1"}}}}}
DOCUMENT = openapi(ENDPOINTS, title="graphstore JSON API", version=__version__, extra_paths=_HEALTH_DOC)


async def _openapi(request: Request) -> Response:
    return JSONResponse(DOCUMENT)


routes: list[BaseRoute] = [Route(OPENAPI_PATH, _openapi, methods=["GET"]), *(route(e) for e in ENDPOINTS)]
