"""The Iris pipeline (seed 000) recorded with graphstore's step API, then questioned.

Three steps — DataIngestion, ModelTraining (random forest: 100 trees, depth 5, seed 42, 70/30
stratified split), ModelEvaluation (accuracy, weighted precision, recall, F1) — write real files
into a work directory, so every artifact carries a content fingerprint. The pipeline runs three
times: run 1 computes everything, run 2 repeats it (every step is a cache hit), run 3 changes
``max_depth``. Then the store answers: which dataset trained the model, the metrics by run, the
lineage of the metrics back to the raw data, and the impact of declaring the dataset bad.

    python -m graphstore.demo_iris                                  # embedded, in memory
    python -m graphstore.demo_iris --uri bolt://127.0.0.1:7687 --password ...   # or GRAPHSTORE_*

Needs scikit-learn (``pip install 'graphstore-lineage[demo]'``).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ._install import pip_install
from .errors import FailedPrecondition, GraphstoreError
from .models import Artifact, Event, EventType, Execution
from .pipeline import PIPELINE_RUN_TYPE, PIPELINE_TYPE, Pipeline, Step
from .store import MetadataStore

__all__ = ["PIPELINE", "TRAIN_PARAMS", "IrisRun", "main", "run_demo", "run_names", "run_pipeline"]

PIPELINE = "iris"
TRAIN_PARAMS: dict[str, Any] = {"n_estimators": 100, "max_depth": 5, "random_state": 42,
                                "test_size": 0.3, "stratify": True}
METRICS = ("accuracy", "precision", "recall", "f1")
Out = Callable[[str], Any]


@dataclass(frozen=True)
class IrisRun:
    """What one pipeline run recorded (or reused)."""

    run: str
    steps: list[Step]
    raw: Artifact | None
    dataset: Artifact
    model: Artifact
    metrics: Artifact


def _sklearn() -> Any:
    # imported by name so graphstore imports (and type-checks) without the demo extra
    try:
        return importlib.import_module("sklearn")
    except ImportError as exc:
        raise FailedPrecondition(f"the Iris demo needs scikit-learn: {pip_install('demo')} "
                                 "(make demo does)") from exc


def _bundled_iris_csv() -> Path | None:
    """The raw file scikit-learn's load_iris reads, when the install has it on disk."""
    try:
        path = Path(str(resources.files("sklearn.datasets.data").joinpath("iris.csv")))
    except (ModuleNotFoundError, TypeError):
        return None
    return path if path.is_file() else None


def _write_csv(path: Path, header: Sequence[str], rows: Any) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _read_xy(uri: str | None) -> tuple[list[list[float]], list[int]]:
    with Path(str(uri)).open(newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [[float(v) for v in r[:4]] for r in rows], [int(r[4]) for r in rows]


def _ingest(step: Step, out: Path) -> None:
    iris = importlib.import_module("sklearn.datasets").load_iris()
    names = list(iris.target_names)
    rows = ([*map(float, x), int(y), names[int(y)]] for x, y in zip(iris.data, iris.target, strict=True))
    path = _write_csv(out / "iris.csv", [*iris.feature_names, "target", "species"], rows)
    step.output("dataset", type="DataSet", path=path,
                properties={"rows": len(iris.target), "features": 4, "classes": len(names), "split": "all"})


def _train(step: Step, out: Path, dataset: Artifact) -> None:
    sk = importlib.import_module("sklearn.model_selection")
    ensemble = importlib.import_module("sklearn.ensemble")
    p = step.params
    x, y = _read_xy(dataset.uri)
    x_train, x_test, y_train, y_test = sk.train_test_split(
        x, y, test_size=p["test_size"], random_state=p["random_state"], stratify=y if p["stratify"] else None)
    model = ensemble.RandomForestClassifier(n_estimators=p["n_estimators"], max_depth=p["max_depth"],
                                            random_state=p["random_state"]).fit(x_train, y_train)
    model_path = out / "model.pkl"
    model_path.write_bytes(pickle.dumps(model))
    test_path = _write_csv(out / "test.csv", ["f0", "f1", "f2", "f3", "target"],
                           ([*row, label] for row, label in zip(x_test, y_test, strict=True)))
    step.output("model", type="Model", path=model_path,
                properties={"algorithm": "RandomForestClassifier", "train_rows": len(y_train)})
    step.output("test_set", type="DataSet", path=test_path, properties={"rows": len(y_test), "split": "test"})


def _evaluate(step: Step, out: Path, model: Artifact, test_set: Artifact) -> None:
    metrics = importlib.import_module("sklearn.metrics")
    clf = pickle.loads(Path(str(model.uri)).read_bytes())  # our own file, written by _train
    x, y = _read_xy(test_set.uri)
    predicted = clf.predict(x)
    avg = step.params["average"]
    scores = {"accuracy": float(metrics.accuracy_score(y, predicted)),
              "precision": float(metrics.precision_score(y, predicted, average=avg)),
              "recall": float(metrics.recall_score(y, predicted, average=avg)),
              "f1": float(metrics.f1_score(y, predicted, average=avg))}
    path = out / "metrics.json"
    path.write_text(json.dumps(scores, indent=2, sort_keys=True) + "\n")
    step.output("metrics", type="Metrics", path=path, properties=scores)


def run_pipeline(store: MetadataStore, workdir: str | os.PathLike[str], run: str,
                 **train_params: Any) -> IrisRun:
    """Run (or reuse) the three steps as run ``run``; ``train_params`` override TRAIN_PARAMS."""
    version = _sklearn().__version__
    out = Path(workdir) / run
    out.mkdir(parents=True, exist_ok=True)
    with Pipeline(store, PIPELINE, run=run) as pipe:
        raw_path = _bundled_iris_csv()
        raw = (pipe.artifact("RawData", path=raw_path, properties={"source": f"scikit-learn {version}"})
               if raw_path else None)
        with pipe.step("DataIngestion", params={"loader": "sklearn.datasets.load_iris"},
                       inputs={"raw": raw} if raw else {}) as ingest:
            if not ingest.cached:
                _ingest(ingest, out)
        dataset = ingest.outputs["dataset"]
        with pipe.step("ModelTraining", params={**TRAIN_PARAMS, **train_params},
                       inputs={"dataset": dataset}) as train:
            if not train.cached:
                _train(train, out, dataset)
        model, test_set = train.outputs["model"], train.outputs["test_set"]
        with pipe.step("ModelEvaluation", params={"average": "weighted"},
                       inputs={"model": model, "test_set": test_set}) as evaluate:
            if not evaluate.cached:
                _evaluate(evaluate, out, model, test_set)
        return IrisRun(run, list(pipe.steps), raw, dataset, model, evaluate.outputs["metrics"])


# -- printing ------------------------------------------------------------------------------

def _table(out: Out, rows: Sequence[Sequence[Any]], indent: str = "  ") -> None:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells if i < len(r)) for i in range(max(map(len, cells)))]
    for r in cells:
        out((indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False))).rstrip())


def _label(node: Artifact | Execution) -> str:
    return f"{node.type} #{node.id}"


def _file(node: Artifact | Execution) -> str:
    uri = getattr(node, "uri", None)
    return Path(uri).name if uri else ""


def _run_of(store: MetadataStore, node: Artifact | Execution) -> str:
    assert node.id is not None
    contexts = (store.get_contexts_by_execution(node.id) if isinstance(node, Execution)
                else store.get_contexts_by_artifact(node.id))
    return ", ".join(sorted(str(c.name) for c in contexts if c.type == PIPELINE_RUN_TYPE))


def _outcome(result: IrisRun) -> str:
    """What happened in a run, from its steps (a re-run on a kept store is all cache hits)."""
    cached = sum(s.cached for s in result.steps)
    ran = len(result.steps) - cached
    return f"all {ran} steps ran" if not cached else f"all {cached} steps cached" if not ran else (
        f"{ran} ran, {cached} cached")


def _print_run(out: Out, result: IrisRun, note: str) -> None:
    out(f"{result.run}  {note}: {_outcome(result)}")
    for step in result.steps:  # fixed widths: the three runs line up with each other
        assert step.execution is not None
        reuses = f"(reuses #{step.cached_from.id})" if step.cached_from else ""
        made = ", ".join(f"{k} #{a.id}" for k, a in step.outputs.items())
        out(f"  {step.type:<16} {'cached' if step.cached else 'ran':<6}  "
            f"execution #{step.execution.id:<3} {reuses:<12} → {made}")


def _print_trained_on(out: Out, store: MetadataStore, model: Artifact) -> None:
    assert model.id is not None
    out(f"\nWhich dataset was {_label(model)} trained on?   store.upstream(artifact_id={model.id}, "
        "kinds=['artifact'])")
    found = store.upstream(artifact_id=model.id, kinds=["artifact"])
    _table(out, [[_label(n.node), _file(n.node), f"{n.node.properties.get('rows', '')} rows"
                  if n.type == "DataSet" else str(n.node.properties.get("source", "")),
                  f"sha256 {str(n.node.properties.get('sha256', ''))[:12]}…", f"{n.distance} hops"]
                 for n in found.nodes])


def _print_metrics_by_run(out: Out, store: MetadataStore) -> None:
    out("\nMetrics by run")
    pipeline = store.get_context_by_type_and_name(PIPELINE_TYPE, PIPELINE)
    assert pipeline is not None and pipeline.id is not None
    rows: list[list[Any]] = [["run", "training", "max_depth", "metrics", *METRICS]]
    for run in sorted(store.get_children_contexts_by_context(pipeline.id), key=lambda c: c.id or 0):
        assert run.id is not None
        trainings = [e for e in store.get_executions_by_context(run.id) if e.type == "ModelTraining"]
        metrics = [a for a in store.get_artifacts_by_context(run.id) if a.type == "Metrics"]
        for training, m in zip(trainings, metrics, strict=False):
            rows.append([run.name, training.last_known_state.name.lower(),
                         training.properties.get("max_depth"), f"#{m.id}",
                         *(f"{m.properties[k]:.4f}" for k in METRICS)])
    _table(out, rows)


def _print_lineage(out: Out, store: MetadataStore, metrics: Artifact) -> None:
    assert metrics.id is not None
    out(f"\nLineage of {_label(metrics)} back to the raw data   store.upstream(artifact_id={metrics.id})")
    found = store.upstream(artifact_id=metrics.id)
    rows: list[list[Any]] = [["hops", "node", "type", "state / file", "run"]]
    for n in found.nodes:
        node = n.node
        what = node.last_known_state.name if isinstance(node, Execution) else _file(node)
        rows.append([n.distance, f"{n.ref.kind} #{n.ref.id}", n.type, what,
                     _run_of(store, node) if isinstance(node, Execution) else ""])
    _table(out, rows)
    raw = next((n for n in reversed(found.nodes) if n.type == "RawData"), found.nodes[-1] if found.nodes else None)
    if raw is not None:
        names = {(n.ref.kind, n.ref.id): n.type for n in found.nodes}
        names[("artifact", metrics.id)] = metrics.type
        out("  path: " + " ← ".join(f"{names[(r.kind, r.id)]} #{r.id}" for r in raw.path))
    out("  (a file made again with the same content stays one artifact, so every run that made it shows)")


def _print_impact(out: Out, store: MetadataStore, dataset: Artifact) -> None:
    assert dataset.id is not None
    out(f"\nImpact if {_label(dataset)} is declared bad   store.impact([{dataset.id}])")
    report = store.impact([dataset.id])
    runs = [c.name for c in report.contexts if c.type == PIPELINE_RUN_TYPE]
    rows: list[list[Any]] = [["runs", ", ".join(str(r) for r in runs)]]
    for type_name, nodes in report.by_type().items():
        rows.append([type_name, " ".join(f"#{n.ref.id}" for n in nodes)])
    _table(out, rows)
    # quarantine the lot: the cache refuses marked work, so retraining would really run again
    marked = store.impact([dataset.id], mark="declared bad by the Iris demo").marked
    inputs = [Event(artifact_id=dataset.id, type=EventType.INPUT, path=["dataset"])]
    hit = store.find_cached_execution("ModelTraining", inputs, properties=TRAIN_PARAMS)
    out(f"  marked {marked} nodes; cached training on {_label(dataset)}: "
        f"{'none, it would run again' if hit is None else '#' + str(hit.execution.id)}")
    out(f"  unmarked {store.unmark_impact([dataset.id])} nodes (store.unmark_impact)")


def run_names(store: MetadataStore) -> list[str]:
    """The names of the Iris pipeline's runs in the store, oldest first."""
    pipeline = store.get_context_by_type_and_name(PIPELINE_TYPE, PIPELINE)
    if pipeline is None or pipeline.id is None:
        return []
    return [str(c.name) for c in sorted(store.get_children_contexts_by_context(pipeline.id), key=lambda c: c.id or 0)]


def run_demo(store: MetadataStore, *, out: Out = print,
             workdir: str | os.PathLike[str] | None = None) -> None:
    """Run the Iris pipeline three times on ``store`` and print what the store knows.

    Files go to ``workdir`` (default: a temporary directory, removed afterwards). Run names
    continue after the runs already in the store, so the demo can run again on a persistent
    store — where its steps are then cache hits."""
    _sklearn()
    with tempfile.TemporaryDirectory(prefix="graphstore-iris-") as tmp:
        where = Path(workdir) if workdir is not None else Path(tmp)
        done = len(run_names(store))
        out(f"Iris pipeline on {store!r} ({store.engine_name}); files in {where}\n")
        first = run_pipeline(store, where, f"run-{done + 1}")
        _print_run(out, first, "first run" if not done else f"the demo again ({done} runs in the store)")
        before = len(store.get_artifacts())
        second = run_pipeline(store, where, f"run-{done + 2}")
        _print_run(out, second, "same data, same parameters")
        added = len(store.get_artifacts()) - before
        third = run_pipeline(store, where, f"run-{done + 3}", max_depth=2)
        _print_run(out, third, "max_depth 5 → 2")

        _print_trained_on(out, store, first.model)
        _print_metrics_by_run(out, store)
        _print_lineage(out, store, first.metrics)
        _print_impact(out, store, first.dataset)
        hits = sum(s.cached for s in second.steps)
        out(f"\nCache hit: {second.run} repeated {first.run}: {hits} of {len(second.steps)} steps reused "
            f"earlier outputs (recorded as CACHED), {added} new artifacts")


def main(argv: Sequence[str] | None = None) -> int:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m graphstore.demo_iris",
                                     description="Run the Iris pipeline demo on a graphstore store.")
    parser.add_argument("--uri", default=env.get("GRAPHSTORE_URI"),
                        help="store URI (default: $GRAPHSTORE_URI, else embedded in memory)")
    parser.add_argument("--user", default=env.get("GRAPHSTORE_USER"))
    parser.add_argument("--password", default=env.get("GRAPHSTORE_PASSWORD"))
    parser.add_argument("--database", default=env.get("GRAPHSTORE_DATABASE"))
    parser.add_argument("--workdir", help="where the pipeline writes its files (default: a temp dir)")
    args = parser.parse_args(argv)
    try:
        with MetadataStore(args.uri or None, user=args.user, password=args.password,
                           database=args.database) as store:
            run_demo(store, workdir=args.workdir)
    except GraphstoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
