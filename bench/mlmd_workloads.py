"""MLMD 1.17's side of the benchmark: one workload on one backend, timings as JSON on stdout.

Runs in its own venv (``bench/.venv-mlmd``, Python 3.9-3.11: MLMD pins its own protobuf):

    bench/.venv-mlmd/bin/python bench/mlmd_workloads.py --backend fake --workload W3 --mode quick

Backends: ``fake`` (``fake_database``, SQLite in memory inside MLMD's C++ library) and ``file``
(a SQLite file). Every workload builds the same records as ``gs_workloads.py`` from
``common.py``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("GLOG_minloglevel", "2")  # MLMD logs each clamped max_num_hops at INFO

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import ml_metadata
from common import Case, log, measure
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

CHUNK = 50_000
SUBGRAPH_PARTS = ["artifacts", "executions", "events"]
Q = pb.LineageSubgraphQueryOptions


class Stores:
    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend, self.tmp = backend, tmp

    def fresh(self) -> metadata_store.MetadataStore:
        config = pb.ConnectionConfig()
        if self.backend == "fake":
            config.fake_database.SetInParent()
        else:
            for old in self.tmp.glob("mlmd-*.db"):
                old.unlink()
            config.sqlite.filename_uri = str(self.tmp / f"mlmd-{uuid.uuid4().hex[:8]}.db")
            config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
        return metadata_store.MetadataStore(config)


def chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def put_all(put: Callable[[Sequence[Any]], list[int]], items: Sequence[Any]) -> list[int]:
    return list(itertools.chain.from_iterable(put(c) for c in chunks(items)))


def build_graph(store: Any, n_artifacts: int, n_executions: int,
                edges: list[tuple[int, int, bool]]) -> tuple[list[int], list[int]]:
    at = store.put_artifact_type(pb.ArtifactType(name="Data"))
    et = store.put_execution_type(pb.ExecutionType(name="Step"))
    a_ids = put_all(store.put_artifacts, [pb.Artifact(type_id=at, uri=f"/data/{i}") for i in range(n_artifacts)])
    e_ids = put_all(store.put_executions, [pb.Execution(type_id=et, last_known_state=pb.Execution.COMPLETE)
                                           for _ in range(n_executions)])
    events = [pb.Event(artifact_id=a_ids[a], execution_id=e_ids[e],
                       type=pb.Event.INPUT if is_input else pb.Event.OUTPUT) for a, e, is_input in edges]
    for c in chunks(events):
        store.put_events(c)
    return a_ids, e_ids


# -- workloads ------------------------------------------------------------------------------------

def w1(stores: Stores, sz: dict, system: str) -> list[Case]:
    n = sz["w1_artifacts"]

    def setup() -> tuple[Any, list]:
        store = stores.fresh()
        t = store.put_artifact_type(pb.ArtifactType(name="Dataset", properties={
            "day": pb.INT, "split": pb.STRING, "score": pb.DOUBLE}))
        arts = []
        for i in range(n):
            props, custom = common.w1_values(i)
            a = pb.Artifact(type_id=t, uri=f"/data/{i}")
            a.properties["day"].int_value = props["day"]
            a.properties["split"].string_value = props["split"]
            a.properties["score"].double_value = props["score"]
            a.custom_properties["owner"].string_value = custom["owner"]
            arts.append(a)
        return store, arts

    times, ids = measure(lambda st: st[0].put_artifacts(st[1]), setup=setup,
                         warmup=sz["warmup"], runs=sz["runs"])
    return [Case("W1", f"put_artifacts: {n:,} artifacts in one call", system, times, len(ids), n)]


def w2(stores: Stores, sz: dict, system: str) -> list[Case]:
    calls, batch = sz["w2_calls"], sz["w2_batch"]

    def setup() -> tuple[Any, int, int, int, Any, Any]:
        store = stores.fresh()
        at = store.put_artifact_type(pb.ArtifactType(name="Data"))
        et = store.put_execution_type(pb.ExecutionType(name="Trainer"))
        ct = store.put_context_type(pb.ContextType(name="Pipeline"))
        [cid] = store.put_contexts([pb.Context(type_id=ct, name="pipeline")])
        [first] = store.put_artifacts([pb.Artifact(type_id=at, uri="/in/0")])
        return (store, at, et, ct, pb.Artifact(id=first, type_id=at, uri="/in/0"),
                pb.Context(id=cid, type_id=ct, name="pipeline"))

    def steps(st: tuple[Any, int, int, int, Any, Any]) -> int:
        store, at, et, _, current, ctx = st
        for i in range(calls):
            _, [_, out], _ = store.put_execution(
                pb.Execution(type_id=et, last_known_state=pb.Execution.COMPLETE),
                [(current, pb.Event(type=pb.Event.INPUT)),
                 (pb.Artifact(type_id=at, uri=f"/out/{i}"), pb.Event(type=pb.Event.OUTPUT))],
                [ctx])
            current = pb.Artifact(id=out, type_id=at, uri=f"/out/{i}")
        return calls

    times, done = measure(steps, setup=setup, warmup=sz["warmup"], runs=sz["runs"])
    cases = [Case("W2", f"put_execution: {calls:,} calls (1 in, 1 out, shared context)", system,
                  times, done, calls)]

    def batch_setup() -> tuple[Any, list, list, list, list]:
        store, at, et, ct, _, _ = setup()
        execs = [pb.Execution(type_id=et, last_known_state=pb.Execution.COMPLETE) for _ in range(batch)]
        arts = [pb.Artifact(type_id=at, uri=f"/b/{i}") for i in range(batch + 1)]
        edges = []
        for j in range(batch):
            edges.append((j, j, pb.Event(type=pb.Event.INPUT)))
            edges.append((j, j + 1, pb.Event(type=pb.Event.OUTPUT)))
        return store, execs, arts, [pb.Context(type_id=ct, name="batch")], edges

    times, out = measure(lambda st: st[0].put_lineage_subgraph(st[1], st[2], st[3], st[4]),
                         setup=batch_setup, warmup=sz["warmup"], runs=sz["runs"])
    cases.append(Case("W2", f"put_lineage_subgraph: {batch:,} executions in one call", system,
                      times, len(out[0]), batch))
    if stores.backend == "file":  # fake_database lives in one process
        cases.append(w2_writers(stores, sz, system))
    return cases


def _open_file(path: str) -> Any:
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = path
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    return metadata_store.MetadataStore(config)


def _writer(barrier: Any, queue: Any, path: str, calls: int, k: int) -> None:
    """One of W2's writer processes (see gs_workloads._writer)."""
    try:
        store = _open_file(path)
        at = store.put_artifact_type(pb.ArtifactType(name="Data"))
        et = store.put_execution_type(pb.ExecutionType(name="Trainer"))
        ct = store.put_context_type(pb.ContextType(name="Pipeline"))
        [cid] = store.put_contexts([pb.Context(type_id=ct, name=f"writer-{k}")])
        [first] = store.put_artifacts([pb.Artifact(type_id=at, uri=f"/w{k}/in")])
        state = {"current": pb.Artifact(id=first, type_id=at, uri=f"/w{k}/in")}
        ctx = pb.Context(id=cid, type_id=ct, name=f"writer-{k}")

        def step(i: int) -> None:
            _, [_, out], _ = store.put_execution(
                pb.Execution(type_id=et, last_known_state=pb.Execution.COMPLETE),
                [(state["current"], pb.Event(type=pb.Event.INPUT)),
                 (pb.Artifact(type_id=at, uri=f"/w{k}/{i}"), pb.Event(type=pb.Event.OUTPUT))], [ctx])
            state["current"] = pb.Artifact(id=out, type_id=at, uri=f"/w{k}/{i}")
        for i in range(5):
            step(-1 - i)
        barrier.wait(timeout=300)
        began = time.time()
        for i in range(calls):
            step(i)
        queue.put((began, time.time(), None))
    except Exception as exc:
        barrier.abort()
        queue.put((0.0, 0.0, f"{type(exc).__name__}: {exc}"[:300]))


def w2_writers(stores: Stores, sz: dict, system: str) -> Case:
    n, calls = sz["writers"], sz["writer_calls"]
    times = []
    note = ""
    for _ in range(sz["runs"] if sz["runs"] < 5 else 3):
        store = stores.fresh()
        store.put_artifact_type(pb.ArtifactType(name="Data"))
        store.put_execution_type(pb.ExecutionType(name="Trainer"))
        store.put_context_type(pb.ContextType(name="Pipeline"))
        del store
        path = str(next(stores.tmp.glob("mlmd-*.db")))
        try:
            times.append(common.parallel_seconds(_writer, [(path, calls, k) for k in range(n)]))
        except RuntimeError as exc:
            note = str(exc)
            break
    return Case("W2", f"put_execution from {n} processes: {calls:,} calls each", system, times,
                n * calls if times else None, n * calls, note)


def _query(kind: str, ids: Sequence[int], direction: int, hops: int = common.MLMD_HOP_CAP) -> Any:
    q = Q(max_num_hops=hops, direction=direction)
    where = f"id IN ({', '.join(map(str, ids))})" if len(ids) > 1 else f"id = {ids[0]}"
    (q.starting_artifacts if kind == "a" else q.starting_executions).filter_query = where
    return q


def one_call(store: Any, start: int, direction: int) -> int:
    """One get_lineage_subgraph call: what MLMD answers before its 100-hop cap."""
    g = store.get_lineage_subgraph(_query("a", [start], direction), SUBGRAPH_PARTS)
    return len(g.artifacts) + len(g.executions) - 1


def full_walk(store: Any, start: int, direction: int) -> tuple[int, int]:
    """Everything reachable, by repeated capped calls restarted from the frontier (the nodes
    exactly 100 hops out, which may lead further), at most 100 starting nodes per call.
    Returns (nodes found excluding the start, calls made)."""
    downstream = direction == Q.DOWNSTREAM
    found: set = {("a", start)}
    expanded: set = set()
    frontier = [("a", start)]
    calls = 0
    while frontier:
        edge_hops: set = set()
        for kind in ("a", "e"):
            ids = [i for k, i in frontier if k == kind]
            for batch in chunks(ids, common.MLMD_START_CAP):
                g = store.get_lineage_subgraph(_query(kind, batch, direction), SUBGRAPH_PARTS)
                calls += 1
                found.update(("a", a.id) for a in g.artifacts)
                found.update(("e", e.id) for e in g.executions)
                edges = [(ev.artifact_id, ev.execution_id, ev.type in _INPUTS) for ev in g.events]
                dist = common.bfs_distances([(kind, i) for i in batch], edges, downstream)
                for node, d in dist.items():
                    if d < common.MLMD_HOP_CAP:
                        expanded.add(node)
                    else:
                        edge_hops.add(node)
        frontier = sorted(edge_hops - expanded)
        expanded.update(frontier)
    return len(found) - 1, calls


_INPUTS = {pb.Event.INPUT, pb.Event.DECLARED_INPUT, pb.Event.INTERNAL_INPUT}


def events_walk(store: Any, start: int, direction: int) -> tuple[int, int]:
    """The leanest MLMD client walk: breadth-first over get_events_by_*_ids (no hop cap,
    no start cap), then the node records by id. Returns (nodes found, calls made)."""
    downstream = direction == Q.DOWNSTREAM
    seen_a, seen_e = {start}, set()
    frontier_a, frontier_e = [start], []
    calls = 0
    while frontier_a or frontier_e:
        next_a, next_e = [], []
        if frontier_a:
            calls += 1
            for ev in store.get_events_by_artifact_ids(frontier_a):
                # from an artifact: downstream follows its reads, upstream its producer
                if (ev.type in _INPUTS) == downstream and ev.execution_id not in seen_e:
                    seen_e.add(ev.execution_id)
                    next_e.append(ev.execution_id)
        if frontier_e:
            calls += 1
            for ev in store.get_events_by_execution_ids(frontier_e):
                if (ev.type in _INPUTS) != downstream and ev.artifact_id not in seen_a:
                    seen_a.add(ev.artifact_id)
                    next_a.append(ev.artifact_id)
        frontier_a, frontier_e = next_a, next_e
    seen_a.discard(start)
    arts = store.get_artifacts_by_id(sorted(seen_a)) if seen_a else []
    execs = store.get_executions_by_id(sorted(seen_e)) if seen_e else []
    return len(arts) + len(execs), calls + 2


def _walk_cases(store: Any, start: int, direction: int, label: str, items: int, sz: dict,
                system: str, workload: str) -> list[Case]:
    cases = []
    t, c = measure(lambda _: one_call(store, start, direction), warmup=sz["warmup"], runs=sz["runs"])
    cases.append(Case(workload, f"{label}: one get_lineage_subgraph call (100-hop cap)", system, t, c, items,
                      "stops at 100 hops"))
    t, (c, calls) = measure(lambda _: full_walk(store, start, direction), warmup=sz["warmup"],
                            runs=sz["runs"], budget=60)
    cases.append(Case(workload, f"{label}: all nodes (get_lineage_subgraph)", system, t, c, items,
                      f"full walk: {calls} capped calls restarted from the frontier"))
    t, (c, calls) = measure(lambda _: events_walk(store, start, direction), warmup=sz["warmup"],
                            runs=sz["runs"], budget=60)
    cases.append(Case(workload, f"{label}: all nodes (events-API walk)", system, t, c, items,
                      f"{calls} calls: get_events_by_*_ids per hop, then nodes by id"))
    return cases


def w3(stores: Stores, sz: dict, system: str) -> list[Case]:
    cases = []
    for n in sz["w3_chains"]:
        store = stores.fresh()
        a_ids, _ = build_graph(store, n + 1, n, common.chain_events(n))
        cases += _walk_cases(store, a_ids[-1], Q.UPSTREAM, f"upstream of a {n:,}-execution chain",
                             2 * n, sz, system, "W3")
        del store
    return cases


def w4(stores: Stores, sz: dict, system: str) -> list[Case]:
    dag = common.make_dag(sz["w4_nodes"], sz["w4_window"])
    store = stores.fresh()
    a_ids, _ = build_graph(store, dag.artifacts, dag.executions, dag.events())
    label = f"downstream of a root of a {sz['w4_nodes']:,}-node DAG"
    return _walk_cases(store, a_ids[0], Q.DOWNSTREAM, label, dag.artifacts + dag.executions, sz,
                       system, "W4")


def w5(stores: Stores, sz: dict, system: str) -> list[Case]:
    n, contexts = sz["w5_artifacts"], sz["w5_contexts"]
    store = stores.fresh()
    at = store.put_artifact_type(pb.ArtifactType(name="Record", properties={"bucket": pb.INT, "split": pb.STRING}))
    ct = store.put_context_type(pb.ContextType(name="Run"))
    c_ids = store.put_contexts([pb.Context(type_id=ct, name=f"ctx-{k}") for k in range(contexts)])
    arts = []
    for i in range(n):
        a = pb.Artifact(type_id=at, uri=f"/rec/{i}")
        a.properties["bucket"].int_value = common.w5_bucket(i, n)
        a.properties["split"].string_value = "train" if i % 2 == 0 else "eval"
        arts.append(a)
    a_ids = put_all(store.put_artifacts, arts)
    store.put_attributions_and_associations(
        [pb.Attribution(artifact_id=a, context_id=c_ids[i % contexts]) for i, a in enumerate(a_ids)], [])
    cases = []
    for name, (query, expected) in common.w5_queries(n, contexts).items():
        # MLMD's client pages by itself, 100 per request, whenever list options are given
        def run(_: Any, q: str = query) -> int:
            return len(store.get_artifacts(list_options=metadata_store.ListOptions(filter_query=q)))
        if name == "broad_paged":
            label = f"broad filter, {expected:,} of {n:,} hits, pages of 100 (iter_artifacts)"
        elif name == "selective":
            label = f"selective property filter, {expected} of {n:,} hits"
        else:
            label = f"context-alias filter, {expected:,} hits"
        t, c = measure(run, warmup=sz["warmup"], runs=sz["runs"])
        cases.append(Case("W5", f"{label}: {query}", system, t, c, expected,
                          "get_artifacts(list_options): the client fetches pages of 100"))
    return cases


def w7(stores: Stores, sz: dict, system: str) -> list[Case]:
    """The scale tiers (bench/mlmd_tiers.py), in a cached SQLite file: fake_database sits out."""
    if stores.backend != "file":
        return []
    import mlmd_tiers
    return mlmd_tiers.w7(sz["w7_tiers"], full_walk)


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W7": w7}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", required=True, choices=["fake", "file"])
    p.add_argument("--workload", required=True, help="one or more of W1..W6, comma-separated")
    p.add_argument("--mode", default="full", choices=sorted(common.SIZES))
    p.add_argument("--runs", type=int)
    p.add_argument("--tiers", help="W7's tiers, comma-separated (3k, 10k, 100k, 1m)")
    args = p.parse_args()
    sizes = dict(common.SIZES[args.mode])
    if args.runs:
        sizes["runs"] = args.runs
    if args.tiers:
        sizes["w7_tiers"] = [t.strip() for t in args.tiers.split(",") if t.strip()]
    system = {"fake": "MLMD fake_database", "file": "MLMD sqlite-file"}[args.backend]
    with tempfile.TemporaryDirectory(prefix="mlmd-bench-") as tmp:
        cases = []
        for w in common.workload_list(args.workload, WORKLOADS):
            began = time.monotonic()
            got = WORKLOADS[w](Stores(args.backend, Path(tmp)), sizes, system)
            timed = sum(sum(c.times) for c in got)
            log(f"{system}: {w} in {time.monotonic() - began:.1f} s ({timed:.1f} s timed)")
            cases += got
    info = {"ml_metadata": ml_metadata.__version__, "python": platform.python_version(),
            "protobuf": __import__("google.protobuf").protobuf.__version__}
    common.emit(cases, info)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
