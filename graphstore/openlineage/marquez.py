"""Marquez's read API over a graphstore: lineage graphs, namespaces, jobs, datasets.

The answers have Marquez's JSON shapes (``{"graph": [{"id", "type", "data", "inEdges",
"outEdges"}]}`` …). OpenLineage records keep their names; the rest of the graph (artifacts
and executions recorded through graphstore's own API) appears in namespace ``graphstore`` as
``<type name>/<id>``, one job per execution, so a pipeline recorded by steps shows in the same
lineage as the datasets Airflow or Spark reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ..errors import InvalidArgument, NotFound
from ..limits import abridge
from ..lineage import LineageDirection, LineageSubgraphQueryOptions
from ..models import Artifact, Context, Execution, ExecutionState
from ..options import ListOptions, OrderByField
from ..store import MetadataStore
from ._keys import (
    DATASET_TYPE,
    FACET,
    JOB_CONTEXT_TYPE,
    NAMESPACE_CONTEXT_TYPE,
    dataset_key,
    job_key,
    namespace_key,
)

__all__ = ["GRAPHSTORE_NAMESPACE", "datasets", "jobs", "lineage", "namespaces", "parse_node_id"]

GRAPHSTORE_NAMESPACE = "graphstore"
# Marquez splits a node id at ':' but not at the ':' of "scheme://" or of "host:port"
_SEPARATOR = re.compile(r":(?!//|\d+)")
_RUN_STATE = {ExecutionState.RUNNING: "RUNNING", ExecutionState.COMPLETE: "COMPLETED",
              ExecutionState.CACHED: "COMPLETED", ExecutionState.FAILED: "FAILED",
              ExecutionState.CANCELED: "ABORTED"}
Json = dict[str, Any]


def parse_node_id(node_id: str) -> tuple[str, str, str]:
    """``dataset:<namespace>:<name>`` or ``job:<namespace>:<name>`` → (kind, namespace, name),
    split as Marquez splits it (``dataset:gs://bucket:path/x`` → ``gs://bucket``, ``path/x``)."""
    if not isinstance(node_id, str) or not node_id.startswith(("dataset:", "job:")):
        raise InvalidArgument(f"nodeId: expected dataset:<namespace>:<name> or "
                              f"job:<namespace>:<name>, got {abridge(node_id)}")
    parts = re.split(":|#", node_id)
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    cuts = [m for m, _ in zip(_SEPARATOR.finditer(node_id), range(2), strict=False)]
    if len(parts) < 3 or len(cuts) < 2:
        raise InvalidArgument(f"nodeId: expected <kind>:<namespace>:<name>, got {abridge(node_id)}")
    first, second = cuts
    return (node_id[:first.start()], node_id[first.end():second.start()], node_id[second.end():])


def _splits(node_id: str) -> list[tuple[str, str]]:
    """Every (namespace, name) the id can spell, Marquez's reading first: an id whose name
    looks like a port (``dataset:ns:2024/x``) still finds its dataset."""
    try:
        kind, namespace, name = parse_node_id(node_id)
        out = [(namespace, name)]
    except InvalidArgument:
        kind, out = node_id.partition(":")[0], []
    body = node_id[len(kind) + 1:]
    out += [(body[:i], body[i + 1:]) for i, c in enumerate(body) if c == ":" and 0 < i < len(body) - 1]
    return list(dict.fromkeys(out))


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def _facets(props: dict[str, Any]) -> Json:
    return {k[len(FACET):]: v for k, v in props.items() if k.startswith(FACET)}


def _local_name(node: Artifact | Execution) -> str:
    return f"{node.type}/{node.id}"


def dataset_name(artifact: Artifact) -> tuple[str, str]:
    """The (namespace, name) a dataset shows under."""
    props = artifact.custom_properties
    if artifact.type == DATASET_TYPE and isinstance(props.get("namespace"), str):
        return str(props["namespace"]), str(props["name"])
    return GRAPHSTORE_NAMESPACE, _local_name(artifact)


def job_name(execution: Execution) -> tuple[str, str]:
    """The (namespace, name) of the job a run shows under."""
    props = execution.custom_properties
    if isinstance(props.get("job_namespace"), str) and str(execution.external_id).startswith("openlineage:run:"):
        return str(props["job_namespace"]), str(props["job_name"])
    return GRAPHSTORE_NAMESPACE, _local_name(execution)


def _id(kind: str, namespace: str, name: str) -> str:
    return f"{kind}:{namespace}:{name}"


def _dataset_data(a: Artifact) -> Json:
    namespace, name = dataset_name(a)
    facets = _facets(a.custom_properties)
    fields = facets.get("schema", {}).get("fields", [])
    return {"id": {"namespace": namespace, "name": name}, "type": "DB_TABLE", "name": name,
            "physicalName": name, "createdAt": _iso(a.create_time_since_epoch),
            "updatedAt": _iso(a.last_update_time_since_epoch), "namespace": namespace,
            "sourceName": namespace, "fields": fields if isinstance(fields, list) else [],
            "tags": [], "lastModifiedAt": None,
            "description": facets.get("documentation", {}).get("description"), "facets": facets}


def _run_data(e: Execution) -> Json:
    props = e.custom_properties
    return {"id": props.get("runId", str(e.id)), "createdAt": _iso(e.create_time_since_epoch),
            "updatedAt": _iso(e.last_update_time_since_epoch),
            "state": _RUN_STATE.get(e.last_known_state, "NEW"),
            "startedAt": props.get("started_at"), "endedAt": props.get("ended_at"),
            "facets": _facets(props)}


def _job_data(namespace: str, name: str, runs: list[Execution], context: Context | None,
              inputs: Iterable[tuple[str, str]], outputs: Iterable[tuple[str, str]]) -> Json:
    facets = _facets(context.custom_properties) if context is not None else {}
    latest = max(runs, key=lambda e: (e.create_time_since_epoch or 0, e.id or 0)) if runs else None
    first = context or (min(runs, key=lambda e: e.id or 0) if runs else None)
    return {"id": {"namespace": namespace, "name": name},
            "type": str(facets.get("jobType", {}).get("processingType", "BATCH")),
            "name": name, "simpleName": name, "parentJobName": None,
            "createdAt": _iso(first.create_time_since_epoch) if first else None,
            "updatedAt": _iso(max((n.last_update_time_since_epoch or 0) for n in [*runs, *(
                [context] if context else [])])) if first else None,
            "namespace": namespace,
            "inputs": [{"namespace": n, "name": m} for n, m in sorted(inputs)],
            "outputs": [{"namespace": n, "name": m} for n, m in sorted(outputs)],
            "location": facets.get("sourceCodeLocation", {}).get("url"),
            "description": facets.get("documentation", {}).get("description"),
            "facets": facets, "latestRun": _run_data(latest) if latest else None}


def _start(store: MetadataStore, kind: str, node_id: str) -> tuple[str, str | None, Context | None, str, str]:
    """Where the walk starts: ("artifact" | "execution", a filter selecting the start nodes
    or None for a job without runs, the job's context, its namespace and name)."""
    splits = _splits(node_id)
    if not splits:
        parse_node_id(node_id)  # raises: the id has no namespace and name
    for namespace, name in splits:
        m = re.fullmatch(r".*/(\d+)", name)
        if namespace != GRAPHSTORE_NAMESPACE or m is None:
            continue
        found: list[Any] = (store.get_artifacts_by_id([int(m[1])]) if kind == "dataset"
                            else store.get_executions_by_id([int(m[1])]))
        if found:
            return ("artifact" if kind == "dataset" else "execution"), f"id = {found[0].id}", None, \
                namespace, name
    if kind == "dataset":
        keys = {dataset_key(*pair): pair for pair in splits}
        artifacts = {a.external_id: a for a in store.get_artifacts_by_external_ids(list(keys))}
        for key, pair in keys.items():
            if key in artifacts:
                return "artifact", f"id = {artifacts[key].id}", None, *pair
    else:
        keys = {job_key(*pair): pair for pair in splits}
        contexts = {c.external_id: c for c in store.get_contexts_by_external_ids(list(keys))}
        for key, pair in keys.items():
            if key in contexts:
                job = contexts[key]
                has_runs = store.get_executions_by_context(job.id or 0, ListOptions(limit=1))
                return "execution", f"contexts_a.id = {job.id}" if has_runs else None, job, *pair
    raise NotFound(f"nodeId: no {kind} {node_id!r}")


def lineage(store: MetadataStore, node_id: str, depth: int | None = None) -> Json:
    """Marquez's ``GET /api/v1/lineage``: the jobs and datasets around ``node_id``.

    As in Marquez, ``depth`` counts jobs: the start job (or every job that read or wrote the
    start dataset) is depth 0, jobs sharing a dataset with a depth-k job are depth k + 1, and
    the graph holds the datasets of every job in it. ``None`` walks the whole connected graph
    (Marquez caps it at 20). Runs are the graph's edges: a job is joined to the datasets its
    runs read and wrote."""
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 0):
        raise InvalidArgument(f"depth: expected a non-negative integer, got {abridge(depth)}")
    kind = node_id.partition(":")[0] if isinstance(node_id, str) else ""
    if kind not in ("dataset", "job"):
        parse_node_id(node_id)  # raises, naming the field
    start_kind, selector, job, namespace, name = _start(store, kind, node_id)
    if selector is None:  # a job no run has reported yet
        return {"graph": [_node("JOB", _id("job", namespace, name),
                                _job_data(namespace, name, [], job, (), ()), [], [])]}
    # a job is 2 event hops from the next (run → dataset → run); its datasets are one more
    hops = None if depth is None else 2 * depth + (1 if start_kind == "execution" else 2)
    graph = store.get_lineage_subgraph(LineageSubgraphQueryOptions(
        **{f"starting_{start_kind}s": selector}, max_num_hops=hops,
        direction=LineageDirection.BIDIRECTIONAL), ["artifacts", "executions", "events"])
    return {"graph": _graph(store, graph.artifacts, graph.executions,
                            [(e.artifact_id or 0, e.execution_id or 0, e.type.is_input)
                             for e in graph.events])}


def _node(kind: str, node_id: str, data: Json, ins: Iterable[str], outs: Iterable[str]) -> Json:
    return {"id": node_id, "type": kind, "data": data,
            "inEdges": [{"origin": o, "destination": node_id} for o in sorted(ins)],
            "outEdges": [{"origin": node_id, "destination": d} for d in sorted(outs)]}


def _graph(store: MetadataStore, artifacts: list[Artifact], executions: list[Execution],
           events: list[tuple[int, int, bool]]) -> list[Json]:
    """Runs collapsed into their jobs; nodes sorted by id, as Marquez sorts them."""
    datasets = {a.id: dataset_name(a) for a in artifacts}
    job_of = {e.id: job_name(e) for e in executions}
    runs: dict[tuple[str, str], list[Execution]] = defaultdict(list)
    for e in executions:
        runs[job_of[e.id]].append(e)
    reads: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    writes: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for artifact_id, execution_id, is_input in events:
        if artifact_id in datasets and execution_id in job_of:
            (reads if is_input else writes)[job_of[execution_id]].add(datasets[artifact_id])
    keys = [job_key(*j) for j in runs if j[0] != GRAPHSTORE_NAMESPACE]
    contexts = {(c.custom_properties.get("namespace"), c.custom_properties.get("name")): c
                for c in (store.get_contexts_by_external_ids(keys) if keys else [])}
    out = []
    for job, job_runs in runs.items():
        jid = _id("job", *job)
        out.append(_node("JOB", jid, _job_data(*job, job_runs, contexts.get(job), reads[job], writes[job]),
                         [_id("dataset", *d) for d in reads[job]],
                         [_id("dataset", *d) for d in writes[job]]))
    for a in artifacts:
        ds = datasets[a.id]
        out.append(_node("DATASET", _id("dataset", *ds), _dataset_data(a),
                         [_id("job", *j) for j, w in writes.items() if ds in w],
                         [_id("job", *j) for j, r in reads.items() if ds in r]))
    return sorted(out, key=lambda n: n["id"])


def _window(items: list[Any], limit: int, offset: int) -> list[Any]:
    return items[offset:offset + limit]


def _check_window(limit: int, offset: int) -> None:
    for field, value, least in (("limit", limit, 1), ("offset", offset, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InvalidArgument(f"{field}: expected an integer >= {least}, got {abridge(value)}")


def namespaces(store: MetadataStore, limit: int = 100, offset: int = 0) -> Json:
    """Marquez's ``GET /api/v1/namespaces``: every OpenLineage namespace, by name."""
    _check_window(limit, offset)
    found = store.get_contexts(ListOptions(
        filter_query=f"type = '{NAMESPACE_CONTEXT_TYPE}'", limit=offset + limit))
    return {"namespaces": [{"name": c.name, "createdAt": _iso(c.create_time_since_epoch),
                            "updatedAt": _iso(c.last_update_time_since_epoch), "ownerName": None,
                            "description": None, "isHidden": False}
                           for c in _window(found, limit, offset)]}


def _namespace_context(store: MetadataStore, namespace: str) -> Context:
    found = store.get_contexts_by_external_ids([namespace_key(namespace)])
    if not found:
        raise NotFound(f"namespace: no namespace {namespace!r}")
    return found[0]


def jobs(store: MetadataStore, namespace: str, limit: int = 100, offset: int = 0) -> Json:
    """Marquez's ``GET /api/v1/namespaces/{namespace}/jobs``: each with its latest run (one
    read per job of the page); ``inputs`` and ``outputs`` are filled in lineage answers only."""
    _check_window(limit, offset)
    ns = _namespace_context(store, namespace)
    found = [c for c in store.get_children_contexts_by_context(ns.id or 0) if c.type == JOB_CONTEXT_TYPE]
    page = _window(found, limit, offset)
    latest = ListOptions(limit=1, order_by=OrderByField.CREATE_TIME, is_asc=False)
    return {"jobs": [_job_data(namespace, str(c.custom_properties.get("name")),
                               store.get_executions_by_context(c.id or 0, latest), c, (), ())
                     for c in page], "totalCount": len(found)}


def datasets(store: MetadataStore, namespace: str, limit: int = 100, offset: int = 0) -> Json:
    """Marquez's ``GET /api/v1/namespaces/{namespace}/datasets``."""
    _check_window(limit, offset)
    ns = _namespace_context(store, namespace)
    found = store.get_artifacts_by_context(ns.id or 0, ListOptions(limit=offset + limit))
    return {"datasets": [_dataset_data(a) for a in _window(found, limit, offset)]}

