"""put_execution, put_lineage_subgraph and deletes: each one transaction."""

from __future__ import annotations

import pytest

from graphstore import (
    AlreadyExists,
    Artifact,
    Context,
    Event,
    EventType,
    Execution,
    ExecutionState,
    InvalidArgument,
    MetadataStore,
    NotFound,
)

from .conftest import Seed


def test_put_execution_records_a_step(store: MetadataStore, seed: Seed) -> None:
    d0 = seed.data[0]
    eid, aids, cids = store.put_execution(
        Execution(type_id=seed.trainer_type, last_known_state=ExecutionState.COMPLETE),
        [(Artifact(id=d0, type_id=seed.data_type, uri="/d0"), Event(type=EventType.INPUT)),
         (Artifact(type_id=seed.model_type, uri="/model"), Event(type=EventType.OUTPUT)),
         (Artifact(type_id=seed.model_type, uri="/no-event"), None)],
        [Context(type_id=seed.exp_type, name="run-7")])
    assert aids[0] == d0 and len(aids) == 3 and len(cids) == 1
    events = store.get_events_by_execution_ids([eid])
    assert [(e.artifact_id, e.type) for e in events] == [(d0, EventType.INPUT), (aids[1], EventType.OUTPUT)]
    assert [a.id for a in store.get_artifacts_by_context(cids[0])] == aids
    assert [e.id for e in store.get_executions_by_context(cids[0])] == [eid]
    # "which dataset was this model trained on?" by following events back
    [produced_by] = [e.execution_id for e in store.get_events_by_artifact_ids([aids[1]])
                     if e.type is EventType.OUTPUT]
    inputs = [e.artifact_id for e in store.get_events_by_execution_ids([produced_by])
              if e.type is EventType.INPUT]
    assert inputs == [d0]


def test_put_execution_reuse_flags(store: MetadataStore, seed: Seed) -> None:
    first = store.put_execution(
        Execution(type_id=seed.trainer_type),
        [(Artifact(type_id=seed.model_type, external_id="m-1"), Event(type=EventType.OUTPUT))],
        [Context(type_id=seed.exp_type, name="shared")])
    with pytest.raises(AlreadyExists):
        store.put_execution(Execution(type_id=seed.trainer_type), [],
                            [Context(type_id=seed.exp_type, name="shared")])
    second = store.put_execution(
        Execution(type_id=seed.trainer_type),
        [(Artifact(type_id=seed.model_type, external_id="m-1"), Event(type=EventType.INPUT))],
        [Context(type_id=seed.exp_type, name="shared")],
        reuse_context_if_already_exist=True,
        reuse_artifact_if_already_exist_by_external_id=True)
    assert second[1] == first[1] and second[2] == first[2]
    assert [e.id for e in store.get_executions_by_context(first[2][0])] == [first[0], second[0]]


def test_put_execution_is_all_or_nothing(store: MetadataStore, seed: Seed) -> None:
    before = (len(store.get_artifacts()), len(store.get_executions()), len(store.get_contexts()))
    with pytest.raises(InvalidArgument, match="'undeclared'"):
        store.put_execution(
            Execution(type_id=seed.trainer_type),
            [(Artifact(type_id=seed.model_type), Event(type=EventType.OUTPUT)),
             (Artifact(type_id=seed.data_type, properties={"undeclared": 1}), None)],
            [Context(type_id=seed.exp_type, name="never")])
    with pytest.raises(InvalidArgument, match="does not match"):
        store.put_execution(Execution(type_id=seed.trainer_type),
                            [(Artifact(type_id=seed.model_type),
                              Event(type=EventType.OUTPUT, execution_id=999))], [])
    after = (len(store.get_artifacts()), len(store.get_executions()), len(store.get_contexts()))
    assert after == before


def test_put_lineage_subgraph(store: MetadataStore, seed: Seed) -> None:
    executions = [Execution(type_id=seed.trainer_type) for _ in range(3)]
    artifacts = [Artifact(type_id=seed.model_type, uri=f"/m{i}") for i in range(4)]
    edges = [(i, i, Event(type=EventType.INPUT)) for i in range(3)]
    edges += [(i, i + 1, Event(type=EventType.OUTPUT)) for i in range(3)]
    e_ids, a_ids, c_ids = store.put_lineage_subgraph(
        executions, artifacts, [Context(type_id=seed.exp_type, name="batch")], edges)
    assert len(e_ids) == 3 and len(a_ids) == 4 and len(c_ids) == 1
    chain = store.get_events_by_execution_ids([e_ids[1]])
    assert {(e.artifact_id, e.type) for e in chain} == {(a_ids[1], EventType.INPUT),
                                                       (a_ids[2], EventType.OUTPUT)}
    assert len(store.get_artifacts_by_context(c_ids[0])) == 4
    with pytest.raises(InvalidArgument, match="out of range"):
        store.put_lineage_subgraph([], artifacts[:1], [], [(0, 0, Event(type=EventType.INPUT))])


def test_delete_removes_relationships(store: MetadataStore, seed: Seed) -> None:
    eid, aids, cids = store.put_execution(
        Execution(type_id=seed.trainer_type),
        [(Artifact(id=seed.data[0], type_id=seed.data_type), Event(type=EventType.INPUT)),
         (Artifact(type_id=seed.model_type), Event(type=EventType.OUTPUT))],
        [Context(type_id=seed.exp_type, name="d")])
    assert store.delete_artifacts([aids[1]]) == 1
    assert store.get_artifacts_by_id([aids[1]]) == []
    assert [e.artifact_id for e in store.get_events_by_execution_ids([eid])] == [aids[0]]
    assert [a.id for a in store.get_artifacts_by_context(cids[0])] == [aids[0]]
    with pytest.raises(NotFound, match="id 4242"):
        store.delete_executions([eid, 4242])
    assert store.get_executions_by_id([eid]) != []  # nothing deleted
    assert store.delete_contexts([cids[0]]) == 1
    assert store.get_contexts_by_artifact(aids[0]) == []
    assert store.delete_executions([eid]) == 1
    assert store.get_events_by_artifact_ids([aids[0]]) == []
    # ids are never reused after a delete
    [fresh] = store.put_artifacts([Artifact(type_id=seed.model_type)])
    assert fresh > aids[1]
