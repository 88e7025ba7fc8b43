"""Type registration and lookup, on every engine."""

from __future__ import annotations

import pytest

from graphstore import (
    AlreadyExists,
    ArtifactType,
    ContextType,
    ExecutionType,
    InvalidArgument,
    MetadataStore,
    NotFound,
    PropertyType,
)


def test_put_type_returns_id_and_is_idempotent(store: MetadataStore) -> None:
    t = ArtifactType(name="DataSet", properties={"day": PropertyType.INT})
    first = store.put_artifact_type(t)
    assert store.put_artifact_type(t) == first
    got = store.get_artifact_type("DataSet")
    assert (got.id, got.name, got.properties) == (first, "DataSet", {"day": PropertyType.INT})


def test_type_ids_are_shared_across_kinds_and_increase(store: MetadataStore) -> None:
    a = store.put_artifact_type(ArtifactType(name="A"))
    e = store.put_execution_type(ExecutionType(name="A"))
    c = store.put_context_type(ContextType(name="A"))
    assert a < e < c
    assert store.get_execution_type("A").id == e
    assert store.get_context_type("A").id == c


def test_all_fields_round_trip(store: MetadataStore) -> None:
    t = ExecutionType(name="Trainer", version="v2", description="trains", external_id="ext-1",
                      base_type="TRAIN", properties={"lr": PropertyType.DOUBLE,
                                                     "cfg": PropertyType.STRUCT,
                                                     "ok": PropertyType.BOOLEAN})
    tid = store.put_execution_type(t)
    got = store.get_execution_type("Trainer", "v2")
    assert got == t.model_copy(update={"id": tid})
    assert store.get_execution_types_by_external_ids(["ext-1"]) == [got]
    assert store.get_execution_types_by_id([tid]) == [got]


def test_versions_are_separate_types(store: MetadataStore) -> None:
    v1 = store.put_artifact_type(ArtifactType(name="Model", version="1"))
    v2 = store.put_artifact_type(ArtifactType(name="Model", version="2"))
    plain = store.put_artifact_type(ArtifactType(name="Model"))
    assert len({v1, v2, plain}) == 3
    assert store.get_artifact_type("Model", "2").id == v2
    assert store.get_artifact_type("Model").id == plain
    assert [t.id for t in store.get_artifact_types()] == [v1, v2, plain]


def test_incompatible_reregistration(store: MetadataStore) -> None:
    store.put_artifact_type(ArtifactType(name="D", properties={"a": PropertyType.INT}))
    with pytest.raises(AlreadyExists, match="'a'"):
        store.put_artifact_type(ArtifactType(name="D", properties={"a": PropertyType.STRING}))
    with pytest.raises(AlreadyExists, match="can_add_fields"):
        store.put_artifact_type(ArtifactType(name="D", properties={"a": PropertyType.INT,
                                                                   "b": PropertyType.INT}))
    with pytest.raises(AlreadyExists, match="can_omit_fields"):
        store.put_artifact_type(ArtifactType(name="D", properties={}))
    assert store.get_artifact_type("D").properties == {"a": PropertyType.INT}


def test_can_add_and_omit_fields(store: MetadataStore) -> None:
    tid = store.put_artifact_type(ArtifactType(name="D", properties={"a": PropertyType.INT}))
    again = store.put_artifact_type(ArtifactType(name="D", properties={"b": PropertyType.STRING}),
                                    can_add_fields=True, can_omit_fields=True)
    assert again == tid
    assert store.get_artifact_type("D").properties == {"a": PropertyType.INT,
                                                       "b": PropertyType.STRING}


def test_unknown_type_is_not_found(store: MetadataStore) -> None:
    with pytest.raises(NotFound, match="'Nope'"):
        store.get_artifact_type("Nope")
    assert store.get_artifact_types_by_id([12345]) == []
    assert store.get_context_types() == []


def test_bad_type_input(store: MetadataStore) -> None:
    with pytest.raises(InvalidArgument, match=r"base_type.*'TRAIN'"):
        store.put_artifact_type(ArtifactType(name="X", base_type="TRAIN"))
    with pytest.raises(InvalidArgument, match="UNKNOWN"):
        store.put_artifact_type(ArtifactType(name="X", properties={"p": PropertyType.UNKNOWN}))
    with pytest.raises(InvalidArgument, match="name"):
        store.put_artifact_type({"name": ""})  # type: ignore[arg-type]
    assert store.get_artifact_types() == []


def test_types_by_id_answer_one_per_requested_id(store: MetadataStore) -> None:
    """MLMD's meaning (clients zip the answer with their nodes): request order, repeats kept,
    unknown ids skipped; a repeat is a copy of its own."""
    x = store.put_artifact_type(ArtifactType(name="X"))
    m = store.put_artifact_type(ArtifactType(name="M"))
    got = store.get_artifact_types_by_id([x, 999, m, x, m])
    assert [t.id for t in got] == [x, m, x, m]
    got[0].description = "changed"
    assert got[2].description is None
    assert [t.id for t in store.get_artifact_types_by_id([m, x])] == [m, x]
    assert store.get_artifact_types_by_id([]) == []
