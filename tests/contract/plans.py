"""Query plans of compiled listings, as lists of lines (root first), for plan assertions."""

from __future__ import annotations

from typing import Any

from graphstore import MetadataStore
from graphstore.ops import NodeQuery


def statement(store: MetadataStore, query: NodeQuery) -> Any:
    """The one statement the engine's compiler makes of ``query``."""
    [stmt] = store._engine.compiler.compile(query).statements  # type: ignore[attr-defined]
    return stmt


def plan(store: MetadataStore, query: NodeQuery) -> list[str]:
    """SQLite: EXPLAIN QUERY PLAN details. Neo4j: ``"<operator> <details>"`` per operator."""
    stmt = statement(store, query)
    if store.engine_name == "sqlite":
        rows = store._engine._conn.execute("EXPLAIN QUERY PLAN " + stmt.text, stmt.params)  # type: ignore[attr-defined]
        return [r["detail"] for r in rows]
    driver = store._engine._driver  # type: ignore[attr-defined]
    # The planner costs plans from sampled index statistics, which lag behind data that earlier
    # tests wrote and wiped (CI saw an index scan instead of a seek after test_indexes.py's
    # 100,000 artifacts): resample and drop cached plans, so the plan is the one this test's
    # own data gives whatever ran before.
    driver.execute_query("CALL db.prepareForReplanning()")
    summary = driver.execute_query("EXPLAIN " + stmt.text, stmt.params).summary
    out: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        details = node.get("args", {}).get("Details", "")
        out.append(f"{node['operatorType'].split('@')[0]} {details}".rstrip())
        for child in node.get("children", []):
            walk(child)
    walk(summary.plan)
    return out
