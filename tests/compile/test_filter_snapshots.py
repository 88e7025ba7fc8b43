"""Compiled filters, pinned: each query's SQL and Cypher text and parameters.

filter_snapshots.json holds the expected output; after an intended change, regenerate it with
``GRAPHSTORE_UPDATE_SNAPSHOTS=1 pytest tests/compile/test_filter_snapshots.py`` and review the
diff. What the texts mean is checked on real engines by tests/filters/test_filter_engines.py.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from graphstore.compile.filter_cypher import compile_filter_cypher, like_to_regex
from graphstore.compile.filter_sql import compile_filter_sql, like_to_glob
from graphstore.errors import InvalidArgument
from graphstore.filters import Alias, AliasKind, Compare, CompareOp, Field, NodeKind, ValueType, parse
from tests.filters.test_filter_engines import CASES as ENGINE_CASES
from tests.filters.test_filter_examples import EXAMPLES

SNAPSHOTS = Path(__file__).with_name("filter_snapshots.json")
UPDATE = os.environ.get("GRAPHSTORE_UPDATE_SNAPSHOTS") == "1"
A, E, C = NodeKind.ARTIFACT, NodeKind.EXECUTION, NodeKind.CONTEXT

# Constructs the examples and engine cases leave out, or only touch in passing.
EXTRA: list[tuple[NodeKind, str]] = [
    (A, "id = 1 AND id != 2 AND id < 3 AND id <= 4 AND id > 5 AND id >= 6"),
    (A, "properties.p.double_value < 1.5 OR properties.p.double_value >= -2"),
    (A, "properties.p.string_value NOT IN ('a', 'b') AND properties.p.string_value <= 'z'"),
    (A, "properties.p.bool_value IN (true, false) OR properties.p.bool_value != false"),
    (A, "custom_properties.`a\\`b`.int_value = 1 AND custom_properties.`x y`.string_value LIKE '%'"),
    (A, "properties.`p.q`.double_value IS NULL"),
    (A, "name NOT LIKE 'a*b?c[d]e\\%f\\_g_%'"),
    (A, "NOT (NOT (id = 1) OR (name = 'a' AND (uri = 'b' OR uri IS NULL)))"),
    (A, "contexts_a.properties.p.int_value = 1 AND contexts_a.custom_properties.q.string_value = 'x'"),
    (A, "contexts_a.name = 'x' AND type = 'T' AND contexts_b.id = 3 AND "
        "(contexts_a.id = 4 OR properties.p.int_value > 2)"),
    (A, "contexts_a.name = 'x' OR events_0.type = OUTPUT OR name = 'y'"),
    (E, "contexts_a.properties.p.bool_value = true AND events_x.type NOT IN (OUTPUT)"),
    (C, "artifacts_a.custom_properties.p.double_value > 0 AND executions_b.properties.q.int_value < 0"),
    (C, "parent_contexts_a.properties.p.string_value = 'x' OR child_contexts_b.id IS NOT NULL"),
    (C, "NOT (artifacts_a.name = 'x' AND artifacts_b.name = 'y') AND executions_a.id = 1"),
]


def _cases() -> list[tuple[NodeKind, str]]:
    seen: dict[tuple[NodeKind, str], None] = {}
    for query, kinds, _ in EXAMPLES:
        for kind in kinds:
            seen[kind, query] = None
    for kind, query, _ in ENGINE_CASES:
        # engine cases name ids as {a1}; any number does for the text
        seen[kind, re.sub(r"\{\w+\}", "7", query)] = None
    for kind, query in EXTRA:
        seen[kind, query] = None
    return list(seen)


CASES = _cases()


def _key(kind: NodeKind, query: str) -> str:
    return f"{kind.value}: {query}"


def render(kind: NodeKind, query: str) -> dict[str, Any]:
    expr = parse(query, kind)
    sql, sql_params = compile_filter_sql(expr, kind, "n")
    match, where, cypher_params = compile_filter_cypher(expr, kind, "n")
    return {"kind": kind.value, "query": query, "sql": sql, "sql_params": sql_params,
            "cypher_match": match, "cypher_where": where, "cypher_params": cypher_params}


def _dump(entries: list[dict[str, Any]]) -> str:
    """One JSON value per line, so a changed text or parameter is a one-line diff."""
    blocks = []
    for entry in entries:
        fields = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                            for k, v in entry.items())
        blocks.append(" {\n" + fields + "\n }")
    return "[\n" + ",\n".join(blocks) + "\n]\n"


@pytest.fixture(scope="module")
def snapshots() -> dict[str, Any]:
    if UPDATE:
        SNAPSHOTS.write_text(_dump([render(k, q) for k, q in CASES]), encoding="utf-8")
    entries = json.loads(SNAPSHOTS.read_text(encoding="utf-8"))
    return {_key(NodeKind(e["kind"]), e["query"]): e for e in entries}


def _exact(value: Any) -> str:
    # JSON text tells 1 from 1.0 and true from 1, which == does not
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize(("kind", "query"), CASES, ids=[_key(k, q) for k, q in CASES])
def test_snapshot(snapshots: dict[str, Any], kind: NodeKind, query: str) -> None:
    key = _key(kind, query)
    assert key in snapshots, "new case: regenerate with GRAPHSTORE_UPDATE_SNAPSHOTS=1"
    assert _exact(render(kind, query)) == _exact(snapshots[key])


def test_no_stale_snapshots(snapshots: dict[str, Any]) -> None:
    assert set(snapshots) == {_key(k, q) for k, q in CASES}


@pytest.mark.parametrize(("kind", "query"), CASES, ids=[_key(k, q) for k, q in CASES])
def test_literals_are_parameters(kind: NodeKind, query: str) -> None:
    out = render(kind, query)
    sql, cypher = out["sql"], out["cypher_match"] + "\n" + out["cypher_where"]
    assert "'" not in sql and '"' not in sql
    assert "'" not in cypher and '"' not in cypher
    assert sql.count("?") == len(out["sql_params"])
    assert set(re.findall(r"\$(\w+)", cypher)) == set(out["cypher_params"])
    assert all(name.startswith("f_") for name in out["cypher_params"])


def test_like_translations() -> None:
    assert like_to_glob("a%b_c") == "a*b?c"
    assert like_to_glob("*?[]^") == "[*][?][[]]^"
    assert like_to_glob("100\\%\\_\\\\") == "100%_\\"
    assert like_to_regex("a%b_c") == "(?s)a.*b.c"
    assert like_to_regex("x.y+(z)|$^\\%") == "(?s)x\\.y\\+\\(z\\)\\|\\$\\^\\%"
    assert like_to_regex("é ü") == "(?s)é ü"


def test_hand_built_names_are_checked() -> None:
    bogus = Compare(CompareOp.EQ, Field(None, "id) OR (1", ValueType.INT), 1)
    with pytest.raises(InvalidArgument, match="unknown filter attribute"):
        compile_filter_sql(bogus, A, "n")
    with pytest.raises(InvalidArgument, match="unknown filter attribute"):
        compile_filter_cypher(bogus, A, "n")
    misplaced = Compare(CompareOp.EQ, Field(Alias(AliasKind.ARTIFACTS, "a"), "id", ValueType.INT), 1)
    with pytest.raises(InvalidArgument, match="do not apply"):
        compile_filter_sql(misplaced, A, "n")
    with pytest.raises(InvalidArgument):
        compile_filter_sql(parse("id = 1", A), A, "n; DROP")
    with pytest.raises(InvalidArgument):
        compile_filter_cypher(parse("id = 1", A), A, "f_a0")
