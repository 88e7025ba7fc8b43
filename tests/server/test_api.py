"""graphstore's JSON API on every engine: each route's answer, its 400 naming the field, its 404."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from graphstore import MetadataStore
from graphstore.analysis import QUARANTINE_REASON
from graphstore.models import Artifact
from graphstore.server import create_app
from graphstore.server._api import DOCUMENT, OPENAPI_PATH, PREFIX
from tests.server.conftest import Graph

P = PREFIX


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def bad(response: Any, status: int, field: str) -> str:
    """The error answer's message, after checking its status, shape and the field it names."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and error["message"].startswith(f"{field}:"), error
    assert "Traceback" not in response.text
    return str(error["message"])


def test_types_nodes_and_one_node(client: TestClient, graph: Graph) -> None:
    types = ok(client.get(f"{P}/types"))
    assert {t["name"] for t in types["artifact_types"]} == {"Dataset", "Model", "Metrics"}
    assert next(t for t in types["execution_types"] if t["name"] == "Train")["properties"] == {"lr": "DOUBLE"}
    models = ok(client.get(f"{P}/artifacts", params={"filter_query": "type = 'Model'"}))
    assert [n["id"] for n in models["items"]] == [graph.model, graph.model2] and models["next_page_token"] is None
    assert models["items"][0]["kind"] == "artifact" and models["items"][0]["ref"] == f"artifact:{graph.model}"
    members = ok(client.get(f"{P}/executions", params={"context_id": graph.run, "order_by": "id", "is_asc": "false"}))
    assert [n["id"] for n in members["items"]] == [graph.train2, graph.evaluate, graph.train, graph.split]
    shown = ok(client.get(f"{P}/artifacts/{graph.model}"))
    assert shown["node"]["name"] == "model-a" and shown["node"]["state"] == "UNKNOWN"
    assert {(e["execution_id"], e["type"]) for e in shown["events"]} == {(graph.train, "OUTPUT"),
                                                                       (graph.evaluate, "INPUT")}
    assert [c["name"] for c in shown["contexts"]] == ["run-1"] and shown["events_total"] == 2
    assert ok(client.get(f"{P}/executions/{graph.train}"))["node"]["properties"] == {"lr": 0.1}
    assert ok(client.get(f"{P}/contexts/{graph.run}"))["node"]["name"] == "run-1"
    bad(client.get(f"{P}/artifacts/999"), 404, "id")
    bad(client.get(f"{P}/contexts/999"), 404, "id")
    bad(client.get(f"{P}/artifacts/model"), 400, "id")
    bad(client.get(f"{P}/artifacts", params={"limit": "ten"}), 400, "limit")
    bad(client.get(f"{P}/artifacts", params={"limit": "1001"}), 400, "limit")
    bad(client.get(f"{P}/artifacts", params={"order_by": "name"}), 400, "order_by")
    bad(client.get(f"{P}/artifacts", params={"filter_query": "type = "}), 400, "filter_query")
    bad(client.get(f"{P}/artifacts", params={"fliter_query": "id = 1"}), 400, "fliter_query")
    bad(client.get(f"{P}/artifacts", params={"next_page_token": "nope"}), 400, "next_page_token")


def test_pages_never_repeat_or_skip_while_others_write(client: TestClient, store: MetadataStore, graph: Graph) -> None:
    seen: list[int] = []
    token = None
    while True:
        page = ok(client.get(f"{P}/artifacts", params={"limit": 2, **({"next_page_token": token} if token else {})}))
        seen += [n["id"] for n in page["items"]]
        if len(seen) == 2:  # a writer adds one between pages: it comes last, once
            store.put_artifacts([Artifact(type="Dataset", name="late")])
        token = page["next_page_token"]
        if token is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7


def test_upstream_and_downstream_page_through_the_whole_answer(client: TestClient, graph: Graph) -> None:
    whole = ok(client.get(f"{P}/artifacts/{graph.metrics}/upstream"))
    assert whole["total"] == 7 and whole["next_cursor"] is None
    assert [n["distance"] for n in whole["nodes"]] == [1, 2, 2, 3, 3, 4, 4]
    refs, cursor = [], None
    while True:
        page = ok(client.get(f"{P}/artifacts/{graph.metrics}/upstream",
                             params={"limit": 2, "paths": "true", **({"cursor": cursor} if cursor else {})}))
        refs += [n["ref"] for n in page["nodes"]]
        assert all(n["path"][0] == f"artifact:{graph.metrics}" and n["path"][-1] == n["ref"] for n in page["nodes"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert refs == [n["ref"] for n in whole["nodes"]]
    down = ok(client.get(f"{P}/artifacts/{graph.train_data}/downstream",
                         params={"kinds": "artifact", "types": "Model"}))
    assert [n["node"]["id"] for n in down["nodes"]] == [graph.model, graph.model2]
    near = ok(client.get(f"{P}/executions/{graph.split}/downstream", params={"max_hops": 1}))
    assert {n["ref"] for n in near["nodes"]} == {f"artifact:{graph.train_data}", f"artifact:{graph.test_data}"}
    assert near["truncated"] is True
    bad(client.get(f"{P}/artifacts/{graph.metrics}/upstream", params={"cursor": "xyz"}), 400, "cursor")
    bad(client.get(f"{P}/artifacts/{graph.metrics}/upstream", params={"kinds": "context"}), 400, "kinds")
    bad(client.get(f"{P}/artifacts/{graph.metrics}/upstream", params={"max_hops": "-1"}), 400, "max_hops")
    bad(client.get(f"{P}/artifacts/{graph.metrics}/upstream", params={"filter_query": "("}), 400, "filter_query")
    bad(client.get(f"{P}/artifacts/999/upstream"), 404, "artifact_id")


def test_lineage_picture_is_bounded(client: TestClient, graph: Graph) -> None:
    pic = ok(client.get(f"{P}/artifacts/{graph.model}/lineage"))
    refs = {n["ref"] for n in pic["nodes"]}
    assert refs == {f"artifact:{graph.model}", f"execution:{graph.train}", f"artifact:{graph.train_data}",
                    f"execution:{graph.split}", f"artifact:{graph.raw}", f"execution:{graph.evaluate}",
                    f"artifact:{graph.metrics}"}  # not model2 (a sibling) nor test_data (beside it)
    assert {"source": f"execution:{graph.train}", "target": f"artifact:{graph.model}", "type": "OUTPUT"} in pic["edges"]
    assert all(e["source"] in refs and e["target"] in refs for e in pic["edges"])
    assert pic["truncated"] is False
    small = ok(client.get(f"{P}/artifacts/{graph.model}/lineage", params={"max_nodes": 1, "direction": "upstream"}))
    assert [n["ref"] for n in small["nodes"]] == [f"artifact:{graph.model}", f"execution:{graph.train}"]
    assert small["truncated"] is True
    bad(client.get(f"{P}/artifacts/{graph.model}/lineage", params={"max_nodes": 2001}), 400, "max_nodes")
    bad(client.get(f"{P}/artifacts/{graph.model}/lineage", params={"direction": "sideways"}), 400, "direction")
    bad(client.get(f"{P}/executions/999/lineage"), 404, "id")


def test_impact_marks_and_unmarks(client: TestClient, store: MetadataStore, graph: Graph) -> None:
    seen = ok(client.post(f"{P}/impact", json={"artifact_ids": [graph.test_data]}))
    assert [n["ref"] for n in seen["nodes"]] == [f"execution:{graph.evaluate}", f"artifact:{graph.metrics}"]
    assert seen["marked"] == 0 and [c["name"] for c in seen["contexts"]] == ["run-1"]
    marked = ok(client.post(f"{P}/impact", json={"artifact_ids": [graph.test_data], "mark": "label leak"}))
    assert marked["marked"] == 3
    assert store.get_artifacts_by_id([graph.metrics])[0].custom_properties[QUARANTINE_REASON] == "label leak"
    assert ok(client.post(f"{P}/impact/unmark", json={"root_artifact_ids": [graph.test_data]})) == {"unmarked": 3}
    assert QUARANTINE_REASON not in store.get_artifacts_by_id([graph.metrics])[0].custom_properties
    bad(client.post(f"{P}/impact", json={"artifact_ids": [graph.test_data], "reason": "x"}), 400, "reason")
    bad(client.post(f"{P}/impact", json={"artifact_ids": ["one"]}), 400, "artifact_ids")
    bad(client.post(f"{P}/impact", json={"artifact_ids": [1], "mark": " "}), 400, "mark")
    bad(client.post(f"{P}/impact", content=b"{nope"), 400, "body")
    bad(client.post(f"{P}/impact", json=[1]), 400, "body")
    bad(client.post(f"{P}/impact", json={"artifact_ids": [999]}), 404, "artifact_ids")
    assert client.get(f"{P}/impact").status_code == 405


def test_compare_two_runs(client: TestClient, graph: Graph) -> None:
    got = ok(client.get(f"{P}/compare", params={"kind": "execution", "left": graph.train, "right": graph.train2}))
    assert {d["field"]: (d["left"], d["right"]) for d in got["properties"]}["properties.lr"] == (0.1, 0.2)
    assert got["shared_upstream"] == [graph.raw, graph.train_data]
    bad(client.get(f"{P}/compare", params={"kind": "execution", "left": graph.train}), 400, "right")
    bad(client.get(f"{P}/compare", params={"kind": "run", "left": 1, "right": 2}), 400, "kind")
    bad(client.get(f"{P}/compare", params={"kind": "execution", "left": graph.train, "right": 999}), 404,
        "execution_id")


def test_stats_and_search(client: TestClient, graph: Graph) -> None:
    stats = ok(client.get(f"{P}/stats"))
    assert stats["artifacts"]["by_type"] == {"Dataset": 3, "Metrics": 1, "Model": 2}
    assert stats["events"]["total"] == 10 and "store" not in stats
    found = ok(client.get(f"{P}/search", params={"q": "model-"}))
    assert [n["id"] for n in found["items"]] == [graph.model, graph.model2]
    assert [n["id"] for n in ok(client.get(f"{P}/search", params={"q": "100%"}))["items"]] == [graph.raw]
    # a literal _ (as a wildcard it would match /data/)
    assert ok(client.get(f"{P}/search", params={"q": "a_a"}))["items"] == []
    paged = ok(client.get(f"{P}/search", params={"q": "/data/", "limit": 2}))
    rest = ok(client.get(f"{P}/search", params={"q": "/data/", "limit": 2,
                                                 "next_page_token": paged["next_page_token"]}))
    assert [n["id"] for n in paged["items"] + rest["items"]] == [graph.raw, graph.train_data, graph.test_data]
    assert [n["id"] for n in ok(client.get(f"{P}/search", params={"q": "Tra", "kind": "execution"}))["items"]] == []
    bad(client.get(f"{P}/search"), 400, "q")
    bad(client.get(f"{P}/search", params={"q": " "}), 400, "q")
    bad(client.get(f"{P}/search", params={"q": "x", "kind": "event"}), 400, "kind")


def test_openapi_describes_every_route(store: MetadataStore) -> None:
    app = create_app(store)
    served = {(r.path, m.lower()) for r in app.routes if isinstance(r, Route)
              and (r.path.startswith(PREFIX) or r.path == "/healthz") for m in r.methods or () if m != "HEAD"}
    documented = {(path, method) for path, ops in DOCUMENT["paths"].items() for method in ops}
    assert served == documented
    with TestClient(app) as client:
        doc = ok(client.get(OPENAPI_PATH))
    assert doc["openapi"].startswith("3.") and doc == DOCUMENT
    upstream = doc["paths"][f"{P}/artifacts/{{id}}/upstream"]["get"]
    assert {p["name"] for p in upstream["parameters"]} >= {"id", "limit", "cursor", "max_hops", "filter_query"}


@pytest.mark.parametrize("path", ["/api/graphstore/nothing", "/api/graphstore/artifacts/1/sideways"])
def test_unknown_paths_answer_in_the_error_shape(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
