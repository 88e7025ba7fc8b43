"""A small two-run pipeline recorded through the step API: the web UI's tests and screenshots."""

from __future__ import annotations

from pathlib import Path

from graphstore import MetadataStore
from graphstore.pipeline import Pipeline

BUCKET = "s3://iris-demo"  # the uris shown (the files themselves are in a temporary folder)
HOSTILE_NAME = '<img src=x onerror="window.pwned=1">\'; --'
HOSTILE_URI = "javascript:window.pwned=2"


def record(store: MetadataStore, folder: Path) -> dict[str, int]:
    """Two runs of split → train → evaluate over one raw file; the runs differ in ``lr``.

    Returns the ids by role: ``raw``, ``train_1``/``train_2`` (executions), ``model_1``, …"""
    folder.mkdir(parents=True, exist_ok=True)
    raw_path = folder / "iris.csv"
    raw_path.write_text("sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n")
    ids: dict[str, int] = {}
    for run, lr in (("run-1", 0.1), ("run-2", 0.2)):
        n = run[-1]
        with Pipeline(store, "iris", run=run) as pipe:
            raw = pipe.artifact("RawData", path=raw_path, uri=f"{BUCKET}/raw/iris.csv", name="iris.csv")
            with pipe.step("Split", params={"seed": 7}, inputs={"data": raw}) as split:
                if not split.cached:
                    (folder / "train.csv").write_text("5.1,1.4,setosa\n")
                    (folder / "test.csv").write_text("7.0,4.7,versicolor\n")
                    split.output("train", type="Dataset", path=folder / "train.csv", uri=f"{BUCKET}/split/train.csv")
                    split.output("test", type="Dataset", path=folder / "test.csv", uri=f"{BUCKET}/split/test.csv")
            with pipe.step("Train", params={"lr": lr}, inputs={"data": split.outputs["train"]}) as train:
                (folder / f"model-{n}.pkl").write_text(f"model lr={lr}")
                train.output("model", type="Model", path=folder / f"model-{n}.pkl", uri=f"{BUCKET}/{run}/model.pkl")
            with pipe.step("Evaluate", inputs={"model": train.outputs["model"], "data": split.outputs["test"]}) as ev:
                (folder / f"metrics-{n}.json").write_text(f'{{"accuracy": 0.9{n}}}')
                ev.output("metrics", type="Metrics", path=folder / f"metrics-{n}.json",
                          uri=f"{BUCKET}/{run}/metrics.json",
                          properties={"accuracy": 0.9 + int(n) / 100})
        ids["raw"] = raw.id or 0
        ids["train_set"] = split.outputs["train"].id or 0
        assert train.execution is not None
        ids[f"train_{n}"] = train.execution.id or 0
        ids[f"model_{n}"] = train.outputs["model"].id or 0
        assert ev.execution is not None
        ids[f"evaluate_{n}"] = ev.execution.id or 0
        ids[f"metrics_{n}"] = ev.outputs["metrics"].id or 0
    # a name and uri a page must show as text, never run (apart from the pipeline)
    with Pipeline(store, "iris", run="notes") as pipe:
        hostile = pipe.artifact("Note", uri=HOSTILE_URI, name=HOSTILE_NAME)
    ids["hostile"] = hostile.id or 0
    return ids
