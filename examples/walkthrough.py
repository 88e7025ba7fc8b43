"""The MLMD walkthrough, on graphstore: types, a dataset, a training run, an experiment.

Runs on the embedded store by default; ``--uri bolt://127.0.0.1:7687 --password ...`` (or
``GRAPHSTORE_URI``) runs it against Neo4j.
"""

from __future__ import annotations

import argparse
import os

from graphstore import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    MetadataStore,
    PropertyType,
)


def record(store: MetadataStore) -> int:
    """Record one training step as seed 002 does; returns the model's id."""
    data_type = store.put_artifact_type(ArtifactType(
        name="DataSet", properties={"day": PropertyType.INT, "split": PropertyType.STRING}))
    store.put_artifact_type(ArtifactType(
        name="SavedModel", properties={"version": PropertyType.INT,
                                       "name": PropertyType.STRING}))
    trainer_type = store.put_execution_type(ExecutionType(
        name="Trainer", properties={"state": PropertyType.STRING}))
    experiment_type = store.put_context_type(ContextType(
        name="Experiment", properties={"note": PropertyType.STRING}))

    [data_id] = store.put_artifacts([Artifact(
        type_id=data_type, uri="path/to/data", state=ArtifactState.LIVE,
        properties={"day": 1, "split": "train"})])

    # One call records the run, its input and output, and the experiment it belongs to —
    # MLMD needs put_executions + put_events + put_artifacts + put_contexts + put_attributions.
    run_id, [_, model_id], [experiment_id] = store.put_execution(
        Execution(type_id=trainer_type, last_known_state=ExecutionState.COMPLETE,
                  properties={"state": "COMPLETED"}),
        [(Artifact(id=data_id, type_id=data_type, uri="path/to/data", state=ArtifactState.LIVE,
                   properties={"day": 1, "split": "train"}),
          Event(type=EventType.DECLARED_INPUT)),
         (Artifact(type="SavedModel", uri="path/to/model/file", state=ArtifactState.LIVE,
                   properties={"version": 1, "name": "MNIST-v1"}),
          Event(type=EventType.DECLARED_OUTPUT))],
        [Context(type_id=experiment_type, name="exp1",
                 properties={"note": "My first experiment."})])
    print(f"recorded: dataset #{data_id}, Trainer run #{run_id}, model #{model_id}, "
          f"experiment #{experiment_id}")
    return model_id


def trained_on(store: MetadataStore, model_id: int) -> list[Artifact]:
    """Which dataset was this model trained on? Follow the events back one step."""
    runs = [e.execution_id for e in store.get_events_by_artifact_ids([model_id])
            if e.type in (EventType.OUTPUT, EventType.DECLARED_OUTPUT)]
    inputs = [e.artifact_id for e in store.get_events_by_execution_ids(runs)  # type: ignore[arg-type]
              if e.type in (EventType.INPUT, EventType.DECLARED_INPUT)]
    return store.get_artifacts_by_id(inputs)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uri", default=os.environ.get("GRAPHSTORE_URI"),
                        help="store URI (default: embedded, in memory)")
    parser.add_argument("--user", default=os.environ.get("GRAPHSTORE_USER"))
    parser.add_argument("--password", default=os.environ.get("GRAPHSTORE_PASSWORD"))
    args = parser.parse_args()
    with MetadataStore(args.uri, user=args.user, password=args.password) as store:
        print(f"store: {store!r} ({store.engine_name})")
        model_id = record(store)
        print("\nartifact types:", ", ".join(t.name for t in store.get_artifact_types()))
        for a in store.get_artifacts():
            print(f"  artifact #{a.id} {a.type:<10} {a.uri:<20} {a.properties}")
        for e in store.get_executions():
            print(f"  execution #{e.id} {e.type} {e.last_known_state.name}")
        [experiment] = store.get_contexts_by_type("Experiment")
        members = [a.id for a in store.get_artifacts_by_context(experiment.id)]  # type: ignore[arg-type]
        print(f"  context #{experiment.id} {experiment.name!r} holds artifacts {members}")
        print(f"\nWhich dataset was model #{model_id} trained on?")
        for data in trained_on(store, model_id):
            print(f"  -> {data.type} #{data.id} at {data.uri!r}, properties {data.properties}")


if __name__ == "__main__":
    main()
