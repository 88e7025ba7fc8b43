"""``ops.LineageWalk`` on Neo4j: the pruned BFS of the reachable set, distances from its edges.

Neo4j 5.26 walks the reachable set fast (``MATCH (s)-[:K*0..]->(x) WITH DISTINCT x`` is
planned as ``VarLengthExpand(Pruning,BFS)``) but exposes no depth. Measured here on the
100,000-node DAG: ``SHORTEST 1`` to every end node took 8 s for the 864 nodes within 6 hops
(a search per end node), and a level-by-level frontier sent from Python took 12-25 s (a
round trip and an index seek per frontier node). So the engine returns each reached node's
key, type id, internal id and its neighbours' internal ids as parallel lists (per-edge rows
only when the caller asked for events) and the decoder runs the breadth-first pass over them;
filters that need a node's row run in the engine, per kind, over the same pruned walk. See
decisions.md (deep lineage on Neo4j; the walk's columns).
"""

from __future__ import annotations

import dataclasses
import itertools
from array import array
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from .. import ops
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
        # Four parallel lists per record of CHUNK reached nodes: their keys, type ids,
        # internal ids and the internal ids one hop on (one hop past a bound too, which tells
        # the decoder the bound cut the walk short). Internal ids cost no property read per
        # edge, and list comprehensions over the collected nodes skip the per-node grouping
        # of an aggregation: 100k DAG, 0.21-0.26 s of engine time against 0.27-0.43 s for
        # neighbour keys grouped per node. Records of CHUNK nodes let _fold_walk turn each
        # into int64 arrays as it arrives (decision: Neo4j walk columns).
        return "\n".join([
            *_reach(op, quote),
            "WITH collect(x) AS xs",
            f"UNWIND range(0, size(xs) - 1, {CHUNK}) AS i",
            f"WITH xs[i..i + {CHUNK}] AS part",
            "RETURN [x IN part | " + _KEY.format(v="x") + "] AS keys, [x IN part | x.type_id] AS types,"
            f" [x IN part | id(x)] AS iids, [x IN part | [(x){left}[:{kinds}]{right}(y) | id(y)]] AS next"])
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


CHUNK = 10_000  # reached nodes per record of an id-level walk


def _fold_walk(rows: Iterator[dict[str, Any]]) -> Rows:
    """The id-level walk's records as one row of int64 arrays, the neighbours flattened with
    their offsets: 8 bytes a value where a Python int in a list costs 36, and one chunk of
    Python ints alive at a time."""
    keys, types, iids, flat = array("q"), array("q"), array("q"), array("q")
    offsets = array("q", [0])
    for row in rows:
        keys.extend(row["keys"])
        types.extend(row["types"])
        iids.extend(row["iids"])
        _flatten(row["next"], flat, offsets)
    return [{"keys": keys, "types": types, "iids": iids, "flat": flat, "offsets": offsets}] if keys else []


def _flatten(lists: list[list[int]], flat: array[int], offsets: array[int]) -> None:
    """Append each list to ``flat`` and its end to ``offsets`` (CSR: list p is
    ``flat[offsets[p]:offsets[p + 1]]``)."""
    for hop in lists:
        flat.extend(hop)
        offsets.append(len(flat))


def _statements(op: ops.LineageWalk, quote: Any) -> tuple[list[Statement], list[NodeKind]]:
    params = {"artifact_ids": list(op.artifact_ids), "execution_ids": list(op.execution_ids)}
    statements = [Statement(_edges_text(op, quote), params, fold=None if op.edges else _fold_walk)]
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
    """The walked graph by position: ``keys[p]``, ``types[p]``, and the positions one hop on
    in ``flat[offsets[p]:offsets[p + 1]]`` (-1: a node past the bound, not reached). Arrays,
    not a dict per node: at 1M nodes a dict keyed by node costs ~40-100 MB."""

    def __init__(self, keys: array[int], types: array[int], flat: array[int], offsets: array[int],
                 by_key: dict[int, int] | None) -> None:
        self.keys, self.types, self.flat, self.offsets = keys, types, flat, offsets
        self._by_key = by_key

    @classmethod
    def of(cls, op: ops.LineageWalk, first: Any) -> _Graph:
        if not first:
            return cls(array("q"), array("q"), array("q"), array("q", [0]), {})
        if op.edges:
            return _event_graph(first["rows"])
        keys, iids, hops = first["keys"], first["iids"], first["flat"]
        top = max(max(iids), max(hops, default=0))
        if top < 8 * len(iids) + 4096:
            # internal ids are dense record numbers: an array indexed by them is 8 bytes a
            # slot where a dict costs ~100 bytes an entry (ints included)
            table = array("q", [-1]) * (top + 1)
            for p, h in enumerate(iids):
                table[h] = p
            flat = array("q", map(table.__getitem__, hops))
        else:  # a small walk in a big store: a dict of the reached nodes
            where = dict(zip(iids, range(len(iids)), strict=True))
            flat = array("q", map(where.get, hops, itertools.repeat(-1, len(hops))))
        return cls(keys, first["types"], flat, first["offsets"], None)

    def find(self, keys: list[int]) -> list[int | None]:
        """The positions of reached nodes' keys (None: not reached)."""
        if self._by_key is None and len(keys) > 8:
            self._by_key = dict(zip(self.keys, range(len(self.keys)), strict=True))
        if self._by_key is not None:
            return [self._by_key.get(k) for k in keys]
        out: list[int | None] = []
        for k in keys:  # a scan at C speed, cheaper than a map of every node for a start or two
            try:
                out.append(self.keys.index(k))
            except ValueError:
                out.append(None)
        return out

    def add(self, key: int) -> int:
        """A position for a start the walk did not reach (it is gone): no type, no neighbours."""
        self.keys.append(key)
        self.types.append(0)
        self.offsets.append(self.offsets[-1])
        return len(self.keys) - 1


def _event_graph(rows: list[list[Any]]) -> _Graph:
    """The graph from the event rows."""
    pos: dict[int, int] = {}
    keys, types = array("q"), array("q")
    nxt: list[list[int]] = []
    for row in rows:
        for key, type_id in ((row[0], row[1]), (row[2], row[3])):
            if key >= 0 and key not in pos:
                pos[key] = len(keys)
                keys.append(key)
                types.append(type_id)
                nxt.append([])
        if row[2] >= 0:
            nxt[pos[row[0]]].append(pos[row[2]])
    flat, offsets = array("q"), array("q", [0])
    _flatten(nxt, flat, offsets)
    return _Graph(keys, types, flat, offsets, pos)


def _answer(op: ops.LineageWalk, first: Any, passing: set[int] | None) -> dict[str, Any]:
    """The breadth-first pass over the reached nodes' neighbours, then the answer's columns."""
    g = _Graph.of(op, first)
    keys, flat, offsets = g.keys, g.flat, g.offsets
    start_keys = sorted({a * 2 for a in op.artifact_ids} | {e * 2 + 1 for e in op.execution_ids})
    starts = [g.add(k) if p is None else p for k, p in zip(start_keys, g.find(start_keys), strict=True)]
    target = None if op.target is None else g.find([op.target])[0]
    if op.parents:  # neighbours in key order: the same parent for the same graph, every time
        def order(q: int) -> int:
            return keys[q] if q >= 0 else -1
        for p in range(len(keys)):
            lo, hi = offsets[p], offsets[p + 1]
            if hi - lo > 1:
                flat[lo:hi] = array("q", sorted(flat[lo:hi], key=order))
    distance = [-1] * len(keys)
    parent = [-1] * len(keys) if op.parents else None
    for p in starts:
        distance[p] = 0
    # levels and the answer as int64 arrays: a position kept in a list is a 28-byte int
    frontier, depth, truncated, found = array("q", starts), 0, False, False
    levels = [frontier]
    while frontier:
        if target is not None and distance[target] >= 0:
            found = True
            break
        if op.max_hops is not None and depth >= op.max_hops:
            # a neighbour one hop past the bound is not among the reached nodes
            truncated = any(q < 0 for p in frontier for q in flat[offsets[p]:offsets[p + 1]])
            break
        depth += 1
        following = array("q")
        for p in frontier:
            for q in flat[offsets[p]:offsets[p + 1]]:
                if q >= 0 and distance[q] < 0:
                    distance[q] = depth
                    following.append(q)
                    if parent is not None:
                        parent[q] = p
        frontier = following
        if frontier:
            levels.append(frontier)
    bits = sorted({0 if k == "artifact" else 1 for k in op.report.kinds})
    # (distance, kind, id) order, level by level: no sort of the whole answer
    got = array("q")  # positions
    dists = array("q")
    by_key = keys.__getitem__
    for d, level in enumerate(levels):
        if d == 0 and not op.include_start:
            continue
        ordered = sorted(level, key=by_key)
        for bit in bits:
            these = [p for p in ordered if keys[p] & 1 == bit and (passing is None or keys[p] in passing)]
            got.extend(these)
            dists.extend(array("q", [d]) * len(these))
    if op.after is not None:
        after = (op.after[0], op.after[1], op.after[2] * 2 + op.after[1])
        skip = 0
        while skip < len(got) and (dists[skip], keys[got[skip]] & 1, keys[got[skip]]) <= after:
            skip += 1
        got, dists = got[skip:], dists[skip:]
    if op.limit is not None:
        got, dists = got[:op.limit], dists[:op.limit]
    out: dict[str, Any] = {"truncated": truncated, "exhausted": not truncated and not found,
                           "found_target": found or (target is not None and distance[target] >= 0),
                           "depth": depth}
    types = g.types
    if op.count_by is not None:
        counts: dict[int, int] = defaultdict(int)
        for p, d in zip(got, dists, strict=True):
            counts[{"type": types[p], "distance": d, "kind": keys[p] & 1}[op.count_by]] += 1
        out["counts"] = sorted([group, n] for group, n in counts.items())
        return out
    out["keys"] = array("q", map(keys.__getitem__, got))
    out["distances"] = dists
    out["type_ids"] = array("q", map(types.__getitem__, got))
    if parent is not None:
        out["parents"] = array("q", [-1 if parent[p] < 0 else keys[parent[p]] for p in got])
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
