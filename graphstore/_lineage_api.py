"""The lineage half of MetadataStore: MLMD's get_lineage_subgraph and deep lineage."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any

from . import ops
from ._convert import event, to_node, to_type
from ._gc import paused_gc
from ._validate import check_int, check_text, int64_problem
from .engines.base import Engine, Transaction
from .errors import InvalidArgument, NotFound
from .filters import parse as parse_filter
from .kinds import CONTEXT_LINK, KIND_SPECS, NodeKind, Relation
from .lineage import (
    LINEAGE_FIELDS,
    Edge,
    LineageDirection,
    LineageGraph,
    LineageNode,
    LineageResult,
    LineageSubgraphQueryOptions,
    NodeRef,
    Reach,
    events_walked,
    node_key,
    walk,
)
from .models import Association, Attribution

__all__ = ["LineageMixin"]

_KINDS: dict[str, NodeKind] = {"artifact": NodeKind.ARTIFACT, "execution": NodeKind.EXECUTION}


def _ids_of(refs: Iterable[NodeRef], kind: str) -> tuple[int, ...]:
    return tuple(sorted(r.id for r in refs if r.kind == kind))


def _by_ids(tx: Transaction, kind: str, ids: tuple[int, ...]) -> list[Any]:
    """The records of one kind with these ids, in id order."""
    if not ids:
        return []
    spec = KIND_SPECS[_KINDS[kind]]
    return [to_node(spec, row) for row in tx.run(ops.NodeQuery(spec.kind, ids=ids))]


def _records(tx: Transaction, refs: Iterable[NodeRef]) -> dict[NodeRef, Any]:
    refs = list(refs)
    return {NodeRef(kind, n.id): n for kind in _KINDS  # type: ignore[arg-type]
            for n in _by_ids(tx, kind, _ids_of(refs, kind))}


def _encode_cursor(last: tuple[int, str, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(last)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, str, int]:
    try:
        distance, kind, node_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if kind in _KINDS and all(isinstance(v, int) and int64_problem(v) is None
                                  for v in (distance, node_id)):
            return distance, kind, node_id
    except (ValueError, TypeError, binascii.Error):
        pass
    raise InvalidArgument(f"cursor: {cursor!r} is not a lineage cursor")


class LineageMixin:
    """Lineage queries; mixed into MetadataStore, which provides ``_engine``."""

    _engine: Engine

    # -- MLMD's get_lineage_subgraph ---------------------------------------------------------
    def get_lineage_subgraph(self, query_options: LineageSubgraphQueryOptions,
                             field_mask_paths: Iterable[str] | None = None) -> LineageGraph:
        """MLMD's lineage subgraph, without its caps: no 100-hop limit, no 100-start limit.

        ``field_mask_paths`` picks the parts to fill (``"artifacts"``, ``"events"``,
        ``"context_types"``, …); empty or None means all of them."""
        if not isinstance(query_options, LineageSubgraphQueryOptions):
            raise InvalidArgument(f"query_options: expected LineageSubgraphQueryOptions, "
                                  f"got {query_options!r}")
        opts = query_options
        if (opts.starting_artifacts is None) == (opts.starting_executions is None):
            raise InvalidArgument("query_options: set exactly one of starting_artifacts and "
                                  "starting_executions")
        wanted = set(field_mask_paths or LINEAGE_FIELDS)
        unknown = sorted(wanted - set(LINEAGE_FIELDS))
        if unknown:
            raise InvalidArgument(f"field_mask_paths: unknown part {unknown[0]!r} "
                                  f"(known: {', '.join(LINEAGE_FIELDS)})")
        start_kind = "artifact" if opts.starting_artifacts is not None else "execution"
        start_expr = parse_filter(opts.starting_artifacts or opts.starting_executions or "",
                                  _KINDS[start_kind])
        ending = {kind: parse_filter(q, _KINDS[kind]) for kind, q in
                  (("artifact", opts.ending_artifacts), ("execution", opts.ending_executions))
                  if q and q.strip()}

        def work(tx: Transaction) -> LineageGraph:
            starts = [NodeRef(start_kind, r["id"])  # type: ignore[arg-type]
                      for r in tx.run(ops.NodeQuery(_KINDS[start_kind], filter=start_expr))]
            rows = tx.run(ops.LineageEdges(_ids_of(starts, "artifact"), _ids_of(starts, "execution"),
                                           opts.direction, opts.max_num_hops,
                                           details="events" in wanted))
            stop: set[NodeRef] = set()
            for kind, expr in ending.items():
                column = 0 if kind == "artifact" else 1
                candidates = {r[column] for r in rows} | {s.id for s in starts if s.kind == kind}
                if candidates:
                    stop |= {NodeRef(kind, r["id"]) for r in  # type: ignore[arg-type]
                             tx.run(ops.NodeQuery(_KINDS[kind], ids=tuple(sorted(candidates)), filter=expr))}
            # As in MLMD, a start node that is also an ending node is not walked from, and
            # an event counts only when the walk crossed it within max_num_hops.
            reach = walk([s for s in starts if s not in stop], rows, opts.direction,
                         opts.max_num_hops, frozenset(stop))
            halt = {node_key(n) for n in stop}
            nodes = set(reach.distance)
            if opts.include_ending_nodes:
                nodes |= halt & {node_key(n) for n in starts}
            else:
                nodes -= halt
            walked = (events_walked(rows, reach, opts.direction, opts.max_num_hops, nodes, halt)
                      if "events" in wanted else [])
            return self._graph(tx, nodes, walked, wanted)
        with paused_gc():
            return self._engine.read(work)

    @staticmethod
    def _graph(tx: Transaction, nodes: set[int], rows: list[Edge], wanted: set[str]) -> LineageGraph:
        """The LineageGraph of ``nodes`` (walk ints, see ``lineage.node_key``) and the walked
        event ``rows``."""
        graph = LineageGraph()
        ids = {"artifact": tuple(sorted(k >> 1 for k in nodes if not k & 1)),
               "execution": tuple(sorted(k >> 1 for k in nodes if k & 1))}
        if wanted & {"artifacts", "executions", "artifact_types", "execution_types"}:
            graph.artifacts = _by_ids(tx, "artifact", ids["artifact"])
            graph.executions = _by_ids(tx, "execution", ids["execution"])
        if "events" in wanted:
            graph.events = [event(*r) for r in rows]  # events_walked kept only those among nodes
        links: dict[Relation, list[tuple[int, int]]] = {}
        for node_kind, relation in CONTEXT_LINK.items():
            kind = node_kind.value
            links[relation] = ([(r["source"], r["target"]) for r in tx.run(ops.GetLinks(relation, ids[kind]))]
                               if ids[kind] and wanted & {"attributions", "associations", "contexts",
                                                    "context_types"} else [])
        if "attributions" in wanted:
            graph.attributions = [Attribution(artifact_id=a, context_id=c)
                                  for a, c in links[Relation.ATTRIBUTION]]
        if "associations" in wanted:
            graph.associations = [Association(execution_id=e, context_id=c)
                                  for e, c in links[Relation.ASSOCIATION]]
        context_ids = tuple(sorted({c for pairs in links.values() for _, c in pairs}))
        contexts = ([to_node(KIND_SPECS[NodeKind.CONTEXT], r) for r in
                     tx.run(ops.NodeQuery(NodeKind.CONTEXT, ids=context_ids))] if context_ids else [])
        if "contexts" in wanted:
            graph.contexts = contexts  # type: ignore[assignment]
        for part, node_kind, items in (("artifact_types", NodeKind.ARTIFACT, graph.artifacts),
                                       ("execution_types", NodeKind.EXECUTION, graph.executions),
                                       ("context_types", NodeKind.CONTEXT, contexts)):
            type_ids = tuple(sorted({n.type_id for n in items if n.type_id is not None}))
            if part in wanted and type_ids:
                spec = KIND_SPECS[node_kind]
                types = tx.run(ops.GetTypes(node_kind, ids=type_ids))
                setattr(graph, part, [to_type(spec, t) for t in types])
        for part in ("artifacts", "executions"):
            if part not in wanted:
                setattr(graph, part, [])
        return graph

    # -- deep lineage --------------------------------------------------------------------------
    def upstream(self, *, artifact_id: int | None = None, execution_id: int | None = None,
                 max_hops: int | None = None, kinds: Iterable[str] | None = None,
                 types: Iterable[str] | None = None, limit: int | None = None,
                 cursor: str | None = None) -> LineageResult:
        """Everything the node was made from, nearest first, each with its distance in hops
        and one path that explains it. ``kinds`` ("artifact", "execution") and ``types``
        (type names) choose what to report; ``limit``/``cursor`` page the answer."""
        return self.lineage(LineageDirection.UPSTREAM, artifact_id=artifact_id,
                            execution_id=execution_id, max_hops=max_hops, kinds=kinds,
                            types=types, limit=limit, cursor=cursor)

    def downstream(self, *, artifact_id: int | None = None, execution_id: int | None = None,
                   max_hops: int | None = None, kinds: Iterable[str] | None = None,
                   types: Iterable[str] | None = None, limit: int | None = None,
                   cursor: str | None = None) -> LineageResult:
        """Everything built from the node (see upstream)."""
        return self.lineage(LineageDirection.DOWNSTREAM, artifact_id=artifact_id,
                            execution_id=execution_id, max_hops=max_hops, kinds=kinds,
                            types=types, limit=limit, cursor=cursor)

    def lineage(self, direction: LineageDirection, *, artifact_id: int | None = None,
                execution_id: int | None = None, max_hops: int | None = None,
                kinds: Iterable[str] | None = None, types: Iterable[str] | None = None,
                limit: int | None = None, cursor: str | None = None) -> LineageResult:
        """Deep lineage in any direction; upstream() and downstream() are the usual doors."""
        if (artifact_id is None) == (execution_id is None):
            raise InvalidArgument("give exactly one of artifact_id and execution_id")
        start = (NodeRef("artifact", artifact_id) if artifact_id is not None
                 else NodeRef("execution", execution_id))  # type: ignore[arg-type]
        check_int(f"{start.kind}_id", start.id)
        if max_hops is not None:
            check_int("max_hops", max_hops, minimum=0)
        if limit is not None:
            check_int("limit", limit, minimum=1)
        if cursor is not None:
            check_text("cursor", cursor)
        report_kinds = set(kinds) if kinds is not None else set(_KINDS)
        if report_kinds - set(_KINDS):
            raise InvalidArgument(f"kinds: unknown kind {sorted(report_kinds - set(_KINDS))[0]!r} "
                                  "(use 'artifact' and/or 'execution')")
        type_names = ({check_text("types[]", t) for t in types} if types is not None else None)
        after = _decode_cursor(cursor) if cursor else None

        def work(tx: Transaction) -> LineageResult:
            node_kind = _KINDS[start.kind]
            if not tx.run(ops.ExistingIds(node_kind, (start.id,))):
                raise NotFound(f"{start.kind}_id: no {start.kind} with id {start.id}")
            rows = tx.run(ops.LineageEdges(_ids_of([start], "artifact"),
                                           _ids_of([start], "execution"), direction, max_hops, details=False))
            reach = walk([start], rows, direction, max_hops)
            entries = reach.ranked(start, report_kinds)
            records: dict[NodeRef, Any] = {}
            if type_names is not None:
                records = _records(tx, (NodeRef(k, i) for _, k, i in entries))
                entries = [e for e in entries if records[NodeRef(e[1], e[2])].type in type_names]
            total = len(entries)
            if after is not None:
                entries = [e for e in entries if e > after]
            page = entries[:limit] if limit is not None else entries
            more = limit is not None and len(entries) > limit
            missing = [NodeRef(k, i) for _, k, i in page if NodeRef(k, i) not in records]
            records.update(_records(tx, missing))
            return LineageResult(
                start=[start], direction=direction, truncated=reach.truncated, total=total,
                nodes=[self._entry(reach, NodeRef(k, i), records) for _, k, i in page],
                next_cursor=_encode_cursor(page[-1]) if more and page else None)
        with paused_gc():
            return self._engine.read(work)

    @staticmethod
    def _entry(reach: Reach, ref: NodeRef, records: dict[NodeRef, Any]) -> LineageNode:
        return LineageNode(ref, reach.distance[node_key(ref)], records[ref], reach=reach)
