"""W7, graphstore's side: the scale tiers on SQLite (a file) and Neo4j, with the raw engine
queries of each answer shape (ids only; rows) as rivals.

Each answer shape is one small function of (store, start) so it can be pointed at a newer
API; a shape the API lacks returns NOT_AVAILABLE and is reported as "not available".
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import tiers
from common import Case, log
from tiers import PAGE, Pipeline

from graphstore import (
    Artifact,
    ArtifactType,
    Association,
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

CHUNK = 50_000
NOT_AVAILABLE = object()
UP, DOWN = LineageDirection.UPSTREAM, LineageDirection.DOWNSTREAM
EVENT_TYPES = [t.name for t in EventType]
INPUTS = [t.name for t in EventType if t.is_input]
OUTPUTS = [t.name for t in EventType if not t.is_input]
ROOT = Path(__file__).resolve().parents[1]


# -- the answer shapes, on the public API ----------------------------------------------------

def ids_level(store: MetadataStore, start: int, direction: LineageDirection) -> int:
    """The whole lineage, id level: the engine's walk as columns, no records fetched."""
    return len(store.lineage(direction, artifact_id=start).ids)


def full_records(store: MetadataStore, start: int, direction: LineageDirection) -> int:
    """The whole lineage with every node's record: MLMD's get_lineage_subgraph shape."""
    g = store.get_lineage_subgraph(LineageSubgraphQueryOptions(
        starting_artifacts=f"id = {start}", direction=direction), ["artifacts", "executions"])
    return len(g.artifacts) + len(g.executions) - 1


def nearest_typed(store: MetadataStore, start: int) -> int:
    """The 100 nearest Models downstream."""
    return len(store.downstream(artifact_id=start, types=[tiers.ARTIFACT_TYPES[1]], limit=100).ids)


def lineage_page(store: MetadataStore, start: int, cursor: Any) -> tuple[int, Any]:
    """One page of 1,000 of the upstream answer: (rows, next cursor)."""
    r = store.upstream(artifact_id=start, limit=PAGE, cursor=cursor)
    return len(r.ids), r.next_cursor


def broad_one_shot(store: MetadataStore) -> int:
    return len(store.get_artifacts(ListOptions(filter_query=tiers.BROAD_FILTER)))


def broad_page(store: MetadataStore, token: Any) -> tuple[int, Any]:
    page = store.page_artifacts(ListOptions(filter_query=tiers.BROAD_FILTER, limit=PAGE,
                                            next_page_token=token))
    return len(page.items), page.next_page_token


# -- the raw engine queries --------------------------------------------------------------------

def _sql_walk(direction: LineageDirection) -> str:
    # from an artifact, upstream follows the event that wrote it, downstream those that read it
    a_kinds, e_kinds = (OUTPUTS, INPUTS) if direction is UP else (INPUTS, OUTPUTS)
    a_in = ", ".join(f"'{k}'" for k in a_kinds)
    e_in = ", ".join(f"'{k}'" for k in e_kinds)
    return f"""WITH RECURSIVE r(k, id) AS (
      SELECT 0, ?
      UNION
      SELECT 1, e.execution_id FROM r JOIN event e ON e.artifact_id = r.id
       WHERE r.k = 0 AND e.type IN ({a_in})
      UNION
      SELECT 0, e.artifact_id FROM r JOIN event e ON e.execution_id = r.id
       WHERE r.k = 1 AND e.type IN ({e_in}))
    SELECT k, id FROM r"""


def _cypher_walk(direction: LineageDirection) -> str:
    rels = "|".join(EVENT_TYPES)
    arrow = f"<-[:{rels}*]-" if direction is UP else f"-[:{rels}*]->"
    return f"MATCH (s:Artifact {{id: $id}}) MATCH (s){arrow}(n) WITH DISTINCT n "


def raw_ids(store: MetadataStore, start: int, direction: LineageDirection) -> int:
    engine: Any = store._engine
    if store.engine_name == "sqlite":
        return len(engine._conn.execute(_sql_walk(direction), (start,)).fetchall()) - 1
    text = _cypher_walk(direction) + "RETURN n.id AS id, n:Artifact AS artifact"
    with engine._driver.session(database=engine.database) as s:
        return s.execute_read(lambda tx: len(list(tx.run(text, id=start))))


def raw_ids_list(store: MetadataStore, start: int, direction: LineageDirection) -> int:
    """Neo4j's leanest form of the walk: every reached key in one list of one record (no
    depth: Cypher has no BFS that gives it), the limit an id-level answer is measured by."""
    engine: Any = store._engine
    text = _cypher_walk(direction) + "RETURN collect(n.id * 2 + CASE WHEN n:Execution THEN 1 ELSE 0 END) AS k"
    with engine._driver.session(database=engine.database) as s:
        return s.execute_read(lambda tx: len(tx.run(text, id=start).single(strict=True)["k"]))


def raw_rows(store: MetadataStore, start: int, direction: LineageDirection) -> int:
    """The walk, then every reached node's row and property rows (tuples / driver records)."""
    engine: Any = store._engine
    if store.engine_name == "sqlite":
        conn = engine._conn
        factory, conn.row_factory = conn.row_factory, None
        try:
            conn.execute("BEGIN")
            reached = conn.execute(_sql_walk(direction), (start,)).fetchall()[1:]
            rows = 0
            for k, table in ((0, "artifact"), (1, "execution")):
                ids = json.dumps([i for kk, i in reached if kk == k])
                rows += len(conn.execute(f"SELECT * FROM {table} WHERE id IN "
                                         "(SELECT value FROM json_each(?))", (ids,)).fetchall())
                conn.execute(f"SELECT * FROM {table}_property WHERE node_id IN "
                             "(SELECT value FROM json_each(?))", (ids,)).fetchall()
            conn.execute("COMMIT")
        finally:
            conn.row_factory = factory
        return rows
    text = _cypher_walk(direction) + "RETURN n {.*} AS n"
    with engine._driver.session(database=engine.database) as s:
        return s.execute_read(lambda tx: len(list(tx.run(text, id=start))))


# -- building and opening a tier ------------------------------------------------------------------

def _chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def build(store: MetadataStore, p: Pipeline) -> dict[str, Any]:
    """The tier through graphstore's bulk calls (put_artifacts, put_executions, put_events,
    put_attributions_and_associations; 50,000 per call). Returns ids and phase times."""
    phases: dict[str, float] = {}
    began = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal began
        now = time.perf_counter()
        phases[name] = round(now - began, 2)
        began = now
    props = {"split": PropertyType.STRING}
    at = {n: store.put_artifact_type(ArtifactType(name=n, properties=props)) for n in tiers.ARTIFACT_TYPES}
    et = store.put_execution_type(ExecutionType(name=tiers.EXECUTION_TYPE))
    ct = store.put_context_type(ContextType(name=tiers.CONTEXT_TYPE))
    c_ids = store.put_contexts([Context(type_id=ct, name=f"run-{k}") for k in range(p.contexts)])
    arts = [Artifact(type_id=at[p.artifact_type(a)], uri=f"/data/{a}", properties={"split": p.split(a)})
            for a in range(p.artifacts)]
    a_ids = list(itertools.chain.from_iterable(store.put_artifacts(c) for c in _chunks(arts)))
    phase("artifacts")
    execs = [Execution(type_id=et, last_known_state=ExecutionState.COMPLETE) for _ in range(p.executions)]
    e_ids = list(itertools.chain.from_iterable(store.put_executions(c) for c in _chunks(execs)))
    phase("executions")
    events = [Event(artifact_id=a_ids[a], execution_id=e_ids[e],
                    type=EventType.INPUT if is_input else EventType.OUTPUT) for a, e, is_input in p.events()]
    for c in _chunks(events):
        store.put_events(c)
    phase("events")
    attributions = [Attribution(artifact_id=a_ids[p.first_output[j] + k], context_id=c_ids[j // tiers.RUN_SIZE])
                    for j in range(p.executions) for k in range(p.outputs[j])]
    associations = [Association(execution_id=e_ids[j], context_id=c_ids[j // tiers.RUN_SIZE])
                    for j in range(p.executions)]
    # one call carries both lists: half a chunk of each stays within batch_records (50,000)
    half = CHUNK // 2
    for a, b in itertools.zip_longest(_chunks(attributions, half), _chunks(associations, half), fillvalue=[]):
        store.put_attributions_and_associations(list(a), list(b))
    phase("contexts")
    return {"leaf": a_ids[p.leaf], "root": a_ids[0], "phases": phases}


# A 1M-node walk or a broad filter over 600k artifacts outlasts the stores' default time limits
# (60 s reads, 5 s filters) on a loaded 2-core machine: the benchmark times them instead.
LIMITS: dict[str, float] = {"read_timeout": 3600.0, "filter_timeout": 3600.0}


def schema_key(system: str = "neo4j") -> str:
    """A hash of graphstore's schema on one engine: a stored tier of another schema is rebuilt
    (per engine, so a Cypher-only change keeps the SQLite tiers, which take an hour at 1M)."""
    import hashlib

    from graphstore.compile.sql import schema_statements
    text = ("\n".join(schema_statements()) if system == "sqlite-file"
            else (ROOT / "cypher" / "schema.cypher").read_text())
    return hashlib.sha256(text.encode()).hexdigest()[:10]


class TierServer:
    """Neo4j for one tier: NEO4J_URI when set (one tier at a time: a marker node says which
    tier it holds, another tier wipes and rebuilds), else a server on the tier's cached home."""

    def __init__(self, tier: str) -> None:
        self.tier, self.dir = tier, tiers.tier_dir(tier)
        self.server: Any = None
        self.home: Path | None = None
        if os.environ.get("NEO4J_URI") and not os.environ.get("GS_BENCH_TIER_SERVERS"):
            self.uri = os.environ["NEO4J_URI"]
            self.user = os.environ.get("NEO4J_USER", "neo4j")
            self.password = os.environ.get("NEO4J_PASSWORD", "graphstore")
        else:
            import importlib.util
            import sys
            spec = importlib.util.spec_from_file_location("gs_bench_launcher", ROOT / "tools" / "neo4j" / "launcher.py")
            assert spec and spec.loader
            launcher = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = launcher
            spec.loader.exec_module(launcher)
            ports = [int(x) for x in os.environ.get("GS_BENCH_NEO4J_PORTS", "").split(",") if x.strip()]
            self.home = self.dir / "neo4j"
            big = tiers.TIERS[tier] >= 1_000_000
            self.password, self.user = "graphstore-bench", "neo4j"
            self.server = launcher.start(self.home, password=self.password,
                                         heap="2g" if big else "1g", pagecache="1g" if big else "512m",
                                         bolt_port=ports[0] if ports else None,
                                         http_port=ports[1] if len(ports) > 1 else None, timeout=900)
            self.uri = self.server.uri

    def marker(self) -> str | None:
        import neo4j
        with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as d:
            rows, _, _ = d.execute_query("MATCH (m:GraphstoreBenchTier) RETURN m.key AS key")
        return rows[0]["key"] if rows else None

    def mark(self, key: str | None) -> None:
        import neo4j
        with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as d:
            d.execute_query("MATCH (m:GraphstoreBenchTier) DELETE m")
            if key:
                d.execute_query("CREATE (:GraphstoreBenchTier {key: $key})", key=key)

    def size(self) -> int | None:
        return tiers.dir_size(self.home / "data") if self.home else None

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def open_tier(system: str, tier: str, p: Pipeline) -> tuple[MetadataStore, dict[str, Any], Any] | None:
    """(store, manifest, server or None): the cached tier, built first if missing (None: not
    cached and bigger than $GS_BENCH_BUILD_UP_TO nodes)."""
    d = tiers.tier_dir(tier)
    manifest_path = d / f"{system}.json"
    manifest = tiers.read_manifest(manifest_path)
    if manifest is not None and manifest.get("schema") != schema_key(system):
        manifest = None
    if manifest is None and tiers.TIERS[tier] > tiers.build_limit():
        return None
    server = None
    if system == "sqlite-file":
        db = d / "graphstore.db"
        if manifest is None:
            for old in d.glob("graphstore.db*"):
                old.unlink()
        d.mkdir(parents=True, exist_ok=True)
        store = MetadataStore(str(db), **LIMITS)
    else:
        server = TierServer(tier)
        key = f"{d.name}-{schema_key()}"
        if manifest is not None and server.marker() != key:
            manifest = None
        if manifest is None:
            from gs_workloads import wipe_neo4j
            server.mark(None)
            wipe_neo4j(server.uri, server.user, server.password)
        store = MetadataStore(server.uri, user=server.user, password=server.password, **LIMITS)
    if manifest is None:
        log(f"  W7 {system} {tier}: building {p.describe()} ...")
        began = time.perf_counter()
        manifest = build(store, p)
        manifest["build_seconds"] = round(time.perf_counter() - began, 1)
        manifest["shape"] = p.describe()
        manifest["schema"] = schema_key(system)
        if server is not None:
            server.mark(f"{d.name}-{schema_key()}")
        tiers.write_manifest(manifest_path, manifest)
        manifest["built_now"] = True
        log(f"  W7 {system} {tier}: built in {manifest['build_seconds']} s {manifest['phases']}")
    manifest["size_bytes"] = (sum(f.stat().st_size for f in d.glob("graphstore.db*"))
                              if server is None else server.size())
    return store, manifest, server


# -- the cases --------------------------------------------------------------------------------

def _case(tier: str, label: str, system: str, run: Callable[[], Any], items: int | None = None,
          note: str = "", quick: float = 5.0) -> Case:
    times, result, rss = tiers.measure_tier(run, quick_below=quick)
    if result is NOT_AVAILABLE:
        return Case("W7", f"{tier}: {label}", system, [], None, items, "not available in this API")
    return Case("W7", f"{tier}: {label}", system, times, result, items, note, peak_rss_mb=rss)


def _paged(tier: str, label: str, system: str, read: Callable[[Any], tuple[int, Any]],
           budget: float) -> Case:
    took, rows, pages, done = tiers.pages_within(read, budget)
    note = f"{pages} pages" if done else f"stopped after {pages} pages ({rows:,} rows) at the {budget:.0f} s budget"
    return Case("W7", f"{tier}: {label}", system, [took], rows if done else None, rows, note,
                extra={"finished": done})


def w7(system: str, tier_names: list[str], budget: float) -> list[Case]:
    """Every tier on one graphstore engine (``sqlite-file`` or ``neo4j``)."""
    cases: list[Case] = []
    gs = f"graphstore {system}"
    for tier in tier_names:
        p = tiers.make_pipeline(tiers.TIERS[tier])
        opened = open_tier(system, tier, p)
        if opened is None:
            cases.append(Case("W7", f"{tier}: build (bulk calls)", gs, [], None, None,
                              f"not built: not cached and over --build-up-to {tiers.build_limit():,} nodes"))
            continue
        store, m, server = opened
        if os.environ.get("GS_BENCH_BUILD_ONLY"):
            store.close()
            if server is not None:
                server.close()
            continue
        try:
            cases += _tier_cases(system, tier, tier == tier_names[-1], p, store, m, budget)
        finally:
            store.close()
            if server is not None:
                server.close()
    return cases


_NOTES = {"ids_level": "ids, kinds, types and distances", "raw_ids": "ids only",
          "raw_ids_list": "ids only, one list (no distances)",
          "raw_rows": "walk, then node + property rows", "full_records": ""}


def _tier_cases(system: str, tier: str, last: bool, p: Pipeline, store: MetadataStore,
                m: dict[str, Any], budget: float) -> list[Case]:
    raw = "raw sqlite3 (file)" if system == "sqlite-file" else "raw neo4j driver"
    gs = f"graphstore {system}"
    shape = p.describe()
    n = shape["nodes"]  # the check column compares the systems' counts
    cases = [Case("W7", f"{tier}: build (bulk calls)", gs, [m["build_seconds"]], n, n,
                  "cached" if not m.get("built_now") else "built now",
                  extra={"size_bytes": m["size_bytes"], "phases": m["phases"], "shape": shape})]
    for d, start, word in ((UP, m["leaf"], "upstream of the leaf"), (DOWN, m["root"], "downstream of a root")):
        lean = (("id level", raw_ids_list, f"{raw}, one list"),) if system == "neo4j" else ()
        for label, fn, who in (("id level", ids_level, gs), ("id level", raw_ids, raw), *lean,
                               ("full records", full_records, gs), ("full records", raw_rows, raw)):
            cases.append(_case(tier, f"{word}, {label}", who, partial(fn, store, start, d), n,
                               _NOTES[fn.__name__]))
            log(f"  W7 {system} {tier}: {word}, {label}, {who}: {cases[-1].times}")
    cases.append(_case(tier, "downstream(limit=100), type Model", gs, partial(nearest_typed, store, m["root"]), 100))
    if tiers.TIERS[tier] == 100_000 or (last and tiers.TIERS[tier] < 100_000):
        cases.append(_paged(tier, f"upstream of the leaf in pages of {PAGE:,}", gs,
                            partial(lineage_page, store, m["leaf"]), budget))
    if tiers.TIERS[tier] >= 100_000 or last:
        cases.append(_case(tier, "broad filter, one list", gs, partial(broad_one_shot, store),
                           p.artifacts // 2, tiers.BROAD_FILTER))
        cases.append(_paged(tier, f"broad filter, all pages of {PAGE:,}", gs, partial(broad_page, store), budget))
    log(f"  W7 {system} {tier}: done")
    return cases
