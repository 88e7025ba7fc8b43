"""Events, attributions, associations and parent contexts."""

from __future__ import annotations

import pytest

from graphstore import (
    AlreadyExists,
    Association,
    Attribution,
    Event,
    EventType,
    InvalidArgument,
    MetadataStore,
    ParentContext,
)

from .conftest import Seed


def test_events_round_trip_in_order(store: MetadataStore, seed: Seed) -> None:
    d0, d1, _ = seed.data
    r0, r1 = seed.runs
    events = [
        Event(artifact_id=d0, execution_id=r0, type=EventType.INPUT, path=["examples", 0]),
        Event(artifact_id=d1, execution_id=r0, type=EventType.OUTPUT, path=[3, "k"],
              milliseconds_since_epoch=1234),
        Event(artifact_id=d0, execution_id=r1, type=EventType.DECLARED_INPUT),
    ]
    store.put_events(events)
    got = store.get_events_by_execution_ids([r0])
    assert [(e.artifact_id, e.type, e.path) for e in got] == [
        (d0, EventType.INPUT, ["examples", 0]), (d1, EventType.OUTPUT, [3, "k"])]
    assert got[1].milliseconds_since_epoch == 1234 and got[0].milliseconds_since_epoch > 0  # type: ignore[operator]
    assert [(e.execution_id, e.type) for e in store.get_events_by_artifact_ids([d0])] == [
        (r0, EventType.INPUT), (r1, EventType.DECLARED_INPUT)]
    # the same pair with another kind is a different event
    store.put_events([Event(artifact_id=d0, execution_id=r0, type=EventType.INTERNAL_INPUT)])
    assert len(store.get_events_by_artifact_ids([d0])) == 3


def test_event_errors_write_nothing(store: MetadataStore, seed: Seed) -> None:
    d0, d1, _ = seed.data
    r0, _ = seed.runs
    good = Event(artifact_id=d1, execution_id=r0, type=EventType.INPUT)
    store.put_events([Event(artifact_id=d0, execution_id=r0, type=EventType.INPUT)])
    with pytest.raises(AlreadyExists, match=f"artifact {d0} and execution {r0}"):
        store.put_events([good, Event(artifact_id=d0, execution_id=r0, type=EventType.INPUT)])
    with pytest.raises(AlreadyExists):
        store.put_events([good, good])
    with pytest.raises(InvalidArgument, match="artifact_id: no artifact with id 999"):
        store.put_events([good, Event(artifact_id=999, execution_id=r0, type=EventType.INPUT)])
    with pytest.raises(InvalidArgument, match="execution_id: no execution with id 998"):
        store.put_events([good, Event(artifact_id=d0, execution_id=998, type=EventType.INPUT)])
    with pytest.raises(InvalidArgument, match="UNKNOWN"):
        store.put_events([good, Event(artifact_id=d0, execution_id=r0)])
    with pytest.raises(InvalidArgument, match="required"):
        store.put_events([Event(artifact_id=d0, type=EventType.INPUT)])
    with pytest.raises(InvalidArgument, match=r"events\[0\]\.path"):
        store.put_events([{"artifact_id": d0, "execution_id": r0, "type": 3,  # type: ignore[list-item]
                           "path": [1.5]}])
    assert len(store.get_events_by_execution_ids([r0])) == 1


def test_attributions_and_associations(store: MetadataStore, seed: Seed) -> None:
    d0, d1, _ = seed.data
    r0, r1 = seed.runs
    c0, c1, _ = seed.contexts
    store.put_attributions_and_associations(
        [Attribution(artifact_id=d0, context_id=c0), Attribution(artifact_id=d1, context_id=c0),
         Attribution(artifact_id=d0, context_id=c1)],
        [Association(execution_id=r0, context_id=c0)])
    # idempotent: repeating links changes nothing
    store.put_attributions_and_associations([Attribution(artifact_id=d0, context_id=c0)],
                                            [Association(execution_id=r0, context_id=c0)])
    assert [a.id for a in store.get_artifacts_by_context(c0)] == [d0, d1]
    assert [e.id for e in store.get_executions_by_context(c0)] == [r0]
    assert store.get_executions_by_context(c1) == []
    assert [c.id for c in store.get_contexts_by_artifact(d0)] == [c0, c1]
    assert [c.id for c in store.get_contexts_by_execution(r0)] == [c0]
    assert store.get_contexts_by_execution(r1) == []


def test_link_errors_write_nothing(store: MetadataStore, seed: Seed) -> None:
    d0 = seed.data[0]
    c0 = seed.contexts[0]
    with pytest.raises(InvalidArgument, match="context_id: no context with id 777"):
        store.put_attributions_and_associations(
            [Attribution(artifact_id=d0, context_id=c0), Attribution(artifact_id=d0, context_id=777)], [])
    with pytest.raises(InvalidArgument, match="execution_id: no execution with id 555"):
        store.put_attributions_and_associations(
            [Attribution(artifact_id=d0, context_id=c0)], [Association(execution_id=555, context_id=c0)])
    assert store.get_artifacts_by_context(c0) == []


def test_ten_thousand_attributions_in_one_call(store: MetadataStore, seed: Seed) -> None:
    from graphstore import Artifact

    ids = store.put_artifacts([Artifact(type_id=seed.model_type) for _ in range(10_000)])
    c0 = seed.contexts[0]
    store.put_attributions_and_associations(
        [Attribution(artifact_id=a, context_id=c0) for a in ids], [])
    assert len(store.get_artifacts_by_context(c0)) == 10_000


def test_parent_contexts(store: MetadataStore, seed: Seed) -> None:
    c0, c1, c2 = seed.contexts
    store.put_parent_contexts([ParentContext(child_id=c1, parent_id=c0),
                               ParentContext(child_id=c2, parent_id=c1)])
    assert [c.id for c in store.get_parent_contexts_by_context(c1)] == [c0]
    assert [c.id for c in store.get_children_contexts_by_context(c0)] == [c1]
    assert store.get_parent_contexts_by_context(c0) == []
    with pytest.raises(AlreadyExists):
        store.put_parent_contexts([ParentContext(child_id=c1, parent_id=c0)])
    with pytest.raises(InvalidArgument, match="cycle"):
        store.put_parent_contexts([ParentContext(child_id=c0, parent_id=c2)])
    with pytest.raises(InvalidArgument, match="own parent"):
        store.put_parent_contexts([ParentContext(child_id=c0, parent_id=c0)])
    with pytest.raises(InvalidArgument, match="no context with id 404"):
        store.put_parent_contexts([ParentContext(child_id=c0, parent_id=404)])
    assert store.get_parent_contexts_by_context(c0) == []
    assert [c.id for c in store.get_children_contexts_by_context(c2)] == []
