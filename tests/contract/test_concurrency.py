"""Idempotent calls stay idempotent under concurrent writers: 8 processes registering the same
types and reusing the same context and artifact all get the one stored record.

On Neo4j (read committed) two writers can both miss a record and both create it; the unique
constraint stops the second, whose call then runs again and finds the first's record. Before,
the loser raised AlreadyExists (4 of 6 workloads with 8 writers).
"""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionType,
    MetadataStore,
    PropertyType,
)
from tests.conftest import StoreFactory

WRITERS = 8
ROUNDS = 3
Target = tuple[str, str | None, str | None]


def _round(store: MetadataStore, key: str, r: int) -> dict[str, Any]:
    """One round of every idempotent call, on names shared by all writers."""
    types = (
        store.put_execution_type(ExecutionType(name=f"Trainer{r}", properties={"n": PropertyType.INT})),
        store.put_artifact_type(ArtifactType(name=f"Model{r}", properties={f"{key}{r}": PropertyType.STRING})),
        store.put_context_type(ContextType(name=f"Run{r}")),
    )
    e_type, a_type, c_type = types
    _, artifacts, contexts = store.put_execution(
        Execution(type_id=e_type),
        [(Artifact(type_id=a_type, external_id=f"model-{r}"), Event(type=EventType.OUTPUT))],
        [Context(type_id=c_type, name=f"run-{r}")],
        reuse_context_if_already_exist=True, reuse_artifact_if_already_exist_by_external_id=True)
    _, _, batch_contexts = store.put_lineage_subgraph(
        [Execution(type_id=e_type)], [], [Context(type_id=c_type, name=f"batch-{r}")], [],
        reuse_context_if_already_exist=True)
    return {"types": types, "context": contexts[0], "artifact": artifacts[0],
            "batch_context": batch_contexts[0]}


def _writer(target: Target, key: str, start: Any, queue: Any) -> None:
    uri, user, password = target
    results: list[Any] = []
    with MetadataStore(uri, user=user, password=password) as store:
        for r in range(ROUNDS):
            start.wait(timeout=300)  # every writer makes the same calls at the same moment
            try:
                results.append(_round(store, key, r))
            except Exception as exc:  # reported to the test, which names it
                results.append(f"{type(exc).__name__}: {exc}")
    queue.put(results)


@pytest.mark.slow
def test_idempotent_calls_from_eight_processes_agree(engine_name: str, open_store: StoreFactory,
                                                     fresh_key: str,
                                                     request: pytest.FixtureRequest) -> None:
    if engine_name == "sqlite-memory":
        pytest.skip("an in-memory store lives in one process")
    store = open_store()
    target: Target
    if engine_name == "neo4j":
        server = request.getfixturevalue("neo4j_server")
        target = (server.uri, server.user, server.password)
    else:
        target = (str(store._engine.path), None, None)  # type: ignore[attr-defined]
    ctx = mp.get_context("spawn")
    start, queue = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(target, fresh_key, start, queue)) for _ in range(WRITERS)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    errors = [r for rs in results for r in rs if isinstance(r, str)]
    assert errors == []
    for r in range(ROUNDS):
        answers = {tuple(sorted((k, str(v)) for k, v in rs[r].items())) for rs in results}
        assert len(answers) == 1, f"round {r}: the writers got different records: {answers}"
        # and exactly one of each is stored
        assert len(store.get_contexts_by_type(f"Run{r}")) == 2  # run-r and batch-r
        assert len(store.get_artifacts_by_external_ids([f"model-{r}"])) == 1
        assert len(store.get_executions_by_type(f"Trainer{r}")) == 2 * WRITERS
