"""How many operations (on Neo4j: statements, each a round trip) a write sends: a fixed few,
whatever the batch size (decision 66)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graphstore import MetadataStore
from graphstore.engines.neo4j import _Neo4jTx
from graphstore.engines.sqlite import _SqliteTx
from graphstore.models import (
    Artifact,
    ArtifactType,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionType,
)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The statement count of every Transaction.execute call, on either engine."""
    calls: list[int] = []
    for cls in (_Neo4jTx, _SqliteTx):
        def counted(self: Any, statements: Any, _inner: Any = cls.execute) -> list[Any]:
            calls.append(len(statements))
            return _inner(self, statements)  # type: ignore[no-any-return]
        monkeypatch.setattr(cls, "execute", counted)
    yield calls


def _setup(store: MetadataStore) -> tuple[int, int, Artifact, Context]:
    at = store.put_artifact_type(ArtifactType(name="Data"))
    et = store.put_execution_type(ExecutionType(name="Trainer"))
    ct = store.put_context_type(ContextType(name="Pipeline"))
    [cid] = store.put_contexts([Context(type_id=ct, name="p")])
    [aid] = store.put_artifacts([Artifact(type_id=at, uri="/in")])
    return at, et, Artifact(id=aid, type_id=at, uri="/in"), Context(id=cid, type_id=ct, name="p")


def test_put_execution_is_three_operations(store: MetadataStore, sent: list[int]) -> None:
    at, et, current, ctx = _setup(store)
    sent.clear()
    _, [_, out], [cid] = store.put_execution(
        Execution(type_id=et), [(current, Event(type=EventType.INPUT)),
                                (Artifact(type_id=at, uri="/out"), Event(type=EventType.OUTPUT))], [ctx])
    # the types; the stored input, context and the id blocks; the write
    assert len(sent) == 3
    if store.engine_name == "neo4j":
        assert sent == [1, 1, 1]  # one statement each: three round trips and the commit
    assert cid == ctx.id
    assert [a.uri for a in store.get_artifacts_by_id([out])] == ["/out"]
    assert {(e.artifact_id, e.type) for e in store.get_events_by_artifact_ids([current.id, out])} == {
        (current.id, EventType.INPUT), (out, EventType.OUTPUT)}


@pytest.mark.parametrize("size", [1, 40])
def test_batch_operations_do_not_grow_with_the_batch(store: MetadataStore, sent: list[int],
                                                     size: int) -> None:
    at, et, _, ctx = _setup(store)
    sent.clear()
    arts = [Artifact(type_id=at, uri=f"/b/{i}") for i in range(size + 1)]
    edges = [e for j in range(size) for e in ((j, j, Event(type=EventType.INPUT)),
                                              (j, j + 1, Event(type=EventType.OUTPUT)))]
    e_ids, _, _ = store.put_lineage_subgraph([Execution(type_id=et) for _ in range(size)], arts, [ctx], edges)
    assert len(sent) == 3
    more = store.put_artifacts(arts[:size])
    sent.clear()
    store.put_events([Event(artifact_id=a, execution_id=e, type=EventType.DECLARED_INPUT)
                      for a, e in zip(more, e_ids, strict=True)])
    # the namespace's types; both ends checked (one statement); the executions' stored
    # events; the id block; the write
    assert len(sent) == 5
