"""Schema changes are finished before a type call returns; no sequence of calls breaks the store.

Neo4j builds an index in the background. A write reaching an index still POPULATING with a
value the index cannot hold (over ~8 KB) was committed to the log, failed to apply, and
panicked the database ("needs to be restarted"); one written earlier in the build left the
index FAILED. Type calls now return only once their indexes are ONLINE.
"""

from __future__ import annotations

import threading
import time

import pytest

from graphstore import (
    Artifact,
    ArtifactType,
    EngineUnavailable,
    InvalidArgument,
    ListOptions,
    MetadataStore,
    NotFound,
    PropertyType,
)
from tests.conftest import StoreFactory
from tests.contract.health import (
    assert_store_answers,
    broken_indexes,
    other_transactions,
    wait_idle,
    within,
)

# Thousands of nodes make each index build take a while (0.3-1 s on a loaded machine), the
# window in which a write used to panic Neo4j or leave the index FAILED.
SEED = 2_000
ROUNDS = 10
LONG = "x" * 9_000


def _index_state(store: MetadataStore, key: str) -> list[str]:
    """States of Neo4j's index on Artifact's bounded key of properties.<key> (decision 40);
    SQLite's indexes are always complete, so there is nothing to report."""
    if store.engine_name != "neo4j":
        return ["ONLINE"]
    records, _, _ = store._engine._driver.execute_query(  # type: ignore[attr-defined]
        "SHOW INDEXES YIELD state, labelsOrTypes, properties "
        "WHERE labelsOrTypes = ['Artifact'] AND properties = [$key] RETURN state",
        key=f"_key.properties.{key}")
    return [r["state"] for r in records]


def _put_long(store: MetadataStore, type_id: int, key: str) -> str:
    """Write a value too long for an index: stored whole ("stored") or refused whole
    ("refused", InvalidArgument naming the field) — never a broken store."""
    try:
        [aid] = store.put_artifacts([Artifact(type_id=type_id, properties={key: LONG})])
    except InvalidArgument as exc:
        assert f"properties.{key}" in str(exc), exc
        return "refused"
    [got] = store.get_artifacts_by_id([aid])
    assert got.properties[key] == LONG
    return "stored"


def _put_long_once_visible(store: MetadataStore, name: str, key: str, outcome: list[object]) -> None:
    """Another writer: uses the type the moment it can see it."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            type_id = store.get_artifact_type(name).id
        except NotFound:
            continue
        try:
            outcome.append(_put_long(store, type_id, key))
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)
        return
    outcome.append(AssertionError(f"type {name} never appeared"))


@pytest.mark.slow
def test_a_long_string_right_after_its_type_never_breaks_the_store(open_store: StoreFactory,
                                                                   fresh_key: str) -> None:
    store, other = open_store(), open_store()
    seed = store.put_artifact_type(ArtifactType(name="Seed"))
    store.put_artifacts([Artifact(type_id=seed) for _ in range(SEED)])  # index builds take a while
    for i in range(ROUNDS):
        key, name = f"{fresh_key}{i}", f"T{i}"
        outcome: list[object] = []
        writer = threading.Thread(target=_put_long_once_visible, args=(other, name, key, outcome))
        writer.start()
        t = store.put_artifact_type(ArtifactType(name=name, properties={key: PropertyType.STRING}))
        assert _index_state(store, key) == ["ONLINE"], f"round {i}: the type call returned early"
        mine = _put_long(store, t, key)  # the sequence: write as soon as the call returns
        writer.join(150)
        assert len(outcome) == 1 and isinstance(outcome[0], str), outcome
        assert {mine, outcome[0]} in ({"stored"}, {"refused"})  # the same answer both times
        assert_store_answers(store)


def test_a_long_struct_under_a_later_indexed_key_does_not_fail_the_index(store: MetadataStore,
                                                                        fresh_key: str) -> None:
    # A STRUCT stored under the same key a later type's STRING property is indexed on used to
    # make Neo4j's index build FAIL; the index is now on the bounded `_key.*` shadow, which
    # only declared scalar values get, so the build succeeds on every engine.
    key = fresh_key + "p"
    old = store.put_artifact_type(ArtifactType(name="Old", properties={key: PropertyType.STRUCT}))
    store.put_artifacts([Artifact(type_id=old, properties={key: {"text": LONG}})])
    new = store.put_artifact_type(ArtifactType(name="New", properties={key: PropertyType.STRING}))
    assert _index_state(store, key) == ["ONLINE"]
    [aid] = store.put_artifacts([Artifact(type_id=new, properties={key: LONG})])
    assert store.get_artifacts_by_id([aid])[0].properties[key] == LONG
    assert_store_answers(store)
    assert [a.properties[key] for a in store.get_artifacts_by_type("Old")] == [{"text": LONG}]


def test_a_long_value_in_an_online_index_is_a_clear_error(store: MetadataStore, fresh_key: str) -> None:
    """Stored whole, or refused whole with the field named (Neo4j's own message names only an
    index id); either way the store answers on."""
    key = fresh_key + "s"
    t = store.put_artifact_type(ArtifactType(name="T", properties={key: PropertyType.STRING}))
    try:
        [aid] = store.put_artifacts([Artifact(type_id=t, properties={key: LONG})])
    except InvalidArgument as exc:
        assert f"properties.{key}" in str(exc) and "nothing was written" in str(exc)
        assert store.get_artifacts_by_type("T") == []
    else:
        assert store.get_artifacts_by_id([aid])[0].properties[key] == LONG
    assert_store_answers(store)


def test_a_terminated_read_is_a_clear_error(engine_name: str, open_store: StoreFactory) -> None:
    """An administrator's TERMINATE TRANSACTION (or a shutdown) is EngineUnavailable, not a
    raw driver error."""
    if engine_name != "neo4j":
        pytest.skip("only a server has other sessions that can terminate a transaction")
    from tests.contract.test_timeouts import EXPENSIVE, _expensive_store, _reopen

    _expensive_store(open_store())
    store = _reopen(open_store, engine_name, filter_timeout=600)
    outcome: dict[str, BaseException] = {}

    def read() -> None:
        try:
            store.get_artifacts(ListOptions(filter_query=EXPENSIVE))
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while not (running := [t for t in other_transactions(store) if "ATTRIBUTED_TO" in (t["currentQuery"] or "")]):
        assert time.monotonic() < deadline, "the read never started"
        time.sleep(0.1)
    driver = store._engine._driver  # type: ignore[attr-defined]
    driver.execute_query("TERMINATE TRANSACTIONS $ids", ids=[t["transactionId"] for t in running])
    reader.join(60)
    assert isinstance(outcome.get("error"), EngineUnavailable), outcome
    assert "terminated" in str(outcome["error"])
    wait_idle(store)
    within(60, lambda: assert_store_answers(store))
    assert broken_indexes(store) == []
    store.close()
