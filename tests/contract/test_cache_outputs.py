"""A cache hit needs its outputs: a path-backed output deleted or changed since it was written
makes the step run again and is marked stale, on every engine (issue 11, item 5)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from graphstore import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    InvalidArgument,
    MetadataStore,
)
from graphstore.pipeline import Pipeline

STALE = "graphstore_stale_reason"  # spelled out: the documented name is the contract


def write(path: Path, data: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data)
    return path


def run_step(pipe: Pipeline, data: Artifact, out: Path, content: str = "weights-1",
             **step_options: object) -> tuple[bool, int]:
    """The README's Train step; returns (cached, model id). The block writes ``out``."""
    with pipe.step("Train", params={"lr": 0.1}, inputs={"data": data}, **step_options) as step:  # type: ignore[arg-type]
        if not step.cached:
            step.output("model", type="Model", path=write(out, content))
    model_id = step.outputs["model"].id
    assert model_id is not None
    return step.cached, model_id


def artifact(store: MetadataStore, artifact_id: int) -> Artifact:
    [a] = store.get_artifacts_by_id([artifact_id])
    return a


@pytest.fixture
def first(store: MetadataStore, tmp_path: Path) -> tuple[Pipeline, Artifact, int]:
    pipe = Pipeline(store, "p", run="r")
    data = pipe.artifact("DataSet", path=write(tmp_path / "d.csv", "a,b\n"))
    cached, model_id = run_step(pipe, data, tmp_path / "out" / "model.pkl")
    assert not cached
    return pipe, data, model_id


def test_a_still_valid_output_is_still_a_hit(store: MetadataStore, tmp_path: Path,
                                             first: tuple[Pipeline, Artifact, int]) -> None:
    pipe, data, model_id = first
    (tmp_path / "out" / "model.pkl").touch()  # a newer mtime is no change of content
    assert run_step(pipe, data, tmp_path / "unused") == (True, model_id)
    assert not (tmp_path / "unused").exists()  # the block was skipped
    assert artifact(store, model_id).state is ArtifactState.LIVE


def test_a_deleted_output_runs_the_step_and_is_marked(store: MetadataStore, tmp_path: Path,
                                                      first: tuple[Pipeline, Artifact, int]) -> None:
    pipe, data, model_id = first
    out = tmp_path / "out" / "model.pkl"
    out.unlink()
    with pipe.step("Train", params={"lr": 0.1}, inputs={"data": data}) as step:
        assert not step.cached
        stale = artifact(store, model_id)  # marked when the step found it gone
        assert stale.state is ArtifactState.DELETED
        assert stale.custom_properties[STALE].startswith("missing: ")
        step.output("model", type="Model", path=write(out, "weights-1"))
    # the same bytes again: the stored artifact comes back, LIVE, and the cache hits again
    revived = artifact(store, model_id)
    assert step.outputs["model"].id == model_id and revived.state is ArtifactState.LIVE
    assert STALE not in revived.custom_properties and revived.uri == str(out.resolve())
    assert run_step(pipe, data, tmp_path / "unused") == (True, model_id)


def test_a_truncated_output_runs_the_step(store: MetadataStore, tmp_path: Path,
                                          first: tuple[Pipeline, Artifact, int]) -> None:
    pipe, data, model_id = first
    write(tmp_path / "out" / "model.pkl", "weights")  # shorter than recorded
    cached, new_id = run_step(pipe, data, tmp_path / "out" / "model.pkl", content="weights-2")
    assert not cached and new_id != model_id
    stale = artifact(store, model_id)
    assert stale.state is ArtifactState.DELETED and stale.custom_properties[STALE].startswith("changed: ")
    assert run_step(pipe, data, tmp_path / "unused") == (True, new_id)  # the new run is the source now


def test_same_size_other_content_is_found_by_hash(store: MetadataStore, tmp_path: Path,
                                                  first: tuple[Pipeline, Artifact, int]) -> None:
    pipe, data, model_id = first
    write(tmp_path / "out" / "model.pkl", "weights-X")  # same size as "weights-1"
    # verify_outputs="size" does not read the bytes: still a hit
    assert run_step(pipe, data, tmp_path / "unused", verify_outputs="size") == (True, model_id)
    cached, _ = run_step(pipe, data, tmp_path / "out" / "model.pkl", content="weights-2")  # "auto" hashes
    assert not cached
    assert "sha256" in artifact(store, model_id).custom_properties[STALE]


def test_large_outputs_are_hashed_only_when_asked(store: MetadataStore, tmp_path: Path,
                                                  first: tuple[Pipeline, Artifact, int],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pipe, data, model_id = first
    monkeypatch.setattr("graphstore.cache.HASH_CHECK_MAX_BYTES", 4)  # every output is "large"
    write(tmp_path / "out" / "model.pkl", "weights-X")
    assert run_step(pipe, data, tmp_path / "unused") == (True, model_id)  # auto: size only
    cached, _ = run_step(pipe, data, tmp_path / "out" / "model.pkl", content="weights-2",
                         verify_outputs="hash")
    assert not cached and artifact(store, model_id).state is ArtifactState.DELETED


def test_directory_outputs_check_files_sizes_and_content(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    data = pipe.artifact("DataSet", path=write(tmp_path / "d.csv", "a,b\n"))
    shards = tmp_path / "shards"

    def shard_step(*files: tuple[str, str]) -> tuple[bool, int]:
        with pipe.step("Shard", inputs={"data": data}) as step:
            if not step.cached:
                shutil.rmtree(shards, ignore_errors=True)
                for name, text in files:
                    write(shards / name, text)
                step.output("shards", type="Shards", path=shards)
        shard_id = step.outputs["shards"].id
        assert shard_id is not None
        return step.cached, shard_id

    cached, first_id = shard_step(("part-0", "aa"), ("sub/part-1", "bb"))
    assert not cached and artifact(store, first_id).custom_properties["graphstore_file_count"] == 2
    assert shard_step() == (True, first_id)
    write(shards / "part-2", "cc")  # one more file
    assert not shard_step(("part-0", "aa"), ("sub/part-1", "bb"), ("part-2", "cc"))[0]
    assert "3 files" in artifact(store, first_id).custom_properties[STALE]
    cached, second_id = shard_step()
    assert cached and second_id != first_id
    write(shards / "part-2", "cX")  # same names and sizes, other bytes
    assert not shard_step(("part-0", "aa"), ("sub/part-1", "bb"), ("part-2", "cY"))[0]
    shutil.rmtree(shards)
    assert not shard_step(("part-0", "aa"))[0]
    assert artifact(store, second_id).state is ArtifactState.DELETED


def test_remote_uris_cannot_be_checked_and_stay_hits(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    data = pipe.artifact("DataSet", path=write(tmp_path / "d.csv", "a,b\n"))
    local = write(tmp_path / "model.pkl", "weights")
    for i in range(2):
        with pipe.step("Upload", inputs={"data": data}) as step:
            if not step.cached:
                # fingerprinted from the local copy, stored under a uri graphstore cannot open
                step.output("model", type="Model", path=local, uri="gs://bucket/model.pkl")
                step.output("report", type="Report", uri="https://example.com/r/1")
        assert step.cached is (i == 1)
        local.unlink(missing_ok=True)
    assert all(a.state is ArtifactState.LIVE for a in store.get_artifacts())


def test_find_cached_execution_checks_fingerprinted_outputs(store: MetadataStore, tmp_path: Path) -> None:
    out = write(tmp_path / "model.bin", "0123456789")
    train_type = store.put_execution_type(ExecutionType(name="Train"))
    model_type = store.put_artifact_type(ArtifactType(name="Model"))
    [data_id] = store.put_artifacts([Artifact(type_id=model_type, uri="/data")])
    fingerprinted = Artifact(type_id=model_type, uri=f"file://{out.resolve()}", state=ArtifactState.LIVE,
                             custom_properties={"graphstore_size_bytes": 10,
                                                "graphstore_sha256": hashlib.sha256(b"0123456789").hexdigest()})
    plain = Artifact(type_id=model_type, uri=str(tmp_path / "never-written"),  # no fingerprint
                     state=ArtifactState.LIVE)
    store.put_execution(Execution(type_id=train_type, last_known_state=ExecutionState.COMPLETE),
                        [(Artifact(id=data_id, type_id=model_type), Event(type=EventType.INPUT)),
                         (fingerprinted, Event(type=EventType.OUTPUT)), (plain, Event(type=EventType.OUTPUT))],
                        [])
    inputs = [Event(artifact_id=data_id, type=EventType.INPUT)]
    hit = store.find_cached_execution("Train", inputs)
    assert hit is not None and len(hit.outputs) == 2  # unfingerprinted outputs are not checked
    [model_id] = [a.id for a in hit.outputs if a.custom_properties]
    out.write_text("012345678X")
    assert store.find_cached_execution("Train", inputs) is None
    assert store.find_cached_execution("Train", inputs, verify_outputs="size") is not None
    assert store.find_cached_execution("Train", inputs, verify_outputs="off") is not None
    out.unlink()
    assert store.find_cached_execution("Train", inputs) is None
    assert artifact(store, model_id).state is ArtifactState.LIVE  # a plain lookup writes nothing
    assert store.find_cached_execution("Train", inputs, mark_stale=True) is None
    marked = artifact(store, model_id)
    assert marked.state is ArtifactState.DELETED and marked.custom_properties[STALE].startswith("missing: ")
    with pytest.raises(InvalidArgument, match="verify_outputs: expected one of auto, size, hash, off, got 'all'"):
        store.find_cached_execution("Train", inputs, verify_outputs="all")  # type: ignore[arg-type]



def test_registering_a_lost_artifacts_bytes_again_brings_it_back(store: MetadataStore, tmp_path: Path,
                                                                first: tuple[Pipeline, Artifact, int]) -> None:
    pipe, data, model_id = first
    moved = tmp_path / "archive" / "model.pkl"
    moved.parent.mkdir()
    (tmp_path / "out" / "model.pkl").rename(moved)
    assert not run_step(pipe, data, tmp_path / "out" / "other.pkl", content="weights-2")[0]
    assert artifact(store, model_id).state is ArtifactState.DELETED
    again = pipe.artifact("Model", path=moved)  # the same bytes, found elsewhere
    assert again.id == model_id and again.state is ArtifactState.LIVE and again.uri == str(moved.resolve())
    assert STALE not in again.custom_properties
