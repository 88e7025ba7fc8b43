"""W7, MLMD's side: the scale tiers in an MLMD SQLite file (cached next to graphstore's, see
tiers.py), walked both ways MLMD offers: hop by hop over get_events_by_*_ids (the fast way;
ids only, or then the records by id) and by repeated get_lineage_subgraph calls (100-hop cap)."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

import tiers
from common import Case, log
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb
from tiers import Pipeline

CHUNK = 50_000
Q = pb.LineageSubgraphQueryOptions
INPUTS = {pb.Event.INPUT, pb.Event.DECLARED_INPUT, pb.Event.INTERNAL_INPUT}
EVENTS_WALK, CAPPED = "MLMD events walk (file)", "MLMD capped calls (file)"


def _chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def events_walk_ids(store: Any, start: int, downstream: bool) -> tuple[set[int], set[int]]:
    """Breadth-first over get_events_by_*_ids: (artifact ids, execution ids) reached."""
    seen_a, seen_e = {start}, set()
    frontier_a, frontier_e = [start], []
    while frontier_a or frontier_e:
        next_a, next_e = [], []
        if frontier_a:
            for ev in store.get_events_by_artifact_ids(frontier_a):
                if (ev.type in INPUTS) == downstream and ev.execution_id not in seen_e:
                    seen_e.add(ev.execution_id)
                    next_e.append(ev.execution_id)
        if frontier_e:
            for ev in store.get_events_by_execution_ids(frontier_e):
                if (ev.type in INPUTS) != downstream and ev.artifact_id not in seen_a:
                    seen_a.add(ev.artifact_id)
                    next_a.append(ev.artifact_id)
        frontier_a, frontier_e = next_a, next_e
    seen_a.discard(start)
    return seen_a, seen_e


def events_walk_records(store: Any, start: int, downstream: bool) -> int:
    a, e = events_walk_ids(store, start, downstream)
    return len(store.get_artifacts_by_id(sorted(a))) + len(store.get_executions_by_id(sorted(e)))


def build(store: Any, p: Pipeline) -> dict[str, Any]:
    phases: dict[str, float] = {}
    began = time.perf_counter()
    at = {}
    for name in tiers.ARTIFACT_TYPES:
        t = pb.ArtifactType(name=name)
        t.properties["split"] = pb.STRING
        at[name] = store.put_artifact_type(t)
    et = store.put_execution_type(pb.ExecutionType(name=tiers.EXECUTION_TYPE))
    ct = store.put_context_type(pb.ContextType(name=tiers.CONTEXT_TYPE))
    c_ids = store.put_contexts([pb.Context(type_id=ct, name=f"run-{k}") for k in range(p.contexts)])
    arts = []
    for a in range(p.artifacts):
        art = pb.Artifact(type_id=at[p.artifact_type(a)], uri=f"/data/{a}")
        art.properties["split"].string_value = p.split(a)
        arts.append(art)
    a_ids = list(itertools.chain.from_iterable(store.put_artifacts(c) for c in _chunks(arts)))
    e_ids = list(itertools.chain.from_iterable(
        store.put_executions(c) for c in _chunks(
            [pb.Execution(type_id=et, last_known_state=pb.Execution.COMPLETE) for _ in range(p.executions)])))
    phases["nodes"] = round(time.perf_counter() - began, 2)
    events = [pb.Event(artifact_id=a_ids[a], execution_id=e_ids[e],
                       type=pb.Event.INPUT if is_input else pb.Event.OUTPUT) for a, e, is_input in p.events()]
    for c in _chunks(events):
        store.put_events(c)
    phases["events"] = round(time.perf_counter() - began - phases["nodes"], 2)
    attributions = [pb.Attribution(artifact_id=a_ids[p.first_output[j] + k], context_id=c_ids[j // tiers.RUN_SIZE])
                    for j in range(p.executions) for k in range(p.outputs[j])]
    associations = [pb.Association(execution_id=e_ids[j], context_id=c_ids[j // tiers.RUN_SIZE])
                    for j in range(p.executions)]
    for a, b in itertools.zip_longest(_chunks(attributions), _chunks(associations), fillvalue=[]):
        store.put_attributions_and_associations(list(a), list(b))
    return {"leaf": a_ids[p.leaf], "root": a_ids[0], "phases": phases}


def open_tier(tier: str, p: Pipeline) -> tuple[Any, dict[str, Any]] | None:
    d = tiers.tier_dir(tier)
    path = d / "mlmd-file.json"
    manifest = tiers.read_manifest(path)
    if manifest is None and tiers.TIERS[tier] > tiers.build_limit():
        return None
    db = d / "mlmd.db"
    if manifest is None and db.exists():
        db.unlink()
    d.mkdir(parents=True, exist_ok=True)
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(db)
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    store = metadata_store.MetadataStore(config)
    if manifest is None:
        log(f"  W7 MLMD {tier}: building {p.describe()} ...")
        began = time.perf_counter()
        manifest = build(store, p)
        manifest["build_seconds"] = round(time.perf_counter() - began, 1)
        manifest["shape"] = p.describe()
        tiers.write_manifest(path, manifest)
        manifest["built_now"] = True
    manifest["size_bytes"] = db.stat().st_size
    return store, manifest


def w7(tier_names: list[str], full_walk: Any) -> list[Case]:
    """``full_walk(store, start, direction) -> (nodes, calls)``: mlmd_workloads' capped walk."""
    cases: list[Case] = []
    for tier in tier_names:
        p = tiers.make_pipeline(tiers.TIERS[tier])
        opened = open_tier(tier, p)
        if opened is None:
            cases.append(Case("W7", f"{tier}: build (bulk calls)", "MLMD sqlite-file", [], None, None,
                              f"not built: not cached and over --build-up-to {tiers.build_limit():,} nodes"))
            continue
        store, m = opened
        if os.environ.get("GS_BENCH_BUILD_ONLY"):
            continue
        cases += _tier_cases(tier, p, store, m, full_walk)
    return cases


def _ids(store: Any, start: int, down: bool) -> int:
    a, e = events_walk_ids(store, start, down)
    return len(a) + len(e)


def _capped(store: Any, start: int, down: bool, full_walk: Any) -> int:
    return int(full_walk(store, start, Q.DOWNSTREAM if down else Q.UPSTREAM)[0])


def _tier_cases(tier: str, p: Pipeline, store: Any, m: dict[str, Any], full_walk: Any) -> list[Case]:
    shape = p.describe()
    cases = [Case("W7", f"{tier}: build (bulk calls)", "MLMD sqlite-file", [m["build_seconds"]],
                  shape["nodes"], shape["nodes"], "cached" if not m.get("built_now") else "built now",
                  extra={"size_bytes": m["size_bytes"], "phases": m["phases"], "shape": shape})]
    for down, start, word in ((False, m["leaf"], "upstream of the leaf"), (True, m["root"], "downstream of a root")):
        for label, system, fn, note in (
                ("id level", EVENTS_WALK, partial(_ids, store, start, down), "ids only"),
                ("full records", EVENTS_WALK, partial(events_walk_records, store, start, down),
                 "then the records by id"),
                ("full records", CAPPED, partial(_capped, store, start, down, full_walk),
                 "records come with every call")):
            times, result, rss = tiers.measure_tier(fn)
            cases.append(Case("W7", f"{tier}: {word}, {label}", system, times, result, shape["nodes"], note,
                              peak_rss_mb=rss))
            log(f"  W7 MLMD {tier}: {word}, {label}, {system}: {times}")
    return cases
