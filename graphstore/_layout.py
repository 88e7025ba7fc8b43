"""A small layered (Sugiyama-style) layout for lineage DAGs, drawn left to right.

Layers by longest path (cycles are broken first), long edges get dummy points, crossings are
reduced with barycenter sweeps, and each layer's vertical positions are fitted to their
neighbours by isotonic regression. Deterministic: the same input gives the same coordinates.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Layout", "layered"]

LAYER_GAP = 70.0  # horizontal space between layers
NODE_GAP = 22.0  # vertical space between nodes of a layer
MARGIN = 20.0


@dataclass
class Layout:
    """Centres of the nodes, one polyline per edge (source centre … target centre), and size."""

    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    routes: list[list[tuple[float, float]]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0


def _break_cycles(keys: Sequence[str], succ: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Edges that close a cycle in a depth-first walk (they are laid out reversed)."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    back: set[tuple[str, str]] = set()
    for root in keys:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            node, children = stack[-1]
            nxt = next(children, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
    return back


def _layers(keys: Sequence[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    succ: dict[str, list[str]] = {k: [] for k in keys}
    pred: dict[str, list[str]] = {k: [] for k in keys}
    for s, t in edges:
        succ[s].append(t)
        pred[t].append(s)
    indegree = {k: len(pred[k]) for k in keys}
    order = [k for k in keys if indegree[k] == 0]
    layer = dict.fromkeys(keys, 0)
    for node in order:  # Kahn's algorithm; `order` grows while we walk it
        for t in succ[node]:
            layer[t] = max(layer[t], layer[node] + 1)
            indegree[t] -= 1
            if indegree[t] == 0:
                order.append(t)
    for node in reversed(order):  # pull sources next to their first consumer
        if not pred[node] and succ[node]:
            layer[node] = min(layer[t] for t in succ[node]) - 1
    return layer


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """Least-squares non-decreasing fit (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out: list[float] = []
    for mean, _, count in blocks:
        out.extend([mean] * int(count))
    return out


def _crossings(upper: list[str], lower: list[str], down: dict[str, list[str]]) -> int:
    pos = {k: i for i, k in enumerate(lower)}
    ends = [pos[t] for s in upper for t in sorted(down.get(s, ()), key=pos.__getitem__)]
    return sum(1 for i in range(len(ends)) for j in range(i + 1, len(ends)) if ends[j] < ends[i])


def layered(nodes: Sequence[tuple[str, float, float]], edges: Sequence[tuple[str, str]]) -> Layout:
    """Lay out ``nodes`` (key, width, height) joined by directed ``edges`` (source, target)."""
    keys = [k for k, _, _ in nodes]
    real = set(keys)
    index = {k: i for i, k in enumerate(keys)}
    size = {k: (w, h) for k, w, h in nodes}
    unique = sorted({(s, t) for s, t in edges if s != t and s in real and t in real},
                    key=lambda e: (index[e[0]], index[e[1]]))
    drawn = set(unique)
    succ: dict[str, list[str]] = {k: [] for k in keys}
    for s, t in unique:
        succ[s].append(t)
    back = _break_cycles(keys, succ)
    forward = [(t, s) if (s, t) in back else (s, t) for s, t in unique]
    layer = _layers(keys, forward)

    # dummy points split every edge that spans more than one layer
    down: dict[str, list[str]] = {}
    up: dict[str, list[str]] = {}
    chains: dict[tuple[str, str], list[str]] = {}
    for s, t in forward:
        chain = [s] + [f"\0{s}\0{t}\0{i}" for i in range(1, layer[t] - layer[s])] + [t]
        for i, d in enumerate(chain[1:-1], start=1):
            layer[d] = layer[s] + i
            size[d] = (0.0, 0.0)
        for a, b in itertools.pairwise(chain):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
        chains[(s, t)] = chain

    depth = max(layer.values(), default=-1) + 1
    base = min(layer.values(), default=0)
    rows: list[list[str]] = [[] for _ in range(depth - base)]
    for k in keys:
        rows[layer[k] - base].append(k)
    for chain in chains.values():
        for d in chain[1:-1]:
            rows[layer[d] - base].append(d)

    def sweep(rows: list[list[str]], downward: bool) -> None:
        indices = range(1, len(rows)) if downward else range(len(rows) - 2, -1, -1)
        for i in indices:
            ref = rows[i - 1] if downward else rows[i + 1]
            pos = {k: j for j, k in enumerate(ref)}
            nbrs = up if downward else down
            current = {k: j for j, k in enumerate(rows[i])}

            def bary(k: str, pos: dict[str, int] = pos, nbrs: dict[str, list[str]] = nbrs,
                     current: dict[str, int] = current) -> tuple[float, int]:
                seen = [pos[n] for n in nbrs.get(k, ()) if n in pos]
                return (sum(seen) / len(seen) if seen else float(current[k]), current[k])
            rows[i].sort(key=bary)

    total_edges = sum(len(v) for v in down.values())
    best = [list(r) for r in rows]
    best_score = -1
    for iteration in range(8):
        sweep(rows, downward=iteration % 2 == 0)
        if total_edges > 3000:
            best = rows
            continue
        score = sum(_crossings(rows[i], rows[i + 1], down) for i in range(len(rows) - 1))
        if best_score < 0 or score < best_score:
            best, best_score = [list(r) for r in rows], score
    rows = best

    # x: one column per layer, as wide as its widest node
    widths = [max((size[k][0] for k in row), default=0.0) for row in rows]
    xs: list[float] = []
    x = MARGIN
    for w in widths:
        xs.append(x + w / 2)
        x += w + LAYER_GAP
    # y: stack each layer, then fit nodes to their neighbours a few times
    y: dict[str, float] = {}
    for row in rows:
        top = 0.0
        for k in row:
            h = size[k][1] or 4.0
            y[k] = top + h / 2
            top += h + NODE_GAP
    for iteration in range(6):
        order = range(1, len(rows)) if iteration % 2 == 0 else range(len(rows) - 2, -1, -1)
        nbrs = up if iteration % 2 == 0 else down
        for i in order:
            row = rows[i]
            if not row:
                continue
            wanted, offsets, weights = [], [], []
            offset = 0.0
            for j, k in enumerate(row):
                if j:
                    prev = row[j - 1]
                    offset += ((size[prev][1] or 4.0) + (size[k][1] or 4.0)) / 2 + NODE_GAP
                seen = [y[n] for n in nbrs.get(k, ())]
                wanted.append((sum(seen) / len(seen) if seen else y[k]) - offset)
                weights.append(float(len(seen)) or 0.25)
                offsets.append(offset)
            fitted = _isotonic(wanted, weights)
            for k, z, off in zip(row, fitted, offsets, strict=True):
                y[k] = z + off
    top_edge = min((y[k] - (size[k][1] or 4.0) / 2 for k in y), default=0.0)
    layout = Layout()
    for i, row in enumerate(rows):
        for k in row:
            y[k] = round(y[k] - top_edge + MARGIN, 1)
            if k in real:
                layout.positions[k] = (round(xs[i], 1), y[k])
    for s, t in edges:
        if (s, t) not in drawn:
            layout.routes.append([])
            continue
        key = (t, s) if (s, t) in back else (s, t)
        points = [(round(xs[layer[k] - base], 1), y[k]) for k in chains[key]]
        layout.routes.append(points[::-1] if (s, t) in back else points)
    layout.width = round(x - LAYER_GAP + MARGIN, 1)
    layout.height = round(max((y[k] + (size[k][1] or 4.0) / 2 for k in y), default=0.0) + MARGIN, 1)
    return layout
