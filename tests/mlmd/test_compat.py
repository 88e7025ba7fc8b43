"""graphstore.mlmd beyond what MLMD's suite covers: connection configs, errors, extras."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ml_metadata", reason="ml-metadata is not installed (pip install '.[mlmd]'; "
                                          "wheels exist for Python 3.9-3.11 only)")

from ml_metadata import errors
from ml_metadata.metadata_store import metadata_store as mlmd_api
from ml_metadata.proto import metadata_store_pb2 as pb

import graphstore
import graphstore.mlmd as gmlmd
from graphstore.mlmd import MetadataStore, metadata_store


def _config(kind: str, path: str = "", mode: int = 0) -> Any:
    config = pb.ConnectionConfig()
    if kind == "fake":
        config.fake_database.SetInParent()
    elif kind == "sqlite":
        config.sqlite.filename_uri = path
        if mode:
            config.sqlite.connection_mode = mode
    elif kind == "mysql":
        config.mysql.host = "localhost"
    return config


def test_one_import_line_gives_mlmd_names() -> None:
    for name in ("MetadataStore", "ListOptions", "OrderByField", "downgrade_schema"):
        assert getattr(metadata_store, name) is getattr(gmlmd, name)
    assert gmlmd.ListOptions is mlmd_api.ListOptions  # MLMD's own option classes, re-exported


def test_fake_databases_are_empty_and_isolated() -> None:
    first, second = MetadataStore(_config("fake")), MetadataStore(_config("fake"))
    first.put_artifact_type(pb.ArtifactType(name="T"))
    assert [t.name for t in first.get_artifact_types()] == ["T"]
    assert second.get_artifact_types() == []
    assert MetadataStore(_config("sqlite")).get_artifact_types() == []  # sqlite without a file


def test_sqlite_file_persists_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with MetadataStore(_config("sqlite", str(path))) as store:
        type_id = store.put_artifact_type(pb.ArtifactType(name="T"))
        store.put_artifacts([pb.Artifact(type_id=type_id, uri="/x")])
    again = MetadataStore(_config("sqlite", f"file:{path}?mode=rwc", mode=2))  # MLMD's URI form
    assert [a.uri for a in again.get_artifacts()] == ["/x"]
    assert again.graphstore.engine_name == "sqlite"


def test_connection_errors_are_mlmd_shaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRAPHSTORE_URI", raising=False)
    with pytest.raises(RuntimeError, match="Unset"):
        MetadataStore(pb.ConnectionConfig())
    with pytest.raises(RuntimeError, match="unable to open database file"):
        MetadataStore(_config("sqlite", str(tmp_path / "missing.db"), mode=1))  # READONLY
    with pytest.raises(RuntimeError, match="GRAPHSTORE_URI"):
        MetadataStore(_config("mysql"))
    with pytest.raises(RuntimeError, match=r"gRPC|GRAPHSTORE_URI"):
        MetadataStore(pb.MetadataStoreClientConfig(host="localhost", port=8080))
    with pytest.raises(ValueError, match="ConnectionConfig"):
        MetadataStore("not a config")


def test_an_mlmd_file_is_not_opened_in_place(tmp_path: Path) -> None:
    path = tmp_path / "mlmd.db"
    mlmd_api.MetadataStore(_config("sqlite", str(path), mode=3)).put_artifact_type(pb.ArtifactType(name="T"))
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="import-mlmd"):
        MetadataStore(_config("sqlite", str(path)))
    assert path.read_bytes() == before


def test_graphstore_uri_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "gs.db"
    MetadataStore(graphstore_uri=target).put_context_type(pb.ContextType(name="Run"))
    monkeypatch.setenv("GRAPHSTORE_URI", str(target))
    # a config naming a database (SQLite file, MySQL) opens GRAPHSTORE_URI instead ...
    for config in (_config("sqlite", str(tmp_path / "elsewhere.db")), _config("mysql"), None):
        assert [t.name for t in MetadataStore(config).get_context_types()] == ["Run"]
    assert not (tmp_path / "elsewhere.db").exists()
    # ... while a fake database stays a new store in memory
    assert MetadataStore(_config("fake")).get_context_types() == []


def test_a_namespace_through_the_config_the_environment_or_the_argument(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRAPHSTORE_URI", raising=False)
    monkeypatch.delenv("GRAPHSTORE_NAMESPACE", raising=False)
    path = tmp_path / "shared.db"

    def types(store: MetadataStore) -> list[str]:
        return [t.name for t in store.get_artifact_types()]

    MetadataStore(_config("sqlite", f"file:{path}?mode=rwc&namespace=team-a")).put_artifact_type(
        pb.ArtifactType(name="A"))
    monkeypatch.setenv("GRAPHSTORE_NAMESPACE", "team-b")
    b = MetadataStore(_config("sqlite", str(path)))
    b.put_artifact_type(pb.ArtifactType(name="B"))
    assert b.graphstore.namespace == "team-b" and types(b) == ["B"]
    # the config's field wins over the environment, the argument over both
    assert types(MetadataStore(_config("sqlite", f"file:{path}?namespace=team-a"))) == ["A"]
    assert types(MetadataStore(_config("sqlite", f"file:{path}?namespace=team-a"), namespace="team-b")) == ["B"]
    monkeypatch.delenv("GRAPHSTORE_NAMESPACE")
    assert types(MetadataStore(_config("sqlite", str(path)))) == []  # the default namespace
    assert types(MetadataStore(graphstore_uri=path, namespace="team-a")) == ["A"]
    with pytest.raises(RuntimeError, match="namespace"):
        MetadataStore(_config("sqlite", f"file:{path}?namespace=no/slash"))


def test_wrapping_an_open_store_leaves_it_open() -> None:
    native = graphstore.MetadataStore()
    wrapper = MetadataStore(store=native)
    wrapper.put_artifact_type(pb.ArtifactType(name="T"))
    wrapper.close()
    del wrapper
    assert [t.name for t in native.get_artifact_types()] == ["T"]
    assert MetadataStore(store=native).graphstore is native


def test_errors_are_mlmd_classes_with_the_cause() -> None:
    store = MetadataStore(_config("fake"))
    with pytest.raises(errors.NotFoundError) as info:
        store.get_artifact_type("nope")
    assert isinstance(info.value.__cause__, graphstore.NotFound)
    assert info.value.error_code == errors.NOT_FOUND
    with pytest.raises(errors.InvalidArgumentError, match="Found unmatched property type: foo"):
        type_id = store.put_artifact_type(pb.ArtifactType(name="T", properties={"foo": pb.INT}))
        artifact = pb.Artifact(type_id=type_id)
        artifact.properties["foo"]
        store.put_artifacts([artifact])
    with pytest.raises(errors.InvalidArgumentError):
        store.get_artifacts(list_options=mlmd_api.ListOptions(filter_query="uri = = 1"))
    with pytest.raises(errors.OutOfRangeError):
        store.put_lineage_subgraph([], [], [], [(3, None, pb.Event(type=pb.Event.INPUT))])
    with pytest.raises(errors.UnimplementedError):
        gmlmd.downgrade_schema(_config("fake"), 0)


def test_graphstore_options_and_values_round_trip() -> None:
    store = MetadataStore(_config("fake"))
    type_id = store.put_artifact_type(pb.ArtifactType(name="T"))
    ids = store.put_artifacts([pb.Artifact(type_id=type_id, uri=f"/{i}") for i in range(5)])
    page = store.get_artifacts(graphstore.ListOptions(limit=2, is_asc=False))  # graphstore's own options
    assert [a.id for a in page] == ids[:2:-1][:2]
    native = store.graphstore
    [nid] = native.put_artifacts([graphstore.Artifact(type_id=type_id, custom_properties={
        "l": [1, 2], "p": graphstore.ProtoValue(type_url="t", value=b"\x01")})])
    [got] = store.get_artifacts_by_id([nid])
    assert list(got.custom_properties["l"].struct_value["list"]) == [1, 2]  # MLMD's Struct holds no list
    assert got.custom_properties["p"].proto_value.value == b"\x01"


def test_deep_lineage_has_no_hop_cap() -> None:
    store = MetadataStore(_config("fake"))
    at = store.put_artifact_type(pb.ArtifactType(name="A"))
    et = store.put_execution_type(pb.ExecutionType(name="E"))
    artifacts = store.put_artifacts([pb.Artifact(type_id=at, uri=f"/{i}") for i in range(80)])
    executions = store.put_executions([pb.Execution(type_id=et) for _ in range(79)])
    store.put_events([pb.Event(artifact_id=a, execution_id=e, type=k)
                      for i, e in enumerate(executions)
                      for a, k in ((artifacts[i], pb.Event.INPUT), (artifacts[i + 1], pb.Event.OUTPUT))])
    query = pb.LineageSubgraphQueryOptions(
        starting_artifacts=pb.LineageSubgraphQueryOptions.StartingNodes(filter_query="uri = '/0'"))
    graph = store.get_lineage_subgraph(query, ["artifacts"])  # MLMD stops at 100 hops: 51 artifacts
    assert len(graph.artifacts) == 80


def test_the_native_store_outlives_its_wrapper() -> None:
    native = MetadataStore(pb.ConnectionConfig(fake_database={})).graphstore  # the wrapper is gone
    assert native.get_artifact_types() == []
