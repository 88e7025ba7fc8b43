"""The analysis half of MetadataStore: impact of bad data, "same inputs before", comparisons."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from . import _writes, ops
from ._convert import build, to_node
from ._gc import paused_gc
from ._lineage_api import _KINDS, _ids_of, _records
from ._validate import _ids, check_int, check_text
from .analysis import (
    QUARANTINE_REASON,
    QUARANTINE_ROOT,
    CacheHit,
    Comparison,
    ImpactedNode,
    ImpactReport,
    LineageDifference,
    PropertyDifference,
)
from .cache import STALE_REASON, VERIFY_MODES, Verify, input_fingerprint, stale_reason
from .engines.base import Engine, Transaction
from .errors import InvalidArgument, NotFound
from .filters import parse as parse_filter
from .kinds import CONTEXT_LINK, KIND_SPECS, NodeKind
from .lineage import NodeRef, adjacency, bfs, node_ref, walk
from .models import Artifact, ArtifactState, Event, EventType, _NodeBase

__all__ = ["AnalysisMixin"]

ARTIFACTS, EXECUTIONS, CONTEXTS = (KIND_SPECS[k] for k in NodeKind)
_MARKED = f"custom_properties.{QUARANTINE_REASON}.string_value IS NOT NULL"
_MARKERS = frozenset({QUARANTINE_REASON, QUARANTINE_ROOT})


def _is_quarantined(node: _NodeBase) -> bool:
    return QUARANTINE_REASON in node.custom_properties


def _stale_outputs(artifacts: Sequence[Artifact], verify: Verify) -> dict[int, Artifact]:
    """The outputs whose recorded content is gone, as the update that marks them."""
    found = {}
    for a in artifacts:
        reason = stale_reason(a.uri, a.custom_properties, verify)
        if reason is not None and a.id is not None:
            found[a.id] = Artifact(id=a.id, type_id=a.type_id, state=ArtifactState.DELETED,
                                   custom_properties={STALE_REASON: reason})
    return found


class AnalysisMixin:
    """Mixed into MetadataStore, which provides ``_engine``."""

    _engine: Engine

    # -- impact ------------------------------------------------------------------------------
    def impact(self, artifact_ids: Iterable[int] = (), *, filter_query: str | None = None,
               created_after: int | None = None, mark: str | None = None) -> ImpactReport:
        """Everything downstream of bad artifacts (by id and/or filter query): executions,
        artifacts and the contexts they belong to, each with its distance and root causes.

        ``created_after`` (ms since epoch) keeps only nodes created later. ``mark`` (a
        reason) quarantines the roots and everything reported, in the same transaction;
        ``unmark_impact`` undoes it exactly."""
        ids = _ids(artifact_ids, "artifact_ids")
        expr = parse_filter(filter_query, NodeKind.ARTIFACT) if filter_query else None
        if not ids and expr is None:
            raise InvalidArgument("impact: give artifact_ids and/or filter_query")
        if mark is not None and (not isinstance(mark, str) or not mark.strip()):
            raise InvalidArgument(f"mark: the reason must be a non-empty string, got {mark!r}")
        if mark is not None:
            check_text("mark", mark, identifier=False)
        if created_after is not None:
            check_int("created_after", created_after)

        def work(tx: Transaction) -> ImpactReport:
            roots = set(ids)
            missing = roots - tx.run(ops.ExistingIds(NodeKind.ARTIFACT, ids)) if ids else set()
            if missing:
                raise NotFound(f"artifact_ids: no artifact with id {min(missing)}")
            if expr is not None:
                roots |= {r["id"] for r in tx.run(ops.NodeQuery(NodeKind.ARTIFACT, filter=expr))}
            ordered = sorted(roots)
            report = ImpactReport(roots=ordered)
            if not ordered:
                return report
            # the engine walks from every root at once; edges come back only when several
            # roots must be told apart (each node's roots travel as bitmasks, decision 26)
            got = tx.run(ops.LineageWalk(tuple(ordered), (), ops.Direction.DOWNSTREAM,
                                         report=ops.Report(created_after=created_after),
                                         edges=len(ordered) > 1))
            refs = [node_ref(k) for k in got["keys"]]
            if len(ordered) > 1:
                found = _descent(ordered, adjacency(got["edges"], ops.Direction.DOWNSTREAM))
                via = {r: found[r][1] for r in refs}
            else:
                via = {r: [ordered[0]] for r in refs}
            records = _records(tx, refs)
            for ref, distance in zip(refs, got["distances"], strict=True):
                record = records[ref]
                item = build(ImpactedNode, {"ref": ref, "type": record.type, "distance": distance,
                                            "roots": via[ref], "node": record})
                (report.artifacts if ref.kind == "artifact" else report.executions).append(item)
            report.contexts = self._contexts_of(tx, refs)
            if mark is not None:
                nearest = {n.ref: n.roots[0] for n in report.artifacts + report.executions}
                nearest.update({NodeRef("artifact", r): r for r in ordered})
                report.marked = self._mark(tx, nearest, mark)
            return report
        with paused_gc():
            return self._engine.write(work) if mark is not None else self._engine.read(work)

    @staticmethod
    def _contexts_of(tx: Transaction, refs: Sequence[NodeRef]) -> list[Any]:
        context_ids: set[int] = set()
        for node_kind, relation in CONTEXT_LINK.items():
            node_ids = _ids_of(refs, node_kind.value)
            if node_ids:
                context_ids |= {r["target"] for r in tx.run(ops.GetLinks(relation, node_ids))}
        if not context_ids:
            return []
        return [to_node(CONTEXTS, r) for r in
                tx.run(ops.NodeQuery(NodeKind.CONTEXT, ids=tuple(sorted(context_ids))))]

    @staticmethod
    def _mark(tx: Transaction, roots: dict[NodeRef, int], reason: str) -> int:
        """One set-based write per kind; nodes marked before keep their marks."""
        marked = 0
        for kind, node_kind in _KINDS.items():
            pairs = tuple(sorted((r.id, root) for r, root in roots.items() if r.kind == kind))
            if pairs:
                marked += tx.run(ops.MarkNodes(node_kind, QUARANTINE_REASON, QUARANTINE_ROOT, reason, pairs))
        return marked

    def unmark_impact(self, root_artifact_ids: Iterable[int] | None = None) -> int:
        """Remove quarantine markers (all, or those of the given roots); returns how many
        nodes were unmarked. Each node is left exactly as it was before marking."""
        roots = _ids(root_artifact_ids, "root_artifact_ids") if root_artifact_ids is not None else None
        query = _MARKED
        if roots:
            query += f" AND custom_properties.{QUARANTINE_ROOT}.int_value IN ({', '.join(map(str, roots))})"

        def work(tx: Transaction) -> int:
            count = 0
            for node_kind in _KINDS.values():
                records = tx.run(ops.NodeQuery(node_kind, filter=parse_filter(query, node_kind)))
                for r in records:
                    r["custom_properties"].pop(QUARANTINE_REASON, None)
                    r["custom_properties"].pop(QUARANTINE_ROOT, None)
                _writes.rewrite_nodes(tx, KIND_SPECS[node_kind], records)
                count += len(records)
            return count
        return self._engine.write(work)

    # -- same inputs before ------------------------------------------------------------------
    def find_cached_execution(self, execution_type: str | int, inputs: Sequence[Event], *,
                              type_version: str | None = None,
                              properties: dict[str, Any] | None = None,
                              exact_properties: bool = False, verify_outputs: Verify = "auto",
                              mark_stale: bool = False) -> CacheHit | None:
        """The newest COMPLETE execution of this type whose input events (artifact, kind and
        path) are exactly ``inputs``, whose ``properties`` (declared or custom) equal the
        given ones, and whose outputs are all LIVE, not quarantined and still hold their
        recorded content — or None.

        With ``exact_properties`` the execution must have no other properties (besides
        graphstore's own markers): a step's parameters, matched as a whole. An output that
        carries a content fingerprint (``graphstore.cache.SIZE`` …) must still be at its
        local uri with that size (file count for directories) and, with ``verify_outputs``
        "auto" (up to ``HASH_CHECK_MAX_BYTES``) or "hash", that sha256; "size" never hashes
        and "off" skips the check. ``mark_stale`` writes what a failed check found (state
        DELETED, ``graphstore_stale_reason``) in the same transaction."""
        triples = []
        for i, e in enumerate(inputs):
            if not isinstance(e, Event) or e.artifact_id is None or not e.type.is_input:
                raise InvalidArgument(f"inputs[{i}]: expected an input-kind Event with an "
                                      f"artifact_id, got {e!r}")
            triples.append((e.artifact_id, e.type.name, json.dumps(list(e.path))))
        if verify_outputs not in VERIFY_MODES:
            raise InvalidArgument(f"verify_outputs: expected one of {', '.join(VERIFY_MODES)}, "
                                  f"got {verify_outputs!r}")
        fingerprint = input_fingerprint(triples)
        if isinstance(execution_type, int) and not isinstance(execution_type, bool):
            check_int("execution_type", execution_type)
        elif isinstance(execution_type, str):
            check_text("execution_type", execution_type)
        if type_version is not None:
            check_text("type_version", type_version)
        wanted = dict(properties or {})
        state = parse_filter("last_known_state = COMPLETE", NodeKind.EXECUTION)

        def work(tx: Transaction) -> CacheHit | None:
            if isinstance(execution_type, int) and not isinstance(execution_type, bool):
                types = tx.run(ops.GetTypes(NodeKind.EXECUTION, ids=(execution_type,)))
            else:
                types = tx.run(ops.GetTypes(NodeKind.EXECUTION, keys=((str(execution_type), type_version or ""),)))
            if not types:
                return None
            candidates = tx.run(ops.NodeQuery(NodeKind.EXECUTION, type_ids=(types[0]["id"],),
                                              input_fingerprints=(fingerprint,), filter=state,
                                              descending=True))
            stale: dict[int, Artifact] = {}
            hit = None
            for row in candidates:
                run = to_node(EXECUTIONS, row)
                values = {**run.custom_properties, **run.properties}
                if _is_quarantined(run) or any(values.get(k) != v for k, v in wanted.items()):
                    continue
                if exact_properties and set(values) - _MARKERS - set(wanted):
                    continue
                outputs = [ev["artifact_id"] for ev in tx.run(ops.GetEvents(execution_ids=(run.id,)))  # type: ignore[arg-type]
                           if not EventType[ev["type"]].is_input]
                arts = [to_node(ARTIFACTS, r) for r in
                        tx.run(ops.NodeQuery(NodeKind.ARTIFACT, ids=tuple(outputs)))] if outputs else []
                if len(arts) != len(set(outputs)) or not all(
                        a.state is ArtifactState.LIVE and not _is_quarantined(a) for a in arts):  # type: ignore[attr-defined]
                    continue
                gone = _stale_outputs(arts, verify_outputs)  # type: ignore[arg-type]
                if not gone:
                    hit = CacheHit(execution=run, outputs=arts)
                    break
                stale.update(gone)
            if mark_stale and stale:
                _writes.put_nodes(tx, ARTIFACTS, list(stale.values()),
                                  ["state", f"custom_properties.{STALE_REASON}"])
            return hit
        return self._engine.write(work) if mark_stale else self._engine.read(work)

    # -- comparisons -------------------------------------------------------------------------
    def compare_artifacts(self, left_id: int, right_id: int) -> Comparison:
        """Property and upstream-lineage differences between two artifacts of one type."""
        return self._compare("artifact", left_id, right_id)

    def compare_executions(self, left_id: int, right_id: int) -> Comparison:
        """Property and upstream-lineage differences between two executions of one type."""
        return self._compare("execution", left_id, right_id)

    def _compare(self, kind: str, left_id: int, right_id: int) -> Comparison:
        _ids([left_id, right_id], f"{kind}_ids")
        spec = KIND_SPECS[_KINDS[kind]]

        def work(tx: Transaction) -> Comparison:
            rows = {r["id"]: to_node(spec, r) for r in tx.run(ops.NodeQuery(spec.kind, ids=(left_id, right_id)))}
            for i in (left_id, right_id):
                if i not in rows:
                    raise NotFound(f"{kind}_id: no {kind} with id {i}")
            left, right = rows[left_id], rows[right_id]
            if left.type_id != right.type_id:
                raise InvalidArgument(f"cannot compare {kind}s of different types: "
                                      f"{left.type!r} and {right.type!r}")
            ups = [self._upstream_artifacts(tx, NodeRef(kind, i)) for i in (left_id, right_id)]  # type: ignore[arg-type]
            return Comparison(left=left_id, right=right_id, kind=kind,
                              properties=_property_differences(left, right),
                              lineage=_lineage_differences(*ups),
                              shared_upstream=sorted(set(ups[0]) & set(ups[1])))
        return self._engine.read(work)

    @staticmethod
    def _upstream_artifacts(tx: Transaction, start: NodeRef) -> dict[int, tuple[int, str | None]]:
        rows = tx.run(ops.LineageEdges(_ids_of([start], "artifact"), _ids_of([start], "execution"),
                                       ops.Direction.UPSTREAM, None, details=False))
        reach = walk([start], rows, ops.Direction.UPSTREAM, None)
        found = {r: d for r, d in reach.refs().items() if r.kind == "artifact" and r != start}
        records = _records(tx, found)
        return {r.id: (d, records[r].type) for r, d in found.items()}


def _descent(roots: list[int], adj: dict[int, list[int]]) -> dict[NodeRef, tuple[int, list[int]]]:
    """Every node downstream of ``roots`` (artifact ids, sorted) other than the roots: its
    distance from the nearest root and every root it descends from.

    One breadth-first walk from all roots at once gives the distances; the roots reaching a
    node travel as a bitmask (bit i = roots[i]) pushed along the edges until nothing changes.
    A walk per root would cost roots times the graph: a filter matching 1,000 bad files would walk a
    big graph 1,000 times."""
    reach = bfs([NodeRef("artifact", r) for r in roots], adj, None)
    mask = {r * 2: 1 << i for i, r in enumerate(roots)}
    queue = deque(mask)
    waiting = set(mask)
    while queue:
        node = queue.popleft()
        waiting.discard(node)
        bits = mask[node]
        for nxt in adj.get(node, ()):
            old = mask.get(nxt, 0)
            if old | bits != old:
                mask[nxt] = old | bits
                if nxt not in waiting:
                    waiting.add(nxt)
                    queue.append(nxt)
    root_keys = {r * 2 for r in roots}
    lists: dict[int, list[int]] = {}  # nodes deep in a graph tend to share one mask

    def roots_of(bits: int) -> list[int]:
        if bits not in lists:
            lists[bits] = [r for i, r in enumerate(roots) if bits >> i & 1]
        return lists[bits].copy()  # each node's own list: a caller may edit one
    return {node_ref(k): (d, roots_of(mask[k])) for k, d in reach.distance.items() if k not in root_keys}


def _property_differences(left: _NodeBase, right: _NodeBase) -> list[PropertyDifference]:
    out = []
    skip = {"id", "create_time_since_epoch", "last_update_time_since_epoch", "properties",
            "custom_properties"}
    for name in type(left).model_fields:
        if name not in skip and getattr(left, name) != getattr(right, name):
            out.append(PropertyDifference(field=name, left=getattr(left, name), right=getattr(right, name)))
    for group in ("properties", "custom_properties"):
        a, b = getattr(left, group), getattr(right, group)
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                out.append(PropertyDifference(field=f"{group}.{key}", left=a.get(key), right=b.get(key)))
    return out


def _lineage_differences(left: dict[int, tuple[int, str | None]],
                         right: dict[int, tuple[int, str | None]]) -> list[LineageDifference]:
    groups: dict[tuple[int, str | None], tuple[set[int], set[int]]] = {}
    for side, found in ((0, left), (1, right)):
        for node_id, key in found.items():
            groups.setdefault(key, (set(), set()))[side].add(node_id)
    out = []
    for (depth, type_name), (a, b) in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        if a != b:
            out.append(LineageDifference(depth=depth, type=type_name, only_left=sorted(a - b),
                                         only_right=sorted(b - a)))
    return out
