"""graphstore's side of the benchmark: one workload on one engine, timings as JSON on stdout.

    .venv/bin/python bench/gs_workloads.py --system sqlite-mem --workload W3 --mode quick

Systems: ``sqlite-mem`` (embedded, in memory), ``sqlite-file`` (embedded, a WAL file) and
``neo4j`` (``--neo4j-uri``/``--neo4j-user``/``--neo4j-password``; the database is wiped before
each build). W6 also replays the statements graphstore sent, raw through sqlite3 / the driver.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common
import raw_writes
from common import Case, log, measure

import graphstore
from graphstore import (
    Artifact,
    ArtifactType,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    LineageDirection,
    LineageSubgraphQueryOptions,
    ListOptions,
    MetadataStore,
    PropertyType,
)

CHUNK = 50_000  # rows per call when building big graphs (keeps one Neo4j transaction modest)
SUBGRAPH_PARTS = ["artifacts", "executions", "events"]  # the parts MLMD's walk asks for too
DEEP_ALL_LIMIT = 2_000  # upstream() with every node and its path only on chains up to this


class Stores:
    """Opens fresh stores of one system."""

    def __init__(self, system: str, tmp: Path, uri: str | None, user: str | None,
                 password: str | None) -> None:
        self.system, self.tmp = system, tmp
        self.uri, self.user, self.password = uri, user, password
        self.open: list[MetadataStore] = []

    def fresh(self) -> MetadataStore:
        self.close_all()
        if self.system == "sqlite-mem":
            store = MetadataStore()
        elif self.system == "sqlite-file":
            for old in self.tmp.glob("gs-*.db*"):
                old.unlink()
            store = MetadataStore(str(self.tmp / f"gs-{uuid.uuid4().hex[:8]}.db"))
        else:
            wipe_neo4j(self.uri, self.user, self.password)
            store = MetadataStore(self.uri, user=self.user, password=self.password)
        self.open.append(store)
        return store

    def close_all(self) -> None:
        for s in self.open:
            s.close()
        self.open.clear()


def wipe_neo4j(uri: str | None, user: str | None, password: str | None) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=(user, password),  # type: ignore[arg-type]
                                    notifications_min_severity="OFF") as driver, driver.session() as s:
        # the schema marker stays, so reopening skips the (unchanged) DDL: setup, not measured
        s.run("MATCH (n) WHERE NOT n:GraphstoreSchema CALL (n) { DETACH DELETE n } "
              "IN TRANSACTIONS OF 10000 ROWS").consume()


def chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def put_all(put: Callable[[Sequence[Any]], list[int]], items: Sequence[Any]) -> list[int]:
    return list(itertools.chain.from_iterable(put(c) for c in chunks(items)))


# -- building graphs ---------------------------------------------------------------------------

def build_graph(store: MetadataStore, n_artifacts: int, n_executions: int,
                edges: list[tuple[int, int, bool]]) -> tuple[list[int], list[int]]:
    """Artifacts, executions and the events between them, in bulk; returns their ids."""
    at = store.put_artifact_type(ArtifactType(name="Data"))
    et = store.put_execution_type(ExecutionType(name="Step"))
    a_ids = put_all(store.put_artifacts,
                    [Artifact(type_id=at, uri=f"/data/{i}") for i in range(n_artifacts)])
    e_ids = put_all(store.put_executions,
                    [Execution(type_id=et, last_known_state=ExecutionState.COMPLETE)
                     for _ in range(n_executions)])
    events = [Event(artifact_id=a_ids[a], execution_id=e_ids[e],
                    type=EventType.INPUT if is_input else EventType.OUTPUT)
              for a, e, is_input in edges]
    for c in chunks(events):
        store.put_events(c)
    return a_ids, e_ids


def build_w5(store: MetadataStore, n: int, contexts: int) -> list[int]:
    at = store.put_artifact_type(ArtifactType(
        name="Record", properties={"bucket": PropertyType.INT, "split": PropertyType.STRING}))
    ct = store.put_context_type(ContextType(name="Run"))
    c_ids = store.put_contexts([Context(type_id=ct, name=f"ctx-{k}") for k in range(contexts)])
    a_ids = put_all(store.put_artifacts, [
        Artifact(type_id=at, uri=f"/rec/{i}",
                 properties={"bucket": common.w5_bucket(i, n), "split": "train" if i % 2 == 0 else "eval"})
        for i in range(n)])
    store.put_attributions_and_associations(
        [Attribution(artifact_id=a, context_id=c_ids[i % contexts]) for i, a in enumerate(a_ids)], [])
    return a_ids


# -- workloads ------------------------------------------------------------------------------------

def w1(stores: Stores, sz: dict[str, Any], system: str) -> list[Case]:
    n = sz["w1_artifacts"]

    def setup() -> tuple[MetadataStore, list[Artifact]]:
        store = stores.fresh()
        t = store.put_artifact_type(ArtifactType(name="Dataset", properties={
            "day": PropertyType.INT, "split": PropertyType.STRING, "score": PropertyType.DOUBLE}))
        arts = []
        for i in range(n):
            props, custom = common.w1_values(i)
            arts.append(Artifact(type_id=t, uri=f"/data/{i}", properties=props, custom_properties=custom))
        return store, arts

    times, ids = measure(lambda st: st[0].put_artifacts(st[1]), setup=setup,
                         warmup=sz["warmup"], runs=sz["runs"])
    return [Case("W1", f"put_artifacts: {n:,} artifacts in one call", system, times, len(ids), n)]


def w2(stores: Stores, sz: dict[str, Any], system: str) -> list[Case]:
    calls, batch = sz["w2_calls"], sz["w2_batch"]

    def setup() -> tuple[MetadataStore, int, int, Artifact, Context]:
        store = stores.fresh()
        at = store.put_artifact_type(ArtifactType(name="Data"))
        et = store.put_execution_type(ExecutionType(name="Trainer"))
        ct = store.put_context_type(ContextType(name="Pipeline"))
        [cid] = store.put_contexts([Context(type_id=ct, name="pipeline")])
        [first] = store.put_artifacts([Artifact(type_id=at, uri="/in/0")])
        return (store, at, et, Artifact(id=first, type_id=at, uri="/in/0"),
                Context(id=cid, type_id=ct, name="pipeline"))

    def steps(st: tuple[MetadataStore, int, int, Artifact, Context]) -> int:
        store, at, et, current, ctx = st
        for i in range(calls):
            _, [_, out], _ = store.put_execution(
                Execution(type_id=et, last_known_state=ExecutionState.COMPLETE),
                [(current, Event(type=EventType.INPUT)),
                 (Artifact(type_id=at, uri=f"/out/{i}"), Event(type=EventType.OUTPUT))],
                [ctx])
            current = Artifact(id=out, type_id=at, uri=f"/out/{i}")
        return calls

    times, done = measure(steps, setup=setup, warmup=sz["warmup"], runs=sz["runs"])
    cases = [Case("W2", f"put_execution: {calls:,} calls (1 in, 1 out, shared context)", system,
                  times, done, calls)]

    def batch_setup() -> tuple[MetadataStore, list[Execution], list[Artifact], list[Context], list[Any]]:
        store, at, et, _, _ = setup()
        ct = store.get_context_type("Pipeline").id
        execs = [Execution(type_id=et, last_known_state=ExecutionState.COMPLETE) for _ in range(batch)]
        arts = [Artifact(type_id=at, uri=f"/b/{i}") for i in range(batch + 1)]
        edges = []
        for j in range(batch):
            edges.append((j, j, Event(type=EventType.INPUT)))
            edges.append((j, j + 1, Event(type=EventType.OUTPUT)))
        return store, execs, arts, [Context(type_id=ct, name="batch")], edges

    times, out = measure(lambda st: st[0].put_lineage_subgraph(st[1], st[2], st[3], st[4]),
                         setup=batch_setup, warmup=sz["warmup"], runs=sz["runs"])
    cases.append(Case("W2", f"put_lineage_subgraph: {batch:,} executions in one call", system,
                      times, len(out[0]), batch))
    if stores.system != "sqlite-mem":  # one store shared by processes: a file or a server
        cases.append(w2_writers(stores, sz, system))
    if stores.system == "neo4j":
        cases += raw_writes.w2_raw(stores, sz)
    return cases


def _writer(barrier: Any, queue: Any, target: list[Any], calls: int, k: int) -> None:
    """One of W2's writer processes: its own context and chain, put_execution ``calls`` times."""
    try:
        store = MetadataStore(target[0]) if len(target) == 1 else MetadataStore(
            target[0], user=target[1], password=target[2])
        at = store.put_artifact_type(ArtifactType(name="Data"))
        et = store.put_execution_type(ExecutionType(name="Trainer"))
        ct = store.put_context_type(ContextType(name="Pipeline"))
        [cid] = store.put_contexts([Context(type_id=ct, name=f"writer-{k}")])
        [first] = store.put_artifacts([Artifact(type_id=at, uri=f"/w{k}/in")])
        current, ctx = Artifact(id=first, type_id=at, uri=f"/w{k}/in"), Context(id=cid, type_id=ct, name=f"writer-{k}")

        def step(i: int) -> Artifact:
            _, [_, out], _ = store.put_execution(
                Execution(type_id=et, last_known_state=ExecutionState.COMPLETE),
                [(current, Event(type=EventType.INPUT)),
                 (Artifact(type_id=at, uri=f"/w{k}/{i}"), Event(type=EventType.OUTPUT))], [ctx])
            return Artifact(id=out, type_id=at, uri=f"/w{k}/{i}")
        for i in range(5):  # warm-up: connections, plans
            current = step(-1 - i)
        barrier.wait(timeout=300)
        began = time.time()
        for i in range(calls):
            current = step(i)
        queue.put((began, time.time(), None))
        store.close()
    except Exception as exc:  # reported by the parent
        barrier.abort()
        queue.put((0.0, 0.0, f"{type(exc).__name__}: {exc}"[:300]))


def w2_writers(stores: Stores, sz: dict[str, Any], system: str) -> Case:
    """put_execution from several processes on one store at once: calls per second together."""
    n, calls = sz["writers"], sz["writer_calls"]

    def setup() -> list[Any]:
        store = stores.fresh()  # the types exist before the writers race to reuse them
        store.put_artifact_type(ArtifactType(name="Data"))
        store.put_execution_type(ExecutionType(name="Trainer"))
        store.put_context_type(ContextType(name="Pipeline"))
        stores.close_all()
        if stores.system == "sqlite-file":
            return [str(next(stores.tmp.glob("gs-*.db")))]
        return [stores.uri, stores.user, stores.password]
    times = []
    for _ in range(sz["runs"] if sz["runs"] < 5 else 3):
        target = setup()
        times.append(common.parallel_seconds(_writer, [(target, calls, k) for k in range(n)]))
    return Case("W2", f"put_execution from {n} processes: {calls:,} calls each", system, times,
                n * calls, n * calls)


def _subgraph_count(store: MetadataStore, start: int, direction: LineageDirection) -> int:
    g = store.get_lineage_subgraph(
        LineageSubgraphQueryOptions(starting_artifacts=f"id = {start}", direction=direction),
        SUBGRAPH_PARTS)
    return len(g.artifacts) + len(g.executions) - 1


def w3(stores: Stores, sz: dict[str, Any], system: str) -> list[Case]:
    cases = []
    for n in sz["w3_chains"]:
        store = stores.fresh()
        a_ids, _ = build_graph(store, n + 1, n, common.chain_events(n))
        last = a_ids[-1]
        label = f"upstream of a {n:,}-execution chain"
        t, c = measure(lambda _: _subgraph_count(store, last, LineageDirection.UPSTREAM),  # noqa: B023
                       warmup=sz["warmup"], runs=sz["runs"], budget=30)
        cases.append(Case("W3", f"{label}: all nodes (get_lineage_subgraph)", system, t, c, 2 * n))
        t, r = measure(lambda _: len(store.upstream(artifact_id=last, limit=100).ids),  # noqa: B023
                       warmup=sz["warmup"], runs=sz["runs"], budget=30)
        cases.append(Case("W3", f"{label}: first page of 100 (upstream)", system, t, r, 2 * n))
        if n <= DEEP_ALL_LIMIT:
            t, r = measure(lambda _: len(store.upstream(artifact_id=last).nodes),  # noqa: B023
                           warmup=sz["warmup"], runs=sz["runs"], budget=30)
            cases.append(Case("W3", f"{label}: all nodes with paths (upstream)", system, t, r, 2 * n))
    stores.close_all()
    return cases


def w4(stores: Stores, sz: dict[str, Any], system: str) -> list[Case]:
    dag = common.make_dag(sz["w4_nodes"], sz["w4_window"])
    store = stores.fresh()
    a_ids, _ = build_graph(store, dag.artifacts, dag.executions, dag.events())
    root = a_ids[0]
    label = f"downstream of a root of a {sz['w4_nodes']:,}-node DAG"
    items = dag.artifacts + dag.executions
    cases = []
    t, c = measure(lambda _: _subgraph_count(store, root, LineageDirection.DOWNSTREAM),
                   warmup=sz["warmup"], runs=sz["runs"], budget=30)
    cases.append(Case("W4", f"{label}: all nodes (get_lineage_subgraph)", system, t, c, items))
    t, r = measure(lambda _: len(store.downstream(artifact_id=root, limit=100).ids),
                   warmup=sz["warmup"], runs=sz["runs"], budget=30)
    cases.append(Case("W4", f"{label}: first page of 100 (downstream)", system, t, r, items))

    def impact(_: Any) -> int:
        report = store.impact([root])
        return len(report.artifacts) + len(report.executions)
    t, r = measure(impact, warmup=sz["warmup"], runs=sz["runs"], budget=30)
    cases.append(Case("W4", f"{label}: impact() report", system, t, r, items))
    stores.close_all()
    return cases


def w5(stores: Stores, sz: dict[str, Any], system: str) -> list[Case]:
    n, contexts = sz["w5_artifacts"], sz["w5_contexts"]
    store = stores.fresh()
    build_w5(store, n, contexts)
    cases = []
    for name, (query, expected) in common.w5_queries(n, contexts).items():
        if name == "broad_paged":
            def run(_: Any, q: str = query) -> int:
                return sum(1 for _ in store.iter_artifacts(ListOptions(filter_query=q, limit=100)))
            label = f"broad filter, {expected:,} of {n:,} hits, pages of 100 (iter_artifacts)"
        else:
            def run(_: Any, q: str = query) -> int:
                return len(store.get_artifacts(ListOptions(filter_query=q)))
            label = (f"selective property filter, {expected} of {n:,} hits" if name == "selective"
                     else f"context-alias filter, {expected:,} hits")
        t, c = measure(run, warmup=sz["warmup"], runs=sz["runs"])
        cases.append(Case("W5", f"{label}: {query}", system, t, c, expected))
    stores.close_all()
    return cases


# -- W6: graphstore against its own statements, raw -----------------------------------------------

def _tx_class(store: MetadataStore) -> type:
    if store.engine_name == "sqlite":
        from graphstore.engines.sqlite import _SqliteTx
        return _SqliteTx
    from graphstore.engines.neo4j import _Neo4jTx
    return _Neo4jTx


def capture(store: MetadataStore, call: Callable[[], Any]) -> list[list[Any]]:
    """The statements ``call`` sends, grouped by transaction (as graphstore ran them)."""
    cls = _tx_class(store)
    original = cls.execute
    groups: dict[int, list[Any]] = {}

    def recording(self: Any, statements: Any) -> Any:
        groups.setdefault(id(self), []).extend(statements)
        return original(self, statements)
    cls.execute = recording
    try:
        call()
    finally:
        cls.execute = original
    return list(groups.values())


def raw_runner(store: MetadataStore, groups: list[list[Any]]) -> Callable[[Any], int]:
    """Replays captured statements the plain way: sqlite3 tuples / driver records, one
    transaction per group, no decoding."""
    for group in groups:
        if any(getattr(s, "many", False) for s in group):
            raise RuntimeError("W6 replays reads only")
    engine: Any = store._engine
    if store.engine_name == "sqlite":
        conn = engine._conn

        def run_sqlite(_: Any) -> int:
            factory, conn.row_factory = conn.row_factory, None
            rows = 0
            try:
                for group in groups:
                    conn.execute("BEGIN")
                    for s in group:
                        rows += len(conn.execute(s.text, s.params).fetchall())
                    conn.execute("COMMIT")
            finally:
                conn.row_factory = factory
            return rows
        return run_sqlite
    driver, database = engine._driver, engine.database

    def run_neo4j(_: Any) -> int:
        rows = 0
        with driver.session(database=database) as session:
            for group in groups:
                rows += session.execute_read(
                    lambda tx, g=group: sum(len(list(tx.run(s.text, s.params))) for s in g))
        return rows
    return run_neo4j


def w6(stores: Stores, sz: dict[str, Any], system: str) -> list[Case]:
    n_chain, n, contexts = sz["w6_chain"], sz["w5_artifacts"], sz["w5_contexts"]
    store = stores.fresh()
    build_w5(store, n, contexts)
    a_ids, _ = build_graph(store, n_chain + 1, n_chain, common.chain_events(n_chain))
    last = a_ids[-1]
    queries = common.w5_queries(n, contexts)
    calls: list[tuple[str, Callable[[], Any]]] = [
        (f"lineage: get_lineage_subgraph, {n_chain:,}-execution chain",
         lambda: store.get_lineage_subgraph(LineageSubgraphQueryOptions(
             starting_artifacts=f"id = {last}", direction=LineageDirection.UPSTREAM), SUBGRAPH_PARTS)),
        (f"lineage: upstream first page of 100, {n_chain:,}-execution chain",
         lambda: store.upstream(artifact_id=last, limit=100)),
        (f"filter: selective, {queries['selective'][1]} hits (get_artifacts)",
         lambda: store.get_artifacts(ListOptions(filter_query=queries["selective"][0]))),
        (f"filter: broad, {queries['broad_paged'][1]:,} hits in one list (get_artifacts)",
         lambda: store.get_artifacts(ListOptions(filter_query=queries["broad_paged"][0]))),
        ("filter: broad, first page of 100 (page_artifacts)",
         lambda: store.page_artifacts(ListOptions(filter_query=queries["broad_paged"][0], limit=100))),
    ]
    raw_system = {"sqlite-mem": "raw sqlite3 (mem)", "sqlite-file": "raw sqlite3 (file)",
                  "neo4j": "raw neo4j driver"}[system.split()[-1]]
    cases = []
    for label, call in calls:
        groups = capture(store, call)
        statements = sum(len(g) for g in groups)
        note = f"{statements} statement(s) in {len(groups)} transaction(s)"
        t, _ = measure(lambda _, c=call: c(), warmup=sz["warmup"], runs=sz["runs"])
        cases.append(Case("W6", label, system, t, None, None, note))
        t, rows = measure(raw_runner(store, groups), warmup=sz["warmup"], runs=sz["runs"])
        cases.append(Case("W6", label, raw_system, t, None, None, f"{note}; {rows} rows"))
    stores.close_all()
    return cases


def w7(stores: Stores, sz: dict[str, Any], system: str) -> list[Case]:
    """The scale tiers (bench/gs_tiers.py): cached stores, so SQLite in memory sits out."""
    if stores.system == "sqlite-mem":
        return []
    import gs_tiers
    return gs_tiers.w7(stores.system, sz["w7_tiers"], sz["w7_budget"])


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W7": w7}


def info() -> dict[str, Any]:
    import neo4j
    import pydantic
    out = {"graphstore": graphstore.__version__, "neo4j_driver": neo4j.__version__,
           "pydantic": pydantic.__version__, "python": platform.python_version(),
           "sqlite": __import__("sqlite3").sqlite_version}
    try:
        from importlib.metadata import version
        out["neo4j_rust_ext"] = version("neo4j-rust-ext")
    except Exception:
        out["neo4j_rust_ext"] = None
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--system", required=True, choices=["sqlite-mem", "sqlite-file", "neo4j"])
    p.add_argument("--workload", required=True, help="one or more of W1..W6, comma-separated")
    p.add_argument("--mode", default="full", choices=sorted(common.SIZES))
    p.add_argument("--scale", action="store_true", help="W3/W4 at 1,000,000 nodes")
    p.add_argument("--scale-nodes", type=int, default=common.SCALE_NODES, help=argparse.SUPPRESS)
    p.add_argument("--runs", type=int, help="override the number of timed runs")
    p.add_argument("--tiers", help="W7's tiers, comma-separated (3k, 10k, 100k, 1m)")
    p.add_argument("--neo4j-uri", default=os.environ.get("NEO4J_URI"))
    p.add_argument("--neo4j-user", default=os.environ.get("NEO4J_USER", "neo4j"))
    p.add_argument("--neo4j-password", default=os.environ.get("NEO4J_PASSWORD"))
    args = p.parse_args()
    sizes = dict(common.SIZES[args.mode])
    if args.scale:
        sizes.update(common.scale_sizes(args.scale_nodes))
    if args.runs:
        sizes["runs"] = args.runs
    if args.tiers:
        sizes["w7_tiers"] = [t.strip() for t in args.tiers.split(",") if t.strip()]
    with tempfile.TemporaryDirectory(prefix="gs-bench-") as tmp:
        stores = Stores(args.system, Path(tmp), args.neo4j_uri, args.neo4j_user, args.neo4j_password)
        cases = []
        for w in common.workload_list(args.workload, WORKLOADS):
            began = time.monotonic()
            got = WORKLOADS[w](stores, sizes, f"graphstore {args.system}")
            stores.close_all()
            timed = sum(sum(c.times) for c in got)
            log(f"graphstore {args.system}: {w} in {time.monotonic() - began:.1f} s ({timed:.1f} s timed)")
            cases += got
    common.emit(cases, info())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
