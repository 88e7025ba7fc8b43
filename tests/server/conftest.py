"""The service's fixtures: a small pipeline graph in the store under test, and clients."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

with warnings.catch_warnings():  # Starlette suggests httpx2; httpx is what the dev extra has
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from graphstore import MetadataStore
from graphstore.models import Artifact, ArtifactType, Context, ContextType, Event, EventType, Execution, ExecutionType
from graphstore.server import create_app

TOKEN = "s3cret-token-for-tests"


@dataclass
class Graph:
    """ids of the pipeline: raw → split → train_data, test_data → train → model → evaluate
    (also reads test_data) → metrics; a second training run train2 → model2 on train_data."""

    raw: int
    train_data: int
    test_data: int
    model: int
    metrics: int
    model2: int
    split: int
    train: int
    evaluate: int
    train2: int
    run: int


def _step(store: MetadataStore, type_name: str, inputs: list[int], outputs: list[Artifact],
          run: Context, **properties: object) -> tuple[int, list[int]]:
    pairs = [(store.get_artifacts_by_id([i])[0], Event(type=EventType.INPUT)) for i in inputs]
    pairs += [(a, Event(type=EventType.OUTPUT)) for a in outputs]
    e, ids, _ = store.put_execution(Execution(type=type_name, properties=dict(properties)), pairs, [run],
                                    reuse_context_if_already_exist=True)
    return e, ids[len(inputs):]


def build_graph(store: MetadataStore) -> Graph:
    for name in ("Dataset", "Model", "Metrics"):
        store.put_artifact_type(ArtifactType(name=name))
    store.put_execution_type(ExecutionType(name="Split"))
    store.put_execution_type(ExecutionType(name="Train", properties={"lr": 2}))
    store.put_execution_type(ExecutionType(name="Evaluate"))
    store.put_context_type(ContextType(name="PipelineRun"))
    run = Context(type="PipelineRun", name="run-1")
    [raw] = store.put_artifacts([Artifact(type="Dataset", name="raw", uri="/data/raw_100%.csv")])
    split, (train_data, test_data) = _step(store, "Split", [raw], [
        Artifact(type="Dataset", name="train", uri="/data/train.csv"),
        Artifact(type="Dataset", name="test", uri="/data/test.csv")], run)
    train, (model,) = _step(store, "Train", [train_data], [Artifact(type="Model", name="model-a", uri="/m/a")],
                            run, lr=0.1)
    evaluate, (metrics,) = _step(store, "Evaluate", [model, test_data],
                                 [Artifact(type="Metrics", name="metrics-a", uri="/m/a.json")], run)
    train2, (model2,) = _step(store, "Train", [train_data], [Artifact(type="Model", name="model-b", uri="/m/b")],
                              run, lr=0.2)
    [run_id] = [c.id for c in store.get_contexts() if c.name == "run-1"]
    return Graph(raw, train_data, test_data, model, metrics, model2, split, train, evaluate, train2, int(run_id or 0))


@pytest.fixture
def graph(store: MetadataStore) -> Graph:
    return build_graph(store)


def client_for(store: MetadataStore, token: str | None = None) -> TestClient:
    return TestClient(create_app(store, token=token), raise_server_exceptions=False)


@pytest.fixture
def client(store: MetadataStore) -> Iterator[TestClient]:
    with client_for(store) as c:
        yield c
