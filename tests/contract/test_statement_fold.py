"""``Statement.fold`` on every engine: the rows stream into the fold, whose value stands for them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphstore import MetadataStore
from graphstore.compile.base import Statement

# the same three rows in each engine's language (engine differences as data)
THREE_ROWS = {"sqlite": "SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3",
              "neo4j": "UNWIND [1, 2, 3] AS n RETURN n"}


def test_a_fold_takes_the_rows_as_they_stream(store: MetadataStore) -> None:
    seen: list[Any] = []

    def fold(rows: Iterator[dict[str, Any]]) -> list[dict[str, Any]]:
        assert not isinstance(rows, list)  # a stream, not the rows gathered first
        for row in rows:
            seen.append(row)
        return [{"total": sum(r["n"] for r in seen)}]

    text = THREE_ROWS[store.engine_name]
    plain, folded = store._engine.read(  # type: ignore[attr-defined]
        lambda tx: tx.execute([Statement(text), Statement(text, fold=fold)]))
    assert plain == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert folded == [{"total": 6}] and seen == plain
