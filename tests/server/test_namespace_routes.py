"""The service's per-namespace routes (/ns/{namespace}/…) over real HTTP, on every engine."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import httpx
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport

from graphstore import MetadataStore
from tests.live import serving

TOKEN = "per-namespace-token"
DATASET = "dataset:gs://lake:raw/orders"


def _emit(client: OpenLineageClient, run_id: str) -> None:
    # two teams run a job of the same name over the same dataset: the same OpenLineage keys
    for state in (RunState.START, RunState.COMPLETE):
        client.emit(RunEvent(
            eventType=state, eventTime="2024-05-01T10:00:00Z", producer="tests",
            run=Run(runId=run_id), job=Job(namespace="airflow", name="etl.clean"),
            inputs=[InputDataset(namespace="gs://lake", name="raw/orders")],
            outputs=[OutputDataset(namespace="gs://lake", name="clean/orders")]))


def _client(url: str, endpoint: str = "api/v1/lineage") -> OpenLineageClient:
    return OpenLineageClient(transport=HttpTransport(HttpConfig(
        url=url, endpoint=endpoint, auth=ApiKeyTokenProvider({"apiKey": TOKEN}))))


def test_each_namespace_route_sees_only_its_namespace(store: MetadataStore) -> None:
    run_id = str(uuid.uuid4())
    with serving(store, token=TOKEN) as served, \
            httpx.Client(base_url=served.url, timeout=60,
                         headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        # the two ways an OpenLineage client names a namespace: the endpoint, or the url
        _emit(_client(served.url, "ns/team-a/api/v1/lineage"), run_id)
        _emit(_client(served.url + "/ns/team-b/"), run_id)  # the same run id, too

        def get(path: str, status: int = 200) -> Any:
            got = http.get(path)
            assert got.status_code == status, (path, got.status_code, got.text)
            return got.json()

        node = f"nodeId={quote(DATASET, safe='')}"
        a_graph = get(f"/ns/team-a/api/v1/lineage?{node}")["graph"]
        b_graph = get(f"/ns/team-b/api/v1/lineage?{node}")["graph"]
        assert {n["id"] for n in a_graph} == {n["id"] for n in b_graph} >= {DATASET, "job:airflow:etl.clean"}
        get(f"/api/v1/lineage?{node}", 404)  # the service's own namespace got nothing
        for team in ("team-a", "team-b"):
            assert [n["name"] for n in get(f"/ns/{team}/api/v1/namespaces")["namespaces"]] \
                == ["airflow", "gs://lake"]
            assert get(f"/ns/{team}/api/v1/namespaces/airflow/jobs")["totalCount"] == 1
            stats = get(f"/ns/{team}/api/graphstore/stats")
            assert stats["executions"]["total"] == 1, stats
        assert get("/api/v1/namespaces")["namespaces"] == []
        assert get("/api/graphstore/stats")["executions"]["total"] == 0
        # graphstore's own API: another namespace's ids are unknown ones
        a_runs = get("/ns/team-a/api/graphstore/executions")["items"]
        b_runs = get("/ns/team-b/api/graphstore/executions")["items"]
        assert len(a_runs) == len(b_runs) == 1 and a_runs[0]["id"] != b_runs[0]["id"]
        assert a_runs[0]["external_id"] == b_runs[0]["external_id"]
        get(f"/ns/team-b/api/graphstore/executions/{a_runs[0]['id']}", 404)
        get(f"/ns/team-a/api/graphstore/executions/{a_runs[0]['id']}")
        # and the store's own views agree
        assert len(store.with_namespace("team-a").get_executions()) == 1
        assert store.get_executions() == []


def test_namespace_routes_check_the_name_auth_and_the_page(store: MetadataStore) -> None:
    with serving(store, token=TOKEN) as served, httpx.Client(base_url=served.url, timeout=60) as http:
        got = http.get("/ns/team-a/api/graphstore/types")
        assert got.status_code == 401  # a prefix is no way around the token
        bad = http.get("/ns/no%20spaces/api/graphstore/types", headers={"Authorization": f"Bearer {TOKEN}"})
        assert bad.status_code == 400 and "namespace" in bad.json()["error"]["message"], bad.text
        assert http.get("/ns/team-a/healthz").json()["status"] == "ok"  # public, like /healthz
        page = http.get("/ns/team-a/")  # the web UI over team-a: the same public page
        assert page.status_code == 200 and "graphstore" in page.text
        moved = http.get("/ns/team-a")
        assert moved.status_code == 308 and moved.headers["location"] == "/ns/team-a/"
