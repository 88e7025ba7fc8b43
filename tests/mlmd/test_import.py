"""import_mlmd / verify_import with an MLMD SQLite store built by real MLMD (tests/mlmd/mlmd_fixture.py)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ml_metadata", reason="ml-metadata is not installed (pip install '.[mlmd]'; "
                                          "wheels exist for Python 3.9-3.11 only)")

from ml_metadata.proto import metadata_store_pb2 as pb

from graphstore import Artifact, ArtifactType, FailedPrecondition, InvalidArgument, MetadataStore
from graphstore.mlmd import MetadataStore as CompatStore
from graphstore.mlmd import import_mlmd, verify_import
from graphstore.mlmd._source import open_source
from graphstore.mlmd.importer import text_progress
from tests.mlmd import mlmd_fixture

EXPECTED = {"types": 6, "contexts": 13, "artifacts": 43, "executions": 53, "events": 105,
            "attributions": 47, "associations": 36, "parent_contexts": 12}


@pytest.fixture(scope="module")
def mlmd_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mlmd") / "mlmd.sqlite"
    mlmd_fixture.build(path)
    return path


def test_import_copies_everything_and_answers_the_same(mlmd_file: Path, store: MetadataStore) -> None:
    before = mlmd_file.read_bytes()
    seen: list[tuple[str, int, int | None]] = []
    report = import_mlmd(mlmd_file, store, batch_size=7, progress=lambda *a: seen.append(a))
    assert report.copied == EXPECTED and set(report.skipped.values()) == {0}
    assert {stage for stage, _, _ in seen} == {"types", "contexts", "artifacts", "executions", "links",
                                               "checking"}
    assert report.verification is not None and report.verification.ok
    assert "verification passed" in str(report)
    check = verify_import(mlmd_file, store, samples=20)
    assert check.ok, str(check)
    assert check.questions == 203 and "verification passed" in str(check)
    assert mlmd_file.read_bytes() == before  # the source is opened read-only

    # the same ids, times and values as in MLMD, through MLMD's API on both sides
    source, _ = open_source(mlmd_file)
    ours = CompatStore(store=store)
    ids = list(range(1, 44))
    assert ours.get_artifacts_by_id(ids) == source.get_artifacts_by_id(ids)
    assert ours.get_executions_by_id(range(1, 54)) == source.get_executions_by_id(range(1, 54))
    assert ours.get_contexts_by_id(range(1, 14)) == source.get_contexts_by_id(range(1, 14))
    assert ours.get_artifact_type("Model", "v2") == source.get_artifact_type("Model", "v2")

    # graphstore's own lineage on the imported data: the whole chain, no hop cap
    chain = store.upstream(artifact_id=43)
    assert sorted(n.ref.id for n in chain.nodes if n.ref.kind == "artifact") == list(range(14, 43))

    # new records get fresh ids after the imported ones
    type_id = store.put_artifact_type(ArtifactType(name="New"))
    [new] = store.put_artifacts([Artifact(type_id=type_id, uri="/new")])
    assert type_id > 15 and new == 44


def test_rerun_and_interrupted_import_finish_without_duplicates(mlmd_file: Path) -> None:
    store = MetadataStore()

    class Interrupt(Exception):
        pass

    def stop_midway(stage: str, done: int, total: int | None) -> None:
        if stage == "executions" and done > 20:
            raise Interrupt

    with pytest.raises(Interrupt):
        import_mlmd(mlmd_file, store, batch_size=5, progress=stop_midway)
    assert 0 < len(store.get_executions()) < 53
    report = import_mlmd(mlmd_file, store, batch_size=5, verify=False)
    assert report.skipped["artifacts"] == 43 and 0 < report.copied["executions"] < 53
    assert report.verification is None
    again = import_mlmd(mlmd_file, store, batch_size=5)
    assert set(again.copied.values()) == {0} and again.skipped == EXPECTED
    assert again.verification is not None and again.verification.ok


def test_import_refuses_a_store_with_other_data_under_the_same_ids(mlmd_file: Path) -> None:
    store = MetadataStore()
    type_id = store.put_artifact_type(ArtifactType(name="Mine"))
    store.put_artifacts([Artifact(type_id=type_id, uri="/mine")])
    other = MetadataStore()
    for i in range(12):
        other.put_artifact_type(ArtifactType(name=f"filler{i}"))
    with pytest.raises(FailedPrecondition, match="type id 10"):
        import_mlmd(mlmd_file, other)


def test_import_into_a_file_then_open_it_with_an_mlmd_config(mlmd_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "graphstore.db"
    with MetadataStore(target) as store:
        import_mlmd(str(mlmd_file), store)
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(target)
    reopened = CompatStore(config)
    assert len(reopened.get_artifacts()) == 43
    assert [c.name for c in reopened.get_parent_contexts_by_context(2)] == ["iris"]


def test_import_arguments(mlmd_file: Path, tmp_path: Path) -> None:
    with pytest.raises(FailedPrecondition, match="no MLMD SQLite file"):
        import_mlmd(tmp_path / "missing.db", MetadataStore())
    with pytest.raises(ValueError, match="batch_size"):
        import_mlmd(mlmd_file, MetadataStore(), batch_size=0)
    with pytest.raises(InvalidArgument, match="mysql://"):
        import_mlmd("mysql://nohost", MetadataStore())
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(mlmd_file)
    config.sqlite.connection_mode = 1
    compat: Any = CompatStore(pb.ConnectionConfig(fake_database={}))
    assert import_mlmd(config, compat).copied["artifacts"] == 43  # a ConnectionConfig, a compat target
    stream = io.StringIO()
    text_progress(stream)("artifacts", 43, 43)
    assert stream.getvalue() == "\r   artifacts: 43/43\n"
