"""W7's shared half: the pipeline-shaped DAG of each scale tier, its on-disk cache, and the
measuring helpers (time and peak RSS) both workers use.

Standard library only: imported by graphstore's worker and by MLMD's (its own venv).

A tier is built once per engine and kept outside the repository, in
``$GRAPHSTORE_BENCH_CACHE`` (default ``~/.cache/graphstore/bench``)::

    <cache>/<tier>-<key>/graphstore.db   graphstore's SQLite file
    <cache>/<tier>-<key>/mlmd.db         MLMD's SQLite file
    <cache>/<tier>-<key>/neo4j/          a Neo4j home (its data dir survives restarts)
    <cache>/<tier>-<key>/<engine>.json   the manifest, written last: the build is complete

``key`` hashes the tier's description and BUILD_VERSION; graphstore's manifests also hold a
hash of its schema text. A changed shape or schema builds afresh instead of reading a stale
store.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUILD_VERSION = 1
SEED = 15
ROOTS = 20  # source artifacts (raw data)
RUN_SIZE = 100  # executions per pipeline run (one context each)
MODEL_EVERY = 10  # every 10th output artifact is a Model (the type `downstream(types=)` asks for)
PAGE = 1_000  # page size of the paging cases
TIERS = {"3k": 3_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
TIERS_BY_MODE = {"full": ["10k", "100k", "1m"], "quick": ["3k", "10k"]}
# the broad filter: half of every tier's artifacts
BROAD_FILTER = "properties.split.string_value = 'train'"
ARTIFACT_TYPES = ("Data", "Model")
EXECUTION_TYPE = "Step"
CONTEXT_TYPE = "Run"


def build_limit() -> int:
    """Tiers above this many nodes are used when cached but not built ($GS_BENCH_BUILD_UP_TO)."""
    text = os.environ.get("GS_BENCH_BUILD_UP_TO", "").strip().lower()
    return TIERS.get(text) or (int(text) if text.isdigit() else 10**12)


def cache_root() -> Path:
    return Path(os.environ.get("GRAPHSTORE_BENCH_CACHE") or Path.home() / ".cache" / "graphstore" / "bench")


@dataclass(frozen=True)
class Pipeline:
    """Runs of a pipeline: execution j reads 2-3 artifacts drawn from the last ``window``
    ones and writes 1-2 new ones; every RUN_SIZE executions form one run (a context)."""

    nodes: int
    window: int
    inputs: list[list[int]] = field(repr=False)  # per execution: artifact indices it reads
    first_output: list[int] = field(repr=False)  # per execution: its first output's index
    outputs: list[int] = field(repr=False)  # per execution: how many it writes (1 or 2)

    @property
    def executions(self) -> int:
        return len(self.inputs)

    @property
    def artifacts(self) -> int:
        return ROOTS + sum(self.outputs)

    @property
    def contexts(self) -> int:
        return (self.executions + RUN_SIZE - 1) // RUN_SIZE

    def artifact_type(self, a: int) -> str:
        return ARTIFACT_TYPES[1] if a >= ROOTS and (a - ROOTS) % MODEL_EVERY == 0 else ARTIFACT_TYPES[0]

    @staticmethod
    def split(a: int) -> str:
        return "train" if a % 2 == 0 else "eval"

    def events(self) -> list[tuple[int, int, bool]]:
        """(artifact index, execution index, is_input)."""
        out = []
        for j, ins in enumerate(self.inputs):
            out.extend((a, j, True) for a in ins)
            out.extend((self.first_output[j] + k, j, False) for k in range(self.outputs[j]))
        return out

    @property
    def leaf(self) -> int:
        """The last artifact written: the start of the upstream cases."""
        return self.artifacts - 1

    def reach(self, start: int, downstream: bool) -> tuple[set[int], set[int]]:
        """(artifact indices, execution indices) reachable from artifact ``start``, excluding it."""
        producer: dict[int, int] = {}
        readers: dict[int, list[int]] = {}
        for j, ins in enumerate(self.inputs):
            for a in ins:
                readers.setdefault(a, []).append(j)
            for k in range(self.outputs[j]):
                producer[self.first_output[j] + k] = j
        seen_a, seen_e, stack = {start}, set(), [start]
        while stack:
            a = stack.pop()
            steps = readers.get(a, []) if downstream else ([producer[a]] if a in producer else [])
            for j in steps:
                if j in seen_e:
                    continue
                seen_e.add(j)
                nxt = (range(self.first_output[j], self.first_output[j] + self.outputs[j])
                       if downstream else self.inputs[j])
                for b in nxt:
                    if b not in seen_a:
                        seen_a.add(b)
                        stack.append(b)
        seen_a.discard(start)
        return seen_a, seen_e

    def describe(self) -> dict[str, Any]:
        return {"nodes": self.artifacts + self.executions, "artifacts": self.artifacts,
                "executions": self.executions, "contexts": self.contexts,
                "events": sum(len(i) for i in self.inputs) + sum(self.outputs), "window": self.window}


def make_pipeline(nodes: int, seed: int = SEED) -> Pipeline:
    """About ``nodes`` artifacts + executions; the window grows with the tier so the depth
    stays in the hundreds of hops (past MLMD's 100-hop cap) at every size."""
    window = max(40, nodes // 200)
    rng = random.Random(seed)
    inputs: list[list[int]] = []
    first: list[int] = []
    outs: list[int] = []
    artifacts = ROOTS
    while artifacts + len(inputs) < nodes:
        lo = max(0, artifacts - window)
        k = min(2 + (rng.random() < 0.5), artifacts - lo)
        picked: list[int] = []
        while len(picked) < k:  # k distinct of the window (rng.sample is 5x slower here)
            a = rng.randrange(lo, artifacts)
            if a not in picked:
                picked.append(a)
        inputs.append(picked)
        first.append(artifacts)
        n_out = 1 + (rng.random() < 0.5)
        outs.append(n_out)
        artifacts += n_out
    return Pipeline(nodes, window, inputs, first, outs)


def tier_dir(tier: str) -> Path:
    """The tier's cache folder."""
    desc = json.dumps({"tier": tier, "nodes": TIERS[tier], "seed": SEED, "roots": ROOTS,
                       "run": RUN_SIZE, "v": BUILD_VERSION})
    key = hashlib.sha256(desc.encode()).hexdigest()[:10]
    return cache_root() / f"{tier}-{key}"


def read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_manifest(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    tmp.replace(path)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


# -- measuring --------------------------------------------------------------------------------

def _status_kb(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Resets this process's peak RSS (VmHWM) to its current RSS (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def timed_with_rss(run: Callable[[], Any]) -> tuple[float, Any, float | None]:
    """(seconds, result, peak RSS above the RSS before the call, in MB; None if unknown)."""
    gc.collect()
    before = _status_kb("VmRSS")
    ok = _reset_peak()
    began = time.perf_counter()
    result = run()
    took = time.perf_counter() - began
    peak = _status_kb("VmHWM") if ok else None
    rss = (peak - before) / 1024 if peak is not None and before is not None else None
    return took, result, rss


def measure_tier(run: Callable[[], Any], quick_below: float = 5.0, runs: int = 3
                 ) -> tuple[list[float], Any, float | None]:
    """Time ``run()``: if the first call takes under ``quick_below`` s it was the warm-up
    and ``runs`` more are timed; otherwise the first (and only) call is the measurement
    (a million-node walk is long enough that a warm-up changes little). Returns (times,
    last result, largest peak-RSS rise in MB)."""
    took, result, rss = timed_with_rss(run)
    if took >= quick_below:
        return [took], result, rss
    times, peaks = [], [rss]
    for _ in range(runs):
        took, result, rss = timed_with_rss(run)
        times.append(took)
        peaks.append(rss)
    known = [p for p in peaks if p is not None]
    return times, result, max(known) if known else None


def pages_within(read_page: Callable[[Any], tuple[int, Any]], budget: float) -> tuple[float, int, int, bool]:
    """Read pages (``read_page(cursor) -> (rows, next cursor or None)``) until the end or
    until ``budget`` seconds have gone. Returns (seconds, rows, pages, finished)."""
    began = time.perf_counter()
    cursor, rows, pages = None, 0, 0
    while True:
        got, cursor = read_page(cursor)
        rows, pages = rows + got, pages + 1
        if cursor is None:
            return time.perf_counter() - began, rows, pages, True
        if time.perf_counter() - began > budget:
            return time.perf_counter() - began, rows, pages, False
