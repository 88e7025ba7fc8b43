"""The service end to end: Airflow-like OpenLineage events sent by the real openlineage-python
client, a step-API pipeline on the same store, Marquez's lineage answering both, and the web UI
showing them in headless Chromium.

A module of its own: its events join the store of this module's ``service`` fixture only.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import httpx
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import parent_run
from openlineage.client.transport.http import HttpCompression, HttpConfig, HttpTransport

from graphstore.openlineage import dataset_key, run_key
from graphstore.pipeline import Pipeline
from tests.ui.conftest import Service, open_view, shoot

# (task, inputs, outputs) of one DAG run; datasets as (namespace, name)
SOURCE, RAW = ("postgres://src:5432", "public.orders"), ("gs://lake", "raw/orders")
CLEAN = ("gs://lake", "clean/orders")
DAG = [("extract", [SOURCE], [RAW]), ("transform", [RAW], [CLEAN])]


def _emit_dag(url: str) -> dict[str, str]:
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, compression=HttpCompression.GZIP)))
    parent = parent_run.ParentRunFacet(run=parent_run.Run(runId=str(uuid.uuid4())),
                                       job=parent_run.Job(namespace="airflow", name="orders"))
    runs = {}
    for task, inputs, outputs in DAG:
        runs[task] = run_id = str(uuid.uuid4())
        for state, minute in ((RunState.START, 0), (RunState.COMPLETE, 5)):
            client.emit(RunEvent(
                eventType=state, eventTime=f"2024-05-01T10:0{minute}:00Z", producer="tests",
                run=Run(runId=run_id, facets={"parent": parent}),
                job=Job(namespace="airflow", name=f"orders.{task}"),
                inputs=[InputDataset(namespace=ns, name=name) for ns, name in inputs],
                outputs=[OutputDataset(namespace=ns, name=name) for ns, name in outputs]))
    return runs


def _marquez_ids(url: str, node: str) -> set[str]:
    got = httpx.get(f"{url}/api/v1/lineage?nodeId={quote(node, safe='')}", timeout=60)
    assert got.status_code == 200, got.text
    return {n["id"] for n in got.json()["graph"]}


def test_openlineage_and_step_api_records_are_one_graph_in_marquez_and_the_ui(page: Any, service: Service) -> None:
    store = service.store
    runs = _emit_dag(service.url)
    (clean,) = store.get_artifacts_by_external_ids([dataset_key(*CLEAN)])
    # a training step recorded through the step API reads what the Airflow DAG wrote
    with Pipeline(store, "orders-model", run="r1") as pipe, \
            pipe.step("Trainer", inputs={"orders": clean}) as step:
        step.output("model", type="Model", uri="gs://lake/models/orders")
    trainer = store.get_executions_by_type("Trainer")[-1]
    model = step.outputs["model"]

    # Marquez's lineage of the source reaches the step API's trainer and model
    assert _marquez_ids(service.url, f"dataset:{SOURCE[0]}:{SOURCE[1]}") == {
        f"dataset:{SOURCE[0]}:{SOURCE[1]}", f"dataset:{RAW[0]}:{RAW[1]}", f"dataset:{CLEAN[0]}:{CLEAN[1]}",
        "job:airflow:orders.extract", "job:airflow:orders.transform",
        f"job:graphstore:Trainer/{trainer.id}", f"dataset:graphstore:Model/{model.id}"}

    # the UI finds the Airflow dataset and draws its lineage with both producers' nodes
    open_view(page, service, "#/search?q=clean/orders")
    keys = page.locator('[data-kind="artifact"] tr[data-key]').evaluate_all("rs => rs.map(r => r.dataset.key)")
    assert keys == [f"artifact:{clean.id}"]
    (transform,) = store.get_executions_by_external_ids([run_key(runs["transform"])])
    open_view(page, service, f"#/lineage/artifact:{clean.id}")
    shown = set(page.locator("#graph .node").evaluate_all("gs => gs.map(g => g.dataset.key)"))
    assert shown == {f"artifact:{clean.id}", f"execution:{transform.id}", f"execution:{trainer.id}"}
    page.click(f'#graph .node[data-key="execution:{trainer.id}"]')
    assert page.locator("#details h2").inner_text() == f"Trainer #{trainer.id}"
    shoot(page, "openlineage")
