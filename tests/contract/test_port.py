"""Export / import of a namespace: a portable file, ids mapped, lineage verified, every engine."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from graphstore import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    FailedPrecondition,
    InvalidArgument,
    MetadataStore,
    ParentContext,
    PropertyType,
    ProtoValue,
)
from tests.conftest import StoreFactory


def fill(store: MetadataStore) -> None:
    """Two runs of a two-step pipeline, with every property kind and hostile values."""
    at = store.put_artifact_type(ArtifactType(name="Data", version="2", properties={
        "n": PropertyType.INT, "x": PropertyType.DOUBLE, "s": PropertyType.STRING,
        "j": PropertyType.STRUCT, "p": PropertyType.PROTO, "b": PropertyType.BOOLEAN}))
    et = store.put_execution_type(ExecutionType(name="Step", external_id="step"))
    ct = store.put_context_type(ContextType(name="Run"))
    top = store.put_contexts([Context(type_id=ct, name="all")])[0]
    for run in range(2):
        c = store.put_contexts([Context(type_id=ct, name=f"run{run}", custom_properties={"r": run})])[0]
        store.put_parent_contexts([ParentContext(child_id=c, parent_id=top)])
        src = Artifact(type_id=at, uri=f"/d/{run}", state=ArtifactState.LIVE, properties={
            "n": -(2**63), "x": math.nan if run else -0.0, "s": "é\u2028'\"`", "j": {"k": [1, {"z": None}]},
            "p": ProtoValue(type_url="t/x", value=b"\x00\xff"), "b": True},
            custom_properties={"inf": math.inf, "f": 1.0, "i": 1})
        store.put_execution(Execution(type_id=et, name=f"s{run}", last_known_state=ExecutionState.COMPLETE),
                            [(src, Event(type=EventType.INPUT, path=[0, "a"])),
                             (Artifact(type_id=at, uri=f"/m/{run}"), Event(type=EventType.OUTPUT))],
                            [store.get_contexts_by_id([c])[0]])
    extra = store.put_artifacts([Artifact(type_id=at, name="loose")])[0]
    store.put_attributions_and_associations([Attribution(artifact_id=extra, context_id=top)], [])


def content(store: MetadataStore) -> Any:
    """A namespace's content with every id replaced by a stable name (equal modulo ids)."""
    types = {t.id: f"{t.name}:{t.version}" for t in (*store.get_artifact_types(),
                                                      *store.get_execution_types(),
                                                      *store.get_context_types())}
    names: dict[tuple[str, int], str] = {}
    out: dict[str, Any] = {"types": sorted(
        json.dumps(t.model_dump(mode="json", exclude={"id"}), sort_keys=True)
        for t in (*store.get_artifact_types(), *store.get_execution_types(), *store.get_context_types()))}
    for kind, nodes in (("a", store.get_artifacts()), ("e", store.get_executions()), ("c", store.get_contexts())):
        rows = []
        for n in nodes:
            d = n.model_dump(exclude={"id", "type_id"})
            d["type_id"] = types[n.type_id]
            names[(kind, n.id)] = json.dumps(d, sort_keys=True, default=repr)
            rows.append(names[(kind, n.id)])
        out[kind] = sorted(rows)
    arts, exes, ctxs = store.get_artifacts(), store.get_executions(), store.get_contexts()
    out["events"] = sorted(
        (names[("a", e.artifact_id)], names[("e", e.execution_id)], e.type.name, repr(e.path),
         e.milliseconds_since_epoch)
        for e in store.get_events_by_artifact_ids([a.id for a in arts]))
    out["attributions"] = sorted((names[("a", a.id)], names[("c", c.id)])
                                 for a in arts for c in store.get_contexts_by_artifact(a.id))
    out["associations"] = sorted((names[("e", e.id)], names[("c", c.id)])
                                 for e in exes for c in store.get_contexts_by_execution(e.id))
    out["parents"] = sorted((names[("c", c.id)], names[("c", p.id)])
                            for c in ctxs for p in store.get_parent_contexts_by_context(c.id))
    return out


def test_export_import_round_trip_between_namespaces(open_store: StoreFactory, tmp_path: Path) -> None:
    source, copy = open_store(namespace="team-a"), open_store(namespace="copy")
    fill(source)
    # external ids are per namespace: a copy in the same database keeps them
    at = source.get_artifact_type("Data", "2").id
    source.put_artifacts([Artifact(type_id=at, name="named", external_id="ext-1")])
    counts = source.export(tmp_path / "a.jsonl")
    assert counts["artifact"] == 6 and counts["event"] == 4 and counts["parent_context"] == 2
    report = copy.import_file(tmp_path / "a.jsonl")
    assert report.verified and report.counts == counts
    assert content(copy) == content(source)
    # new ids: nothing of the copy has the source's id for the same record
    assert set(report.id_map["artifact"]) & set(report.id_map["artifact"].values()) == set()
    lines = (tmp_path / "a.jsonl").read_text().splitlines()
    assert json.loads(lines[0]) == {"format": "graphstore-namespace", "version": 1, "namespace": "team-a"}


def test_import_refuses_a_namespace_with_nodes_and_reuses_types(open_store: StoreFactory, tmp_path: Path) -> None:
    source, target = open_store(namespace="a"), open_store(namespace="b")
    fill(source)
    source.export(tmp_path / "a.jsonl")
    target.put_execution_type(ExecutionType(name="Step", external_id="step"))  # the same type: reused
    report = target.import_file(tmp_path / "a.jsonl")
    assert len(target.get_execution_types()) == 1 and report.verified
    with pytest.raises(FailedPrecondition, match="already holds"):
        target.import_file(tmp_path / "a.jsonl")


def _damaged(lines: list[str], damage: str) -> list[str]:
    lines = list(lines)
    if damage == "cut":  # detected only at the end: everything written so far is removed again
        return lines[:-3]
    if damage == "header":
        lines[0] = json.dumps({"format": "something else"})
    elif damage == "version":
        lines[0] = json.dumps({"format": "graphstore-namespace", "version": 99})
    elif damage == "dangling":
        at = next(i for i, x in enumerate(lines) if '"record": "event"' in x)
        event = json.loads(lines[at])
        event["artifact_id"] = 10**9
        lines[at] = json.dumps(event)
    else:
        lines.insert(3, "not json")
    return lines


def test_a_bad_file_is_refused_and_leaves_no_nodes(open_store: StoreFactory, tmp_path: Path) -> None:
    source, target = open_store(namespace="a"), open_store(namespace="b")
    fill(source)
    path = tmp_path / "a.jsonl"
    source.export(path)
    good = path.read_text().splitlines()
    for damage in ("cut", "header", "version", "dangling", "junk"):
        path.write_text("\n".join(_damaged(good, damage)) + "\n")
        with pytest.raises(InvalidArgument):
            target.import_file(path)
        assert target.get_artifacts() == [] and target.get_executions() == [] and target.get_contexts() == [], damage
    path.write_text("\n".join(good) + "\n")
    assert target.import_file(path).verified  # and the whole file still imports


def test_round_trip_sqlite_neo4j_sqlite(neo4j_server: Any, tmp_path: Path) -> None:
    from tests.conftest import wipe_neo4j

    wipe_neo4j(neo4j_server)
    first = MetadataStore(tmp_path / "first.db", namespace="team-a")
    fill(first)
    first.export(tmp_path / "1.jsonl")
    with MetadataStore(neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password,
                       namespace="moved") as neo:
        assert neo.import_file(tmp_path / "1.jsonl").verified
        assert content(neo) == content(first)
        neo.export(tmp_path / "2.jsonl")
    last = MetadataStore(tmp_path / "last.db", namespace="back")
    assert last.import_file(tmp_path / "2.jsonl").verified
    assert content(last) == content(first)
    first.close()
    last.close()
