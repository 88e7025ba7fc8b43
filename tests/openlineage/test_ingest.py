"""graphstore.openlineage.ingest on every engine: the mapping, merging, order, duplicates, errors."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from graphstore import MetadataStore
from graphstore.errors import AlreadyExists, InvalidArgument
from graphstore.models import ExecutionState
from graphstore.openlineage import dataset_key, ingest, job_key, marquez, run_key
from graphstore.pipeline import Pipeline

from .content import content
from .events import PRODUCER, ds, run_event

RUN = "3f5e83fa-3480-44ff-99c5-ff943904e5e8"
PARENT = "9c6d8a0e-45f3-4bbf-8c4e-1a1c5e39f0a2"
JOB = ("airflow", "etl.transform")


def _run(store: MetadataStore, run_id: str = RUN) -> Any:
    (execution,) = store.get_executions_by_external_ids([run_key(run_id)])
    return execution


def _io(store: MetadataStore, execution_id: int) -> set[tuple[str | None, str]]:
    names = {a.id: a.name for a in store.get_artifacts()}
    return {(names[e.artifact_id], e.type.name) for e in store.get_events_by_execution_ids([execution_id])}


def test_mapping(store: MetadataStore) -> None:
    schema = {"fields": [{"name": "id", "type": "INT"}]}
    ingest(store, run_event(
        "COMPLETE", RUN, JOB, inputs=[ds("gs://bucket", "raw/x.csv", schema=schema)],
        outputs=[ds("postgres://db:5432", "public.clean")],
        run_facets={"parent": {"run": {"runId": PARENT}, "job": {"namespace": "airflow", "name": "etl"}}},
        job_facets={"sql": {"query": "SELECT 1"}, "jobType": {"processingType": "BATCH"}}))

    (raw,) = store.get_artifacts_by_external_ids([dataset_key("gs://bucket", "raw/x.csv")])
    assert (raw.type, raw.name, raw.uri) == ("openlineage.Dataset", "gs://bucket:raw/x.csv",
                                             "gs://bucket/raw/x.csv")
    assert raw.custom_properties["facets.schema"] == schema
    run = _run(store)
    assert (run.type, run.name, run.last_known_state) == ("airflow:etl.transform", RUN,
                                                         ExecutionState.COMPLETE)
    assert run.custom_properties["parent_run_id"] == PARENT
    assert _io(store, run.id) == {("gs://bucket:raw/x.csv", "INPUT"),
                                  ("postgres://db:5432:public.clean", "OUTPUT")}
    (job,) = store.get_contexts_by_external_ids([job_key(*JOB)])
    assert (job.type, job.name) == ("openlineage.Job", "airflow:etl.transform")
    assert job.custom_properties["facets.sql"] == {"query": "SELECT 1"}
    assert {e.id for e in store.get_executions_by_context(job.id)} == {run.id}
    assert raw.id in {a.id for a in store.get_artifacts_by_context(job.id)}
    parents = {c.name for c in store.get_parent_contexts_by_context(job.id)}
    assert parents == {"airflow:etl", "airflow"}  # the parent job, and the namespace
    parent = _run(store, PARENT)
    assert parent.type == "airflow:etl" and parent.last_known_state == ExecutionState.UNKNOWN


def _spark(run_id: str = RUN) -> list[dict[str, Any]]:
    """A Spark run: START, two RUNNINGs and COMPLETE, each with part of the inputs/outputs."""
    return [run_event("START", run_id, JOB, inputs=[ds("s3://lake", "a")], time="2024-05-01T10:00:00Z"),
            run_event("RUNNING", run_id, JOB, inputs=[ds("s3://lake", "b")], time="2024-05-01T10:01:00Z"),
            run_event("RUNNING", run_id, JOB, outputs=[ds("s3://lake", "c")], time="2024-05-01T10:02:00Z",
                      run_facets={"spark_version": {"version": "3.5"}}),
            run_event("COMPLETE", run_id, JOB, outputs=[ds("s3://lake", "d")], time="2024-05-01T10:03:00Z",
                      run_facets={"spark_version": {"version": "3.5.1"}})]


def _shape(store: MetadataStore) -> tuple[Any, ...]:
    run = _run(store)
    props = {k: v for k, v in run.custom_properties.items()}
    return run.last_known_state, props, _io(store, run.id), sorted(a.name or "" for a in store.get_artifacts())


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 2, 1, 0), (2, 0, 3, 1)])
def test_partial_events_merge_in_any_order(open_store: Any, order: tuple[int, ...]) -> None:
    store = open_store()
    events = _spark()
    for i in order:
        ingest(store, events[i])
    state, props, io, names = _shape(store)
    assert state == ExecutionState.COMPLETE
    assert io == {("s3://lake:a", "INPUT"), ("s3://lake:b", "INPUT"), ("s3://lake:c", "OUTPUT"),
                  ("s3://lake:d", "OUTPUT")}
    # the newest event's facet wins whatever the arrival order
    assert props["facets.spark_version"] == {"version": "3.5.1"}
    assert props["started_at"] == "2024-05-01T10:00:00Z"
    assert props["ended_at"] == "2024-05-01T10:03:00Z"
    assert len(store.get_executions()) == 1 and names == ["s3://lake:a", "s3://lake:b", "s3://lake:c",
                                                           "s3://lake:d"]


def test_same_events_twice_change_nothing(store: MetadataStore) -> None:
    events = _spark()
    ingest(store, events)
    before = content(store)
    ingest(store, events)
    for event in events:
        ingest(store, event)
    assert content(store) == before


@pytest.mark.parametrize(("arrivals", "state"), [
    (["COMPLETE", "START"], ExecutionState.COMPLETE),
    (["COMPLETE", "RUNNING", "START"], ExecutionState.COMPLETE),
    (["FAIL", "RUNNING"], ExecutionState.FAILED),
    (["START", "ABORT", "RUNNING"], ExecutionState.CANCELED),
    (["START", "OTHER"], ExecutionState.RUNNING),
])
def test_a_terminal_state_never_moves_back(store: MetadataStore, arrivals: list[str],
                                           state: ExecutionState) -> None:
    times = {"START": "10:00", "RUNNING": "10:01", "OTHER": "10:01", "COMPLETE": "10:02",
             "FAIL": "10:02", "ABORT": "10:02"}
    for kind in arrivals:
        ingest(store, run_event(kind, RUN, JOB, time=f"2024-05-01T{times[kind]}:00Z"))
    assert _run(store).last_known_state == state


def _bad(path: list[Any], value: Any) -> dict[str, Any]:
    event = run_event("START", RUN, JOB, inputs=[ds("gs://b", "x")])
    target = event
    for step in path[:-1]:
        target = target[step]
    if value is _DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return event


_DROP = object()


@pytest.mark.parametrize(("path", "value", "field"), [
    (["inputs", 0, "namespace"], _DROP, "inputs[0].namespace"),
    (["inputs", 0, "name"], 7, "inputs[0].name"),
    (["run", "runId"], "not-a-uuid", "run.runId"),
    (["eventType"], "DONE", "eventType"),
    (["eventTime"], "yesterday", "eventTime"),
    (["producer"], _DROP, "producer"),
    (["job"], _DROP, "job"),
    (["outputs"], {"a": 1}, "outputs"),
    (["run", "facets"], {"parent": {"run": {"runId": "x"}, "job": {"namespace": "a", "name": "b"}}},
     "run.facets.parent.run.runId"),
    (["inputs", 0, "facets"], {"schema": [1]}, "inputs[0].facets.schema"),
])
def test_bad_events_name_the_field_and_write_nothing(store: MetadataStore, path: list[Any],
                                                     value: Any, field: str) -> None:
    good = run_event("START", str(uuid.uuid4()), JOB, outputs=[ds("gs://b", "y")])
    with pytest.raises(InvalidArgument, match=rf"^\[1\]\.{re.escape(field)}"):
        ingest(store, [good, _bad(path, value)])
    assert store.get_artifacts() == [] and store.get_executions() == [] and store.get_contexts() == []
    with pytest.raises(InvalidArgument, match=rf"^{re.escape(field)}"):
        ingest(store, _bad(path, value))


def test_a_run_claimed_by_two_jobs_is_refused(store: MetadataStore) -> None:
    ingest(store, run_event("START", RUN, JOB))
    before = content(store)
    with pytest.raises(InvalidArgument, match=r"^\[1\]\.run\.runId: run .* belongs to job"):
        ingest(store, [run_event("START", str(uuid.uuid4()), JOB, outputs=[ds("gs://b", "y")]),
                       run_event("COMPLETE", RUN, ("airflow", "other"))])
    assert content(store) == before


def test_job_and_dataset_events(store: MetadataStore) -> None:
    ingest(store, [{"eventTime": "2024-05-01T10:00:00Z", "producer": PRODUCER,
                    "dataset": ds("gs://b", "t", schema={"fields": [{"name": "a"}]})},
                   {"eventTime": "2024-05-01T10:00:00Z", "producer": PRODUCER,
                    "job": {"namespace": "dbt", "name": "model.t", "facets": {"sql": {"query": "q"}}},
                    "inputs": [ds("gs://b", "t")], "outputs": []}])
    (t,) = store.get_artifacts()
    assert t.custom_properties["facets.schema"] == {"fields": [{"name": "a"}]}
    (job,) = store.get_contexts_by_external_ids([job_key("dbt", "model.t")])
    assert [a.id for a in store.get_artifacts_by_context(job.id)] == [t.id]
    assert store.get_executions() == []  # a JobEvent has no run: no execution, no events
    graph = marquez.lineage(store, "job:dbt:model.t")["graph"]
    assert [n["id"] for n in graph] == ["job:dbt:model.t"]


def test_step_api_pipeline_joins_the_openlineage_graph(store: MetadataStore) -> None:
    ingest(store, run_event("COMPLETE", RUN, JOB, inputs=[ds("gs://b", "raw")],
                            outputs=[ds("gs://b", "features")]))
    (features,) = store.get_artifacts_by_external_ids([dataset_key("gs://b", "features")])
    with Pipeline(store, "train", run="r1") as pipe, \
            pipe.step("Trainer", inputs={"features": features}) as step:
        step.output("model", type="Model", uri="gs://b/model")
    (trainer,) = store.get_executions_by_type("Trainer")
    (model,) = store.get_artifacts_by_type("Model")
    graph = {n["id"]: n for n in marquez.lineage(store, "dataset:gs://b:raw")["graph"]}
    trainer_id, model_id = f"job:graphstore:Trainer/{trainer.id}", f"dataset:graphstore:Model/{model.id}"
    assert set(graph) == {"dataset:gs://b:raw", "dataset:gs://b:features", "job:airflow:etl.transform",
                          trainer_id, model_id}
    assert graph[trainer_id]["inEdges"] == [{"origin": "dataset:gs://b:features", "destination": trainer_id}]
    assert graph[model_id]["inEdges"] == [{"origin": trainer_id, "destination": model_id}]
    # and the graphstore names are node ids Marquez's clients can ask for
    assert {n["id"] for n in marquez.lineage(store, model_id, 0)["graph"]} == {
        model_id, trainer_id, "dataset:gs://b:features"}


@pytest.mark.parametrize(("node_id", "parts"), [
    ("dataset:gs://bucket:path/x", ("dataset", "gs://bucket", "path/x")),
    ("dataset:postgres://db:5432:public.t", ("dataset", "postgres://db:5432", "public.t")),
    ("job:airflow:dag.task", ("job", "airflow", "dag.task")),
    ("dataset:graphstore:Model/7", ("dataset", "graphstore", "Model/7")),
])
def test_node_ids_split_as_marquez_splits_them(node_id: str, parts: tuple[str, str, str]) -> None:
    assert marquez.parse_node_id(node_id) == parts



def test_a_node_id_marquez_misreads_is_still_found(store: MetadataStore) -> None:
    # Marquez takes ":2024" for a port and cannot split this id; the store tries every split
    ingest(store, run_event("COMPLETE", RUN, JOB, outputs=[ds("s3://lake", "2024/x")]))
    graph = marquez.lineage(store, "dataset:s3://lake:2024/x")["graph"]
    assert [n["id"] for n in graph] == ["dataset:s3://lake:2024/x", "job:airflow:etl.transform"]


def test_datasets_spelling_the_same_name_are_refused(store: MetadataStore) -> None:
    def event(namespace: str, name: str) -> dict[str, Any]:
        return {"eventTime": "2024-05-01T10:00:00Z", "producer": PRODUCER, "dataset": ds(namespace, name)}
    ingest(store, event("a:b", "c"))
    with pytest.raises(AlreadyExists):
        ingest(store, event("a", "b:c"))
    assert [a.custom_properties["namespace"] for a in store.get_artifacts()] == ["a:b"]


def test_a_cycle_of_parent_jobs_is_refused(store: MetadataStore) -> None:
    def child(job: str, parent: str) -> dict[str, Any]:
        facet = {"parent": {"run": {"runId": str(uuid.uuid4())}, "job": {"namespace": "a", "name": parent}}}
        return run_event("START", str(uuid.uuid4()), ("a", job), run_facets=facet)
    ingest(store, child("task", "dag"))
    before = content(store)
    with pytest.raises(InvalidArgument, match=r"^run\.facets\.parent\.job: .* would make a cycle"):
        ingest(store, child("dag", "task"))
    assert content(store) == before


def test_a_deleted_facet_is_removed_by_a_newer_event_only(store: MetadataStore) -> None:
    sql = {"query": "SELECT 1"}
    ingest(store, run_event("START", RUN, JOB, time="2024-05-01T10:00:00Z", job_facets={"sql": sql}))
    ingest(store, run_event("RUNNING", RUN, JOB, time="2024-05-01T09:00:00Z",
                            job_facets={"sql": {"_deleted": True}}))
    (job,) = store.get_contexts_by_external_ids([job_key(*JOB)])
    assert job.custom_properties["facets.sql"] == sql  # an older event does not delete
    ingest(store, run_event("COMPLETE", RUN, JOB, time="2024-05-01T11:00:00Z",
                            job_facets={"sql": {"_deleted": True}}))
    (job,) = store.get_contexts_by_external_ids([job_key(*JOB)])
    assert "facets.sql" not in job.custom_properties
