"""store.prune on a generated "year" of daily runs, on every engine (docs/retention.md).

Each day an ingest run writes that day's data, and a training run reads it and the day
before's data and writes a model. Two models are in production (LIVE), the rest are retired
(DELETED). The last 30 days are written after the cut-off. The expected survivors are
computed here, independently of the engine, from the generator's own edges.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

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
    MetadataStore,
    NotFound,
    PruneReport,
)

DAYS, RECENT = 365, 30
PRODUCTION = (100, 300)  # the days whose models are LIVE
BAD_DAY = 50  # its data is quarantined (impact --mark): downstream runs and models


@dataclass
class History:
    cutoff: int = 0
    data: dict[int, int] = field(default_factory=dict)  # day -> artifact id
    models: dict[int, int] = field(default_factory=dict)
    ingest: dict[int, int] = field(default_factory=dict)  # day -> execution id
    train: dict[int, int] = field(default_factory=dict)
    # dependency edges, node -> what it was made from: ("a", id) / ("e", id)
    made_from: dict[tuple[str, int], set[tuple[str, int]]] = field(default_factory=dict)
    context: int = 0


def _days(store: MetadataStore, days: range, types: dict[str, int], context: Context | None,
          h: History) -> None:
    """One batch call writing these days (new nodes only); a day's training also reads the
    day before's data, which may be from an earlier batch (an event added to it, so that
    artifact's update time stays old)."""
    executions, artifacts, edges, later = [], [], [], []
    index: dict[tuple[str, int], int] = {}
    for d in days:
        index["data", d] = len(artifacts)
        artifacts.append(Artifact(type_id=types["Data"], uri=f"/data/{d}", state=ArtifactState.LIVE))
        index["model", d] = len(artifacts)
        artifacts.append(Artifact(type_id=types["Model"], uri=f"/model/{d}", state=(
            ArtifactState.LIVE if d in PRODUCTION else ArtifactState.DELETED)))
        index["ingest", d] = len(executions)
        executions.append(Execution(type_id=types["Ingest"]))
        index["train", d] = len(executions)
        executions.append(Execution(type_id=types["Train"]))
        edges.append((index["ingest", d], index["data", d], Event(type=EventType.OUTPUT)))
        edges.append((index["train", d], index["data", d], Event(type=EventType.INPUT)))
        edges.append((index["train", d], index["model", d], Event(type=EventType.OUTPUT)))
        if d > 0:
            if ("data", d - 1) in index:
                edges.append((index["train", d], index["data", d - 1], Event(type=EventType.INPUT)))
            else:
                later.append(d)
    ex, ar, cx = store.put_lineage_subgraph(executions, artifacts, [context] if context else [], edges)
    if cx:
        h.context = cx[0]
    for d in days:
        h.data[d], h.models[d] = ar[index["data", d]], ar[index["model", d]]
        h.ingest[d], h.train[d] = ex[index["ingest", d]], ex[index["train", d]]
    if later:
        store.put_events([Event(artifact_id=h.data[d - 1], execution_id=h.train[d],
                                type=EventType.INPUT) for d in later])
    for d in days:
        h.made_from["a", h.data[d]] = {("e", h.ingest[d])}
        h.made_from["a", h.models[d]] = {("e", h.train[d])}
        h.made_from["e", h.train[d]] = {("a", h.data[d])} | ({("a", h.data[d - 1])} if d else set())
        h.made_from["e", h.ingest[d]] = set()


def _year(store: MetadataStore, days: int = DAYS) -> History:
    types = {"Data": store.put_artifact_type(ArtifactType(name="Data")),
             "Model": store.put_artifact_type(ArtifactType(name="Model")),
             "Ingest": store.put_execution_type(ExecutionType(name="Ingest")),
             "Train": store.put_execution_type(ExecutionType(name="Train"))}
    pipeline = store.put_context_type(ContextType(name="Pipeline"))
    h = History()
    _days(store, range(days - RECENT), types, Context(type_id=pipeline, name="daily"), h)
    store.impact([h.data[BAD_DAY]], mark="label leak")
    time.sleep(0.005)  # the cut-off falls strictly between the two batches' clocks
    h.cutoff = int(time.time() * 1000)
    time.sleep(0.005)
    _days(store, range(days - RECENT, days), types, None, h)
    return h


def _upstream(h: History, roots: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
    seen, todo = set(roots), list(roots)
    while todo:
        for nxt in h.made_from[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _expected_kept(h: History, *, quarantine: bool = True) -> set[tuple[str, int]]:
    recent = [d for d in range(DAYS - RECENT, DAYS)]
    roots = {("a", h.models[d]) for d in PRODUCTION}
    roots |= {(k, i) for d in recent for k, i in
              (("a", h.data[d]), ("a", h.models[d]), ("e", h.ingest[d]), ("e", h.train[d]))}
    if quarantine:  # impact() marks the root and everything downstream of it
        roots |= {("a", h.data[BAD_DAY]), ("e", h.train[BAD_DAY]), ("a", h.models[BAD_DAY]),
                  ("e", h.train[BAD_DAY + 1]), ("a", h.models[BAD_DAY + 1])}
    return _upstream(h, roots)


def _present(store: MetadataStore) -> set[tuple[str, int]]:
    return ({("a", a.id) for a in store.get_artifacts() if a.id is not None}
            | {("e", e.id) for e in store.get_executions() if e.id is not None})


def _assert_consistent(store: MetadataStore, h: History) -> None:
    """No event or attribution points at a node that is gone."""
    present = _present(store)
    gone_a = [i for k, i in h.made_from if k == "a" and ("a", i) not in present]
    gone_e = [i for k, i in h.made_from if k == "e" and ("e", i) not in present]
    assert store.get_events_by_artifact_ids(gone_a) == []
    assert store.get_events_by_execution_ids(gone_e) == []
    for e in store.get_events_by_execution_ids([i for k, i in present if k == "e"]):
        assert ("a", e.artifact_id) in present
    members = {("a", a.id) for a in store.get_artifacts_by_context(h.context)}
    members |= {("e", e.id) for e in store.get_executions_by_context(h.context)}
    assert members <= present


def _lineage_of_production(store: MetadataStore, h: History) -> dict[int, set[int]]:
    return {d: set(store.upstream(artifact_id=h.models[d]).keys) for d in PRODUCTION}


def test_prune_keeps_what_production_needs_and_removes_the_rest(store: MetadataStore) -> None:
    h = _year(store)
    everything = _present(store)
    lineage = _lineage_of_production(store, h)
    events_before = len(store.get_events_by_execution_ids([i for k, i in everything if k == "e"]))

    dry = store.prune(h.cutoff, keep=["Model"], dry_run=True, batch_size=97)
    assert _present(store) == everything  # a dry run changes nothing
    assert dry.batches == 0 and dry.done
    expected = _expected_kept(h)
    gone = everything - expected
    assert {("a", i) for i in dry.artifacts} | {("e", i) for i in dry.executions} == gone
    assert dry.counts["execution"] == {
        "Ingest": sum(1 for k, i in gone if k == "e" and i in h.ingest.values()),
        "Train": sum(1 for k, i in gone if k == "e" and i in h.train.values())}
    assert sum(dry.counts["artifact"].values()) == len(dry.artifacts)
    assert len(store.get_events_by_execution_ids([i for k, i in everything if k == "e"])) == events_before

    done = store.prune(h.cutoff, keep=["Model"], batch_size=97)
    assert (sorted(done.artifacts), sorted(done.executions)) == (sorted(dry.artifacts), sorted(dry.executions))
    assert done.batches >= len(gone) // 97
    assert _present(store) == expected
    assert _lineage_of_production(store, h) == lineage  # the kept models' lineage is whole
    _assert_consistent(store, h)
    assert store.get_contexts_by_id([h.context])  # contexts stay
    # a second prune finds nothing more
    again = store.prune(h.cutoff, keep=["Model"])
    assert again.total == 0 and again.batches == 0
    # quarantined nodes were kept; asked, they go (unless something else keeps them)
    quarantined = {("a", h.data[BAD_DAY]), ("a", h.models[BAD_DAY])}
    assert quarantined <= _present(store)
    store.prune(h.cutoff, keep=["Model"], include_quarantined=True)
    assert _present(store) == _expected_kept(h, quarantine=False)
    assert not quarantined & _present(store)
    _assert_consistent(store, h)


def test_prune_stopped_between_batches_leaves_a_consistent_store_and_resumes(
        store: MetadataStore) -> None:
    h = _year(store)
    expected = _expected_kept(h)
    lineage = _lineage_of_production(store, h)

    class Stop(Exception):
        pass

    seen: list[int] = []

    def stop_after_two(report: PruneReport) -> None:
        seen.append(report.total)
        if report.batches == 2:
            raise Stop

    with pytest.raises(Stop):
        store.prune(h.cutoff, keep=["Model"], batch_size=40, on_batch=stop_after_two)
    assert seen == [40, 80]
    partial = _present(store)
    assert expected < partial  # some went, nothing kept went
    _assert_consistent(store, h)
    rest = store.prune(h.cutoff, keep=["Model"], batch_size=40)
    assert rest.done and rest.total == len(partial - expected)
    assert _present(store) == expected
    assert _lineage_of_production(store, h) == lineage
    _assert_consistent(store, h)


def test_keep_by_id_and_by_filter(store: MetadataStore) -> None:
    h = _year(store, days=RECENT + 60)  # no production model in it
    retired = h.models[10]  # DELETED, so a type name alone would not keep it
    store.prune(h.cutoff, keep=[retired], keep_filter="uri = '/model/20'")
    present = _present(store)
    assert _upstream(h, [("a", retired), ("a", h.models[20])]) <= present
    assert ("a", h.models[30]) not in present


BAD_ARGUMENTS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"keep": [10**9]}, NotFound, "keep: no artifact with id"),
    ({"keep": ["NoSuchType"]}, NotFound, "keep: no artifact type named 'NoSuchType'"),
    ({"keep": "Model"}, InvalidArgument, "keep: expected a list"),
    ({"batch_size": 0}, InvalidArgument, "batch_size"),
    ({"batch_size": 10**6}, InvalidArgument, "batch_records"),
    ({"keep_filter": "uri ="}, InvalidArgument, "unexpected end of query"),
    ({"before": "yesterday"}, InvalidArgument, "before: expected an integer"),
]


def test_bad_prune_arguments_change_nothing(store: MetadataStore) -> None:
    t = store.put_artifact_type(ArtifactType(name="Model"))
    store.put_artifacts([Artifact(type_id=t, uri="/m")])
    for kwargs, error, text in BAD_ARGUMENTS:
        kwargs = {"before": int(time.time() * 1000) + 1000, **kwargs}
        with pytest.raises(error, match=text):
            store.prune(**kwargs)
    assert len(store.get_artifacts()) == 1
