"""What both sides of the benchmark share: sizes, the data each workload builds, timing.

This module imports nothing outside the standard library: it runs in the project's venv
(graphstore) and in ``bench/.venv-mlmd`` (MLMD 1.17, which pins its own protobuf), so the two
workers build exactly the same records from the same description.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# -- sizes ---------------------------------------------------------------------------------

SIZES: dict[str, dict[str, Any]] = {
    # the sizes
    "full": {
        "w1_artifacts": 10_000,
        "w2_calls": 1_000,
        "w2_batch": 1_000,
        "w3_chains": [1_000, 10_000],
        "w4_nodes": 100_000, "w4_window": 500,
        "w5_artifacts": 10_000, "w5_contexts": 100,
        "w6_chain": 1_000,
        "w7_tiers": ["10k", "100k", "1m"], "w7_budget": 120.0,
        "writers": 4, "writer_calls": 250,
        "warmup": 1, "runs": 5,
    },
    # `make bench-quick`: the same shapes, smaller, for a run under two minutes
    "quick": {
        "w1_artifacts": 1_000,
        "w2_calls": 30,
        "w2_batch": 500,
        "w3_chains": [100, 400],
        "w4_nodes": 3_000, "w4_window": 30,
        "w5_artifacts": 1_000, "w5_contexts": 10,
        "w6_chain": 100,
        "w7_tiers": ["3k", "10k"], "w7_budget": 30.0,
        "writers": 4, "writer_calls": 25,
        "warmup": 1, "runs": 3,
    },
}
# --scale: W3/W4 at 1,000,000 nodes on Neo4j only (a 500,000-execution chain; a DAG whose
# window grows with it, so its depth stays near the full run's)
SCALE_NODES = 1_000_000


def scale_sizes(nodes: int = SCALE_NODES) -> dict[str, Any]:
    return {"w3_chains": [nodes // 2], "w4_nodes": nodes, "w4_window": max(50, nodes // 200),
            "warmup": 1, "runs": 3}


FAN_IN = 3
DAG_ROOTS = 10
DAG_SEED = 6
MLMD_HOP_CAP = 100  # MLMD clamps max_num_hops to 100 ...
MLMD_START_CAP = 100  # ... and silently keeps only the first 100 starting nodes

# W5 predicates (MLMD's filter language; graphstore speaks the same)
W5_BUCKETS_PER_HIT = 10  # selective: bucket = 7 matches n / (n / 10) = 10 artifacts


def w5_queries(n: int, contexts: int) -> dict[str, tuple[str, int]]:
    """case -> (filter query, expected hits) for a W5 store of n artifacts in ``contexts``."""
    return {
        "selective": ("properties.bucket.int_value = 7", W5_BUCKETS_PER_HIT),
        "broad_paged": ("properties.split.string_value = 'train'", n // 2),
        "context_alias": ("contexts_a.name = 'ctx-7'", n // contexts),
    }


def w5_bucket(i: int, n: int) -> int:
    return i % (n // W5_BUCKETS_PER_HIT)


# -- shapes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dag:
    """A layered DAG: ``roots`` source artifacts, then execution j reads FAN_IN distinct
    artifacts from the last ``window`` ones and writes artifact ``roots + j``."""

    roots: int
    inputs: list[list[int]]  # per execution: artifact indices it reads

    @property
    def executions(self) -> int:
        return len(self.inputs)

    @property
    def artifacts(self) -> int:
        return self.roots + len(self.inputs)

    def events(self) -> list[tuple[int, int, bool]]:
        """(artifact index, execution index, is_input) in a fixed order."""
        out = []
        for j, ins in enumerate(self.inputs):
            out.extend((a, j, True) for a in ins)
            out.append((self.roots + j, j, False))
        return out

    def downstream_count(self, root: int = 0) -> int:
        """Nodes reachable downstream of artifact ``root`` (excluding it): the expected answer."""
        readers: dict[int, list[int]] = {}
        for j, ins in enumerate(self.inputs):
            for a in ins:
                readers.setdefault(a, []).append(j)
        seen_a, seen_e = {root}, set()
        stack = [root]
        while stack:
            a = stack.pop()
            for j in readers.get(a, ()):
                if j not in seen_e:
                    seen_e.add(j)
                    out = self.roots + j
                    if out not in seen_a:
                        seen_a.add(out)
                        stack.append(out)
        return len(seen_a) - 1 + len(seen_e)


def make_dag(nodes: int, window: int, seed: int = DAG_SEED) -> Dag:
    rng = random.Random(seed)
    executions = (nodes - DAG_ROOTS) // 2
    inputs = []
    for j in range(executions):
        available = DAG_ROOTS + j
        lo = max(0, available - window)
        inputs.append(rng.sample(range(lo, available), min(FAN_IN, available - lo)))
    return Dag(DAG_ROOTS, inputs)


def chain_events(executions: int) -> list[tuple[int, int, bool]]:
    """a0 -> e0 -> a1 -> e1 -> ... -> a_n: (artifact index, execution index, is_input)."""
    out = []
    for j in range(executions):
        out.append((j, j, True))
        out.append((j + 1, j, False))
    return out


def w1_values(i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(properties, custom properties) of W1's artifact i: 3 declared, 1 custom."""
    return ({"day": i % 365, "split": "train" if i % 2 == 0 else "eval", "score": i / 7.0},
            {"owner": f"team-{i % 13}"})


# -- lineage walking helpers (for MLMD's capped calls) -------------------------------------

def bfs_distances(starts: list[tuple[str, int]], edges: list[tuple[int, int, bool]],
                  downstream: bool) -> dict[tuple[str, int], int]:
    """Hop distances from ``starts`` over event edges (artifact id, execution id, is_input),
    walking with the data flow (downstream) or against it."""
    adj: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for a, e, is_input in edges:
        src, dst = (("a", a), ("e", e)) if is_input else (("e", e), ("a", a))
        if not downstream:
            src, dst = dst, src
        adj.setdefault(src, []).append(dst)
    dist = {s: 0 for s in starts}
    frontier = list(dist)
    while frontier:
        nxt = []
        for node in frontier:
            d = dist[node] + 1
            for m in adj.get(node, ()):
                if m not in dist:
                    dist[m] = d
                    nxt.append(m)
        frontier = nxt
    return dist


# -- timing --------------------------------------------------------------------------------

@dataclass
class Case:
    """One measured case of a workload on one system."""

    workload: str
    case: str
    system: str
    times: list[float]
    check: Any = None  # a count both sides must agree on (nodes found, rows written, ...)
    items: int | None = None  # how many items one run handles (for per-item / per-second figures)
    note: str = ""
    peak_rss_mb: float | None = None  # peak RSS above the process's RSS before the call
    extra: dict[str, Any] | None = None  # e.g. a store's size on disk, a build's phases

    def as_dict(self) -> dict[str, Any]:
        return {"workload": self.workload, "case": self.case, "system": self.system,
                "times": self.times, "check": self.check, "items": self.items, "note": self.note,
                "peak_rss_mb": self.peak_rss_mb, "extra": self.extra}


def measure(run: Callable[[Any], Any], *, setup: Callable[[], Any] | None = None,
            teardown: Callable[[Any], None] | None = None, warmup: int = 1, runs: int = 3,
            budget: float | None = None) -> tuple[list[float], Any]:
    """Time ``run(state)`` ``runs`` times after ``warmup`` untimed calls; ``setup`` builds a
    fresh state before each call (untimed). Returns (seconds per run, last result).

    ``budget`` (s): if the warm-up alone took longer, only the 3 required runs are made."""
    times: list[float] = []
    result = None
    total = warmup + runs
    i = 0
    while i < total:
        state = setup() if setup else None
        gc.collect()
        began = time.perf_counter()
        result = run(state)
        took = time.perf_counter() - began
        if teardown:
            teardown(state)
        if i >= warmup:
            times.append(took)
        elif budget is not None and took > budget:
            total = warmup + min(runs, 3)
        i += 1
    return times, result


def parallel_seconds(target: Callable[..., None], args: list[tuple[Any, ...]], timeout: float = 900) -> float:
    """Runs ``target(barrier, queue, *a)`` in one spawned process per ``a`` and returns the
    wall time from the first writer's start to the last one's end. Each target does its
    setup, waits at the barrier, works, and puts (start, end, error or None) on the queue."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(len(args)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(barrier, queue, *a)) for a in args]
    for p in procs:
        p.start()
    try:
        results = [queue.get(timeout=timeout) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
    errors = [r[2] for r in results if r[2]]
    if errors:
        raise RuntimeError(f"a writer failed: {errors[0]}")
    return max(r[1] for r in results) - min(r[0] for r in results)


def summarize(times: list[float]) -> dict[str, float]:
    med = statistics.median(times)
    return {"median": med, "min": min(times), "max": max(times),
            "spread": (max(times) - min(times)) / med if med else 0.0}


def emit(cases: list[Case], info: dict[str, Any]) -> None:
    """The worker's answer: one JSON document on stdout (the runner parses the last line)."""
    sys.stdout.write(json.dumps({"cases": [c.as_dict() for c in cases], "info": info}) + "\n")
    sys.stdout.flush()


def workload_list(text: str, known: dict[str, Any]) -> list[str]:
    names = [w.strip().upper() for w in text.split(",") if w.strip()]
    unknown = [w for w in names if w not in known]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; known: {sorted(known)}")
    return names


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
