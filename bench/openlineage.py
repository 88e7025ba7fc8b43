"""OpenLineage intake throughput and Marquez-lineage latency (a standalone script, not run.py).

    .venv/bin/python bench/openlineage.py                     # embedded SQLite file, in a temp dir
    .venv/bin/python bench/openlineage.py --uri bolt://127.0.0.1:7687   # Neo4j (NEO4J_USER/PASSWORD)

Prints events/s for the first runs of new jobs, then for runs of known jobs: ``ingest`` one
event per call, ``ingest`` 100 events per call, and HTTP
POSTs of single events from concurrent producers (the coalescing queue groups them); then the
latency of ``GET /api/v1/lineage`` on a chain of jobs, uncapped and at depth 2 (median of 5).
Names carry a fresh prefix, so a kept store (a Neo4j database) can be measured again;
it grows by every run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from graphstore import MetadataStore
from graphstore.openlineage import ingest
from tests.live import serving


def _event(kind: str, run_id: str, job: str, inputs: list[str], outputs: list[str]) -> dict[str, Any]:
    return {"eventType": kind, "eventTime": "2024-05-01T10:00:00Z", "producer": "bench",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json",
            "run": {"runId": run_id, "facets": {}},
            "job": {"namespace": "bench", "name": job, "facets": {}},
            "inputs": [{"namespace": "s3://lake", "name": n} for n in inputs],
            "outputs": [{"namespace": "s3://lake", "name": n} for n in outputs]}


def _runs(prefix: str, count: int, jobs: int | None = None) -> list[dict[str, Any]]:
    """START and COMPLETE of ``count`` runs of ``jobs`` jobs (default: a job per run), job j
    reading d{j} and writing d{j+1} (a chain)."""
    out = []
    for i in range(count):
        run, j = str(uuid.uuid4()), i % (jobs or count)
        out += [_event("START", run, f"{prefix}{j}", [f"{prefix}d{j}"], []),
                _event("COMPLETE", run, f"{prefix}{j}", [], [f"{prefix}d{j + 1}"])]
    return out


def _rate(label: str, events: int, seconds: float, extra: str = "") -> None:
    print(f"{label:34s} {events / seconds:8.1f} events/s{extra}")


def _ping(base: str) -> None:
    httpx.get(f"{base}/api/v1/namespaces", timeout=120).raise_for_status()


def _produce(base: str, share: list[dict[str, Any]]) -> None:
    with httpx.Client(base_url=base, timeout=120) as http:
        for e in share:
            http.post("/api/v1/lineage", json=e).raise_for_status()


def _open(uri: str | None, tmp: str) -> MetadataStore:
    if uri is None:
        return MetadataStore(os.path.join(tmp, "openlineage.db"))
    return MetadataStore(uri, user=os.environ.get("NEO4J_USER"), password=os.environ.get("NEO4J_PASSWORD"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", help="store URI (default: a SQLite file in a temp dir)")
    parser.add_argument("--events", type=int, default=600, help="events per measurement")
    parser.add_argument("--producers", type=int, default=8, help="concurrent HTTP producers")
    parser.add_argument("--jobs", type=int, default=20, help="jobs the runs belong to")
    parser.add_argument("--chain", type=int, default=200, help="jobs in the lineage chain")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = _open(args.uri, tmp)
        print(f"engine: {store.engine_name}")
        tag = "t" + uuid.uuid4().hex[:8]
        jobs = f"{tag}job"
        # the first run of a job registers its execution type (on Neo4j also a new label, so
        # new statements to plan); later runs of known jobs are the steady state
        events = _runs(jobs, args.jobs)
        t = time.perf_counter()
        for e in events:
            ingest(store, e)
        _rate("ingest, first runs of new jobs", len(events), time.perf_counter() - t)
        events = _runs(jobs, args.events // 2, args.jobs)
        t = time.perf_counter()
        for e in events:
            ingest(store, e)
        _rate("ingest, 1 event per call", len(events), time.perf_counter() - t)
        events = _runs(jobs, args.events // 2, args.jobs)
        t = time.perf_counter()
        for i in range(0, len(events), 100):
            ingest(store, events[i:i + 100])
        _rate("ingest, 100 events per call", len(events), time.perf_counter() - t)

        with serving(store) as served:
            base = served.url
            events = _runs(jobs, args.events // 2, args.jobs)
            shares = [events[w::args.producers] for w in range(args.producers)]

            # producers are processes, as they are in production (threads here would share
            # the server's interpreter lock)
            with multiprocessing.get_context("spawn").Pool(args.producers) as pool:
                pool.map(_ping, [base] * args.producers)  # started and connected
                t = time.perf_counter()
                pool.starmap(_produce, [(base, share) for share in shares])
                rate = len(events) / (time.perf_counter() - t)
            groups = served.app.state.openlineage_queue.transactions
            _rate(f"HTTP POST, {args.producers} producer processes", len(events), len(events) / rate,
                  f" ({len(events)} posts in {groups} transactions)")

            ingest(store, _runs(f"{tag}chain", args.chain))
            with httpx.Client(base_url=base, timeout=120) as http:
                for depth in (None, 2):
                    query = f"nodeId={quote(f'dataset:s3://lake:{tag}chaind0', safe='')}"
                    query += "" if depth is None else f"&depth={depth}"
                    times, size = [], 0
                    for _ in range(6):
                        t = time.perf_counter()
                        got = http.get(f"/api/v1/lineage?{query}")
                        times.append(time.perf_counter() - t)
                        got.raise_for_status()
                        size = len(got.json()["graph"])
                    label = "uncapped" if depth is None else f"depth {depth}"
                    print(f"GET /api/v1/lineage {label:9s} ({size:4d} nodes): "
                          f"{statistics.median(times[1:]) * 1000:8.1f} ms median of 5")
        store.close()


if __name__ == "__main__":
    main()
