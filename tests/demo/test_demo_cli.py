"""``graphstore demo`` leaves a store the CLI reads, with the pipeline's files kept next to it;
running it again adds runs and says so. On embedded SQLite (./graphstore.db) and on Neo4j."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from tests.cli.conftest import Target, one_line_error
from tests.conftest import wipe_neo4j
from tests.neo4j_server import Neo4jTarget

pytestmark = pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                                reason="the demo needs scikit-learn: pip install -e '.[demo]'")


@pytest.fixture(params=["sqlite", "neo4j"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    """An empty directory, and an empty Neo4j or no store yet (the default ./graphstore.db)."""
    env = {k: "" for k in ("GRAPHSTORE_URI", "GRAPHSTORE_USER", "GRAPHSTORE_PASSWORD", "GRAPHSTORE_DATABASE")}
    if request.param == "neo4j":
        server: Neo4jTarget = request.getfixturevalue("neo4j_server")
        wipe_neo4j(server)
        env = {"GRAPHSTORE_URI": server.uri, "GRAPHSTORE_USER": server.user, "GRAPHSTORE_PASSWORD": server.password}
    return Target(request.param, env, tmp_path, {})


def refs(target: Target, kind: str, *args: str) -> list[str]:
    result = target.run(*args, "ls", kind, "--format", "refs")
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_demo_leaves_a_store_and_its_files_and_adds_runs_again(where: Target) -> None:
    first = where.run("demo", timeout=600)  # three pipeline runs: slow on a busy machine
    assert first.returncode == 0, first.stderr
    files = where.cwd / "graphstore-demo-files"
    assert f"Files   {files}" in first.stdout
    assert "Runs    3 runs of the iris pipeline: this demo added run-1, run-2, run-3\n" in first.stdout
    assert "Next, try:" in first.stdout and " lineage artifact:" in first.stdout and "--open" in first.stdout
    assert " serve  # browse it in the web UI" in first.stdout or " serve " in first.stdout  # the server extra is in
    uri = ["--uri", "./graphstore.db"] if where.engine == "sqlite" else []
    if where.engine == "sqlite":
        assert f"Store   {where.cwd / 'graphstore.db'} (sqlite)" in first.stdout
    else:
        assert not (where.cwd / "graphstore.db").exists()
    artifacts = refs(where, "artifacts", *uri)
    assert len(artifacts) == 7
    # the artifacts the pipeline made point into the kept folder, and the files are there
    made = where.run(*uri, "ls", "artifacts", "--format", "json")
    uris = [a["uri"] for a in json.loads(made.stdout) if a["type"] != "RawData"]
    assert uris and all(u.startswith(str(files)) and os.path.isfile(u) for u in uris)
    executions = refs(where, "executions", *uri)
    for line in first.stdout.split("Next, try:\n")[1].splitlines():  # the hints work as printed
        command = line.split("  # ")[0].split()
        if where.engine == "sqlite" and "--open" not in command and command[-1] != "--help":
            # serve runs until stopped (tests/server runs it end to end): here its parser only
            result = where.run(*command[1:], *(["--help"] if command[-1] == "serve" else []))
            assert result.returncode == 0, (command, result.stderr)

    again = where.run(*uri, "demo", timeout=600)
    assert again.returncode == 0, again.stderr
    assert ("Runs    6 runs of the iris pipeline: this demo added run-4, run-5, run-6 to the 3 there before"
            in again.stdout)
    assert "first run" not in again.stdout  # the files are still there: run-4 is all cache hits
    assert "run-4  the demo again (3 runs in the store): all 3 steps cached" in again.stdout
    assert refs(where, "artifacts", *uri) == artifacts  # cache hits make nothing new
    assert len(refs(where, "executions", *uri)) == 2 * len(executions)
    assert where.run(*uri, "show", "context:PipelineRun/run-6").returncode == 0



def test_demo_files_folder_that_cannot_be_written_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "graphstore-demo-files").write_text("not a folder")
    result = Target("sqlite", {"GRAPHSTORE_URI": ""}, tmp_path, {}).run("demo")
    assert result.returncode == 2, result.stderr
    assert "the demo's files folder: cannot write" in one_line_error(result)
    assert (tmp_path / "graphstore-demo-files").read_text() == "not a folder"
