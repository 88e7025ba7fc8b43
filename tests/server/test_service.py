"""The service around the API on every engine: auth, health, the access log, the error shape."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.testclient import TestClient

from graphstore import MetadataStore
from graphstore.server import create_app
from tests.server.conftest import TOKEN, client_for

TYPES = "/api/graphstore/types"


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_a_token_is_required_and_compared(store: MetadataStore, header: str | None) -> None:
    with client_for(store, TOKEN) as client:
        response = client.get(TYPES, headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in response.text


def test_the_right_token_passes_and_health_needs_none(store: MetadataStore) -> None:
    with client_for(store, TOKEN) as client:
        assert client.get(TYPES, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert client.get(TYPES, headers={"authorization": f"bearer {TOKEN}"}).status_code == 200
        health = client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok", "engine": store.engine_name}
    assert TOKEN not in repr(client.app) and TOKEN not in repr(vars(client.app.state))


def test_health_is_503_when_the_store_does_not_answer(open_store: object) -> None:
    store = open_store()  # type: ignore[operator]
    with client_for(store) as client:
        store.close()
        response = client.get("/healthz")
    assert response.status_code == 503 and set(response.json()["error"]) == {"code", "message"}


def test_access_log_lines_are_json_without_token_or_query(store: MetadataStore,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="graphstore.access"), client_for(store, TOKEN) as client:
        client.get("/api/graphstore/artifacts", params={"filter_query": "name = 'hidden-value'"},
                   headers={"Authorization": f"Bearer {TOKEN}"})
        client.get(TYPES)
        client.get("/api/graphstore/artifacts/x", headers={"Authorization": f"Bearer {TOKEN}"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "graphstore.access"]
    assert [(x["method"], x["path"], x["status"]) for x in lines] == [
        ("GET", "/api/graphstore/artifacts", 200), ("GET", TYPES, 401), ("GET", "/api/graphstore/artifacts/x", 400)]
    assert all(isinstance(x["duration_ms"], float) and x["duration_ms"] >= 0 for x in lines)
    assert all(x["time"].endswith("+00:00") for x in lines)
    assert TOKEN not in caplog.text and "hidden-value" not in caplog.text


def test_an_unexpected_error_is_a_bare_500(store: MetadataStore, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(store)
    app.state.store = object()  # every handler now fails with an AttributeError
    with caplog.at_level(logging.ERROR), TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(TYPES)
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal", "message": "internal error (logged on the server)"}}
    assert "AttributeError" in caplog.text  # the detail is in the server's log, not the answer
