"""A small seeded store shared by the relation and composite tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    Context,
    ContextType,
    Execution,
    ExecutionType,
    MetadataStore,
    PropertyType,
)
from tests.contract.health import drop_indexes_under


@dataclass
class Seed:
    data_type: int
    model_type: int
    trainer_type: int
    exp_type: int
    data: list[int]
    runs: list[int]
    contexts: list[int]


@pytest.fixture
def seed(store: MetadataStore) -> Seed:
    data_type = store.put_artifact_type(ArtifactType(name="DataSet", properties={"day": PropertyType.INT}))
    model_type = store.put_artifact_type(ArtifactType(name="SavedModel"))
    trainer_type = store.put_execution_type(ExecutionType(name="Trainer"))
    exp_type = store.put_context_type(ContextType(name="Experiment"))
    data = store.put_artifacts([Artifact(type_id=data_type, uri=f"/d{i}") for i in range(3)])
    runs = store.put_executions([Execution(type_id=trainer_type) for _ in range(2)])
    contexts = store.put_contexts([Context(type_id=exp_type, name=f"exp{i}") for i in range(3)])
    return Seed(data_type, model_type, trainer_type, exp_type, data, runs, contexts)


@pytest.fixture
def fresh_key(store: MetadataStore) -> Iterator[str]:
    """A property-name prefix no index exists for yet (Neo4j keeps indexes across the
    suite's wipes); the indexes made under it are dropped afterwards."""
    prefix = f"k{uuid.uuid4().hex[:8]}_"
    yield prefix
    drop_indexes_under(store, prefix)
