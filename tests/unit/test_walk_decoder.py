"""The Neo4j walk's decoder over hand-made records: the same answer whether the internal ids
are dense (an array indexed by them) or sparse (a dict), and whatever order they come in."""

from __future__ import annotations

from typing import Any

import pytest

from graphstore import ops
from graphstore.compile.walk_cypher import _answer, _fold_walk

# a diamond downstream of artifact 1: 1 -> exec 1 -> {2, 3}; 2 -> exec 2 -> 4; 3 -> exec 3 -> 4
# (keys are id*2 + 1 for executions), and exec 3 -> artifact 5 past a bound of 2
EDGES = {2: [3], 3: [4, 6], 4: [5], 6: [7, 11], 5: [8], 7: [8], 8: [], 11: [10], 10: []}


def record(iid_of: dict[int, int], chunk: int, reached: Any = EDGES) -> list[dict[str, Any]]:
    keys = sorted(reached, key=lambda k: iid_of[k])  # the engine's order is not the keys'
    rows = [{"keys": part, "types": [7] * len(part), "iids": [iid_of[k] for k in part],
             "next": [[iid_of[n] for n in EDGES[k]] for k in part]}
            for part in (keys[i:i + chunk] for i in range(0, len(keys), chunk))]
    return _fold_walk(iter(rows))


@pytest.mark.parametrize("iids", ["dense", "sparse"])
@pytest.mark.parametrize("chunk", [1, 4, 100])
def test_distances_order_and_parents(iids: str, chunk: int) -> None:
    step = 1 if iids == "dense" else 1_000_003
    iid_of = {k: (97 - i) * step for i, k in enumerate(sorted(EDGES))}
    op = ops.LineageWalk((1,), (), ops.Direction.DOWNSTREAM, include_start=True, parents=True)
    got = _answer(op, record(iid_of, chunk)[0], None)
    assert list(got["keys"]) == [2, 3, 4, 6, 5, 7, 11, 8, 10]
    assert list(got["distances"]) == [0, 1, 2, 2, 3, 3, 3, 4, 4]
    # a node's parent is its smallest-key parent one hop nearer: 8 is reached from 5 and 7
    assert dict(zip(got["keys"], got["parents"], strict=True))[8] == 5
    assert list(got["type_ids"]) == [7] * 9 and got["exhausted"] and not got["truncated"]


def test_a_bound_reports_what_it_cut_and_a_gone_start_stays() -> None:
    iid_of = {k: k + 40 for k in EDGES}
    # the engine's walk to 1 hop: keys 2 and 3, and 3's neighbours (4, 6) past the bound
    op = ops.LineageWalk((1, 99), (), ops.Direction.DOWNSTREAM, max_hops=1, include_start=True)
    got = _answer(op, record(iid_of, 100, reached=[2, 3])[0], None)
    # artifact 99 is gone: it is a start at distance 0 with no neighbours
    assert list(got["keys"]) == [2, 198, 3] and list(got["distances"]) == [0, 0, 1]
    assert got["truncated"]
    # a bound past the end of the walk cuts nothing
    deep = ops.LineageWalk((1,), (), ops.Direction.DOWNSTREAM, max_hops=10)
    assert not _answer(deep, record(iid_of, 100)[0], None)["truncated"]
