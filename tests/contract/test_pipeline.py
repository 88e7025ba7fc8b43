"""The step API (graphstore.pipeline) on every engine: success, failure, atomic completion,
cache hits and misses, content fingerprints."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graphstore import (
    AlreadyExists,
    ArtifactState,
    EventType,
    ExecutionState,
    FailedPrecondition,
    InvalidArgument,
    MetadataStore,
    PropertyType,
)
from graphstore.pipeline import PIPELINE_RUN_TYPE, PIPELINE_TYPE, Pipeline, fingerprint

PARAMS = {"n_estimators": 100, "lr": 0.5, "criterion": "gini", "bootstrap": True,
          "layers": [64, 32], "extra": {"seed": 1}}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def events_of(store: MetadataStore, execution_id: int) -> list[tuple[EventType, int, list[str | int]]]:
    return sorted((e.type, e.artifact_id, list(e.path))  # type: ignore[misc]
                  for e in store.get_events_by_execution_ids([execution_id]))


def train(pipe: Pipeline, data: object, out: Path, *, params: dict[str, object] | None = None,
          content: str = "model-1", cache: bool = True) -> tuple[bool, int]:
    """A Train step; returns (cached, model id)."""
    with pipe.step("Train", params=PARAMS if params is None else params,
                   inputs={"data": data}, cache=cache) as step:  # type: ignore[dict-item]
        if not step.cached:
            step.output("model", type="Model", path=write(out, content))
    model_id = step.outputs["model"].id
    assert model_id is not None
    return step.cached, model_id


# -- success -------------------------------------------------------------------------------

def test_step_records_running_then_complete_with_outputs(store: MetadataStore, tmp_path: Path) -> None:
    with Pipeline(store, "iris", run="run-1") as pipe:
        data = pipe.artifact("DataSet", path=write(tmp_path / "d.csv", "a,b\n1,2\n"), properties={"rows": 1})
        with pipe.step("Train", params=PARAMS, inputs={"data": data}) as step:
            assert step.execution is not None and step.execution.id is not None
            [running] = store.get_executions_by_id([step.execution.id])
            assert running.last_known_state is ExecutionState.RUNNING
            assert running.properties == PARAMS
            assert events_of(store, step.execution.id) == [(EventType.INPUT, data.id, ["data"])]
            model = step.output("model", type="Model", path=write(tmp_path / "m.pkl", "weights"),
                                properties={"accuracy": 0.97})
            assert store.get_artifacts_by_type("Model") == []  # nothing written before the end
    execution_id = step.execution.id
    [done] = store.get_executions_by_id([execution_id])
    assert done.last_known_state is ExecutionState.COMPLETE and done.properties == PARAMS
    assert model.id is not None and model.id == step.outputs["model"].id  # filled in on exit
    [stored] = store.get_artifacts_by_id([model.id])
    assert stored.state is ArtifactState.LIVE and stored.uri == str((tmp_path / "m.pkl").resolve())
    assert stored.properties == {"accuracy": 0.97, "sha256": hashlib.sha256(b"weights").hexdigest(),
                                 "size_bytes": 7}
    assert events_of(store, execution_id) == [(EventType.INPUT, data.id, ["data"]),
                                              (EventType.OUTPUT, model.id, ["model"])]
    types = store.get_execution_type("Train").properties
    assert types == {"n_estimators": PropertyType.INT, "lr": PropertyType.DOUBLE,
                     "criterion": PropertyType.STRING, "bootstrap": PropertyType.BOOLEAN,
                     "layers": PropertyType.STRUCT, "extra": PropertyType.STRUCT}
    assert store.get_artifact_type("Model").properties["accuracy"] is PropertyType.DOUBLE
    # the execution and its output belong to the run and to the pipeline; the run is its child
    run, pipeline = pipe.run_context, pipe.context
    assert (run.type, pipeline.type) == (PIPELINE_RUN_TYPE, PIPELINE_TYPE)
    assert {c.id for c in store.get_contexts_by_execution(execution_id)} == {run.id, pipeline.id}
    assert {c.id for c in store.get_contexts_by_artifact(model.id)} == {run.id, pipeline.id}
    assert [c.id for c in store.get_parent_contexts_by_context(run.id)] == [pipeline.id]  # type: ignore[arg-type]


def test_list_inputs_get_indexed_paths_and_ids_work(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    a = pipe.artifact("Shard", path=write(tmp_path / "a", "a"))
    b = pipe.artifact("Shard", path=write(tmp_path / "b", "b"))
    with pipe.step("Merge", inputs={"shards": [a, b.id]}) as step:  # type: ignore[list-item]
        pass
    assert step.execution is not None and step.execution.id is not None
    assert events_of(store, step.execution.id) == [(EventType.INPUT, a.id, ["shards", 0]),
                                                   (EventType.INPUT, b.id, ["shards", 1])]
    assert [x.id for x in step.inputs["shards"]] == [a.id, b.id]  # type: ignore[union-attr]


def test_reopening_a_run_continues_it(store: MetadataStore) -> None:
    first = Pipeline(store, "p", run="r")
    again = Pipeline(store, "p", run="r")
    assert (first.run_context.id, first.context.id) == (again.run_context.id, again.context.id)
    assert len(store.get_parent_contexts_by_context(first.run_context.id)) == 1  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="run: 'r' is a run of another pipeline"):
        Pipeline(store, "other", run="r").start()


# -- failure -------------------------------------------------------------------------------

def test_failure_records_failed_reraises_and_writes_no_outputs(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    data = pipe.artifact("DataSet", path=write(tmp_path / "d", "x"))
    boom = ValueError("bad rows: 3")
    with pytest.raises(ValueError) as caught, pipe.step("Train", params={"k": 1}, inputs={"data": data}) as step:
        step.output("model", type="Model", path=write(tmp_path / "m", "m"))
        raise boom
    assert caught.value is boom
    assert step.execution is not None and step.execution.id is not None
    [failed] = store.get_executions_by_id([step.execution.id])
    assert failed.last_known_state is ExecutionState.FAILED
    assert failed.custom_properties == {"error_type": "ValueError", "error_message": "bad rows: 3"}
    assert failed.properties == {"k": 1}
    assert store.get_artifacts_by_type("Model") == []
    assert events_of(store, step.execution.id) == [(EventType.INPUT, data.id, ["data"])]
    assert step.outputs == {}


def test_interrupt_records_canceled(store: MetadataStore) -> None:
    pipe = Pipeline(store, "p", run="r")
    with pytest.raises(KeyboardInterrupt), pipe.step("Train") as step:
        raise KeyboardInterrupt
    assert step.execution is not None
    assert step.execution.last_known_state is ExecutionState.CANCELED
    assert step.execution.custom_properties["error_type"] == "KeyboardInterrupt"


def test_outputs_are_atomic_with_the_completion(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    with pipe.step("Train") as first:
        first.output("model", type="Model", path=write(tmp_path / "m0", "m0"), artifact_name="best")
    # the second output's name is taken (names are unique per type): the completion fails as
    # a whole, so the first output and every event of the step stay unwritten
    with pytest.raises(AlreadyExists), pipe.step("Train", cache=False) as step:
        step.output("report", type="Report", path=write(tmp_path / "r", "r"))
        step.output("model", type="Model", path=write(tmp_path / "m1", "m1"), artifact_name="best")
    assert step.execution is not None and step.execution.id is not None
    [failed] = store.get_executions_by_id([step.execution.id])
    assert failed.last_known_state is ExecutionState.FAILED
    assert failed.custom_properties["error_type"] == "graphstore.errors.AlreadyExists"
    assert store.get_artifacts_by_type("Report") == []
    assert [a.name for a in store.get_artifacts_by_type("Model")] == ["best"]
    assert events_of(store, step.execution.id) == []


# -- cache ---------------------------------------------------------------------------------

def test_cache_hit_reuses_outputs_and_records_cached(store: MetadataStore, tmp_path: Path) -> None:
    first = Pipeline(store, "p", run="r1")
    data = first.artifact("DataSet", path=write(tmp_path / "d", "x"))
    cached, model_id = train(first, data, tmp_path / "r1" / "m")
    assert not cached
    [original] = [s.execution for s in first.steps]
    artifacts_before = len(store.get_artifacts())

    second = Pipeline(store, "p", run="r2")
    ran = False
    with second.step("Train", params=PARAMS, inputs={"data": data}) as step:
        if not step.cached:
            ran = True
        with pytest.raises(FailedPrecondition, match="cache hit"):
            step.output("model", type="Model", path=write(tmp_path / "r2" / "m", "other"))
    assert step.cached and not ran
    assert step.outputs["model"].id == model_id
    assert step.cached_from is not None and original is not None and step.cached_from.id == original.id
    assert step.execution is not None and step.execution.id is not None
    [record] = store.get_executions_by_id([step.execution.id])
    assert record.last_known_state is ExecutionState.CACHED
    assert record.custom_properties == {"cached_from": original.id} and record.properties == PARAMS
    assert events_of(store, record.id) == [(EventType.INPUT, data.id, ["data"]),  # type: ignore[arg-type]
                                           (EventType.OUTPUT, model_id, ["model"])]
    assert len(store.get_artifacts()) == artifacts_before
    run2 = second.run_context.id
    assert model_id in {a.id for a in store.get_artifacts_by_context(run2)}  # type: ignore[arg-type]
    assert record.id in {e.id for e in store.get_executions_by_context(run2)}  # type: ignore[arg-type]
    # a CACHED execution is never itself a cache source: the COMPLETE one stays the answer
    third = Pipeline(store, "p", run="r3")
    with third.step("Train", params=PARAMS, inputs={"data": data}) as again:
        pass
    assert again.cached_from is not None and again.cached_from.id == original.id


def test_changed_params_or_inputs_miss_the_cache(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    data = pipe.artifact("DataSet", path=write(tmp_path / "d1", "x"))
    _, first_model = train(pipe, data, tmp_path / "m1")
    assert train(pipe, data, tmp_path / "m1")[0]  # sanity: the same call hits
    cached, model = train(pipe, data, tmp_path / "m2", params={**PARAMS, "lr": 0.25}, content="model-2")
    assert not cached and model != first_model
    fewer = {k: v for k, v in PARAMS.items() if k != "extra"}  # a subset of the params is no match
    assert not train(pipe, data, tmp_path / "m3", params=fewer, content="model-3")[0]
    changed = pipe.artifact("DataSet", path=write(tmp_path / "d2", "y"))
    assert changed.id != data.id
    assert not train(pipe, changed, tmp_path / "m4", content="model-4")[0]
    assert not train(pipe, data, tmp_path / "m5", cache=False, content="model-5")[0]


def test_failed_and_quarantined_runs_are_no_cache_source(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    data = pipe.artifact("DataSet", path=write(tmp_path / "d", "x"))
    with pytest.raises(RuntimeError), pipe.step("Train", params=PARAMS, inputs={"data": data}):
        raise RuntimeError("oom")
    cached, _ = train(pipe, data, tmp_path / "m")
    assert not cached
    store.impact([data.id], mark="bad")  # type: ignore[list-item]
    assert not train(pipe, data, tmp_path / "m")[0]


def test_int_param_fits_a_double_property(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    data = pipe.artifact("DataSet", path=write(tmp_path / "d", "x"))
    assert not train(pipe, data, tmp_path / "m", params={"lr": 0.5})[0]
    assert not train(pipe, data, tmp_path / "m2", params={"lr": 1}, content="other")[0]
    assert store.get_execution_type("Train").properties == {"lr": PropertyType.DOUBLE}
    assert train(pipe, data, tmp_path / "m3", params={"lr": 1.0}, content="third")[0]  # 1 == 1.0


# -- fingerprints --------------------------------------------------------------------------

def test_same_content_is_the_same_artifact(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    first = pipe.artifact("DataSet", path=write(tmp_path / "a.csv", "1,2\n"), properties={"rows": 1})
    copy = pipe.artifact("DataSet", path=write(tmp_path / "copy" / "b.csv", "1,2\n"), properties={"rows": 9})
    assert copy.id == first.id
    assert copy.uri == str((tmp_path / "a.csv").resolve()) and copy.properties["rows"] == 1  # first wins
    assert first.external_id == f"DataSet:sha256:{hashlib.sha256(b'1,2' + bytes([10])).hexdigest()}"
    # a step that writes the same bytes gets the stored artifact as its output
    with pipe.step("Copy", inputs={"src": first}) as step:
        step.output("dst", type="DataSet", path=write(tmp_path / "c.csv", "1,2\n"))
    assert step.outputs["dst"].id == first.id
    changed = pipe.artifact("DataSet", path=write(tmp_path / "a.csv", "1,3\n"))
    other_type = pipe.artifact("Labels", path=write(tmp_path / "l.csv", "1,2\n"))
    assert len({first.id, changed.id, other_type.id}) == 3
    assert len(store.get_artifacts()) == 3


def test_directory_fingerprint_covers_names_and_contents(tmp_path: Path) -> None:
    write(tmp_path / "d" / "x.txt", "x")
    write(tmp_path / "d" / "sub" / "y.txt", "yy")
    base = fingerprint(tmp_path / "d")
    assert base["size_bytes"] == 3 and base["file_count"] == 2
    shutil.copytree(tmp_path / "d", tmp_path / "copy")
    (tmp_path / "copy" / "empty").mkdir()
    assert fingerprint(tmp_path / "copy") == base  # same files; timestamps and empty dirs don't count
    (tmp_path / "copy" / "sub" / "y.txt").rename(tmp_path / "copy" / "sub" / "z.txt")
    assert fingerprint(tmp_path / "copy")["sha256"] != base["sha256"]
    write(tmp_path / "d" / "x.txt", "X")
    assert fingerprint(tmp_path / "d")["sha256"] != base["sha256"]
    assert fingerprint(tmp_path / "d" / "x.txt") == {"sha256": hashlib.sha256(b"X").hexdigest(), "size_bytes": 1}


def test_directory_artifacts_deduplicate(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    write(tmp_path / "a" / "part-0", "rows")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    first, again = (pipe.artifact("Shards", path=tmp_path / d) for d in ("a", "b"))
    assert first.id == again.id and first.properties["file_count"] == 1


# -- bad input -----------------------------------------------------------------------------

def test_bad_input_is_invalid_argument(store: MetadataStore, tmp_path: Path) -> None:
    pipe = Pipeline(store, "p", run="r")
    data = pipe.artifact("DataSet", path=write(tmp_path / "d", "x"))
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: pipe.step("Train", params={"lr": None}).__enter__(), r"params\['lr'\]: .*None"),
        (lambda: pipe.step("Train", inputs={"data": 999_999}).__enter__(),
         r"inputs\['data'\]: no artifact with id 999999"),
        (lambda: pipe.step("Train", inputs={"a": data, "b": data}).__enter__(),
         r"inputs\['b'\]: artifact .* is already input"),
        (lambda: pipe.step("Train", inputs={"data": "d.csv"}).__enter__(),  # type: ignore[dict-item]
         r"inputs\['data'\]: expected a stored artifact"),
        (lambda: pipe.artifact("DataSet", path=tmp_path / "missing"), r"path: .*missing"),
        (lambda: pipe.artifact("DataSet", path=tmp_path / "d", properties={"sha256": "x"}),
         r"\['sha256'\]: reserved"),
        (lambda: pipe.artifact(""), r"type: expected a non-empty string"),
        (lambda: Pipeline(store, ""), r"name: expected a non-empty string"),
    ]
    for call, message in cases:
        with pytest.raises(InvalidArgument, match=message):
            call()
    with pipe.step("Train", params={"lr": 0.1}):
        pass
    with pytest.raises(InvalidArgument, match=r"params\['lr'\]: 'fast' is STRING, but execution type "
                                              r"'Train' declares 'lr' as DOUBLE"):
        pipe.step("Train", params={"lr": "fast"}).__enter__()
    with pipe.step("Train") as step:
        step.output("m", type="Model", path=write(tmp_path / "m", "m"))
        with pytest.raises(InvalidArgument, match="output 'm' is declared twice"):
            step.output("m", type="Model", path=write(tmp_path / "m2", "m2"))
        with pytest.raises(InvalidArgument, match="same content as output 'm'"):
            step.output("copy", type="Model", path=write(tmp_path / "m3", "m"))
    with pytest.raises(FailedPrecondition, match="not running"):
        step.output("late", type="Model", uri="/x")
