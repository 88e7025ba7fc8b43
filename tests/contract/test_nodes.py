"""Artifacts, executions and contexts: writes, reads, updates, deletes."""

from __future__ import annotations

import pytest

from graphstore import (
    AlreadyExists,
    Artifact,
    ArtifactState,
    ArtifactType,
    Context,
    ContextType,
    Execution,
    ExecutionState,
    ExecutionType,
    InvalidArgument,
    MetadataStore,
    NotFound,
    PropertyType,
    ProtoValue,
)


@pytest.fixture
def types(store: MetadataStore) -> dict[str, int]:
    return {
        "data": store.put_artifact_type(ArtifactType(name="DataSet", properties={
            "day": PropertyType.INT, "split": PropertyType.STRING, "score": PropertyType.DOUBLE,
            "ok": PropertyType.BOOLEAN, "cfg": PropertyType.STRUCT, "blob": PropertyType.PROTO})),
        "model": store.put_artifact_type(ArtifactType(name="SavedModel")),
        "trainer": store.put_execution_type(ExecutionType(name="Trainer", properties={
            "lr": PropertyType.DOUBLE})),
        "exp": store.put_context_type(ContextType(name="Experiment", properties={
            "note": PropertyType.STRING})),
    }


def test_every_property_type_round_trips(store: MetadataStore, types: dict[str, int]) -> None:
    a = Artifact(type_id=types["data"], name="d1", uri="/data/1", external_id="x1",
                 state=ArtifactState.LIVE,
                 properties={"day": 2**40, "split": "train", "score": 0.5, "ok": True,
                             "cfg": {"layers": [1, 2], "name": "x"},
                             "blob": ProtoValue(type_url="type.googleapis.com/x", value=b"\x00\x01")},
                 custom_properties={"i": 1, "f": 1.0, "s": "1", "b": False, "l": [1, "a"],
                                    "p": ProtoValue(type_url="t", value=b"z")})
    [aid] = store.put_artifacts([a])
    [got] = store.get_artifacts_by_id([aid])
    assert got.properties == a.properties
    assert got.custom_properties == a.custom_properties
    assert type(got.custom_properties["f"]) is float and type(got.custom_properties["b"]) is bool
    assert (got.name, got.uri, got.external_id, got.state, got.type) == (
        "d1", "/data/1", "x1", ArtifactState.LIVE, "DataSet")
    assert got.create_time_since_epoch == got.last_update_time_since_epoch > 0


def test_ids_increase_per_kind(store: MetadataStore, types: dict[str, int]) -> None:
    ids = store.put_artifacts([Artifact(type_id=types["model"]) for _ in range(5)])
    assert ids == sorted(ids) and len(set(ids)) == 5
    more = store.put_artifacts([Artifact(type_id=types["model"])])
    assert more[0] > ids[-1]
    [e] = store.put_executions([Execution(type_id=types["trainer"])])
    assert e == 1


def test_type_by_name_on_input(store: MetadataStore, types: dict[str, int]) -> None:
    [aid] = store.put_artifacts([Artifact(type="SavedModel", uri="/m")])
    assert store.get_artifacts_by_id([aid])[0].type_id == types["model"]
    with pytest.raises(NotFound, match="'Nope'"):
        store.put_artifacts([Artifact(type="Nope")])
    with pytest.raises(InvalidArgument, match=r"artifacts\[0\]\.type_id"):
        store.put_artifacts([Artifact(uri="/no-type")])


@pytest.mark.parametrize(("props", "match"), [
    ({"day": "monday"}, r"properties\['day'\].*'monday'.*INT"),
    ({"day": True}, r"properties\['day'\].*True.*INT"),
    ({"day": 2**63}, "64-bit"),
    ({"split": 3}, r"properties\['split'\].*STRING"),
    ({"ok": 1}, r"properties\['ok'\].*BOOLEAN"),
    ({"cfg": "x"}, r"properties\['cfg'\].*STRUCT"),
    ({"blob": {"a": 1}}, r"properties\['blob'\].*PROTO"),
    ({"undeclared": 1}, r"'undeclared' is not declared"),
])
def test_bad_property_values_are_rejected(store: MetadataStore, types: dict[str, int],
                                          props: dict[str, object], match: str) -> None:
    good = Artifact(type_id=types["data"], uri="/ok")
    with pytest.raises(InvalidArgument, match=match):
        store.put_artifacts([good, Artifact(type_id=types["data"], properties=props)])
    assert store.get_artifacts() == []


def test_pydantic_errors_become_invalid_argument(store: MetadataStore, types: dict[str, int]) -> None:
    with pytest.raises(InvalidArgument, match=r"artifacts\[1\]\.state"):
        store.put_artifacts([{"type_id": types["model"]},  # type: ignore[list-item]
                             {"type_id": types["model"], "state": "SHINY"}])
    with pytest.raises(InvalidArgument, match="expected a list"):
        store.put_artifacts(Artifact(type_id=1))  # type: ignore[arg-type]


def test_update_replaces_and_keeps_create_time(store: MetadataStore, types: dict[str, int]) -> None:
    [aid] = store.put_artifacts([Artifact(type_id=types["data"], uri="/a",
                                          properties={"day": 1}, custom_properties={"c": 1})])
    [before] = store.get_artifacts_by_id([aid])
    store.put_artifacts([Artifact(id=aid, uri="/b", properties={"split": "x"})])
    [after] = store.get_artifacts_by_id([aid])
    assert (after.uri, after.properties, after.custom_properties) == ("/b", {"split": "x"}, {})
    assert after.create_time_since_epoch == before.create_time_since_epoch
    assert after.last_update_time_since_epoch >= before.last_update_time_since_epoch  # type: ignore[operator]


def test_update_with_field_mask(store: MetadataStore, types: dict[str, int]) -> None:
    [aid] = store.put_artifacts([Artifact(type_id=types["data"], uri="/a", properties={
        "day": 1, "split": "train"}, custom_properties={"keep": 1, "drop": 2})])
    store.put_artifacts([Artifact(id=aid, uri="/ignored", state=ArtifactState.LIVE,
                                  properties={"day": 9})],
                        field_mask=["state", "properties.day", "custom_properties.drop"])
    [got] = store.get_artifacts_by_id([aid])
    assert got.uri == "/a" and got.state is ArtifactState.LIVE
    assert got.properties == {"day": 9, "split": "train"}
    assert got.custom_properties == {"keep": 1}
    with pytest.raises(InvalidArgument, match="'bogus'"):
        store.put_artifacts([Artifact(id=aid)], field_mask=["bogus"])


def test_update_errors(store: MetadataStore, types: dict[str, int]) -> None:
    [aid] = store.put_artifacts([Artifact(type_id=types["data"])])
    with pytest.raises(NotFound, match="id 999"):
        store.put_artifacts([Artifact(id=999, type_id=types["data"])])
    with pytest.raises(InvalidArgument, match="type cannot change"):
        store.put_artifacts([Artifact(id=aid, type_id=types["model"])])


def test_execution_state_and_context_names(store: MetadataStore, types: dict[str, int]) -> None:
    [eid] = store.put_executions([Execution(type_id=types["trainer"], name="run-1",
                                            last_known_state=ExecutionState.RUNNING,
                                            properties={"lr": 1})])
    [got] = store.get_executions_by_id([eid])
    assert got.last_known_state is ExecutionState.RUNNING and got.properties == {"lr": 1.0}
    [cid] = store.put_contexts([Context(type_id=types["exp"], name="exp1")])
    with pytest.raises(AlreadyExists):
        store.put_contexts([Context(type_id=types["exp"], name="exp1")])
    with pytest.raises(InvalidArgument, match=r"contexts\[0\]\.name"):
        store.put_contexts([Context(type_id=types["exp"])])
    assert [c.id for c in store.get_contexts()] == [cid]


def test_unique_names_and_external_ids(store: MetadataStore, types: dict[str, int]) -> None:
    store.put_artifacts([Artifact(type_id=types["model"], name="m", external_id="e")])
    with pytest.raises(AlreadyExists):
        store.put_artifacts([Artifact(type_id=types["model"], name="m")])
    with pytest.raises(AlreadyExists):
        store.put_artifacts([Artifact(type_id=types["data"], external_id="e")])
    # the same name under another type is fine
    store.put_artifacts([Artifact(type_id=types["data"], name="m")])
    assert len(store.get_artifacts()) == 2


def test_reads(store: MetadataStore, types: dict[str, int]) -> None:
    ids = store.put_artifacts([
        Artifact(type_id=types["data"], name="a", uri="/u", external_id="ea"),
        Artifact(type_id=types["data"], name="b", uri="/u"),
        Artifact(type_id=types["model"], name="a", uri="/v", external_id="ec"),
    ])
    assert [a.id for a in store.get_artifacts()] == ids
    assert [a.id for a in store.get_artifacts_by_id([ids[2], ids[0], 999])] == [ids[0], ids[2]]
    assert [a.id for a in store.get_artifacts_by_type("DataSet")] == ids[:2]
    assert store.get_artifacts_by_type("Nope") == []
    assert store.get_artifacts_by_type("DataSet", "v9") == []
    by_name = store.get_artifact_by_type_and_name("SavedModel", "a")
    assert by_name is not None and by_name.id == ids[2]
    assert store.get_artifact_by_type_and_name("SavedModel", "zzz") is None
    assert [a.id for a in store.get_artifacts_by_uri("/u")] == ids[:2]
    assert [a.id for a in store.get_artifacts_by_external_ids(["ec", "ea"])] == [ids[0], ids[2]]
    arts, arts_types = store.get_artifacts_and_types_by_artifact_ids([ids[0], ids[2]])
    assert [a.id for a in arts] == [ids[0], ids[2]]
    assert [t.name for t in arts_types] == ["DataSet", "SavedModel"]
    # types in the order the artifacts (by id) first name them, as MLMD answers
    [late] = store.put_artifacts([Artifact(type_id=types["data"], uri="/w")])
    arts, arts_types = store.get_artifacts_and_types_by_artifact_ids([late, ids[2], ids[2]])
    assert [a.id for a in arts] == [ids[2], late]
    assert [t.name for t in arts_types] == ["SavedModel", "DataSet"]
    with pytest.raises(InvalidArgument, match="context_id"):  # not "every context"
        store.get_artifacts_by_context(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="context_id"):
        store.get_executions_by_context(None)  # type: ignore[arg-type]


def test_reads_for_executions_and_contexts(store: MetadataStore, types: dict[str, int]) -> None:
    [e] = store.put_executions([Execution(type_id=types["trainer"], name="r", external_id="x")])
    [c] = store.put_contexts([Context(type_id=types["exp"], name="c", external_id="y",
                                      properties={"note": "hi"})])
    assert [x.id for x in store.get_executions_by_type("Trainer")] == [e]
    assert store.get_execution_by_type_and_name("Trainer", "r").id == e  # type: ignore[union-attr]
    assert [x.id for x in store.get_executions_by_external_ids(["x"])] == [e]
    assert [x.id for x in store.get_contexts_by_type("Experiment")] == [c]
    assert store.get_context_by_type_and_name("Experiment", "c").properties == {"note": "hi"}  # type: ignore[union-attr]
    assert [x.id for x in store.get_contexts_by_external_ids(["y"])] == [c]
    assert [x.id for x in store.get_contexts_by_id([c])] == [c]


def test_bad_ids_are_invalid_argument(store: MetadataStore) -> None:
    with pytest.raises(InvalidArgument, match="'1'"):
        store.get_artifacts_by_id(["1"])  # type: ignore[list-item]
    with pytest.raises(InvalidArgument, match="uri"):
        store.get_artifacts_by_uri(3)  # type: ignore[arg-type]


def test_type_names_that_look_like_graphstore_labels(store: MetadataStore) -> None:
    """A type named like one of graphstore's own labels must not leak into another kind."""
    tricky = store.put_artifact_type(ArtifactType(name="Context"))
    odd = store.put_artifact_type(ArtifactType(name="Data`Set) DETACH DELETE n //"))
    ids = store.put_artifacts([Artifact(type_id=tricky), Artifact(type_id=odd)])
    assert [a.id for a in store.get_artifacts()] == ids
    assert store.get_contexts() == []
    assert [a.type for a in store.get_artifacts_by_type("Data`Set) DETACH DELETE n //")] == [
        "Data`Set) DETACH DELETE n //"]
