"""The OpenLineage intake and Marquez's read API over HTTP, on every engine."""

from __future__ import annotations

import gzip
import json
import threading
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import parent_run
from openlineage.client.transport.http import HttpCompression, HttpConfig, HttpTransport
from starlette.testclient import TestClient

from graphstore import MetadataStore
from graphstore.errors import InvalidArgument
from graphstore.openlineage import parse_events
from graphstore.openlineage.queue import Coalescer
from graphstore.server import create_app
from graphstore.server._openlineage import close_queue
from tests.live import serving

from .content import content
from .events import ds, run_event

JOB = ("airflow", "etl.transform")


def _edges(graph: list[dict[str, Any]]) -> set[tuple[str, str]]:
    out = set()
    for node in graph:
        for edge in (*node["inEdges"], *node["outEdges"]):
            assert node["id"] in (edge["origin"], edge["destination"])
            out.add((edge["origin"], edge["destination"]))
    return out


def test_intake_reads_gzip_and_errors(store: MetadataStore) -> None:
    app = create_app(store)
    try:
        _intake_reads_gzip_and_errors(store, TestClient(app))
    finally:
        close_queue(app)
    got = TestClient(app).post("/api/v1/lineage", json=run_event("START", str(uuid.uuid4()), JOB))
    assert got.status_code == 503 and "shutting down" in got.json()["message"]


def _intake_reads_gzip_and_errors(store: MetadataStore, client: TestClient) -> None:
    run = str(uuid.uuid4())
    start = run_event("START", run, JOB, inputs=[ds("gs://bucket", "raw/x")])
    assert client.post("/api/v1/lineage", json=start).status_code == 201
    batch = [run_event("COMPLETE", run, JOB, outputs=[ds("gs://bucket", "clean/x")],
                       time="2024-05-01T10:05:00Z"), start]
    got = client.post("/api/v1/lineage/batch", content=gzip.compress(json.dumps(batch).encode()),
                      headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert (got.status_code, got.json()) == (200, {"events": 2})

    before = content(store)
    bad = [run_event("START", str(uuid.uuid4()), JOB, outputs=[ds("gs://bucket", "y")]),
           run_event("START", str(uuid.uuid4()), JOB, inputs=[{"name": "x"}])]
    got = client.post("/api/v1/lineage/batch", json=bad)
    assert got.status_code == 400 and got.json()["message"].startswith("[1].inputs[0].namespace: required")
    got = client.post("/api/v1/lineage", json=bad[1])
    assert got.status_code == 400 and got.json()["message"].startswith("inputs[0].namespace")
    for body, headers in ((b"{not json", {}), (b"{}", {"Content-Encoding": "gzip"}), (b"[]", {})):
        assert client.post("/api/v1/lineage", content=body, headers=headers).status_code == 400
    assert content(store) == before

    node = quote("dataset:gs://bucket:raw/x", safe="")
    graph = client.get(f"/api/v1/lineage?nodeId={node}").json()["graph"]
    assert _edges(graph) == {("dataset:gs://bucket:raw/x", "job:airflow:etl.transform"),
                             ("job:airflow:etl.transform", "dataset:gs://bucket:clean/x")}
    job = next(n for n in graph if n["type"] == "JOB")
    assert job["data"]["latestRun"]["state"] == "COMPLETED"
    assert client.get("/api/v1/lineage?nodeId=dataset:gs://bucket:nope").status_code == 404
    assert client.get(f"/api/v1/lineage?nodeId={node}&depth=x").status_code == 400
    assert client.get("/api/v1/lineage?nodeId=run:1").status_code == 400

    names = [n["name"] for n in client.get("/api/v1/namespaces").json()["namespaces"]]
    assert names == ["airflow", "gs://bucket"]
    jobs = client.get("/api/v1/namespaces/airflow/jobs").json()
    assert [j["name"] for j in jobs["jobs"]] == ["etl.transform"] and jobs["totalCount"] == 1
    assert jobs["jobs"][0]["latestRun"]["state"] == "COMPLETED"
    got = client.get(f"/api/v1/namespaces/{quote('gs://bucket', safe='')}/datasets").json()
    assert sorted(d["name"] for d in got["datasets"]) == ["clean/x", "raw/x"]
    assert client.get("/api/v1/namespaces/nope/datasets").status_code == 404


def test_concurrent_producers(store: MetadataStore) -> None:
    """Threads posting at once: every good event lands, a bad one fails alone."""
    with serving(store) as served:
        base = served.url
        failures: list[Any] = []

        def produce(worker: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                for i in range(4):
                    event = run_event("COMPLETE", str(uuid.uuid4()), ("p", f"job{worker}"),
                                      inputs=[ds("s3://in", f"{worker}-{i}")], outputs=[ds("s3://out", "shared")])
                    if worker == 0 and i == 2:
                        event["eventType"] = "DONE"
                    got = http.post("/api/v1/lineage", json=event)
                    if got.status_code != 201:
                        failures.append((worker, i, got.status_code, got.json()["message"]))
        threads = [threading.Thread(target=produce, args=(w,)) for w in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [f[:3] for f in failures] == [(0, 2, 400)] and failures[0][3].startswith("eventType")
    assert len(store.get_executions()) == 19
    (shared,) = [a for a in store.get_artifacts() if a.name == "s3://out:shared"]
    assert len(store.get_events_by_artifact_ids([shared.id])) == 19


def test_queue_groups_submissions_and_isolates_a_bad_one(store: MetadataStore) -> None:
    run = str(uuid.uuid4())
    queue = Coalescer(store, window=5.0, max_events=4)
    try:
        futures = [queue.submit(*parse_events(run_event("START", str(uuid.uuid4()), JOB,
                                                        outputs=[ds("gs://b", f"{i}")])))
                   for i in range(3)] + [queue.submit(*parse_events(run_event("START", run, JOB)))]
        assert [f.result(60).events for f in futures] == [1, 1, 1, 1]
        assert queue.transactions == 1  # four submissions, one transaction
        # a run that passes the checks but cannot be written (claimed by another job) fails
        # alone: the group is written again submission by submission
        good = [parse_events(run_event("COMPLETE", str(uuid.uuid4()), JOB)) for _ in range(3)]
        futures = [queue.submit(*good[0]), queue.submit(*parse_events(run_event("COMPLETE", run, ("x", "y")))),
                   queue.submit(*good[1]), queue.submit(*good[2])]
        with pytest.raises(InvalidArgument, match="belongs to job"):
            futures[1].result(60)
        assert [futures[i].result(60).events for i in (0, 2, 3)] == [1, 1, 1]
        assert queue.transactions == 1 + 1 + 4
    finally:
        queue.close()
    assert len(store.get_executions()) == 7


def test_queue_writes_each_namespace_apart(store: MetadataStore) -> None:
    # the service's /ns/NAME/ routes share one queue: a group holding two namespaces' events
    # (the same run, job and datasets) is written one namespace per transaction
    run = str(uuid.uuid4())
    teams = [store.with_namespace("team-a"), store.with_namespace("team-b")]
    queue = Coalescer(store, window=5.0, max_events=3)
    try:
        event = parse_events(run_event("START", run, JOB, outputs=[ds("gs://b", "x")]))
        futures = [queue.submit(*event, teams[0]), queue.submit(*event, teams[1]), queue.submit(*event)]
        assert [f.result(60).events for f in futures] == [1, 1, 1]
        assert queue.transactions == 3
    finally:
        queue.close()
    runs = [[e.external_id for e in s.get_executions()] for s in (*teams, store)]
    assert runs[0] == runs[1] == runs[2] and len(runs[0]) == 1
    assert len({e.id for s in (*teams, store) for e in s.get_executions()}) == 3


# An Airflow-like DAG: (task, inputs, outputs), every task a child of the DAG's run
DAG = [("extract", ["postgres://src:5432:public.orders"], ["gs://lake:raw/orders"]),
       ("transform", ["gs://lake:raw/orders"], ["gs://lake:clean/orders"]),
       ("load", ["gs://lake:clean/orders"], ["bigquery:warehouse.orders"]),
       ("report", ["bigquery:warehouse.orders", "gs://lake:raw/orders"], ["gs://lake:reports/daily"]),
       ("other", ["gs://lake:misc"], ["gs://lake:misc2"])]


def _dataset(qualified: str, kind: Any) -> Any:
    namespace, name = qualified.rsplit(":", 1)
    return kind(namespace=namespace, name=name)


def _expected(tasks: set[str]) -> set[tuple[str, str]]:
    edges = set()
    for task, inputs, outputs in DAG:
        if task in tasks:
            edges |= {(f"dataset:{d}", f"job:airflow:etl.{task}") for d in inputs}
            edges |= {(f"job:airflow:etl.{task}", f"dataset:{d}") for d in outputs}
    return edges


def test_openlineage_python_client_records_a_dag(store: MetadataStore) -> None:
    with serving(store) as served:
        base = served.url
        client = OpenLineageClient(transport=HttpTransport(HttpConfig(
            url=base, compression=HttpCompression.GZIP)))
        dag_run = str(uuid.uuid4())
        parent = parent_run.ParentRunFacet(run=parent_run.Run(runId=dag_run),
                                           job=parent_run.Job(namespace="airflow", name="etl"))
        for task, inputs, outputs in DAG:
            run_id = str(uuid.uuid4())
            for state, minute in ((RunState.START, 0), (RunState.COMPLETE, 5)):
                client.emit(RunEvent(
                    eventType=state, eventTime=f"2024-05-01T10:0{minute}:00Z", producer="tests",
                    run=Run(runId=run_id, facets={"parent": parent}),
                    job=Job(namespace="airflow", name=f"etl.{task}"),
                    inputs=[_dataset(d, InputDataset) for d in inputs],
                    outputs=[_dataset(d, OutputDataset) for d in outputs]))
        with httpx.Client(base_url=base, timeout=60) as http:
            def lineage(node: str, depth: int | None = None) -> list[dict[str, Any]]:
                query = f"nodeId={quote(node, safe='')}" + ("" if depth is None else f"&depth={depth}")
                got = http.get(f"/api/v1/lineage?{query}")
                assert got.status_code == 200, got.text
                return list(got.json()["graph"])

            whole = lineage("dataset:gs://lake:clean/orders")
            assert _edges(whole) == _expected({"extract", "transform", "load", "report"})
            assert [n["id"] for n in whole] == sorted(n["id"] for n in whole)
            assert _edges(lineage("job:airflow:etl.transform", 0)) == _expected({"transform"})
            # depth 1: jobs sharing a dataset with transform (report reads raw/orders too)
            assert _edges(lineage("job:airflow:etl.transform", 1)) == _expected(
                {"extract", "transform", "load", "report"})
            assert _edges(lineage("job:airflow:etl.extract", 1)) == _expected(
                {"extract", "transform", "report"})
            assert _edges(lineage("dataset:postgres://src:5432:public.orders", 0)) == _expected({"extract"})
            assert _edges(lineage("dataset:gs://lake:misc")) == _expected({"other"})
            jobs = http.get("/api/v1/namespaces/airflow/jobs").json()["jobs"]
    assert {j["name"] for j in jobs} == {f"etl.{t}" for t, _, _ in DAG} | {"etl"}
    # the DAG's run is the parent of every task's run; the DAG's job the parent of their jobs
    dag = store.get_executions_by_external_ids([f"openlineage:run:{dag_run}"])
    assert len(dag) == 1 and dag[0].type == "airflow:etl"


def test_the_apps_shutdown_writes_the_queue_and_stops_its_writer(store: MetadataStore) -> None:
    app = create_app(store)
    with TestClient(app) as client:  # runs the app's lifespan, as uvicorn does
        assert client.post("/api/v1/lineage", json=run_event("START", str(uuid.uuid4()), JOB)).status_code == 201
        writer = app.state.openlineage_queue._thread
        assert writer.is_alive()
    assert not writer.is_alive()  # the shutdown closed the queue: nothing is left to a daemon thread
    got = TestClient(app).post("/api/v1/lineage", json=run_event("START", str(uuid.uuid4()), JOB))
    assert got.status_code == 503
