"""Every call is one transaction: a batch with one bad element writes nothing."""

from __future__ import annotations

import pytest

from graphstore import (
    AlreadyExists,
    Artifact,
    Context,
    Event,
    EventType,
    Execution,
    GraphstoreError,
    MetadataStore,
)

from .conftest import Seed


def _counts(store: MetadataStore) -> tuple[int, int, int, int]:
    return (len(store.get_artifacts()), len(store.get_executions()), len(store.get_contexts()),
            len(store.get_events_by_artifact_ids([a.id for a in store.get_artifacts()])))  # type: ignore[misc]


def test_database_constraint_failure_rolls_back_the_batch(store: MetadataStore, seed: Seed) -> None:
    before = _counts(store)
    # the duplicate is only caught by the engine's uniqueness constraint, after the first
    # rows of the batch were already sent
    with pytest.raises(AlreadyExists):
        store.put_contexts([Context(type_id=seed.exp_type, name="fresh"),
                            Context(type_id=seed.exp_type, name="exp0")])
    with pytest.raises(AlreadyExists):
        store.put_artifacts([Artifact(type_id=seed.model_type, name="x"),
                             Artifact(type_id=seed.model_type, name="x")])
    assert _counts(store) == before
    assert store.get_context_by_type_and_name("Experiment", "fresh") is None


def test_failed_update_keeps_old_values(store: MetadataStore, seed: Seed) -> None:
    d0, d1, _ = seed.data
    with pytest.raises(GraphstoreError):
        store.put_artifacts([Artifact(id=d0, type_id=seed.data_type, uri="/changed"),
                             Artifact(id=d1, type_id=seed.data_type, properties={"day": "bad"})])
    assert store.get_artifacts_by_id([d0])[0].uri == "/d0"


def test_failed_lineage_write_leaves_nothing(store: MetadataStore, seed: Seed) -> None:
    before = _counts(store)
    with pytest.raises(AlreadyExists):
        store.put_lineage_subgraph(
            [Execution(type_id=seed.trainer_type)],
            [Artifact(type_id=seed.model_type), Artifact(type_id=seed.model_type)],
            [Context(type_id=seed.exp_type, name="new-run")],
            [(0, 0, Event(type=EventType.OUTPUT)), (0, 0, Event(type=EventType.OUTPUT))])
    assert _counts(store) == before
    # and the ids the failed call would have taken are not skipped visibly later: a new
    # write still gets a fresh id above every stored one
    [new] = store.put_artifacts([Artifact(type_id=seed.model_type)])
    assert new > max(seed.data)
