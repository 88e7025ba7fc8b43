"""Impact analysis and quarantine, "same inputs before", and comparisons — on every engine."""

from __future__ import annotations

import time
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
    ExecutionState,
    ExecutionType,
    InvalidArgument,
    ListOptions,
    MetadataStore,
    NotFound,
    PropertyType,
)


@dataclass
class Pipeline:
    raw: int
    clean: int
    model: int
    metrics: int
    prep: int
    train: int
    evaluate: int
    run: int
    train_type: int


def record(store: MetadataStore) -> Pipeline:
    """raw -> prep -> clean -> train -> model -> evaluate -> metrics, in a pipeline-run context."""
    data_t = store.put_artifact_type(ArtifactType(name="Dataset"))
    model_t = store.put_artifact_type(ArtifactType(name="Model"))
    metrics_t = store.put_artifact_type(ArtifactType(name="Metrics"))
    prep_t = store.put_execution_type(ExecutionType(name="Prep"))
    train_t = store.put_execution_type(ExecutionType(name="Train", properties={"lr": PropertyType.DOUBLE}))
    eval_t = store.put_execution_type(ExecutionType(name="Evaluate"))
    run_t = store.put_context_type(ContextType(name="PipelineRun"))
    live = ArtifactState.LIVE
    [raw] = store.put_artifacts([Artifact(type_id=data_t, name="raw", state=live)])
    [run] = store.put_contexts([Context(type_id=run_t, name="run-1")])
    done = ExecutionState.COMPLETE
    prep, (_, clean), _ = store.put_execution(
        Execution(type_id=prep_t, last_known_state=done),
        [(Artifact(id=raw, type_id=data_t, name="raw", state=live), Event(type=EventType.INPUT)),
         (Artifact(type_id=data_t, name="clean", state=live), Event(type=EventType.OUTPUT))],
        [Context(id=run, type_id=run_t, name="run-1")])
    train, (_, model), _ = store.put_execution(
        Execution(type_id=train_t, last_known_state=done, properties={"lr": 0.1}),
        [(Artifact(id=clean, type_id=data_t, name="clean", state=live), Event(type=EventType.INPUT, path=["train"])),
         (Artifact(type_id=model_t, name="model", state=live), Event(type=EventType.OUTPUT))],
        [Context(id=run, type_id=run_t, name="run-1")])
    evaluate, (_, metrics), _ = store.put_execution(
        Execution(type_id=eval_t, last_known_state=done),
        [(Artifact(id=model, type_id=model_t, name="model", state=live), Event(type=EventType.INPUT)),
         (Artifact(type_id=metrics_t, name="metrics", state=live), Event(type=EventType.OUTPUT))],
        [Context(id=run, type_id=run_t, name="run-1")])
    return Pipeline(raw, clean, model, metrics, prep, train, evaluate, run, train_t)


def test_impact_report(store: MetadataStore) -> None:
    p = record(store)
    report = store.impact([p.raw])
    assert report.roots == [p.raw]
    assert [(n.ref.id, n.distance) for n in report.executions] == [(p.prep, 1), (p.train, 3), (p.evaluate, 5)]
    assert [(n.ref.id, n.distance, n.roots) for n in report.artifacts] == [
        (p.clean, 2, [p.raw]), (p.model, 4, [p.raw]), (p.metrics, 6, [p.raw])]
    assert [c.name for c in report.contexts] == ["run-1"]
    assert sorted(report.by_type()) == ["Dataset", "Evaluate", "Metrics", "Model", "Prep", "Train"]
    assert [n.ref.id for n in report.by_distance()[4]] == [p.model]
    by_filter = store.impact(filter_query="name = 'clean'")
    assert by_filter.roots == [p.clean] and [n.ref.id for n in by_filter.artifacts] == [p.model, p.metrics]


def test_impact_created_after(store: MetadataStore) -> None:
    p = record(store)
    time.sleep(0.005)
    cutoff = time.time_ns() // 1_000_000
    time.sleep(0.005)
    late_t = store.put_execution_type(ExecutionType(name="Late"))
    store.put_execution(Execution(type_id=late_t), [
        (Artifact(id=p.model, type="Model", name="model", state=ArtifactState.LIVE), Event(type=EventType.INPUT))], [])
    report = store.impact([p.raw], created_after=cutoff)
    assert [n.type for n in report.executions] == ["Late"]
    assert report.artifacts == []
    assert len(store.impact([p.raw]).executions) == 4


def test_mark_and_unmark_restore_exactly(store: MetadataStore) -> None:
    p = record(store)
    before = (store.get_artifacts(), store.get_executions(), store.get_contexts())
    report = store.impact([p.clean], mark="corrupt labels in clean split")
    assert report.marked == 5  # clean (the root), train, model, evaluate, metrics
    quarantined = store.get_artifacts(ListOptions(
        filter_query="custom_properties.graphstore_quarantine_reason.string_value IS NOT NULL"))
    assert [a.id for a in quarantined] == [p.clean, p.model, p.metrics]
    [model] = store.get_artifacts_by_id([p.model])
    assert model.custom_properties["graphstore_quarantine_root"] == p.clean
    # a quarantined output blocks the cache
    assert store.find_cached_execution("Train", [Event(artifact_id=p.clean, type=EventType.INPUT,
                                                       path=["train"])]) is None
    assert store.unmark_impact([p.clean]) == 5
    assert (store.get_artifacts(), store.get_executions(), store.get_contexts()) == before


def test_a_second_mark_adds_to_the_first(store: MetadataStore) -> None:
    # failed on SQLite before: the marking subquery read the property table's value column
    # as the JSON pair, and any store holding a mark refused the next one ("malformed JSON")
    p = record(store)
    assert store.impact([p.model], mark="first").marked == 3  # model, evaluate, metrics
    assert store.impact([p.raw], mark="second").marked == 4  # raw, prep, clean, train: the rest
    reasons = {a.id: a.custom_properties["graphstore_quarantine_reason"] for a in store.get_artifacts()}
    assert reasons == {p.raw: "second", p.clean: "second", p.model: "first", p.metrics: "first"}


def test_impact_errors(store: MetadataStore) -> None:
    with pytest.raises(InvalidArgument, match="artifact_ids and/or filter_query"):
        store.impact()
    with pytest.raises(NotFound, match="id 77"):
        store.impact([77])
    with pytest.raises(InvalidArgument, match="reason"):
        store.impact([1], mark="  ")


def test_same_inputs_before(store: MetadataStore) -> None:
    p = record(store)
    inputs = [Event(artifact_id=p.clean, type=EventType.INPUT, path=["train"])]
    hit = store.find_cached_execution("Train", inputs)
    assert hit is not None and hit.execution.id == p.train and [a.id for a in hit.outputs] == [p.model]
    assert store.find_cached_execution(p.train_type, inputs, properties={"lr": 0.1}) is not None
    # misses: other properties, other path, other input, another type
    assert store.find_cached_execution("Train", inputs, properties={"lr": 0.2}) is None
    assert store.find_cached_execution("Train", [Event(artifact_id=p.clean, type=EventType.INPUT)]) is None
    assert store.find_cached_execution("Train", [Event(artifact_id=p.raw, type=EventType.INPUT,
                                                       path=["train"])]) is None
    assert store.find_cached_execution("Prep", inputs) is None
    assert store.find_cached_execution("NoSuchType", inputs) is None
    # an output no longer LIVE, or deleted, spoils the hit
    store.put_artifacts([Artifact(id=p.model, state=ArtifactState.DELETED)], field_mask=["state"])
    assert store.find_cached_execution("Train", inputs) is None
    store.put_artifacts([Artifact(id=p.model, state=ArtifactState.LIVE)], field_mask=["state"])
    assert store.find_cached_execution("Train", inputs) is not None
    store.delete_artifacts([p.model])
    assert store.find_cached_execution("Train", inputs) is None


def test_cache_ignores_unfinished_runs_and_finds_the_newest(store: MetadataStore) -> None:
    p = record(store)
    inputs = [Event(artifact_id=p.clean, type=EventType.INPUT, path=["train"])]
    again, _, _ = store.put_execution(
        Execution(type_id=p.train_type, last_known_state=ExecutionState.COMPLETE, properties={"lr": 0.1}),
        [(Artifact(id=p.clean, type="Dataset", name="clean", state=ArtifactState.LIVE), inputs[0])], [])
    running, _, _ = store.put_execution(
        Execution(type_id=p.train_type, last_known_state=ExecutionState.RUNNING),
        [(Artifact(id=p.clean, type="Dataset", name="clean", state=ArtifactState.LIVE), inputs[0])], [])
    hit = store.find_cached_execution("Train", inputs)
    assert hit is not None and hit.execution.id == again and hit.outputs == []
    with pytest.raises(InvalidArgument, match=r"inputs\[0\]"):
        store.find_cached_execution("Train", [Event(artifact_id=p.clean, type=EventType.OUTPUT)])
    assert running > again


def test_compare_two_runs(store: MetadataStore) -> None:
    p = record(store)
    data_t = store.get_artifact_type("Dataset").id
    [other] = store.put_artifacts([Artifact(type_id=data_t, name="clean-v2", state=ArtifactState.LIVE)])
    train2, (_, model2), _ = store.put_execution(
        Execution(type_id=p.train_type, last_known_state=ExecutionState.COMPLETE, properties={"lr": 0.3}),
        [(Artifact(id=other, type_id=data_t, name="clean-v2", state=ArtifactState.LIVE), Event(type=EventType.INPUT)),
         (Artifact(type="Model", name="model-2", state=ArtifactState.LIVE), Event(type=EventType.OUTPUT))], [])
    runs = store.compare_executions(p.train, train2)
    assert [(d.field, d.left, d.right) for d in runs.properties] == [("properties.lr", 0.1, 0.3)]
    assert [(d.depth, d.type, d.only_left, d.only_right) for d in runs.lineage] == [
        (1, "Dataset", [p.clean], [other]), (3, "Dataset", [p.raw], [])]
    models = store.compare_artifacts(p.model, model2)
    assert [d.field for d in models.properties] == ["name"]
    assert [(d.depth, d.only_left, d.only_right) for d in models.lineage] == [
        (2, [p.clean], [other]), (4, [p.raw], [])]
    assert models.shared_upstream == []
    with pytest.raises(InvalidArgument, match="different types"):
        store.compare_artifacts(p.model, p.raw)
    with pytest.raises(NotFound):
        store.compare_executions(p.train, 999)


def test_cache_exact_properties(store: MetadataStore) -> None:
    p = record(store)
    inputs = [Event(artifact_id=p.clean, type=EventType.INPUT, path=["train"])]
    # a newer run with an extra property matches a subset query but not an exact one
    newer, _, _ = store.put_execution(
        Execution(type_id=p.train_type, last_known_state=ExecutionState.COMPLETE, properties={"lr": 0.1},
                  custom_properties={"seed": 7}),
        [(Artifact(id=p.clean, type="Dataset", name="clean", state=ArtifactState.LIVE), inputs[0])], [])
    subset = store.find_cached_execution("Train", inputs, properties={"lr": 0.1})
    assert subset is not None and subset.execution.id == newer
    exact = store.find_cached_execution("Train", inputs, properties={"lr": 0.1}, exact_properties=True)
    assert exact is not None and exact.execution.id == p.train


def test_reputting_an_unchanged_node_writes_nothing(store: MetadataStore) -> None:
    p = record(store)
    [before] = store.get_artifacts_by_id([p.model])
    time.sleep(0.005)
    store.put_artifacts([before])
    [after] = store.get_artifacts_by_id([p.model])
    assert after.last_update_time_since_epoch == before.last_update_time_since_epoch
    store.put_artifacts([before.model_copy(update={"uri": "/new"})])
    [changed] = store.get_artifacts_by_id([p.model])
    assert changed.uri == "/new"
    assert changed.last_update_time_since_epoch > before.last_update_time_since_epoch  # type: ignore[operator]


def test_impact_of_several_roots(store: MetadataStore) -> None:
    """a and b feed e1 (-> c); b also feeds e2 (-> d); c feeds e3, whose output r2 is a root
    too; r2 feeds e4 (-> f). Hand-computed distances and root lists."""
    at = store.put_artifact_type(ArtifactType(name="Data"))
    et = store.put_execution_type(ExecutionType(name="Step"))
    a, b, c, d, r2, f = store.put_artifacts([Artifact(type_id=at, name=n) for n in "abcdrf"])
    e1, e2, e3, e4 = store.put_executions([Execution(type_id=et, name=f"e{i}") for i in range(1, 5)])
    flow = [(a, e1, True), (b, e1, True), (e1, c, False), (b, e2, True), (e2, d, False),
            (c, e3, True), (e3, r2, False), (r2, e4, True), (e4, f, False)]
    store.put_events([Event(artifact_id=x, execution_id=y, type=EventType.INPUT) if is_in else
                      Event(artifact_id=y, execution_id=x, type=EventType.OUTPUT) for x, y, is_in in flow])
    report = store.impact([b, a, r2])
    assert report.roots == [a, b, r2]
    got = {(n.ref.kind, n.ref.id): (n.distance, n.roots) for n in report.executions + report.artifacts}
    assert got == {("execution", e1): (1, [a, b]), ("execution", e2): (1, [b]),
                   ("artifact", c): (2, [a, b]), ("artifact", d): (2, [b]),
                   ("execution", e3): (3, [a, b]),
                   ("execution", e4): (1, [a, b, r2]), ("artifact", f): (2, [a, b, r2])}
    # the root r2 is not reported as impacted, though a and b reach it
    assert ("artifact", r2) not in got
