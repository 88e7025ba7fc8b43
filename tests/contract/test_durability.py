"""Reopening a store finds everything again; writers in several processes never collide."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
from pathlib import Path

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
    FailedPrecondition,
    GraphstoreError,
    MetadataStore,
    PropertyType,
)
from tests.conftest import StoreFactory

WRITERS = 4
PER_WRITER = 25


def test_reopen_finds_everything(engine_name: str, open_store: StoreFactory) -> None:
    if engine_name == "sqlite-memory":
        pytest.skip("an in-memory store is gone once closed, by design")
    store = open_store()
    t = store.put_artifact_type(ArtifactType(name="D", properties={"p": PropertyType.STRUCT}))
    e = store.put_execution_type(ExecutionType(name="E"))
    c = store.put_context_type(ContextType(name="C"))
    eid, aids, cids = store.put_execution(
        Execution(type_id=e), [(Artifact(type_id=t, properties={"p": {"k": [1]}}),
                                Event(type=EventType.OUTPUT, path=["out", 0]))],
        [Context(type_id=c, name="run")])
    store.close()
    again = open_store()
    [a] = again.get_artifacts_by_id(aids)
    assert a.properties == {"p": {"k": [1]}}
    assert [ev.path for ev in again.get_events_by_execution_ids([eid])] == [["out", 0]]
    assert [x.id for x in again.get_artifacts_by_context(cids[0])] == aids
    # the id sequence continues where it stopped
    [next_id] = again.put_artifacts([Artifact(type_id=t)])
    assert next_id > aids[0]


def _writer(target: tuple[str, str | None, str | None], type_id: int, n: int,
            queue: mp.Queue) -> None:  # type: ignore[type-arg]
    uri, user, password = target
    store = MetadataStore(uri, user=user, password=password)
    ids: list[int] = []
    for i in range(n):
        ids += store.put_artifacts([Artifact(type_id=type_id, uri=f"/{os.getpid()}/{i}")])
    store.close()
    queue.put(ids)


def test_stores_sharing_a_database_never_hand_out_the_same_id(engine_name: str,
                                                              open_store: StoreFactory) -> None:
    # Ids come from the in-database sequences (decision 2): two stores interleaving writes, a
    # store reopened after a close and a store after a failed write never collide.
    first, second = open_store(), open_store()
    t = first.put_artifact_type(ArtifactType(name="Shared"))
    e = first.put_execution_type(ExecutionType(name="Step"))
    artifacts: dict[str, list[int]] = {"first": [], "second": []}
    executions: list[int] = []
    for i in range(30):
        for name, store in (("first", first), ("second", second)):
            eid, aids, _ = store.put_execution(
                Execution(type_id=e), [(Artifact(type_id=t, uri=f"/{name}/{i}"),
                                        Event(type=EventType.OUTPUT))], [])
            executions.append(eid)
            artifacts[name] += aids
    with pytest.raises(GraphstoreError):
        first.put_artifacts([Artifact(type_id=t), Artifact(type_id=10**9)])  # rolled back whole
    artifacts["first"] += first.put_artifacts([Artifact(type_id=t)])
    if engine_name != "sqlite-memory":  # (in memory, every "store" here is the same one)
        first.close()
    third = open_store()
    artifacts["third"] = third.put_artifacts([Artifact(type_id=t) for _ in range(3)])
    artifacts["second"] += second.put_artifacts([Artifact(type_id=t)])
    stored = [a.id for a in third.get_artifacts()]
    assert len(stored) == len(set(stored)) == 30 * 2 + 2 + 3
    assert sorted(stored) == sorted(i for ids in artifacts.values() for i in ids)
    assert len(set(executions)) == 60
    for name, ids in artifacts.items():
        assert ids == sorted(ids), name  # each store sees its ids increase
    assert min(artifacts["third"]) > max(artifacts["first"])  # a reopened store starts above


@pytest.mark.slow
def test_concurrent_writers_get_unique_ids(engine_name: str, open_store: StoreFactory,
                                           request: pytest.FixtureRequest) -> None:
    if engine_name == "sqlite-memory":
        pytest.skip("an in-memory store lives in one process")
    store = open_store()
    type_id = store.put_artifact_type(ArtifactType(name="Shared"))
    target: tuple[str, str | None, str | None]
    if engine_name == "neo4j":
        server = request.getfixturevalue("neo4j_server")
        target = (server.uri, server.user, server.password)
    else:
        target = (str(store._engine.path), None, None)  # type: ignore[attr-defined]
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(target, type_id, PER_WRITER, queue))
             for _ in range(WRITERS)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    ids = [i for r in results for i in r]
    assert len(ids) == len(set(ids)) == WRITERS * PER_WRITER
    for r in results:
        assert r == sorted(r)  # each writer sees its ids increase
    stored = [a.id for a in store.get_artifacts()]
    assert sorted(stored) == sorted(ids)  # nothing lost


def test_newer_schema_version_is_refused(engine_name: str, open_store: StoreFactory,
                                         request: pytest.FixtureRequest) -> None:
    if engine_name == "sqlite-memory":
        pytest.skip("an in-memory store cannot be reopened")
    store = open_store()
    if engine_name == "neo4j":
        import neo4j

        server = request.getfixturevalue("neo4j_server")
        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as d:
            d.execute_query("MATCH (m:GraphstoreSchema) SET m.version = 99")
    else:
        import sqlite3

        with sqlite3.connect(store._engine.path) as raw:  # type: ignore[attr-defined]
            raw.execute("UPDATE graphstore_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(FailedPrecondition, match="99"):
        open_store()


_KILL_WRITER = """
import sys
from graphstore import Artifact, ArtifactType, MetadataStore
store = MetadataStore(sys.argv[1])
t = store.put_artifact_type(ArtifactType(name="K"))
i = 0
while True:
    [a] = store.put_artifacts([Artifact(type_id=t, uri=f"/k/{i}")])
    print(a, flush=True)  # acknowledged: the call returned, so it committed
    i += 1
"""


@pytest.mark.slow
def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    """The embedded file store keeps every write whose call returned, even if the writer
    process is killed outright (WAL + synchronous=NORMAL)."""
    path = tmp_path / "killed.db"
    proc = subprocess.Popen([sys.executable, "-c", _KILL_WRITER, str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    acknowledged = [int(proc.stdout.readline()) for _ in range(200)]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with MetadataStore(path) as store:
        stored = {a.id for a in store.get_artifacts()}
    assert set(acknowledged) <= stored
    assert len(stored) >= 200
