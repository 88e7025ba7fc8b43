"""The lineage half of MetadataStore: MLMD's get_lineage_subgraph and deep lineage."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import secrets
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from . import ops
from ._convert import event, to_node, to_nodes, to_type
from ._gc import paused_gc
from ._validate import INT64_MAX, check_int, check_text, int64_problem
from .engines.base import Engine, Transaction
from .errors import InvalidArgument, NotFound
from .filters import parse as parse_filter
from .kinds import CONTEXT_LINK, KIND_SPECS, NodeKind, Relation
from .limits import abridge
from .lineage import (
    LINEAGE_FIELDS,
    Edge,
    LineageDirection,
    LineageGraph,
    LineageResult,
    LineageSubgraphQueryOptions,
    NodeRef,
    events_walked,
    node_key,
    node_ref,
    walk,
)
from .models import ArtifactState, Association, Attribution, ExecutionState

__all__ = ["LineageMixin"]

_KINDS: dict[str, NodeKind] = {"artifact": NodeKind.ARTIFACT, "execution": NodeKind.EXECUTION}


def _ids_of(refs: Iterable[NodeRef], kind: str) -> tuple[int, ...]:
    return tuple(sorted(r.id for r in refs if r.kind == kind))


def _by_ids(tx: Transaction, kind: str, ids: tuple[int, ...]) -> list[Any]:
    """The records of one kind with these ids, in id order."""
    if not ids:
        return []
    spec = KIND_SPECS[_KINDS[kind]]
    # in batches: only one batch's rows are ever waiting to become records
    return [node for i in range(0, len(ids), RECORD_BATCH)
            for node in to_nodes(spec, tx.run(ops.NodeQuery(spec.kind, ids=ids[i:i + RECORD_BATCH])))]


def _records(tx: Transaction, refs: Iterable[NodeRef]) -> dict[NodeRef, Any]:
    refs = list(refs)
    return {NodeRef(kind, n.id): n for kind in _KINDS  # type: ignore[arg-type]
            for n in _by_ids(tx, kind, _ids_of(refs, kind))}


def _encode_cursor(fingerprint: str, walk_id: str, last: tuple[int, int, int]) -> str:
    """The query's fingerprint, the kept walk's id and the last (distance, kind bit, id)."""
    return base64.urlsafe_b64encode(json.dumps([fingerprint, walk_id, *last]).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str, tuple[int, int, int]]:
    try:
        fingerprint, walk_id, distance, bit, node_id = json.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (isinstance(fingerprint, str) and isinstance(walk_id, str) and isinstance(distance, int)
                and bit in (0, 1) and isinstance(node_id, int)
                and int64_problem(distance) is None and int64_problem(node_id) is None):
            return fingerprint, walk_id, (distance, bit, node_id)
    except (ValueError, TypeError, binascii.Error):
        pass
    raise InvalidArgument(f"cursor: {abridge(cursor)} is not a lineage cursor")


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
            if not ending and "events" not in wanted:
                # Only the reached nodes: the engine walks. With events, shipping them with
                # the walk measured ~17 % slower on Neo4j than LineageEdges plus the Python
                # pass below (30k-node DAG, six interleaved rounds), so events keep that path.
                return self._engine_subgraph(tx, starts, opts, wanted)
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

    def _engine_subgraph(self, tx: Transaction, starts: list[NodeRef], opts: LineageSubgraphQueryOptions,
                         wanted: set[str]) -> LineageGraph:
        """Without ending filters or events the engine walks: the reached nodes come back
        from one LineageWalk (events take the LineageEdges path, see get_lineage_subgraph)."""
        got = tx.run(ops.LineageWalk(_ids_of(starts, "artifact"), _ids_of(starts, "execution"),
                                     opts.direction, opts.max_num_hops, include_start=True,
                                     keys_only=True))
        return self._graph(tx, set(got["keys"]), [], wanted)

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
                 cursor: str | None = None, **filters: Any) -> LineageResult:
        """Everything the node was made from, nearest first, each with its distance in hops
        and one path that explains it. ``kinds`` ("artifact", "execution") and ``types``
        (type names) choose what to report — and ``states``, ``created_after``,
        ``filter_query`` (see ``lineage``); ``limit``/``cursor`` page the answer."""
        return self.lineage(LineageDirection.UPSTREAM, artifact_id=artifact_id,
                            execution_id=execution_id, max_hops=max_hops, kinds=kinds,
                            types=types, limit=limit, cursor=cursor, **filters)

    def downstream(self, *, artifact_id: int | None = None, execution_id: int | None = None,
                   max_hops: int | None = None, kinds: Iterable[str] | None = None,
                   types: Iterable[str] | None = None, limit: int | None = None,
                   cursor: str | None = None, **filters: Any) -> LineageResult:
        """Everything built from the node (see upstream)."""
        return self.lineage(LineageDirection.DOWNSTREAM, artifact_id=artifact_id,
                            execution_id=execution_id, max_hops=max_hops, kinds=kinds,
                            types=types, limit=limit, cursor=cursor, **filters)

    def lineage(self, direction: LineageDirection, *, artifact_id: int | None = None,
                execution_id: int | None = None, max_hops: int | None = None,
                kinds: Iterable[str] | None = None, types: Iterable[str] | None = None,
                limit: int | None = None, cursor: str | None = None,
                states: Iterable[str] | None = None, created_after: int | None = None,
                filter_query: str | None = None) -> LineageResult:
        """Deep lineage in any direction; upstream() and downstream() are the usual doors.

        The engine walks (see decisions.md): the answer holds columns (``keys``, ``ids``,
        ``kinds``, ``distances``, ``type_ids``); records and paths are fetched when read.
        ``states`` are state names (an artifact's ``state``, an execution's
        ``last_known_state``), ``created_after`` ms since epoch, ``filter_query`` MLMD's
        filter language, applied to each reported kind. With ``limit`` the walk stops at the
        first depth that fills the page; later pages (``cursor``) read one walk of the whole
        answer that the store keeps for the cursor (a few per store)."""
        q = self._walk_query(direction, artifact_id, execution_id, max_hops, kinds, types,
                             limit, states, created_after, filter_query)
        after = _decode_cursor(check_text("cursor", cursor)) if cursor is not None else None
        if after is not None and after[0] != q.fingerprint:
            raise InvalidArgument("cursor: it belongs to another lineage query (start, direction or filters differ)")
        if after is not None:
            kept = self._walks().get(after[1])
            if kept is not None:
                # a kept walk is the answer's snapshot: its pages need no round trip (on
                # Neo4j three per page, 2-3x the one-shot answer over 79 pages of 100k)
                return self._kept_page(q, after[1], after[2], *kept)
        return self._engine.read(lambda tx: self._walk_page(tx, q, after))

    def count_lineage(self, direction: LineageDirection, by: str = "type", *,
                      artifact_id: int | None = None, execution_id: int | None = None,
                      max_hops: int | None = None, kinds: Iterable[str] | None = None,
                      types: Iterable[str] | None = None, states: Iterable[str] | None = None,
                      created_after: int | None = None,
                      filter_query: str | None = None) -> dict[Any, int]:
        """How many reached nodes there are per ``by``: "type" (type name), "distance",
        "kind" or "context" (context id), counted in the engine without shipping nodes."""
        if by not in ("type", "distance", "kind", "context"):
            raise InvalidArgument(f"by: expected 'type', 'distance', 'kind' or 'context', got {by!r}")
        q = self._walk_query(direction, artifact_id, execution_id, max_hops, kinds, types, None,
                             states, created_after, filter_query)

        def work(tx: Transaction) -> dict[Any, int]:
            _check_start(tx, q.start)
            if by == "context":
                got = tx.run(q.walk)
                return _context_counts(tx, got["keys"])
            got = tx.run(dataclasses.replace(q.walk, count_by=by))
            counts = {g: n for g, n in got["counts"]}
            if by == "kind":
                return {_KIND_NAMES[g]: n for g, n in counts.items()}
            if by == "type":
                return _type_names(tx, counts)
            return counts
        return self._engine.read(work)

    def is_upstream(self, *, of: NodeRef, candidate: NodeRef) -> bool:
        """Whether ``candidate`` is upstream of ``of`` (``of`` was made from it); the walk
        stops as soon as it is found."""
        return self.path_between(candidate, of) is not None

    def path_between(self, source: NodeRef, target: NodeRef) -> list[NodeRef] | None:
        """One shortest path from ``source`` down the data flow to ``target`` (both
        included), or None; the walk stops at the target's depth."""
        for ref, name in ((source, "source"), (target, "target")):
            if not isinstance(ref, NodeRef) or ref.kind not in _KINDS:
                raise InvalidArgument(f"{name}: expected a NodeRef of an artifact or execution, got {ref!r}")

        def work(tx: Transaction) -> list[NodeRef] | None:
            _check_start(tx, source)
            _check_start(tx, target)
            walk = ops.LineageWalk(_ids_of([source], "artifact"), _ids_of([source], "execution"),
                                   LineageDirection.DOWNSTREAM, include_start=True, parents=True,
                                   target=node_key(target))
            got = tx.run(walk)
            if not got["found_target"]:
                return None
            parents = dict(zip(got["keys"], got["parents"], strict=True))
            out = [node_key(target)]
            while parents.get(out[-1], -1) != -1:
                out.append(parents[out[-1]])
            return [node_ref(k) for k in reversed(out)]
        return self._engine.read(work)

    def _walk_query(self, direction: LineageDirection, artifact_id: int | None,
                    execution_id: int | None, max_hops: int | None, kinds: Iterable[str] | None,
                    types: Iterable[str] | None, limit: int | None, states: Iterable[str] | None,
                    created_after: int | None, filter_query: str | None) -> _WalkQuery:
        if (artifact_id is None) == (execution_id is None):
            raise InvalidArgument("give exactly one of artifact_id and execution_id")
        start = (NodeRef("artifact", artifact_id) if artifact_id is not None
                 else NodeRef("execution", execution_id))  # type: ignore[arg-type]
        check_int(f"{start.kind}_id", start.id)
        if max_hops is not None:
            check_int("max_hops", max_hops, minimum=0)
        if limit is not None:
            check_int("limit", limit, minimum=1)
        if not isinstance(direction, LineageDirection):
            raise InvalidArgument(f"direction: expected a LineageDirection, got {direction!r}")
        report_kinds = tuple(sorted(set(kinds))) if kinds is not None else tuple(_KINDS)
        if set(report_kinds) - set(_KINDS):
            raise InvalidArgument(f"kinds: unknown kind {sorted(set(report_kinds) - set(_KINDS))[0]!r} "
                                  "(use 'artifact' and/or 'execution')")
        state_names = _states(states)
        if created_after is not None:
            check_int("created_after", created_after)
        exprs = tuple((_KINDS[k], parse_filter(filter_query, _KINDS[k])) for k in report_kinds
                      ) if filter_query and filter_query.strip() else ()
        type_names = tuple(sorted({check_text("types[]", t) for t in types})) if types is not None else None
        fingerprint = hashlib.sha256(repr((direction.value, start, max_hops, report_kinds, type_names,
                                           state_names, created_after, filter_query)).encode()).hexdigest()[:12]
        report = ops.Report(kinds=report_kinds, states=state_names, created_after=created_after,
                            filters=exprs)
        walk = ops.LineageWalk(_ids_of([start], "artifact"), _ids_of([start], "execution"),
                               direction, max_hops, report)
        return _WalkQuery(start, direction, walk, type_names, limit, fingerprint)

    def _walk_page(self, tx: Transaction, q: _WalkQuery,
                   cursor: tuple[str, str, tuple[int, int, int]] | None) -> LineageResult:
        _check_start(tx, q.start)
        walk = q.walk
        if q.type_names is not None:
            type_ids = _type_ids(tx, q.type_names)
            walk = dataclasses.replace(walk, report=dataclasses.replace(walk.report, type_ids=type_ids))
        loader = _Loader(self._engine, walk)
        if cursor is None and q.limit is None:
            got = tx.run(walk)
            return self._result(q, got, got["truncated"], len(got["keys"]), None, loader)
        if cursor is None:
            # nearest-N: the walk stops at the first depth that holds limit + 1 reported nodes
            limit: int = q.limit  # type: ignore[assignment]
            # (one more than the page, within int64: limit may be 2**63 - 1)
            got = tx.run(dataclasses.replace(walk, limit=min(limit, INT64_MAX - 1) + 1))
            more = len(got["keys"]) > limit
            total = None if more else len(got["keys"])
            page = _cut(got, limit)
            token = _encode_cursor(q.fingerprint, secrets.token_hex(6), _last(page)) if more else None
            return self._result(q, page, got["truncated"], total, token, loader)
        _, walk_id, after = cursor
        # one walk of the whole answer, kept for the following pages
        whole = tx.run(walk)
        self._remember(walk_id, (whole, loader))
        return self._kept_page(q, walk_id, after, whole, loader)

    def _kept_page(self, q: _WalkQuery, walk_id: str, after: tuple[int, int, int],
                   whole: dict[str, Any], loader: _Loader) -> LineageResult:
        page = _slice(whole, after, q.limit)
        end = page.pop("end")
        token = (_encode_cursor(q.fingerprint, walk_id, _last(page))
                 if end < len(whole["keys"]) and len(page["keys"]) else None)
        return self._result(q, page, whole["truncated"], len(whole["keys"]), token, loader)

    @staticmethod
    def _result(q: _WalkQuery, got: dict[str, Any], truncated: bool, total: int | None,
                token: str | None, loader: _Loader) -> LineageResult:
        return LineageResult([q.start], q.direction, got["keys"], got["distances"], got["type_ids"],
                             truncated=truncated, total=total, next_cursor=token, loader=loader)

    def _walks(self) -> OrderedDict[str, tuple[dict[str, Any], _Loader]]:
        cache: OrderedDict[str, tuple[dict[str, Any], _Loader]] | None = getattr(self, "_walk_cache", None)
        if cache is None:
            cache = OrderedDict()
            self._walk_cache = cache
        return cache

    def _remember(self, walk_id: str, whole: tuple[dict[str, Any], _Loader]) -> None:
        cache = self._walks()
        cache[walk_id] = whole
        while len(cache) > WALKS_KEPT:
            cache.popitem(last=False)


WALKS_KEPT = 4  # whole walks a store keeps for paging cursors (each 24 bytes a node)
_KIND_NAMES = {0: "artifact", 1: "execution"}


@dataclasses.dataclass(frozen=True)
class _WalkQuery:
    start: NodeRef
    direction: LineageDirection
    walk: ops.LineageWalk
    type_names: tuple[str, ...] | None
    limit: int | None
    fingerprint: str


class _Loader:
    """What a lazy LineageResult fetches later, each in its own read transaction."""

    def __init__(self, engine: Engine, walk: ops.LineageWalk) -> None:
        self._engine, self._walk = engine, walk

    def records(self, refs: Sequence[NodeRef]) -> dict[NodeRef, Any]:
        def work(tx: Transaction) -> dict[NodeRef, Any]:
            out: dict[NodeRef, Any] = {}
            for i in range(0, len(refs), RECORD_BATCH):
                out.update(_records(tx, refs[i:i + RECORD_BATCH]))
            return out
        with paused_gc():
            return self._engine.read(work)

    def parents(self, depth: int) -> dict[int, int]:
        # every kind, no filter: a path to a reported node may pass through unreported ones
        walk = ops.LineageWalk(self._walk.artifact_ids, self._walk.execution_ids,
                               self._walk.direction, depth, include_start=True, parents=True)
        got = self._engine.read(lambda tx: tx.run(walk))
        return dict(zip(got["keys"], got["parents"], strict=True))

    def total(self) -> int:
        got = self._engine.read(lambda tx: tx.run(dataclasses.replace(self._walk, count_by="kind")))
        return sum(n for _, n in got["counts"])


RECORD_BATCH = 10_000  # ids per record query when an answer's records are fetched


def _check_start(tx: Transaction, start: NodeRef) -> None:
    if not tx.run(ops.ExistingIds(_KINDS[start.kind], (start.id,))):
        raise NotFound(f"{start.kind}_id: no {start.kind} with id {start.id}")


def _states(states: Iterable[str] | None) -> tuple[str, ...] | None:
    if states is None:
        return None
    known = {s.name for s in ArtifactState} | {s.name for s in ExecutionState}
    out = []
    for s in states:
        name = s.name if isinstance(s, (ArtifactState, ExecutionState)) else s
        if name not in known:
            raise InvalidArgument(f"states: unknown state {s!r} (known: {', '.join(sorted(known))})")
        out.append(name)
    return tuple(sorted(set(out)))


def _type_ids(tx: Transaction, names: tuple[str, ...]) -> tuple[int, ...]:
    found = tx.run(ops.GetTypesMany(tuple(ops.GetTypes(k, names=names) for k in _KINDS.values())))
    return tuple(sorted({t["id"] for group in found for t in group}))


def _type_names(tx: Transaction, counts: dict[int, int]) -> dict[Any, int]:
    ids = tuple(sorted(counts))
    found = tx.run(ops.GetTypesMany(tuple(ops.GetTypes(k, ids=ids) for k in _KINDS.values()))) if ids else []
    names = {t["id"]: t["name"] for group in found for t in group}
    out: dict[Any, int] = {}
    for type_id, n in counts.items():
        out[names.get(type_id, type_id)] = out.get(names.get(type_id, type_id), 0) + n
    return out


def _context_counts(tx: Transaction, keys: Any) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for node_kind, relation in CONTEXT_LINK.items():
        bit = 1 if node_kind is NodeKind.EXECUTION else 0
        ids = tuple(sorted(k >> 1 for k in keys if k & 1 == bit))
        if ids:
            for r in tx.run(ops.GetLinks(relation, ids)):
                out[r["target"]] = out.get(r["target"], 0) + 1
    return dict(sorted(out.items()))


def _last(page: dict[str, Any]) -> tuple[int, int, int]:
    k = page["keys"][-1]
    return page["distances"][-1], k & 1, k >> 1


def _cut(got: dict[str, Any], limit: int) -> dict[str, Any]:
    return {**got, **{c: got[c][:limit] for c in ("keys", "distances", "type_ids")}}


def _slice(whole: dict[str, Any], after: tuple[int, int, int], limit: int | None) -> dict[str, Any]:
    """The page of a kept walk strictly after ``after`` (distance, kind bit, id)."""
    keys, distances = whole["keys"], whole["distances"]
    target = (after[0], after[1], after[2] * 2 + after[1])
    lo, hi = 0, len(keys)
    while lo < hi:  # bisect on (distance, kind bit, key): the walk's own order
        mid = (lo + hi) // 2
        k = keys[mid]
        if (distances[mid], k & 1, k) <= target:
            lo = mid + 1
        else:
            hi = mid
    end = len(keys) if limit is None else min(len(keys), lo + limit)
    return {"keys": keys[lo:end], "distances": distances[lo:end],
            "type_ids": whole["type_ids"][lo:end], "end": end}
