"""The Iris demo end to end: on the embedded engine, again on a persistent store, on Neo4j,
and through ``python -m graphstore.demo_iris``."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from graphstore import ExecutionState, FailedPrecondition, MetadataStore
from graphstore.demo_iris import PIPELINE, TRAIN_PARAMS, main, run_demo
from graphstore.pipeline import PIPELINE_TYPE
from tests.conftest import wipe_neo4j
from tests.neo4j_server import Neo4jTarget

needs_sklearn = pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None,
    reason="scikit-learn is not installed: pip install -e '.[demo]' (make test installs it)")

SECTIONS = ["run-1  first run: all 3 steps ran", "run-2  same data, same parameters: all 3 steps cached",
            "run-3  max_depth 5 → 2: 2 ran, 1 cached",
            "Which dataset was Model #", "Metrics by run", "Lineage of Metrics #",
            "Impact if DataSet #", "Cache hit: run-2 repeated run-1: 3 of 3 steps reused"]


def expected_scores() -> dict[str, float]:
    """The seed's recipe computed directly with scikit-learn, without graphstore."""
    from sklearn.datasets import load_iris  # type: ignore[import-untyped,unused-ignore]
    from sklearn.ensemble import RandomForestClassifier  # type: ignore[import-untyped,unused-ignore]
    from sklearn.metrics import accuracy_score, f1_score  # type: ignore[import-untyped,unused-ignore]
    from sklearn.model_selection import train_test_split  # type: ignore[import-untyped,unused-ignore]

    x, y = load_iris(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=42, stratify=y)
    model = RandomForestClassifier(n_estimators=100, max_depth=5, random_state=42).fit(x_train, y_train)
    predicted = model.predict(x_test)
    return {"accuracy": float(accuracy_score(y_test, predicted)),
            "f1": float(f1_score(y_test, predicted, average="weighted"))}


def section(text: str, title: str) -> list[str]:
    """The lines of one section: from its title line to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def check_output(text: str, store: MetadataStore) -> None:
    for title in SECTIONS:
        assert title in text, title
    # every step of run 2 was a cache hit, and run 2 made nothing new
    run2 = section(text, "run-2")[1:4]
    assert [line.split()[0] for line in run2] == ["DataIngestion", "ModelTraining", "ModelEvaluation"]
    assert [line.split()[1] for line in run2] == ["cached"] * 3
    assert "0 new artifacts" in text
    # the model was trained on the ingested dataset (2 hops), which came from the raw file
    trained_on = section(text, "Which dataset")
    assert re.match(r"\s+DataSet #\d+\s+iris.csv\s+150 rows .* 2 hops$", trained_on[1])
    assert re.match(r"\s+RawData #\d+\s+iris.csv .* 4 hops$", trained_on[2])
    # metrics by run: the numbers are the stored ones and the seed recipe's
    rows = [line.split() for line in section(text, "Metrics by run")[2:]]
    assert [r[:3] for r in rows] == [["run-1", "complete", "5"], ["run-2", "cached", "5"],
                                     ["run-3", "complete", "2"]]
    assert rows[0][3] == rows[1][3] != rows[2][3]  # run 2 reused run 1's metrics artifact
    metrics = store.get_artifacts_by_id([int(rows[0][3].lstrip("#"))])[0]
    scores = expected_scores()
    assert rows[0][4] == f"{scores['accuracy']:.4f}" == f"{metrics.properties['accuracy']:.4f}"
    assert rows[0][7] == f"{scores['f1']:.4f}" == f"{metrics.properties['f1']:.4f}"
    # lineage: nearest first, down to the raw data at 6 hops, with the explaining path
    lineage = section(text, "Lineage of Metrics")
    hops = [int(line.split()[0]) for line in lineage[2:] if line.split()[0].isdigit()]
    assert hops == sorted(hops) and hops[-1] == 6
    assert re.search(r"path: Metrics #\d+ ← ModelEvaluation #\d+ ← Model #\d+ ← ModelTraining #\d+ "
                     r"← DataSet #\d+ ← DataIngestion #\d+ ← RawData #\d+$", text, re.MULTILINE)
    impact = section(text, "Impact if DataSet")
    assert impact[1].split()[1:] == ["run-1,", "run-2,", "run-3"]
    assert any(line.split()[0] == "ModelTraining" and len(line.split()) == 4 for line in impact)
    assert re.search(r"marked (\d+) nodes; cached training on DataSet #\d+: none, it would run again", text)
    assert re.search(r"unmarked \d+ nodes", text)


def check_store(store: MetadataStore, runs: int = 3) -> None:
    pipeline = store.get_context_by_type_and_name(PIPELINE_TYPE, PIPELINE)
    assert pipeline is not None and pipeline.id is not None
    children = sorted(store.get_children_contexts_by_context(pipeline.id), key=lambda c: c.id or 0)
    assert [c.name for c in children] == [f"run-{i}" for i in range(1, runs + 1)]
    [run2] = [c for c in children if c.name == "run-2"]
    states = {e.last_known_state for e in store.get_executions_by_context(run2.id)}  # type: ignore[arg-type]
    assert states == {ExecutionState.CACHED}
    # the demo unmarked what it marked: nothing stays quarantined
    assert all("graphstore_quarantine_reason" not in n.custom_properties
               for n in [*store.get_artifacts(), *store.get_executions()])
    [training] = [e for e in store.get_executions_by_type("ModelTraining")
                  if e.properties["max_depth"] == 5 and e.last_known_state is ExecutionState.COMPLETE]
    assert training.properties == TRAIN_PARAMS


@needs_sklearn
def test_demo_runs_on_the_embedded_engine() -> None:
    lines: list[str] = []
    with MetadataStore() as store:
        run_demo(store, out=lines.append)
        check_output("\n".join(lines), store)
        check_store(store)
    assert "(sqlite)" in lines[0]


@needs_sklearn
def test_demo_again_on_a_persistent_store_is_all_cache_hits(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with MetadataStore(path) as store:
        run_demo(store, out=lambda _: None, workdir=tmp_path / "work")
    lines: list[str] = []
    with MetadataStore(path) as store:
        run_demo(store, out=lines.append, workdir=tmp_path / "work")
        artifacts = len(store.get_artifacts())
    again = "\n".join(lines)
    # labelled by what happened: the "first" run of the second demo was all cache hits
    assert "run-4  the demo again (3 runs in the store): all 3 steps cached" in again
    assert "first run" not in again and "run-6  max_depth 5 → 2: all 3 steps cached" in again
    steps = [line.split()[1] for line in lines if line.startswith("  Data") or line.startswith("  Model")]
    assert steps[:9] == ["cached"] * 9  # the three new runs reuse everything
    assert artifacts == 7  # raw, dataset, 2 models, test split, 2 metrics: no duplicates


@needs_sklearn
def test_demo_runs_on_neo4j(neo4j_server: Neo4jTarget, capsys: pytest.CaptureFixture[str]) -> None:
    wipe_neo4j(neo4j_server)
    code = main(["--uri", neo4j_server.uri, "--user", neo4j_server.user, "--password", neo4j_server.password])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "(neo4j)" in text.splitlines()[0]
    with MetadataStore(neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password) as store:
        check_output(text, store)
        check_store(store)


@needs_sklearn
def test_module_entry_point() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSTORE_")}
    done = subprocess.run([sys.executable, "-m", "graphstore.demo_iris"], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "(sqlite)" in done.stdout and "Cache hit: run-2 repeated run-1" in done.stdout


def test_without_scikit_learn_the_demo_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with MetadataStore() as store, pytest.raises(FailedPrecondition, match=r"pip install 'graphstore-lineage\[demo\]'"):
        run_demo(store)
    monkeypatch.delenv("GRAPHSTORE_URI", raising=False)
    assert main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the Iris demo needs scikit-learn") and err.count("\n") == 1
