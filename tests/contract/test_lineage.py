"""Lineage on every engine: hop counting, directions, ending nodes, masks, cycles, depth, paging."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionType,
    InvalidArgument,
    LineageDirection,
    LineageSubgraphQueryOptions,
    MetadataStore,
    NodeRef,
    NotFound,
)

UP, DOWN, BOTH = LineageDirection.UPSTREAM, LineageDirection.DOWNSTREAM, LineageDirection.BIDIRECTIONAL


@dataclass
class Chain:
    artifacts: list[int]  # a0 -> e0 -> a1 -> e1 -> ... -> aN
    executions: list[int]


def build_chain(store: MetadataStore, n: int) -> Chain:
    """n executions in a row, linked by one put_lineage_subgraph call."""
    at = store.put_artifact_type(ArtifactType(name="Data"))
    et = store.put_execution_type(ExecutionType(name="Step"))
    edges = [(i, i, Event(type=EventType.INPUT)) for i in range(n)]
    edges += [(i, i + 1, Event(type=EventType.OUTPUT)) for i in range(n)]
    e_ids, a_ids, _ = store.put_lineage_subgraph(
        [Execution(type_id=et, name=f"e{i}") for i in range(n)],
        [Artifact(type_id=at, name=f"a{i}") for i in range(n + 1)], [], edges)
    return Chain(a_ids, e_ids)


def test_chain_hops_and_paths(store: MetadataStore) -> None:
    c = build_chain(store, 3)
    up = store.upstream(artifact_id=c.artifacts[3])
    assert [(n.ref.kind, n.ref.id, n.distance) for n in up.nodes] == [
        ("execution", c.executions[2], 1), ("artifact", c.artifacts[2], 2),
        ("execution", c.executions[1], 3), ("artifact", c.artifacts[1], 4),
        ("execution", c.executions[0], 5), ("artifact", c.artifacts[0], 6)]
    last = up.nodes[-1]
    assert last.path[0] == NodeRef("artifact", c.artifacts[3])
    assert last.path[-1] == NodeRef("artifact", c.artifacts[0]) and len(last.path) == 7
    assert last.node.name == "a0" and not up.truncated and up.total == 6
    down = store.downstream(execution_id=c.executions[1], kinds=["artifact"])
    assert [(n.ref.id, n.distance) for n in down.nodes] == [(c.artifacts[2], 1), (c.artifacts[3], 3)]
    assert store.downstream(artifact_id=c.artifacts[3]).nodes == []


def test_max_hops_and_truncation(store: MetadataStore) -> None:
    c = build_chain(store, 3)
    two = store.upstream(artifact_id=c.artifacts[3], max_hops=2)
    assert [n.distance for n in two.nodes] == [1, 2] and two.truncated
    exact = store.upstream(artifact_id=c.artifacts[3], max_hops=6)
    assert len(exact.nodes) == 6 and not exact.truncated
    assert store.upstream(artifact_id=c.artifacts[3], max_hops=0).nodes == []


def test_diamond_takes_the_shortest_distance(store: MetadataStore) -> None:
    # raw -> split -> (train, test) ; train -> fit -> model ; (model, test) -> eval -> metrics
    at = store.put_artifact_type(ArtifactType(name="A"))
    et = store.put_execution_type(ExecutionType(name="E"))
    e = store.put_executions([Execution(type_id=et, name=n) for n in ("split", "fit", "eval")])
    a = store.put_artifacts([Artifact(type_id=at, name=n)
                             for n in ("raw", "train", "test", "model", "metrics")])
    raw, train, test, model, metrics = a
    split, fit, evaluate = e
    store.put_events([
        Event(artifact_id=raw, execution_id=split, type=EventType.INPUT),
        Event(artifact_id=train, execution_id=split, type=EventType.OUTPUT),
        Event(artifact_id=test, execution_id=split, type=EventType.OUTPUT),
        Event(artifact_id=train, execution_id=fit, type=EventType.INPUT),
        Event(artifact_id=model, execution_id=fit, type=EventType.OUTPUT),
        Event(artifact_id=model, execution_id=evaluate, type=EventType.INPUT),
        Event(artifact_id=test, execution_id=evaluate, type=EventType.INPUT),
        Event(artifact_id=metrics, execution_id=evaluate, type=EventType.OUTPUT),
    ])
    up = {(n.ref.kind, n.ref.id): n.distance for n in store.upstream(artifact_id=metrics).nodes}
    # hand-computed: eval 1; model, test 2; fit, split 3; train, raw 4
    assert up == {("execution", evaluate): 1, ("artifact", model): 2, ("artifact", test): 2,
                  ("execution", fit): 3, ("execution", split): 3, ("artifact", train): 4,
                  ("artifact", raw): 4}
    down = {n.ref.id: n.distance for n in store.downstream(artifact_id=raw, kinds=["artifact"]).nodes}
    assert down == {train: 2, test: 2, model: 4, metrics: 4}
    only_models = store.downstream(artifact_id=raw, types=["A"], kinds=["artifact"], limit=2)
    assert only_models.total == 4 and len(only_models.nodes) == 2 and only_models.next_cursor


def test_cycles_terminate(store: MetadataStore) -> None:
    at = store.put_artifact_type(ArtifactType(name="A"))
    et = store.put_execution_type(ExecutionType(name="E"))
    [a] = store.put_artifacts([Artifact(type_id=at)])
    [e] = store.put_executions([Execution(type_id=et)])
    # an execution that reads and rewrites the same artifact is a cycle a -> e -> a
    store.put_events([Event(artifact_id=a, execution_id=e, type=EventType.INPUT),
                      Event(artifact_id=a, execution_id=e, type=EventType.OUTPUT)])
    assert [(n.ref.kind, n.distance) for n in store.upstream(artifact_id=a).nodes] == [("execution", 1)]
    assert [(n.ref.kind, n.distance) for n in store.downstream(execution_id=e).nodes] == [("artifact", 1)]


def test_deeper_than_mlmds_100_hop_cap(store: MetadataStore) -> None:
    c = build_chain(store, 150)  # 300 hops end to end
    up = store.upstream(artifact_id=c.artifacts[-1], kinds=["artifact"])
    assert up.total == 150 and up.nodes[-1].distance == 300
    assert up.nodes[-1].ref.id == c.artifacts[0]


def test_paging_a_5000_node_answer(store: MetadataStore) -> None:
    at = store.put_artifact_type(ArtifactType(name="A"))
    et = store.put_execution_type(ExecutionType(name="Fanout"))
    n = 4999
    _, a_ids, _ = store.put_lineage_subgraph(
        [Execution(type_id=et)], [Artifact(type_id=at) for _ in range(n + 1)], [],
        [(0, 0, Event(type=EventType.INPUT))] + [(0, i, Event(type=EventType.OUTPUT))
                                                  for i in range(1, n + 1)])
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        page = store.downstream(artifact_id=a_ids[0], limit=1000, cursor=cursor)
        assert page.total == 5000
        seen += [x.ref.id for x in page.nodes]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 5 and len(seen) == 5000 and len(set(seen)) == 5000
    assert sorted(seen[1:]) == sorted(a_ids[1:])  # the execution first, then its outputs


def test_lineage_errors(store: MetadataStore) -> None:
    with pytest.raises(NotFound, match="artifact_id: no artifact with id 5"):
        store.upstream(artifact_id=5)
    with pytest.raises(InvalidArgument, match="exactly one"):
        store.upstream()
    with pytest.raises(InvalidArgument, match="kinds"):
        store.upstream(artifact_id=1, kinds=["context"])
    with pytest.raises(InvalidArgument, match="cursor"):
        store.upstream(artifact_id=1, cursor="nope")
    with pytest.raises(InvalidArgument, match="exactly one of starting"):
        store.get_lineage_subgraph(LineageSubgraphQueryOptions())
    with pytest.raises(InvalidArgument, match="'nodes'"):
        store.get_lineage_subgraph(LineageSubgraphQueryOptions(starting_artifacts="id = 1"),
                                   ["nodes"])


def test_lineage_subgraph_like_mlmd(store: MetadataStore) -> None:
    c = build_chain(store, 4)
    ct = store.put_context_type(ContextType(name="Run"))
    [run] = store.put_contexts([Context(type_id=ct, name="r1")])
    from graphstore import Association, Attribution
    store.put_attributions_and_associations([Attribution(artifact_id=c.artifacts[2], context_id=run)],
                                            [Association(execution_id=c.executions[1], context_id=run)])
    opts = LineageSubgraphQueryOptions(starting_artifacts="name = 'a2'", max_num_hops=2, direction=BOTH)
    g = store.get_lineage_subgraph(opts)
    assert [a.name for a in g.artifacts] == ["a1", "a2", "a3"]
    assert [e.name for e in g.executions] == ["e1", "e2"]
    assert len(g.events) == 4
    assert [x.name for x in g.contexts] == ["r1"]
    assert [(x.artifact_id, x.context_id) for x in g.attributions] == [(c.artifacts[2], run)]
    assert [(x.execution_id, x.context_id) for x in g.associations] == [(c.executions[1], run)]
    assert [t.name for t in g.artifact_types] == ["Data"] and [t.name for t in g.context_types] == ["Run"]
    masked = store.get_lineage_subgraph(opts, ["artifacts"])
    assert len(masked.artifacts) == 3 and masked.events == [] and masked.executions == []
    up = store.get_lineage_subgraph(LineageSubgraphQueryOptions(starting_artifacts="name = 'a2'",
                                                                direction=UP))
    assert [a.name for a in up.artifacts] == ["a0", "a1", "a2"]
    down = store.get_lineage_subgraph(LineageSubgraphQueryOptions(starting_executions="name = 'e3'",
                                                                  direction=DOWN))
    assert [a.name for a in down.artifacts] == ["a4"] and [e.name for e in down.executions] == ["e3"]


def test_ending_nodes_stop_the_walk(store: MetadataStore) -> None:
    build_chain(store, 4)
    base = {"starting_artifacts": "name = 'a4'", "direction": UP}
    stopped = store.get_lineage_subgraph(LineageSubgraphQueryOptions(**base, ending_artifacts="name = 'a2'"))
    assert [a.name for a in stopped.artifacts] == ["a3", "a4"]
    assert [e.name for e in stopped.executions] == ["e2", "e3"]
    kept = store.get_lineage_subgraph(LineageSubgraphQueryOptions(
        **base, ending_artifacts="name = 'a2'", include_ending_nodes=True))
    assert [a.name for a in kept.artifacts] == ["a2", "a3", "a4"]
    by_execution = store.get_lineage_subgraph(LineageSubgraphQueryOptions(
        **base, ending_executions="name = 'e3'", include_ending_nodes=True))
    assert [a.name for a in by_execution.artifacts] == ["a4"]
    assert [e.name for e in by_execution.executions] == ["e3"]


def test_paths_are_noderefs_and_the_collector_comes_back_on(store: MetadataStore) -> None:
    import gc

    c = build_chain(store, 2)
    up = store.upstream(artifact_id=c.artifacts[2])
    path = up.nodes[-1].path  # built on first read from the walk's parent links
    assert [str(p) for p in path] == [f"artifact:{c.artifacts[2]}", f"execution:{c.executions[1]}",
                                      f"artifact:{c.artifacts[1]}", f"execution:{c.executions[0]}",
                                      f"artifact:{c.artifacts[0]}"]
    assert all(isinstance(p, NodeRef) for p in path) and up.nodes[-1].path is path
    assert gc.isenabled()  # paused only while the answer was built
    with pytest.raises(NotFound):
        store.upstream(artifact_id=10**9)
    assert gc.isenabled()  # and back on when the call fails
    gc.disable()
    try:
        store.upstream(artifact_id=c.artifacts[2])
        assert not gc.isenabled()  # an application's own choice is left alone
    finally:
        gc.enable()
