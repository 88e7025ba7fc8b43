"""The core additions graphstore.mlmd needed, on every engine (no ml-metadata required):
inserting records under given ids, and get_lineage_subgraph's MLMD rules at the rim."""

from __future__ import annotations

import pytest

from graphstore import (
    AlreadyExists,
    Artifact,
    ArtifactType,
    Event,
    EventType,
    Execution,
    ExecutionType,
    LineageDirection,
    LineageSubgraphQueryOptions,
    MetadataStore,
)
from graphstore.kinds import NodeKind


def test_import_keeps_ids_and_times_and_moves_the_sequences(store: MetadataStore) -> None:
    store._import_types(NodeKind.ARTIFACT, [ArtifactType(id=12, name="D", properties={"day": 1})])
    store._import_nodes(NodeKind.ARTIFACT, [
        Artifact(id=40, type_id=12, uri="/a", properties={"day": 3}, create_time_since_epoch=1000,
                 last_update_time_since_epoch=2000)])
    [got] = store.get_artifacts_by_id([40])
    assert (got.uri, got.type, got.properties, got.create_time_since_epoch,
            got.last_update_time_since_epoch) == ("/a", "D", {"day": 3}, 1000, 2000)
    assert store.put_artifact_type(ArtifactType(name="New")) == 13
    assert store.put_artifacts([Artifact(type_id=12, uri="/b")]) == [41]
    with pytest.raises(AlreadyExists):
        store._import_nodes(NodeKind.ARTIFACT, [Artifact(id=40, type_id=12, create_time_since_epoch=1)])
    store._import_nodes(NodeKind.ARTIFACT, [Artifact(id=5, type_id=12, create_time_since_epoch=1)])
    assert store.put_artifacts([Artifact(type_id=12)]) == [42]  # a lower id never moves a sequence back


def _two_runs(store: MetadataStore) -> dict[str, int]:
    """p2 makes m from r; p1 makes s from m and r."""
    at = store.put_artifact_type(ArtifactType(name="A"))
    et = store.put_execution_type(ExecutionType(name="E"))
    r, m, s = store.put_artifacts([Artifact(type_id=at, name=n) for n in ("r", "m", "s")])
    p1, p2 = store.put_executions([Execution(type_id=et, name=n) for n in ("p1", "p2")])
    store.put_events([Event(artifact_id=r, execution_id=p2, type=EventType.INPUT),
                      Event(artifact_id=m, execution_id=p2, type=EventType.OUTPUT),
                      Event(artifact_id=m, execution_id=p1, type=EventType.INPUT),
                      Event(artifact_id=r, execution_id=p1, type=EventType.INPUT),
                      Event(artifact_id=s, execution_id=p1, type=EventType.OUTPUT)])
    return {"r": r, "m": m, "s": s, "p1": p1, "p2": p2}


def test_lineage_events_stop_at_the_hop_bound(store: MetadataStore) -> None:
    ids = _two_runs(store)
    upstream = {"starting_artifacts": "name = 's'", "direction": LineageDirection.UPSTREAM}
    graph = store.get_lineage_subgraph(LineageSubgraphQueryOptions(**upstream, max_num_hops=3))
    # p2 is 3 hops up (s <- p1 <- m <- p2); r is 2. Walking on from p2 to its input r would be
    # hop 4, so that event is not in a 3-hop answer (as in MLMD), though both ends are.
    assert sorted(a.name for a in graph.artifacts) == ["m", "r", "s"]
    assert sorted(x.name for x in graph.executions) == ["p1", "p2"]
    assert (ids["r"], ids["p2"]) not in {(ev.artifact_id, ev.execution_id) for ev in graph.events}
    assert len(graph.events) == 4
    wider = store.get_lineage_subgraph(LineageSubgraphQueryOptions(**upstream, max_num_hops=4))
    assert len(wider.events) == 5


def test_a_start_that_is_an_ending_node_is_not_walked_from(store: MetadataStore) -> None:
    _two_runs(store)
    base = {"starting_artifacts": "name = 'r'", "ending_artifacts": "name = 'r'",
            "direction": LineageDirection.DOWNSTREAM}
    assert store.get_lineage_subgraph(LineageSubgraphQueryOptions(**base)).artifacts == []
    kept = store.get_lineage_subgraph(LineageSubgraphQueryOptions(**base, include_ending_nodes=True))
    assert [a.name for a in kept.artifacts] == ["r"] and kept.executions == [] and kept.events == []
