"""Deep lineage walked by the engine, on every engine: distances, nearest-N, paging under
writes, filters, counts, reachability, paths, and the memory bound of an id-level answer."""

from __future__ import annotations

import itertools
import time
import tracemalloc
from dataclasses import dataclass

import pytest

from graphstore import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionType,
    InvalidArgument,
    LineageDirection,
    MetadataStore,
    NodeRef,
    NotFound,
)

UP, DOWN = LineageDirection.UPSTREAM, LineageDirection.DOWNSTREAM
A, E = "artifact", "execution"


@dataclass
class Diamond:
    raw: int
    train: int
    test: int
    model: int
    metrics: int
    split: int
    fit: int
    evaluate: int
    run: int


def diamond(store: MetadataStore) -> Diamond:
    """raw -> split -> (train, test); train -> fit -> model; (model, test) -> eval -> metrics."""
    data = store.put_artifact_type(ArtifactType(name="Data"))
    model_t = store.put_artifact_type(ArtifactType(name="Model"))
    et = store.put_execution_type(ExecutionType(name="Step"))
    ct = store.put_context_type(ContextType(name="Run"))
    [run] = store.put_contexts([Context(type_id=ct, name="r")])
    split, fit, evaluate = store.put_executions([Execution(type_id=et, name=n) for n in ("split", "fit", "eval")])
    raw, train, test, metrics = store.put_artifacts(
        [Artifact(type_id=data, name=n, state=ArtifactState.LIVE) for n in ("raw", "train", "test", "metrics")])
    [model] = store.put_artifacts([Artifact(type_id=model_t, name="model", state=ArtifactState.DELETED)])
    flows = [(raw, split, EventType.INPUT), (train, split, EventType.OUTPUT), (test, split, EventType.OUTPUT),
             (train, fit, EventType.INPUT), (model, fit, EventType.OUTPUT), (model, evaluate, EventType.INPUT),
             (test, evaluate, EventType.INPUT), (metrics, evaluate, EventType.OUTPUT)]
    store.put_events([Event(artifact_id=a, execution_id=e, type=t) for a, e, t in flows])
    from graphstore import Attribution
    store.put_attributions_and_associations([Attribution(artifact_id=a, context_id=run) for a in (train, model)], [])
    return Diamond(raw, train, test, model, metrics, split, fit, evaluate, run)


def answer(result: object) -> list[tuple[str, int, int]]:
    return [(n.ref.kind, n.ref.id, n.distance) for n in result.nodes]  # type: ignore[attr-defined]


def test_diamond_distances_and_columns(store: MetadataStore) -> None:
    d = diamond(store)
    down = store.downstream(artifact_id=d.raw)
    # hand-computed, in (distance, kind, id) order: split 1; train, test 2; fit, eval 3; model, metrics 4
    expected = [(E, d.split, 1), (A, d.train, 2), (A, d.test, 2), (E, d.fit, 3), (E, d.evaluate, 3),
                (A, d.metrics, 4), (A, d.model, 4)]
    expected.sort(key=lambda x: (x[2], x[0], x[1]))
    assert answer(down) == expected
    assert list(down.ids) == [i for _, i, _ in expected]
    assert down.kinds == [k for k, _, _ in expected] and list(down.distances) == [x[2] for x in expected]
    assert len(down) == down.total == 7 and not down.truncated
    assert down.nodes[0].node.name == "split"
    [model_type] = [t for t in store.get_artifact_types() if t.name == "Model"]
    assert down.type_ids[[i for _, i, _ in expected].index(d.model)] == model_type.id


def test_cycle_and_chain_distances(store: MetadataStore) -> None:
    at = store.put_artifact_type(ArtifactType(name="A"))
    et = store.put_execution_type(ExecutionType(name="E"))
    a0, a1 = store.put_artifacts([Artifact(type_id=at), Artifact(type_id=at)])
    e0, e1 = store.put_executions([Execution(type_id=et), Execution(type_id=et)])
    # a0 -> e0 -> a1 -> e1 -> a0: a cycle of four hops
    store.put_events([Event(artifact_id=a0, execution_id=e0, type=EventType.INPUT),
                      Event(artifact_id=a1, execution_id=e0, type=EventType.OUTPUT),
                      Event(artifact_id=a1, execution_id=e1, type=EventType.INPUT),
                      Event(artifact_id=a0, execution_id=e1, type=EventType.OUTPUT)])
    assert answer(store.downstream(artifact_id=a0)) == [(E, e0, 1), (A, a1, 2), (E, e1, 3)]
    assert answer(store.upstream(artifact_id=a0)) == [(E, e1, 1), (A, a1, 2), (E, e0, 3)]
    bounded = store.downstream(artifact_id=a0, max_hops=2)
    assert answer(bounded) == [(E, e0, 1), (A, a1, 2)] and bounded.truncated


def test_nearest_n_is_the_head_of_the_whole_answer(store: MetadataStore) -> None:
    d = diamond(store)
    whole = answer(store.downstream(artifact_id=d.raw))
    for n in range(1, 8):
        page = store.downstream(artifact_id=d.raw, limit=n)
        assert answer(page) == whole[:n]
        assert page.total == 7
        assert (page.next_cursor is None) == (n == 7)


def fanout(store: MetadataStore, n: int) -> tuple[int, int, int, int]:
    at = store.put_artifact_type(ArtifactType(name="A"))
    et = store.put_execution_type(ExecutionType(name="Fan"))
    [e], a_ids, _ = store.put_lineage_subgraph(
        [Execution(type_id=et)], [Artifact(type_id=at) for _ in range(n + 1)], [],
        [(0, 0, Event(type=EventType.INPUT))] + [(0, i, Event(type=EventType.OUTPUT)) for i in range(1, n + 1)])
    return a_ids[0], e, at, et


def test_paging_never_repeats_or_skips_while_others_write(store: MetadataStore) -> None:
    root, e, at, _et = fanout(store, 45)
    before = {(n.ref.kind, n.ref.id) for n in store.downstream(artifact_id=root).nodes}
    seen: list[tuple[str, int]] = []
    cursor = None
    while True:
        page = store.downstream(artifact_id=root, limit=7, cursor=cursor)
        seen += [(n.ref.kind, n.ref.id) for n in page.nodes]
        # another writer adds outputs of the same execution, and a new step downstream
        [new] = store.put_artifacts([Artifact(type_id=at)])
        store.put_events([Event(artifact_id=new, execution_id=e, type=EventType.OUTPUT)])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen))  # never repeats
    assert before <= set(seen)  # never skips what was there when paging began


def test_later_pages_read_the_kept_snapshot_after_the_start_is_deleted(store: MetadataStore) -> None:
    # pages after the first read the walk kept at the second page, with no transaction: a
    # deleted start does not cut a reader off mid-answer; a new query sees the deletion
    root, e, _at, _et = fanout(store, 20)
    first = store.downstream(artifact_id=root, limit=5)
    second = store.downstream(artifact_id=root, limit=5, cursor=first.next_cursor)
    store.delete_artifacts([root])
    seen = list(first.ids) + list(second.ids)
    cursor = second.next_cursor
    while cursor is not None:
        page = store.downstream(artifact_id=root, limit=5, cursor=cursor)
        seen += page.ids
        cursor = page.next_cursor
    assert len(seen) == 21 and len(set(seen)) == 21 and seen[0] == e
    with pytest.raises(NotFound, match=f"artifact_id: no artifact with id {root}"):
        store.downstream(artifact_id=root, limit=5)


def test_cursor_errors(store: MetadataStore) -> None:
    d = diamond(store)
    page = store.downstream(artifact_id=d.raw, limit=2)
    assert page.next_cursor
    with pytest.raises(InvalidArgument, match="another lineage query"):
        store.upstream(artifact_id=d.metrics, limit=2, cursor=page.next_cursor)
    with pytest.raises(InvalidArgument, match="states"):
        store.downstream(artifact_id=d.raw, states=["NOPE"])
    with pytest.raises(InvalidArgument, match="created_after"):
        store.downstream(artifact_id=d.raw, created_after="yesterday")
    with pytest.raises(InvalidArgument, match="by"):
        store.count_lineage(DOWN, "colour", artifact_id=d.raw)


def test_filters_on_reached_nodes(store: MetadataStore) -> None:
    d = diamond(store)
    ids = lambda r: sorted(r.ids)  # noqa: E731
    assert ids(store.downstream(artifact_id=d.raw, types=["Model"])) == [d.model]
    assert ids(store.downstream(artifact_id=d.raw, types=["Step"], kinds=[E])) == sorted([d.split, d.fit, d.evaluate])
    assert ids(store.downstream(artifact_id=d.raw, kinds=[A], states=["LIVE"])) == sorted([d.train, d.test, d.metrics])
    by_name = store.downstream(artifact_id=d.raw, kinds=[A], filter_query="name LIKE 't%'")
    assert ids(by_name) == sorted([d.train, d.test])
    assert ids(store.downstream(artifact_id=d.raw, types=["Nope"])) == []
    time.sleep(0.005)
    cutoff = time.time_ns() // 1_000_000
    time.sleep(0.005)
    [late] = store.put_executions([Execution(type="Step", name="late")])
    store.put_events([Event(artifact_id=d.metrics, execution_id=late, type=EventType.INPUT)])
    assert ids(store.downstream(artifact_id=d.raw, created_after=cutoff)) == [late]
    first = store.downstream(artifact_id=d.raw, kinds=[A], limit=1, states=["LIVE"])
    assert answer(first) == [(A, d.train, 2)] and first.total == 3


def test_counts_in_the_engine(store: MetadataStore) -> None:
    d = diamond(store)
    assert store.count_lineage(DOWN, "type", artifact_id=d.raw) == {"Data": 3, "Model": 1, "Step": 3}
    assert store.count_lineage(DOWN, "distance", artifact_id=d.raw) == {1: 1, 2: 2, 3: 2, 4: 2}
    assert store.count_lineage(DOWN, "kind", artifact_id=d.raw) == {A: 4, E: 3}
    assert store.count_lineage(DOWN, "context", artifact_id=d.raw) == {d.run: 2}
    assert store.count_lineage(UP, "kind", artifact_id=d.metrics, kinds=[A]) == {A: 4}


def test_is_upstream_and_path_between(store: MetadataStore) -> None:
    d = diamond(store)
    assert store.is_upstream(of=NodeRef(A, d.metrics), candidate=NodeRef(A, d.raw))
    assert not store.is_upstream(of=NodeRef(A, d.raw), candidate=NodeRef(A, d.metrics))
    assert not store.is_upstream(of=NodeRef(A, d.train), candidate=NodeRef(A, d.test))
    path = store.path_between(NodeRef(A, d.raw), NodeRef(A, d.metrics))
    assert path == [NodeRef(A, d.raw), NodeRef(E, d.split), NodeRef(A, d.test), NodeRef(E, d.evaluate),
                    NodeRef(A, d.metrics)]  # the shortest way, through test (not train -> fit -> model)
    assert store.path_between(NodeRef(A, d.raw), NodeRef(A, d.raw)) == [NodeRef(A, d.raw)]
    with pytest.raises(InvalidArgument, match="source"):
        store.path_between("artifact:1", NodeRef(A, d.raw))  # type: ignore[arg-type]


def test_path_explanation_is_a_shortest_path(store: MetadataStore) -> None:
    d = diamond(store)
    flows = {(e.artifact_id, e.execution_id) for e in store.get_events_by_artifact_ids(
        [d.raw, d.train, d.test, d.model, d.metrics])}
    for node in store.upstream(artifact_id=d.metrics).nodes:
        path = node.path
        assert path[0] == NodeRef(A, d.metrics) and path[-1] == node.ref
        assert len(path) == node.distance + 1
        for near, far in itertools.pairwise(path):
            art, ex = (near, far) if near.kind == A else (far, near)
            assert (art.id, ex.id) in flows


@pytest.mark.slow
def test_an_id_level_answer_of_200k_nodes_stays_small(tmp_path: object) -> None:
    """The columns of a 200,000-node answer: a few MB, not a record per node (SQLite)."""
    store = MetadataStore(str(tmp_path) + "/big.db")  # type: ignore[operator]
    n = 100_000
    at = store.put_artifact_type(ArtifactType(name="A"))
    et = store.put_execution_type(ExecutionType(name="E"))
    a_ids = []
    for _ in range(0, n, 20_000):
        a_ids += store.put_artifacts([Artifact(type_id=at) for _ in range(20_000)])
    e_ids = []
    for i in range(0, n - 1, 20_000):
        e_ids += store.put_executions([Execution(type_id=et) for _ in range(min(20_000, n - 1 - i))])
    # a chain-with-fan-out: e_i reads a_i and a_(i // 2), writes a_(i + 1)
    events = []
    for i, e in enumerate(e_ids):
        events += [Event(artifact_id=a_ids[i], execution_id=e, type=EventType.INPUT),
                   Event(artifact_id=a_ids[i + 1], execution_id=e, type=EventType.OUTPUT)]
        if i // 2 != i:
            events.append(Event(artifact_id=a_ids[i // 2], execution_id=e, type=EventType.INPUT))
    for i in range(0, len(events), 50_000):
        store.put_events(events[i:i + 50_000])
    tracemalloc.start()
    try:
        down = store.downstream(artifact_id=a_ids[0])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(down) == 2 * n - 2
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MB for an id-level answer"
    store.close()
