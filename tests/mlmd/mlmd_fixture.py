"""An MLMD SQLite store built by real MLMD (ml-metadata 1.17), with every kind of record.

Types with versions, base types and every property type; artifacts, executions and contexts
with names, external ids, states and custom properties (STRUCT and PROTO too); events of
several kinds with key and index paths; attributions, associations, nested contexts; and a
long chain for deep lineage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

CHAIN = 30  # artifacts in the long chain: 2 * (CHAIN - 1) hops end to end


def mlmd_store(path: Path) -> Any:
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    config.sqlite.connection_mode = 3  # READWRITE_OPENCREATE
    return metadata_store.MetadataStore(config)


def build(path: Path, runs: int = 12) -> dict[str, Any]:
    """Write the store at ``path`` (through MLMD) and return the ids it made."""
    store = mlmd_store(path)
    data_t = store.put_artifact_type(pb.ArtifactType(
        name="DataSet", base_type=pb.ArtifactType.DATASET, description="rows",
        properties={"day": pb.INT, "split": pb.STRING, "score": pb.DOUBLE, "ok": pb.BOOLEAN,
                    "meta": pb.STRUCT, "blob": pb.PROTO}))
    model_t = store.put_artifact_type(pb.ArtifactType(name="Model", version="v2", external_id="mt",
                                                      properties={"acc": pb.DOUBLE}))
    train_t = store.put_execution_type(pb.ExecutionType(name="Trainer", base_type=pb.ExecutionType.TRAIN,
                                                        properties={"lr": pb.DOUBLE}))
    eval_t = store.put_execution_type(pb.ExecutionType(name="Evaluator"))
    pipe_t = store.put_context_type(pb.ContextType(name="Pipeline", properties={"owner": pb.STRING}))
    run_t = store.put_context_type(pb.ContextType(name="Run", version="1"))

    [pipeline] = store.put_contexts([pb.Context(type_id=pipe_t, name="iris", external_id="p-iris",
                                                properties={"owner": pb.Value(string_value="ml")})])
    raw = pb.Artifact(type_id=data_t, uri="/data/raw", name="raw", external_id="a-raw",
                      state=pb.Artifact.LIVE,
                      properties={"day": pb.Value(int_value=1), "split": pb.Value(string_value="all"),
                                  "score": pb.Value(double_value=0.5), "ok": pb.Value(bool_value=True)})
    raw.properties["meta"].struct_value.update({"rows": 150, "cols": ["a", "b"], "nested": {"x": True}})
    raw.properties["blob"].proto_value.Pack(pb.Value(string_value="packed"))
    raw.custom_properties["note"].string_value = "seed"
    [raw_id] = store.put_artifacts([raw])
    ids: dict[str, Any] = {"types": [data_t, model_t, train_t, eval_t, pipe_t, run_t],
                           "raw": raw_id, "pipeline": pipeline, "runs": [], "models": []}
    previous_model = None
    for r in range(runs):
        run = pb.Context(type_id=run_t, name=f"run-{r}")
        run.custom_properties["n"].int_value = r
        train = pb.Execution(type_id=train_t, name=f"train-{r}", last_known_state=pb.Execution.COMPLETE,
                             properties={"lr": pb.Value(double_value=0.1 * (r + 1))})
        model = pb.Artifact(type_id=model_t, uri=f"/models/{r}", state=pb.Artifact.LIVE,
                            properties={"acc": pb.Value(double_value=0.9 + r / 100)})
        # put_execution updates the artifacts it is given: pass them as stored
        inputs = [(store.get_artifacts_by_id([raw_id])[0], _event(pb.Event.INPUT, "data", 0))]
        if previous_model is not None:  # warm start: the models form a chain through the runs
            inputs.append((store.get_artifacts_by_id([previous_model])[0],
                           _event(pb.Event.DECLARED_INPUT, "warm")))
        train_id, (_, *rest), (run_id,) = store.put_execution(
            train, [*inputs, (model, _event(pb.Event.OUTPUT, "model"))], [run])
        model_id = rest[-1]
        evaluate = pb.Execution(type_id=eval_t, last_known_state=pb.Execution.FAILED if r % 5 == 4
                                else pb.Execution.COMPLETE)
        evaluate.custom_properties["seed"].int_value = r
        store.put_execution(evaluate, [(store.get_artifacts_by_id([model_id])[0], _event(pb.Event.INPUT, "model"))],
                            store.get_contexts_by_id([run_id]))
        store.put_parent_contexts([pb.ParentContext(child_id=run_id, parent_id=pipeline)])
        store.put_attributions_and_associations([pb.Attribution(artifact_id=model_id, context_id=pipeline)],
                                                [pb.Association(execution_id=train_id, context_id=pipeline)])
        ids["runs"].append(run_id)
        ids["models"].append(model_id)
        previous_model = model_id
    ids["chain"] = _chain(store, data_t, eval_t)
    return ids


def _event(kind: int, key: str, index: int | None = None) -> Any:
    event = pb.Event(type=kind)
    event.path.steps.add().key = key
    if index is not None:
        event.path.steps.add().index = index
    return event


def _chain(store: Any, data_t: int, exec_t: int) -> list[int]:
    """a0 -> e0 -> a1 -> e1 -> ... : a lineage deeper than one call's neighbourhood."""
    artifacts = store.put_artifacts([pb.Artifact(type_id=data_t, uri=f"/chain/{i}") for i in range(CHAIN)])
    executions = store.put_executions([pb.Execution(type_id=exec_t) for _ in range(CHAIN - 1)])
    events = []
    for i, e in enumerate(executions):
        events += [pb.Event(artifact_id=artifacts[i], execution_id=e, type=pb.Event.INPUT),
                   pb.Event(artifact_id=artifacts[i + 1], execution_id=e, type=pb.Event.OUTPUT)]
    store.put_events(events)
    return list(artifacts)
