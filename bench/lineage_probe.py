"""A quick probe of deep lineage against the raw engine queries of the same shape.

    .venv/bin/python bench/lineage_probe.py build --nodes 100000 --sqlite /tmp/dag.db [--neo4j URI]
    .venv/bin/python bench/lineage_probe.py time --sqlite /tmp/dag.db [--neo4j URI]

Not the benchmark (``make bench`` is): a developer's check while changing the lineage code.
Neo4j credentials come from NEO4J_USER / NEO4J_PASSWORD.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common
from gs_workloads import build_graph

from graphstore import LineageDirection, MetadataStore

DOWN = LineageDirection.DOWNSTREAM
_WALK = ("WITH RECURSIVE r(kind, id) AS (SELECT 0, ? UNION "
         "SELECT 1, ev.execution_id FROM r JOIN event ev ON ev.artifact_id = r.id "
         "WHERE r.kind = 0 AND ev.type IN ('INPUT', 'DECLARED_INPUT', 'INTERNAL_INPUT') UNION "
         "SELECT 0, ev.artifact_id FROM r JOIN event ev ON ev.execution_id = r.id "
         "WHERE r.kind = 1 AND ev.type NOT IN ('INPUT', 'DECLARED_INPUT', 'INTERNAL_INPUT', 'UNKNOWN')) ")
RAW_IDS = _WALK + "SELECT kind, id FROM r"
RAW_ROWS = (_WALK + "SELECT a.id, a.type_id, a.name, a.uri, a.create_time_since_epoch, "
            "(SELECT json_group_array(json_array(p.name, p.value)) FROM artifact_property p "
            "WHERE p.node_id = a.id) FROM r JOIN artifact a ON r.kind = 0 AND a.id = r.id UNION ALL "
            "SELECT e.id, e.type_id, e.name, e.last_known_state, e.create_time_since_epoch, "
            "(SELECT json_group_array(json_array(p.name, p.value)) FROM execution_property p "
            "WHERE p.node_id = e.id) FROM r JOIN execution e ON r.kind = 1 AND e.id = r.id")


def _open(uri: str) -> MetadataStore:
    if uri.startswith(("bolt://", "neo4j://")):
        return MetadataStore(uri, user=os.environ.get("NEO4J_USER", "neo4j"),
                             password=os.environ.get("NEO4J_PASSWORD"))
    return MetadataStore(uri)


def build(uri: str, nodes: int) -> None:
    window = 500 if nodes <= 100_000 else max(50, nodes // 200)
    dag = common.make_dag(nodes, window)
    store = _open(uri)
    t = time.perf_counter()
    build_graph(store, dag.artifacts, dag.executions, dag.events())
    print(f"built {uri}: {dag.artifacts + dag.executions} nodes in {time.perf_counter() - t:.1f} s")


def timed(label: str, fn: Callable[[], Any], runs: int = 3) -> float:
    fn()
    best = float("inf")
    out: Any = None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    size = out if isinstance(out, int) else len(out) if hasattr(out, "__len__") else out
    print(f"  {label:<58} {best * 1000:9.1f} ms   -> {size}")
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["build", "time"])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--uri", required=True)
    args = ap.parse_args()
    if args.what == "build":
        build(args.uri, args.nodes)
        return
    store = _open(args.uri)
    first = store.get_artifacts(common_list(1))[0].id
    last = store.get_artifacts(common_list(1, desc=True))[0].id
    print(f"{args.uri}: root {first}, leaf {last}")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    timed("downstream ids (root)", lambda: store.downstream(artifact_id=first).ids)
    timed("upstream ids (leaf)", lambda: store.upstream(artifact_id=last).ids)
    timed("downstream records (root)", lambda: [n.node for n in store.downstream(artifact_id=first).nodes])
    timed("downstream limit=100 type=Data", lambda: store.downstream(artifact_id=first, limit=100,
                                                                      types=["Data"]).ids)
    timed("downstream counts by type", lambda: store.count_lineage(DOWN, "type", artifact_id=first))
    if not args.uri.startswith(("bolt://", "neo4j://")):
        db = sqlite3.connect(args.uri)
        timed("raw SQL: recursive UNION, distinct ids (downstream)", lambda: db.execute(RAW_IDS, [first]).fetchall())
        timed("raw SQL: recursive UNION, rows (downstream)", lambda: db.execute(RAW_ROWS, [first]).fetchall())

    def pages() -> int:
        n, cursor = 0, None
        while True:
            page = store.downstream(artifact_id=first, limit=1000, cursor=cursor)
            n += len([x.node for x in page.nodes])
            cursor = page.next_cursor
            if cursor is None:
                return n
    timed("downstream in pages of 1000 with records", pages, runs=1)
    print(f"  max RSS growth {(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024:.0f} MB")


def common_list(limit: int, desc: bool = False) -> Any:
    from graphstore import ListOptions
    return ListOptions(limit=limit, is_asc=not desc)


if __name__ == "__main__":
    main()
