"""A small lineage store on each engine, and a runner for the ``graphstore`` console script."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graphstore import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    MetadataStore,
    ParentContext,
    PropertyType,
)
from tests.conftest import wipe_neo4j
from tests.neo4j_server import Neo4jTarget

SCRIPT = Path(sys.executable).with_name("graphstore")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "graphstore"]


@dataclass
class Target:
    """Where the CLI's store is, and the ids of what the fixture recorded there."""

    engine: str
    env: dict[str, str]
    cwd: Path
    ids: dict[str, int]

    def run(self, *args: str, env: dict[str, str] | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess[str]:
        full = {**os.environ, **self.env, "GRAPHSTORE_PROGRESS": "0", **(env or {})}
        return subprocess.run([*COMMAND, *args], capture_output=True, text=True, env=full, cwd=self.cwd,
                              timeout=timeout, check=False)


def build(store: MetadataStore) -> dict[str, int]:
    """data → Trainer → model → Evaluator → metrics, a failed Trainer on data, and a lonely
    artifact; all in PipelineRun run-1 of Pipeline demo."""
    store.put_artifact_type(ArtifactType(name="DataSet", properties={"rows": PropertyType.INT}))
    store.put_artifact_type(ArtifactType(name="Model"))
    store.put_artifact_type(ArtifactType(name="Metrics", properties={"accuracy": PropertyType.DOUBLE}))
    for name in ("Trainer", "Evaluator"):
        store.put_execution_type(ExecutionType(name=name))
    for name in ("Pipeline", "PipelineRun"):
        store.put_context_type(ContextType(name=name))
    pipeline, run = store.put_contexts([Context(type="Pipeline", name="demo"),
                                        Context(type="PipelineRun", name="run-1")])
    store.put_parent_contexts([ParentContext(child_id=run, parent_id=pipeline)])
    live = ArtifactState.LIVE
    data, lonely = store.put_artifacts([
        Artifact(type="DataSet", uri="/data/train.csv", name="train", properties={"rows": 150}, state=live),
        Artifact(type="DataSet", uri="/data/lonely.csv", state=live)])
    [data_record] = store.get_artifacts_by_id([data])
    train, (_, model), _ = store.put_execution(
        Execution(type="Trainer", last_known_state=ExecutionState.COMPLETE),
        [(data_record, Event(type=EventType.INPUT, path=["data"])),
         (Artifact(type="Model", uri="/models/m1.pkl", state=live), Event(type=EventType.OUTPUT, path=["model"]))], [])
    [model_record] = store.get_artifacts_by_id([model])
    evaluate, (_, metrics), _ = store.put_execution(
        Execution(type="Evaluator", last_known_state=ExecutionState.COMPLETE),
        [(model_record, Event(type=EventType.INPUT)),
         (Artifact(type="Metrics", uri="/metrics/m1.json", properties={"accuracy": 0.93}, state=live),
          Event(type=EventType.OUTPUT))], [])
    failed, _, _ = store.put_execution(
        Execution(type="Trainer", last_known_state=ExecutionState.FAILED,
                  custom_properties={"error_type": "ValueError"}),
        [(data_record, Event(type=EventType.INPUT))], [])
    store.put_attributions_and_associations(
        [Attribution(artifact_id=a, context_id=run) for a in (data, model, metrics)],
        [Association(execution_id=e, context_id=run) for e in (train, evaluate, failed)])
    return {"data": data, "lonely": lonely, "model": model, "metrics": metrics, "train": train,
            "evaluate": evaluate, "failed": failed, "pipeline": pipeline, "run": run}


def make_target(engine: str, request: pytest.FixtureRequest, cwd: Path) -> Target:
    """The small store of ``build`` on ``engine`` (a file in ``cwd``, or the wiped Neo4j)."""
    if engine == "neo4j":
        server: Neo4jTarget = request.getfixturevalue("neo4j_server")
        wipe_neo4j(server)
        env = {"GRAPHSTORE_URI": server.uri, "GRAPHSTORE_USER": server.user, "GRAPHSTORE_PASSWORD": server.password}
        store = MetadataStore(server.uri, user=server.user, password=server.password)
    else:
        env = {"GRAPHSTORE_URI": str(cwd / "store.db")}
        store = MetadataStore(cwd / "store.db")
    with store:
        ids = build(store)
    return Target(engine, env, cwd, ids)


@pytest.fixture(scope="module", params=["sqlite", "neo4j"])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The same small store on embedded SQLite (a file) and on Neo4j, built once per module."""
    yield make_target(request.param, request, tmp_path_factory.mktemp("cli"))
    if request.param == "neo4j":
        wipe_neo4j(request.getfixturevalue("neo4j_server"))


@pytest.fixture(params=["sqlite", "neo4j"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    """That store built anew for one test, for the commands that change it (delete)."""
    return make_target(request.param, request, tmp_path)


@pytest.fixture
def bare(tmp_path: Path) -> Target:
    """No store at all: the default ./graphstore.db does not exist in ``cwd``."""
    env = {k: "" for k in ("GRAPHSTORE_URI", "GRAPHSTORE_USER", "GRAPHSTORE_PASSWORD", "GRAPHSTORE_DATABASE")}
    return Target("none", env, tmp_path, {})


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """stderr is one ``graphstore: …`` line, with no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("graphstore"), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]



