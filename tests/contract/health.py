"""Checks that a store survived a hostile call: it still answers, nothing runs on, no index broke."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from graphstore import ContextType, ListOptions, MetadataStore

T = TypeVar("T")
_GRAPHSTORE_LABELS = ["Artifact", "Execution", "Context", "Type", "GraphstoreSequence", "GraphstoreSchema"]


def within(seconds: float, fn: Callable[[], T]) -> T:
    """``fn()``, failing the test (instead of hanging it) when it takes longer than ``seconds``."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the test thread below
            box["error"] = exc
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise AssertionError(f"the call did not return within {seconds} s")
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def other_transactions(store: MetadataStore) -> list[dict[str, Any]]:
    """Neo4j transactions still open on the server, besides the one asking (none on SQLite,
    which runs in the caller's process and has returned when the call has)."""
    if store.engine_name != "neo4j":
        return []
    records, _, _ = store._engine._driver.execute_query(  # type: ignore[attr-defined]
        "SHOW TRANSACTIONS YIELD transactionId, currentQuery, status, cpuTime "
        "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN *")
    return [r.data() for r in records]


def wait_idle(store: MetadataStore, seconds: float = 30.0) -> None:
    """Assert the server stops every transaction within ``seconds`` (a stopped query is gone,
    not still burning a core)."""
    deadline = time.monotonic() + seconds
    while (busy := other_transactions(store)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not busy, f"still running on the server: {busy}"


def broken_indexes(store: MetadataStore) -> list[dict[str, Any]]:
    """Neo4j indexes on graphstore's labels that are not ONLINE (always none on SQLite)."""
    if store.engine_name != "neo4j":
        return []
    records, _, _ = store._engine._driver.execute_query(  # type: ignore[attr-defined]
        "SHOW INDEXES YIELD name, state, labelsOrTypes, properties "
        "WHERE state <> 'ONLINE' AND any(l IN labelsOrTypes WHERE l IN $labels) RETURN *",
        labels=_GRAPHSTORE_LABELS)
    return [r.data() for r in records]


def assert_store_answers(store: MetadataStore) -> None:
    """The store reads and writes as before: no panic, no stuck query, no broken index."""
    def probe() -> None:
        type_id = store.put_context_type(ContextType(name="health-check"))
        assert [t.name for t in store.get_context_types_by_id([type_id])] == ["health-check"]
        store.get_artifacts(ListOptions(limit=1))
    within(120, probe)
    assert broken_indexes(store) == []



def drop_indexes_under(store: MetadataStore, prefix: str) -> None:
    """Drop Neo4j's indexes on properties named ``prefix…`` (the suite's wipes keep indexes)."""
    if store.engine_name != "neo4j":
        return
    driver = store._engine._driver  # type: ignore[attr-defined]
    records, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, properties WHERE properties[0] STARTS WITH $p RETURN name",
        p=f"properties.{prefix}")
    for r in records:
        driver.execute_query(f"DROP INDEX `{r['name']}` IF EXISTS")
