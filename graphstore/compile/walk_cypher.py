"""``ops.LineageWalk`` on Neo4j: the pruned BFS of the reachable set, distances from its edges.

Neo4j 5.26 walks the reachable set fast (``MATCH (s)-[:K*0..]->(x) WITH DISTINCT x`` is
planned as ``VarLengthExpand(Pruning,BFS)``) but exposes no depth. Measured here on the
100,000-node DAG: ``SHORTEST 1`` to every end node took 8 s for the 864 nodes within 6 hops
(a search per end node), and a level-by-level frontier sent from Python took 12-25 s (a
round trip and an index seek per frontier node). So the engine returns each reached node's
key, type id and neighbour keys as three parallel lists (per-edge rows only when the caller
asked for events) and the decoder runs the breadth-first pass over them; filters that need a node's row run in the
engine, per kind, over the same pruned walk. See decisions.md (deep lineage on Neo4j).
"""

from __future__ import annotations

import dataclasses
from array import array
from collections import defaultdict
from typing import Any

from .. import ops
from .._bfs import expand
from ..kinds import NodeKind, spec_of
from .base import Compiled, Rows, Statement

__all__ = ["compile_walk"]

_ARROWS = {
    ops.Direction.UPSTREAM: ("<-", "-"),
    ops.Direction.DOWNSTREAM: ("-", "->"),
    ops.Direction.BIDIRECTIONAL: ("-", "-"),
}
_KINDS: tuple[tuple[NodeKind, int], ...] = ((NodeKind.ARTIFACT, 0), (NodeKind.EXECUTION, 1))
_KEY = "{v}.id * 2 + CASE WHEN {v}:Execution THEN 1 ELSE 0 END"


def _reach(op: ops.LineageWalk, quote: Any, end: str = "x") -> list[str]:
    kinds = "|".join(quote(k) for k in ops.EVENT_KINDS)
    left, right = _ARROWS[op.direction]
    hops = "" if op.max_hops is None else str(int(op.max_hops))
    return ["CALL () {",
            "  MATCH (s:Artifact) WHERE s.id IN $artifact_ids RETURN s",
            "  UNION",
            "  MATCH (s:Execution) WHERE s.id IN $execution_ids RETURN s",
            "}",
            f"MATCH (s){left}[:{kinds}*0..{hops}]{right}({end})",
            f"WITH DISTINCT {end}"]


def _edges_text(op: ops.LineageWalk, quote: Any) -> str:
    kinds = "|".join(quote(k) for k in ops.EVENT_KINDS)
    left, right = _ARROWS[op.direction]
    if not op.edges:
        # Four parallel lists, one entry per reached node: its key, its type id, its internal
        # id and the internal ids one hop on (one hop past a bound too, which tells the
        # decoder the bound cut the walk short). Internal ids cost no property read per edge,
        # and list comprehensions over the collected nodes skip the per-node grouping of an
        # aggregation: 100k DAG, 0.21-0.26 s of engine time against 0.27-0.43 s for
        # neighbour keys grouped per node (decision: Neo4j walk columns). The decoder builds
        # its maps with dict(zip()) at C speed and maps internal ids to keys once per node.
        return "\n".join([
            *_reach(op, quote),
            "WITH collect(x) AS xs",
            "RETURN [x IN xs | " + _KEY.format(v="x") + "] AS keys, [x IN xs | x.type_id] AS types,"
            f" [x IN xs | id(x)] AS iids, [x IN xs | [(x){left}[:{kinds}]{right}(y) | id(y)]] AS next"])
    # One record of int lists: every event leading on from a reached node, with its kind,
    # path and time (get_lineage_subgraph's events).
    return "\n".join([
        *_reach(op, quote),
        f"OPTIONAL MATCH (x){left}[r:{kinds}]{right}(y)",
        "RETURN collect([" + _KEY.format(v="x") + ", x.type_id, "
        + "CASE WHEN r IS NULL THEN -1 ELSE " + _KEY.format(v="y") + " END, y.type_id"
        + ", type(r), r.path, r.milliseconds_since_epoch]) AS rows"])


def _filtered_text(op: ops.LineageWalk, kind: NodeKind, quote: Any) -> tuple[str, dict[str, Any]]:
    """The ids of reached nodes of ``kind`` that pass the report's row conditions."""
    from .filter_cypher import compile_filter_cypher

    rep = op.report
    spec = spec_of(kind)
    lines = _reach(op, quote, "n")
    lines.append(f"WITH n WHERE n:{quote(spec.label)}")
    where: list[str] = []
    params: dict[str, Any] = {}
    if rep.type_ids is not None:
        where.append("n.type_id IN $type_ids")
        params["type_ids"] = list(rep.type_ids)
    if rep.states is not None and spec.state_field:
        where.append(f"n.{spec.state_field} IN $states")
        params["states"] = list(rep.states)
    if rep.created_after is not None:
        where.append("n.create_time_since_epoch > $created_after")
        params["created_after"] = rep.created_after
    filters = dict(rep.filters)
    if kind in filters:
        matches, condition, fparams = compile_filter_cypher(filters[kind], kind, "n")
        if matches:
            lines.append(matches)
        if condition:
            where.append(f"({condition})")
        params.update(fparams)
    if where:
        lines.append("WITH n WHERE " + " AND ".join(where))
    lines.append("RETURN collect(n.id) AS ids")
    return "\n".join(lines), params


def _statements(op: ops.LineageWalk, quote: Any) -> tuple[list[Statement], list[NodeKind]]:
    params = {"artifact_ids": list(op.artifact_ids), "execution_ids": list(op.execution_ids)}
    statements = [Statement(_edges_text(op, quote), params)]
    filtered: list[NodeKind] = []
    if op.report.by_kind:
        for kind, _ in _KINDS:
            if kind.value in op.report.kinds:
                text, fparams = _filtered_text(op, kind, quote)
                statements.append(Statement(text, {**params, **fparams}))
                filtered.append(kind)
    return statements, filtered


def _decode(op: ops.LineageWalk, filtered: list[NodeKind], results: list[Rows]) -> dict[str, Any]:
    first = results[0][0] if results[0] else {}
    passing: set[int] | None = None
    if filtered:
        passing = set()
        for kind, res in zip(filtered, results[1:], strict=True):
            bit = 1 if kind is NodeKind.EXECUTION else 0
            passing.update(i * 2 + bit for i in (res[0]["ids"] if res else []))
    return _answer(op, first, passing)


FIRST_BOUND = 4  # nearest-N walks to this many hops first, then GROWTH times deeper while it must
GROWTH = 2


def compile_walk(op: ops.LineageWalk, quote: Any) -> Compiled:
    if op.limit is None or op.target is not None or op.count_by is not None:
        statements, filtered = _statements(op, quote)
        return Compiled(statements, lambda results: _decode(op, filtered, results))
    # Nearest-N: the pruned BFS has no early stop, so walk a bounded ball first and deepen
    # it (xGROWTH) until it holds the page or the walk ends: the cost follows the page's depth.
    # Distances inside the ball are exact (a breadth-first pass over its edges).
    state: dict[str, Any] = {"bound": FIRST_BOUND}

    def bounded() -> ops.LineageWalk:
        bound = state["bound"] if op.max_hops is None else min(state["bound"], op.max_hops)
        return dataclasses.replace(op, max_hops=bound)

    def step() -> list[Statement]:
        state["op"] = bounded()
        statements, state["filtered"] = _statements(state["op"], quote)
        state["size"] = len(statements)
        return statements

    def follow(batch: list[Rows]) -> list[Statement]:
        if state.get("done"):
            return []
        got = _decode(state["op"], state["filtered"], batch)
        state["last"] = got
        deeper = got["truncated"] and state["op"].max_hops != op.max_hops
        if not deeper or len(got["keys"]) >= op.limit:  # type: ignore[operator]
            state["done"] = True
            if op.max_hops is None or state["op"].max_hops < op.max_hops:
                got["truncated"] = False  # cut by our own bound, not the caller's
            return []
        state["bound"] *= GROWTH
        return step()

    return Compiled(step(), lambda _: state["last"], follow=follow)


class _Graph:
    """The walked graph by node handle: the internal id (id-level walks) or the key (walks
    that ship events); ``key_of`` maps a handle to its key (None: handles are keys)."""

    def __init__(self, op: ops.LineageWalk, first: Any, starts: list[int]) -> None:
        self.key_of: dict[int, int] | None = None
        self.adj: dict[int, Any]
        self.type_of: dict[int, int]
        if op.edges:
            self.adj, self.type_of = _event_graph(first)
            self.starts = starts
            return
        keys, iids = (first["keys"], first["iids"]) if first else ([], [])
        self.adj = dict(zip(iids, first["next"], strict=True)) if first else {}
        self.type_of = dict(zip(keys, first["types"], strict=True)) if first else {}
        self.key_of = dict(zip(iids, keys, strict=True))
        self._keys, self._iids = keys, iids
        # a start the walk did not reach (gone) keeps its key as a handle no internal id has
        # (keys are >= 2: ids start at 1; -1 is "no parent")
        handle_of = dict(zip(keys, iids, strict=True)) if len(starts) > 8 else None
        self.starts = []
        for k in starts:
            h = handle_of.get(k) if handle_of is not None else self.handle(k)
            if h is None:
                h = -2 - k
                self.key_of[h] = k
            self.starts.append(h)

    def handle(self, key: int) -> int | None:
        """The handle of a reached node's key (a scan at C speed: for a start or a target)."""
        if self.key_of is None:
            return key
        try:
            return self._iids[self._keys.index(key)]  # type: ignore[no-any-return]
        except ValueError:
            return None


def _event_graph(first: Any) -> tuple[dict[int, Any], dict[int, int]]:
    """(adjacency, type id) by node key from the event rows."""
    adj: defaultdict[int, list[int]] = defaultdict(list)
    type_of: dict[int, int] = {}
    for row in first.get("rows", ()) if first else ():
        src, src_type, dst, dst_type = row[0], row[1], row[2], row[3]
        type_of[src] = src_type
        if dst >= 0:
            adj[src].append(dst)
            type_of[dst] = dst_type
    return adj, type_of


def _answer(op: ops.LineageWalk, first: Any, passing: set[int] | None) -> dict[str, Any]:
    """The breadth-first pass over the reached nodes' neighbours, then the answer's columns."""
    start_keys = sorted({a * 2 for a in op.artifact_ids} | {e * 2 + 1 for e in op.execution_ids})
    g = _Graph(op, first, start_keys)
    adj, key_of = g.adj, g.key_of
    if op.parents:  # neighbours in key order: the same parent for the same graph, every time
        order = None if key_of is None else (lambda h: key_of.get(h, -1))
        for v in adj.values():
            v.sort(key=order)
    target = None if op.target is None else g.handle(op.target)
    starts = g.starts
    distance = dict.fromkeys(starts, 0)
    parent = dict.fromkeys(starts, -1)
    frontier, depth, truncated, found = starts, 0, False, False
    levels = [starts]
    while frontier:
        if target is not None and target in distance:
            found = True
            break
        if op.max_hops is not None and depth >= op.max_hops:
            truncated = any(n not in distance for k in frontier for n in adj.get(k, ()))
            break
        depth += 1
        frontier = expand(frontier, adj, distance, parent, depth)
        if frontier:
            levels.append(frontier)
    bits = sorted({0 if k == "artifact" else 1 for k in op.report.kinds})
    as_key = (lambda hs: hs) if key_of is None else (lambda hs: list(map(key_of.__getitem__, hs)))
    # (distance, kind, id) order, level by level: no sort of the whole answer
    keys: list[int] = []
    dists: list[int] = []
    for d, level in enumerate(levels):
        if d == 0 and not op.include_start:
            continue
        level_keys = as_key(level)
        for bit in bits:
            got = sorted(k for k in level_keys if k & 1 == bit and (passing is None or k in passing))
            keys += got
            dists += [d] * len(got)
    if op.after is not None:
        after = (op.after[0], op.after[1], op.after[2] * 2 + op.after[1])
        skip = 0
        while skip < len(keys) and (dists[skip], keys[skip] & 1, keys[skip]) <= after:
            skip += 1
        keys, dists = keys[skip:], dists[skip:]
    if op.limit is not None:
        keys, dists = keys[:op.limit], dists[:op.limit]
    out: dict[str, Any] = {"truncated": truncated, "exhausted": not truncated and not found,
                           "found_target": found or (target is not None and target in distance),
                           "depth": depth}
    type_of = g.type_of
    if op.count_by is not None:
        counts: dict[int, int] = defaultdict(int)
        for k, d in zip(keys, dists, strict=True):
            counts[{"type": type_of.get(k, 0), "distance": d, "kind": k & 1}[op.count_by]] += 1
        out["counts"] = sorted([g_, n] for g_, n in counts.items())
        return out
    out["keys"] = array("q", keys)
    out["distances"] = array("q", dists)
    get = type_of.get
    out["type_ids"] = array("q", [get(k, 0) for k in keys])
    if op.parents:
        parent_key = parent if key_of is None else {key_of[h]: -1 if p == -1 else key_of[p]
                                                    for h, p in parent.items()}
        out["parents"] = array("q", [parent_key[k] for k in keys])
    if op.edges:
        out["edges"] = _events(first["rows"] if first else [])
    return out


def _events(rows: list[list[Any]]) -> list[list[Any]]:
    """Edge rows as [artifact id, execution id, kind, path, ms], each event once."""
    seen: dict[tuple[int, int, str], list[Any]] = {}
    inputs = frozenset(ops.INPUT_KINDS)
    for row in rows:
        if row[2] < 0:
            continue
        a, b, kind = row[0], row[2], row[4]
        # the walk may meet an event from either end; the artifact is the even key
        art, ex = (a, b) if a & 1 == 0 else (b, a)
        if kind not in inputs and kind not in ops.OUTPUT_KINDS:
            continue
        seen.setdefault((art >> 1, ex >> 1, kind), [art >> 1, ex >> 1, kind, row[5], row[6]])
    return list(seen.values())
