"""The web UI's side of the service, without a browser: the picture endpoint, the static files,
and which paths bearer auth lets through (the page, never the data)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from graphstore.limits import UI_PICTURE_NODES
from graphstore.server import create_app
from tests.ui.conftest import Service


@pytest.fixture
def client(service: Service) -> TestClient:
    return TestClient(create_app(service.store))


def test_picture_draws_the_given_nodes_and_the_events_among_them(client: TestClient, service: Service) -> None:
    ids = service.ids
    model, train = f"artifact:{ids['model_1']}", f"execution:{ids['train_1']}"
    evaluate = f"execution:{ids['evaluate_1']}"
    answer = client.post("/ui/api/picture", json={"nodes": [model, train, evaluate], "start": [model]})
    assert answer.status_code == 200, answer.text
    parts = answer.json()
    assert set(parts["data"]["nodes"]) == {model, train, evaluate}
    assert sorted(parts["data"]["edges"]) == sorted([[train, model, "OUTPUT"], [model, evaluate, "INPUT"]])
    for key in (model, train, evaluate):
        assert f'data-key="{key}"' in parts["svg"]
    assert 'class="node artifact start"' in parts["svg"]
    assert [t for t, _, _ in parts["legend"]] == ["Evaluate", "Model", "Train"]


@pytest.mark.parametrize(("body", "field"), [
    ({"nodes": ["artifact:x"]}, "nodes"),
    ({"nodes": ["context:1"]}, "nodes"),
    ({"nodes": "artifact:1"}, "nodes"),
    ({"nodes": ["artifact:1"], "start": ["execution:-1"]}, "start"),
    ({"nodes": ["artifact:1"], "colour": "red"}, "colour"),
    ({}, "nodes"),
    ([1], "body"),
])
def test_bad_picture_requests_name_the_field(client: TestClient, body: object, field: str) -> None:
    answer = client.post("/ui/api/picture", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["message"].startswith(f"{field}:")


def test_a_picture_has_at_most_the_limit_of_nodes(client: TestClient) -> None:
    nodes = [f"artifact:{i}" for i in range(1, UI_PICTURE_NODES.maximum + 2)]
    answer = client.post("/ui/api/picture", json={"nodes": nodes})
    assert answer.status_code == 400
    assert "ui.picture_nodes" in answer.json()["error"]["message"]
    unknown = client.post("/ui/api/picture", json={"nodes": ["artifact:999999"]})  # nodes not found: not drawn
    assert unknown.status_code == 200 and unknown.json()["data"]["nodes"] == {}


def test_static_files_come_from_a_fixed_table(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="/ui/static/app.js"' in page.text
    for name, media in (("app.js", "text/javascript"), ("lineage.js", "text/javascript"), ("ui.css", "text/css"),
                        ("lineage.css", "text/css")):
        answer = client.get(f"/ui/static/{name}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
    for name in ("index.html", "nope.js", "..%2F..%2Fstore.py", "%2e%2e"):
        assert client.get(f"/ui/static/{name}").status_code == 404


def test_with_a_token_the_page_is_public_and_the_data_is_not(service: Service) -> None:
    client = TestClient(create_app(service.store, token="s3cret-token"))
    assert client.get("/").status_code == 200
    assert client.get("/ui/static/app.js").status_code == 200
    body = {"nodes": [f"artifact:{service.ids['model_1']}"]}
    assert client.post("/ui/api/picture", json=body).status_code == 401
    assert client.post("/ui/api/picture", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/ui/api/picture", json=body,
                       headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.get("/ui/static2/app.js").status_code == 401  # only the page's own prefix is public
